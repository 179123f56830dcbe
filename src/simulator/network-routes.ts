/**
 * Microsoft.Network as @azure/arm-network 36.0.0 (api-version 2025-05-01) calls it: NSGs, NICs,
 * public IPs, Network Watchers, packet captures and flow logs, with the LRO styles the SDK expects
 * (facts file §2.1): PUTs answer 201/200 with `Azure-AsyncOperation`; stop, queryStatus and delete
 * answer 202 with `Location`. Poll and nextLink URLs are absolute URLs of this server.
 */
import { findById, isRecord, num, paged, propertiesOf, resourceNotFound, str, unpaged, type SimContext } from "./context";
import {
  captureStoragePath,
  sameId,
  type SimCaptureFilter,
  type SimFlowLog,
  type SimNetworkWatcher,
  type SimNic,
  type SimNsg,
  type SimPacketCapture,
  type SimPublicIp,
  type SimSecurityRule,
} from "./estate";
import { SimHttpError, type Route, type RouteRequest, type SimResponse } from "./router";
import { visibleRules } from "./nsg-rules";
import { hashGuid } from "./prng";

/** The api-version of every Microsoft.Network operation in @azure/arm-network 36.0.0. */
export const NETWORK_API_VERSION = "2025-05-01";
const V = NETWORK_API_VERSION;
const NET = "providers/Microsoft.Network";
/** Network Watcher's own bound on a capture's duration. */
const MAX_CAPTURE_SECONDS = 18_000;
const NW_AGENT_TYPES = ["NetworkWatcherAgentLinux", "NetworkWatcherAgentWindows"];

const etag = (id: string, salt = ""): string => `W/"${hashGuid(id + salt)}"`;

/** Azure's six default rules of every NSG. */
function defaultRules(nsgId: string): unknown[] {
  const rule = (name: string, priority: number, direction: string, access: string, source: string, destination: string, description: string): unknown => ({
    id: `${nsgId}/defaultSecurityRules/${name}`,
    name,
    type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
    properties: {
      provisioningState: "Succeeded",
      description,
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: source,
      destinationAddressPrefix: destination,
      access,
      priority,
      direction,
      sourcePortRanges: [],
      destinationPortRanges: [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
    },
  });
  return [
    rule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork", "Allow inbound traffic from all VMs in VNET"),
    rule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*", "Allow inbound traffic from azure load balancer"),
    rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"),
    rule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork", "Allow outbound traffic from all VMs to all VMs in VNET"),
    rule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet", "Allow outbound traffic from all VMs to Internet"),
    rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"),
  ];
}

/** Azure's rendering of single/plural fields: one value goes in the singular field. */
function singleOrPlural(singular: string, plural: string, values: string[]): Record<string, unknown> {
  return values.length === 1 ? { [singular]: values[0], [plural]: [] } : { [plural]: values };
}

function renderRule(nsgId: string, r: SimSecurityRule): unknown {
  return {
    id: `${nsgId}/securityRules/${r.name}`,
    name: r.name,
    etag: etag(nsgId, r.name),
    type: "Microsoft.Network/networkSecurityGroups/securityRules",
    properties: {
      provisioningState: "Succeeded",
      ...(r.description ? { description: r.description } : {}),
      protocol: r.protocol,
      sourcePortRange: "*",
      ...singleOrPlural("destinationPortRange", "destinationPortRanges", r.destinationPortRanges),
      ...singleOrPlural("sourceAddressPrefix", "sourceAddressPrefixes", r.sourceAddressPrefixes),
      ...singleOrPlural("destinationAddressPrefix", "destinationAddressPrefixes", r.destinationAddressPrefixes),
      access: r.access,
      priority: r.priority,
      direction: r.direction,
      sourcePortRanges: [],
    },
  };
}

/** Reads one rule from a PUT body (singular or plural fields). */
function parseRule(raw: unknown): SimSecurityRule {
  if (!isRecord(raw)) throw new SimHttpError(400, "InvalidRequestFormat", "Each security rule must be an object.");
  const name = str(raw, "name");
  const p = isRecord(raw["properties"]) ? raw["properties"] : undefined;
  if (!name || !p) throw new SimHttpError(400, "InvalidRequestFormat", "Each security rule needs a name and properties.");
  const list = (singular: string, plural: string): string[] => {
    const many = Array.isArray(p[plural]) ? (p[plural] as unknown[]).filter((x): x is string => typeof x === "string") : [];
    const one = str(p, singular);
    return many.length > 0 ? many : one !== undefined ? [one] : [];
  };
  const priority = num(p, "priority");
  const access = str(p, "access");
  const direction = str(p, "direction");
  const protocol = str(p, "protocol");
  if (priority === undefined || priority < 100 || priority > 4096) {
    throw new SimHttpError(400, "SecurityRuleInvalidPriority", `Security rule ${name} has invalid priority ${String(priority)}. Value provided: ${String(priority)}. Allowed range 100-4096.`);
  }
  if ((access !== "Allow" && access !== "Deny") || (direction !== "Inbound" && direction !== "Outbound") || !protocol) {
    throw new SimHttpError(400, "InvalidRequestFormat", `Security rule ${name} needs protocol, access (Allow|Deny) and direction (Inbound|Outbound).`);
  }
  return {
    name,
    priority,
    access,
    direction,
    protocol,
    sourceAddressPrefixes: list("sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationPortRanges: list("destinationPortRange", "destinationPortRanges"),
    destinationAddressPrefixes: list("destinationAddressPrefix", "destinationAddressPrefixes"),
    description: str(p, "description"),
  };
}

/** The capture's run state at `now` (Running until its time limit passes or it is stopped). */
export function captureState(c: SimPacketCapture, now: Date): { status: "NotStarted" | "Running" | "Stopped" | "Error"; stopReason?: string } {
  if (c.provisioningState === "Failed" || c.failure) return { status: "Error" };
  if (c.stoppedAt) return { status: "Stopped", stopReason: c.stopReason ?? "ManualStop" };
  if (now.getTime() >= Date.parse(c.createdAt) + c.timeLimitInSeconds * 1000) return { status: "Stopped", stopReason: "TimeExceeded" };
  return { status: "Running" };
}

/** Builds the Microsoft.Network routes. */
export function networkRoutes(ctx: SimContext): Route[] {
  const { estate } = ctx;
  const S = "/subscriptions/{subscriptionId}";
  const RG = `${S}/resourceGroups/{resourceGroupName}`;
  const sub = (req: RouteRequest): string => req.params["subscriptionId"] ?? "";
  const rg = (req: RouteRequest): string => req.params["resourceGroupName"] ?? "";
  const id = (req: RouteRequest, type: string, name: string | undefined): string => `/subscriptions/${sub(req)}/resourceGroups/${rg(req)}/${NET}/${type}/${name ?? ""}`;
  const inSub = <T extends { subscriptionId: string }>(items: readonly T[], req: RouteRequest): T[] => items.filter((i) => sameId(i.subscriptionId, sub(req)));
  const inRg = <T extends { subscriptionId: string; resourceGroup: string }>(items: readonly T[], req: RouteRequest): T[] =>
    inSub(items, req).filter((i) => sameId(i.resourceGroup, rg(req)));

  // ---------- LRO plumbing ----------
  const opsBase = (req: RouteRequest, location: string): string => `${req.baseUrl}/subscriptions/${sub(req)}/${NET}/locations/${location}`;
  const asyncHeaders = (req: RouteRequest, location: string, opId: string): Record<string, string> => ({
    "Azure-AsyncOperation": `${opsBase(req, location)}/operations/${opId}?api-version=${V}`,
    "Retry-After": "0",
  });
  const locationAccepted = (req: RouteRequest, location: string, opId: string): SimResponse => ({
    status: 202,
    headers: { Location: `${opsBase(req, location)}/operationResults/${opId}?api-version=${V}`, "Retry-After": "0" },
  });

  // ---------- NSG ----------
  const renderNsg = (nsg: SimNsg, provisioningState = "Succeeded"): unknown => ({
    id: nsg.id,
    name: nsg.name,
    type: "Microsoft.Network/networkSecurityGroups",
    location: nsg.location,
    etag: etag(nsg.id, JSON.stringify(nsg.rules)),
    tags: {},
    properties: {
      provisioningState,
      resourceGuid: hashGuid(nsg.id),
      securityRules: visibleRules(nsg, ctx.now()).map((r) => renderRule(nsg.id, r)),
      defaultSecurityRules: defaultRules(nsg.id),
      networkInterfaces: estate.nics.filter((n) => sameId(n.nsgId, nsg.id)).map((n) => ({ id: n.id })),
      subnets: nsg.subnetIds.map((s) => ({ id: s })),
      flowLogs: estate.flowLogs.filter((f) => sameId(f.targetResourceId, nsg.id)).map((f) => ({ id: f.id })),
    },
  });
  const findNsg = (req: RouteRequest): SimNsg =>
    findById(estate.nsgs, id(req, "networkSecurityGroups", req.params["name"]), "Microsoft.Network/networkSecurityGroups", req.params["name"] ?? "", rg(req));
  const putNsg = (req: RouteRequest): SimResponse => {
    const nsgId = id(req, "networkSecurityGroups", req.params["name"]);
    const props = propertiesOf(req.body);
    const rules = Array.isArray(props["securityRules"]) ? (props["securityRules"] as unknown[]).map(parseRule) : [];
    for (const direction of ["Inbound", "Outbound"]) {
      const seen = new Set<number>();
      for (const r of rules.filter((x) => x.direction === direction)) {
        if (seen.has(r.priority)) {
          throw new SimHttpError(400, "SecurityRuleConflict", `Security rules in ${req.params["name"] ?? ""} have the same priority ${r.priority} and direction ${direction}.`);
        }
        seen.add(r.priority);
      }
    }
    let nsg = estate.nsgs.find((n) => sameId(n.id, nsgId));
    const created = !nsg;
    if (!nsg) {
      const location = isRecord(req.body) ? str(req.body, "location") : undefined;
      if (!location) throw new SimHttpError(400, "LocationRequired", "The location property is required for this definition.");
      nsg = { id: nsgId, subscriptionId: sub(req), resourceGroup: rg(req), name: req.params["name"] ?? "", location, rules, subnetIds: [] };
      estate.nsgs.push(nsg);
    } else {
      nsg.rules = rules;
    }
    const opId = ctx.lro.createAsync(() => ({}));
    return { status: created ? 201 : 200, body: renderNsg(nsg, "Updating"), headers: asyncHeaders(req, nsg.location, opId) };
  };

  // ---------- NSG security rules, one at a time (issue 10: remediation touches one rule, never the others) ----------
  const ruleOf = (req: RouteRequest): { nsg: SimNsg; name: string; rule?: SimSecurityRule } => {
    const nsg = findNsg(req);
    const name = req.params["rule"] ?? "";
    return { nsg, name, rule: visibleRules(nsg, ctx.now()).find((r) => sameId(r.name, name)) };
  };
  const putRule = (req: RouteRequest): SimResponse => {
    const { nsg, name, rule: existing } = ruleOf(req);
    const rule = parseRule({ ...(isRecord(req.body) ? req.body : {}), name });
    const clash = visibleRules(nsg, ctx.now()).find((r) => !sameId(r.name, name) && r.direction === rule.direction && r.priority === rule.priority);
    if (clash) {
      throw new SimHttpError(400, "SecurityRuleConflict", `Security rule ${name} conflicts with rule ${clash.name}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.`);
    }
    if (existing) nsg.rules.splice(nsg.rules.indexOf(existing), 1, rule);
    else nsg.rules.push(rule);
    const opId = ctx.lro.createAsync(() => ({}));
    return { status: existing ? 200 : 201, body: renderRule(nsg.id, rule), headers: asyncHeaders(req, nsg.location, opId) };
  };
  const deleteRule = (req: RouteRequest): SimResponse => {
    const { nsg, rule } = ruleOf(req);
    if (!rule) return { status: 204 };
    const opId = ctx.lro.createLocation(() => {
      const index = nsg.rules.indexOf(rule);
      if (index >= 0) nsg.rules.splice(index, 1);
      return { status: 204 };
    });
    return locationAccepted(req, nsg.location, opId);
  };

  // ---------- NIC / public IP ----------
  const renderNic = (nic: SimNic): unknown => ({
    id: nic.id,
    name: nic.name,
    type: "Microsoft.Network/networkInterfaces",
    location: nic.location,
    etag: etag(nic.id),
    tags: {},
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: hashGuid(nic.id),
      ipConfigurations: nic.ipConfigurations.map((c, i) => ({
        id: `${nic.id}/ipConfigurations/${c.name}`,
        name: c.name,
        type: "Microsoft.Network/networkInterfaces/ipConfigurations",
        properties: {
          provisioningState: "Succeeded",
          privateIPAddress: c.privateIpAddress,
          privateIPAllocationMethod: "Dynamic",
          ...(c.publicIpId ? { publicIPAddress: { id: c.publicIpId } } : {}),
          subnet: { id: c.subnetId },
          primary: i === 0,
          privateIPAddressVersion: "IPv4",
        },
      })),
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      macAddress: nic.macAddress,
      enableAcceleratedNetworking: false,
      enableIPForwarding: nic.enableIPForwarding,
      ...(nic.nsgId ? { networkSecurityGroup: { id: nic.nsgId } } : {}),
      primary: true,
      ...(nic.vmId ? { virtualMachine: { id: nic.vmId } } : {}),
      nicType: "Standard",
    },
  });
  const renderPip = (pip: SimPublicIp): unknown => {
    let ipConfigurationId: string | undefined;
    for (const nic of estate.nics) {
      const cfg = nic.ipConfigurations.find((c) => sameId(c.publicIpId, pip.id));
      if (cfg) {
        ipConfigurationId = `${nic.id}/ipConfigurations/${cfg.name}`;
        break;
      }
    }
    return {
      id: pip.id,
      name: pip.name,
      type: "Microsoft.Network/publicIPAddresses",
      location: pip.location,
      etag: etag(pip.id),
      tags: {},
      sku: { name: pip.sku, tier: "Regional" },
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: hashGuid(pip.id),
        ipAddress: pip.ipAddress,
        publicIPAddressVersion: "IPv4",
        publicIPAllocationMethod: pip.allocation,
        idleTimeoutInMinutes: 4,
        ...(ipConfigurationId ? { ipConfiguration: { id: ipConfigurationId } } : {}),
      },
    };
  };

  // ---------- Network Watcher, flow logs ----------
  const renderWatcher = (w: SimNetworkWatcher): unknown => ({
    id: w.id,
    name: w.name,
    type: "Microsoft.Network/networkWatchers",
    location: w.location,
    etag: etag(w.id),
    tags: {},
    properties: { provisioningState: "Succeeded" },
  });
  const findWatcher = (req: RouteRequest): SimNetworkWatcher =>
    findById(estate.networkWatchers, id(req, "networkWatchers", req.params["watcher"]), "Microsoft.Network/networkWatchers", req.params["watcher"] ?? "", rg(req));
  const renderFlowLog = (f: SimFlowLog, provisioningState = "Succeeded"): unknown => ({
    id: f.id,
    name: f.name,
    type: "Microsoft.Network/networkWatchers/flowLogs",
    location: f.location,
    etag: etag(f.id, String(f.enabled)),
    properties: {
      provisioningState,
      targetResourceId: f.targetResourceId,
      targetResourceGuid: hashGuid(f.targetResourceId),
      storageId: f.storageId,
      enabled: f.enabled,
      retentionPolicy: { days: f.retentionDays, enabled: f.retentionDays > 0 },
      format: { type: "JSON", version: 2 },
      flowAnalyticsConfiguration: {
        networkWatcherFlowAnalyticsConfiguration: { enabled: f.trafficAnalytics, trafficAnalyticsInterval: 60 },
      },
    },
  });
  const findFlowLog = (req: RouteRequest, watcher: SimNetworkWatcher): SimFlowLog =>
    findById(estate.flowLogs, `${watcher.id}/flowLogs/${req.params["flowLog"] ?? ""}`, "Microsoft.Network/networkWatchers/flowLogs", req.params["flowLog"] ?? "", rg(req));
  const putFlowLog = (req: RouteRequest): SimResponse => {
    const watcher = findWatcher(req);
    const props = propertiesOf(req.body);
    const targetResourceId = str(props, "targetResourceId");
    const storageId = str(props, "storageId");
    if (!targetResourceId || !storageId) throw new SimHttpError(400, "InvalidRequestFormat", "targetResourceId and storageId are required.");
    const nsg = estate.nsgs.find((n) => sameId(n.id, targetResourceId));
    if (!nsg) throw new SimHttpError(400, "FlowLogTargetResourceNotFound", `Target resource '${targetResourceId}' was not found.`);
    if (!sameId(nsg.location, watcher.location)) {
      throw new SimHttpError(400, "FlowLogTargetResourceNotInWatcherRegion", `Target '${nsg.name}' is in ${nsg.location}; the Network Watcher is in ${watcher.location}.`);
    }
    // Azure writes flow logs only into a storage account in the NSG's region (issue 10 shows this refusal).
    const storage = estate.resources.find((r) => sameId(r.id, storageId));
    if (storage && !sameId(storage.location, nsg.location)) {
      throw new SimHttpError(400, "InvalidStorageAccountRegion", `Storage account '${storage.name}' is in ${storage.location}; the storage account for a flow log must be in the same region as network security group '${nsg.name}' (${nsg.location}).`);
    }
    const retention = isRecord(props["retentionPolicy"]) ? num(props["retentionPolicy"], "days") : undefined;
    const analytics = isRecord(props["flowAnalyticsConfiguration"]) && isRecord(props["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"])
      ? props["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]["enabled"] === true
      : false;
    const flowLogId = `${watcher.id}/flowLogs/${req.params["flowLog"] ?? ""}`;
    let flowLog = estate.flowLogs.find((f) => sameId(f.id, flowLogId));
    const created = !flowLog;
    const next: SimFlowLog = {
      id: flowLog?.id ?? flowLogId,
      subscriptionId: watcher.subscriptionId,
      watcherId: watcher.id,
      name: req.params["flowLog"] ?? "",
      location: watcher.location,
      targetResourceId: nsg.id,
      storageId,
      enabled: props["enabled"] !== false,
      retentionDays: retention ?? 0,
      trafficAnalytics: analytics,
    };
    if (flowLog) Object.assign(flowLog, next);
    else {
      flowLog = next;
      estate.flowLogs.push(flowLog);
    }
    const opId = ctx.lro.createAsync(() => ({}));
    return { status: created ? 201 : 200, body: renderFlowLog(flowLog, "Updating"), headers: asyncHeaders(req, watcher.location, opId) };
  };

  // ---------- packet captures ----------
  const renderCapture = (c: SimPacketCapture): unknown => ({
    name: c.name,
    id: c.id,
    etag: etag(c.id, c.provisioningState),
    properties: {
      provisioningState: c.provisioningState,
      target: c.target,
      targetType: c.targetType,
      bytesToCapturePerPacket: c.bytesToCapturePerPacket,
      totalBytesPerSession: c.totalBytesPerSession,
      timeLimitInSeconds: c.timeLimitInSeconds,
      storageLocation: {
        ...(c.storageId ? { storageId: c.storageId } : {}),
        ...(c.storagePath ? { storagePath: c.storagePath } : {}),
        ...(c.filePath ? { filePath: c.filePath } : {}),
      },
      filters: c.filters,
    },
  });
  const renderCaptureStatus = (c: SimPacketCapture): unknown => {
    const state = captureState(c, ctx.now());
    return {
      name: c.name,
      id: c.id,
      captureStartTime: c.createdAt,
      packetCaptureStatus: state.status,
      ...(state.stopReason ? { stopReason: state.stopReason } : {}),
      packetCaptureError: state.status === "Error" ? ["CaptureFailed"] : [],
    };
  };
  const findCapture = (req: RouteRequest): { watcher: SimNetworkWatcher; capture: SimPacketCapture } => {
    const watcher = findWatcher(req);
    const name = req.params["capture"] ?? "";
    const capture = estate.packetCaptures.find((c) => sameId(c.id, `${watcher.id}/packetCaptures/${name}`));
    if (!capture) throw resourceNotFound("Microsoft.Network/networkWatchers/packetCaptures", name, rg(req));
    return { watcher, capture };
  };
  const runningIn = (watcher: SimNetworkWatcher): number =>
    estate.packetCaptures.filter((c) => sameId(c.watcherId, watcher.id) && captureState(c, ctx.now()).status === "Running").length;
  const putCapture = (req: RouteRequest): SimResponse => {
    const watcher = findWatcher(req);
    const name = req.params["capture"] ?? "";
    const captureId = `${watcher.id}/packetCaptures/${name}`;
    const props = propertiesOf(req.body);
    const target = str(props, "target");
    const storage = isRecord(props["storageLocation"]) ? props["storageLocation"] : undefined;
    if (!target) throw new SimHttpError(400, "InvalidRequestFormat", "properties.target is required.");
    if (!storage) throw new SimHttpError(400, "InvalidRequestFormat", "properties.storageLocation is required.");
    const storageId = str(storage, "storageId");
    const filePath = str(storage, "filePath");
    if (!storageId && !filePath) {
      throw new SimHttpError(400, "InvalidRequestFormat", "storageLocation needs a storageId or a filePath.");
    }
    const timeLimit = num(props, "timeLimitInSeconds") ?? MAX_CAPTURE_SECONDS;
    if (timeLimit < 0 || timeLimit > MAX_CAPTURE_SECONDS) {
      throw new SimHttpError(400, "InvalidTimeLimitInSeconds", `timeLimitInSeconds must be between 0 and ${MAX_CAPTURE_SECONDS}.`);
    }
    const existing = estate.packetCaptures.find((c) => sameId(c.id, captureId));
    if (existing && existing.provisioningState !== "Failed") {
      throw new SimHttpError(409, "PacketCaptureAlreadyExists", `A packet capture named '${name}' already exists on ${watcher.name}; delete it first.`);
    }
    const vm = estate.vms.find((v) => sameId(v.id, target));
    if (!vm) throw new SimHttpError(400, "TargetResourceNotFound", `Target virtual machine '${target}' was not found.`);
    if (!sameId(vm.location, watcher.location)) {
      throw new SimHttpError(400, "TargetResourceNotInWatcherRegion", `Virtual machine '${vm.name}' is in ${vm.location}; Network Watcher '${watcher.name}' is in ${watcher.location}.`);
    }
    const limit = estate.limits.maxRunningCapturesPerRegion;
    if (runningIn(watcher) >= limit) {
      throw new SimHttpError(409, "PacketCaptureSessionLimitReached", `The limit of ${limit} running packet captures in ${watcher.location} is reached.`);
    }
    const now = ctx.now();
    const filters: SimCaptureFilter[] = Array.isArray(props["filters"])
      ? (props["filters"] as unknown[]).filter(isRecord).map((f) => {
          const filter: SimCaptureFilter = {};
          for (const key of ["protocol", "localIPAddress", "remoteIPAddress", "localPort", "remotePort"] as const) {
            const v = str(f, key);
            if (v !== undefined) filter[key] = v;
          }
          return filter;
        })
      : [];
    const capture: SimPacketCapture = {
      id: captureId,
      subscriptionId: watcher.subscriptionId,
      watcherId: watcher.id,
      name,
      target: vm.id,
      targetType: str(props, "targetType") === "AzureVMSS" ? "AzureVMSS" : "AzureVM",
      bytesToCapturePerPacket: num(props, "bytesToCapturePerPacket") ?? 0,
      totalBytesPerSession: num(props, "totalBytesPerSession") ?? 1073741824,
      timeLimitInSeconds: timeLimit,
      storageId,
      storagePath: str(storage, "storagePath") ?? (storageId ? captureStoragePath(storageId, vm.id, now) : undefined),
      filePath,
      filters,
      createdAt: now.toISOString(),
      provisioningState: "Updating",
    };
    // Failures Azure reports through the operation, not the PUT (documented in docs/simulator.md).
    const hasAgent = vm.extensions.some((e) => NW_AGENT_TYPES.includes(e.type) && e.provisioningState === "Succeeded");
    const failure =
      vm.powerState !== "running"
        ? { code: "VirtualMachineNotRunning", message: `Virtual machine '${vm.name}' is ${vm.powerState}; packet capture needs a running VM.` }
        : !hasAgent
          ? {
              code: "NetworkWatcherAgentNotInstalled",
              message: `The Network Watcher agent extension (${vm.osType === "Windows" ? "NetworkWatcherAgentWindows" : "NetworkWatcherAgentLinux"}) is not installed on virtual machine '${vm.name}'.`,
            }
          : undefined;
    if (failure) capture.failure = failure;
    if (existing) estate.packetCaptures.splice(estate.packetCaptures.indexOf(existing), 1);
    estate.packetCaptures.push(capture);
    const opId = ctx.lro.createAsync(() => {
      if (failure) {
        capture.provisioningState = "Failed";
        return { error: failure };
      }
      capture.provisioningState = "Succeeded";
      return {};
    });
    return { status: 201, body: renderCapture(capture), headers: asyncHeaders(req, watcher.location, opId) };
  };

  return [
    // LRO polling
    {
      method: "GET", template: `${S}/${NET}/locations/{location}/operations/{operationId}`, apiVersion: V,
      handle: (req) => {
        const body = ctx.lro.pollAsync(req.params["operationId"] ?? "");
        if (!body) throw new SimHttpError(404, "OperationNotFound", `Operation '${req.params["operationId"] ?? ""}' was not found.`);
        return { status: 200, body, headers: { "Retry-After": "0" } };
      },
    },
    {
      method: "GET", template: `${S}/${NET}/locations/{location}/operationResults/{operationId}`, apiVersion: V,
      handle: (req) => {
        const opId = req.params["operationId"] ?? "";
        const outcome = ctx.lro.pollLocation(opId);
        if (!outcome) throw new SimHttpError(404, "OperationNotFound", `Operation '${opId}' was not found.`);
        if (outcome === "running") return locationAccepted(req, req.params["location"] ?? "", opId);
        return { status: outcome.status, body: outcome.body, headers: { "Retry-After": "0" } };
      },
    },
    // NSGs
    { method: "GET", template: `${S}/${NET}/networkSecurityGroups`, apiVersion: V, handle: (req) => paged(ctx, req, inSub(estate.nsgs, req), (n) => renderNsg(n), V) },
    { method: "GET", template: `${RG}/${NET}/networkSecurityGroups`, apiVersion: V, handle: (req) => paged(ctx, req, inRg(estate.nsgs, req), (n) => renderNsg(n), V) },
    { method: "GET", template: `${RG}/${NET}/networkSecurityGroups/{name}`, apiVersion: V, handle: (req) => ({ status: 200, body: renderNsg(findNsg(req)) }) },
    { method: "PUT", template: `${RG}/${NET}/networkSecurityGroups/{name}`, apiVersion: V, handle: putNsg },
    // NSG security rules (issue 10)
    {
      method: "GET", template: `${RG}/${NET}/networkSecurityGroups/{name}/securityRules/{rule}`, apiVersion: V,
      handle: (req) => {
        const { nsg, name, rule } = ruleOf(req);
        if (!rule) throw resourceNotFound("Microsoft.Network/networkSecurityGroups/securityRules", name, rg(req));
        return { status: 200, body: renderRule(nsg.id, rule) };
      },
    },
    { method: "PUT", template: `${RG}/${NET}/networkSecurityGroups/{name}/securityRules/{rule}`, apiVersion: V, handle: putRule },
    { method: "DELETE", template: `${RG}/${NET}/networkSecurityGroups/{name}/securityRules/{rule}`, apiVersion: V, handle: deleteRule },
    // NICs
    { method: "GET", template: `${S}/${NET}/networkInterfaces`, apiVersion: V, handle: (req) => paged(ctx, req, inSub(estate.nics, req), renderNic, V) },
    { method: "GET", template: `${RG}/${NET}/networkInterfaces`, apiVersion: V, handle: (req) => paged(ctx, req, inRg(estate.nics, req), renderNic, V) },
    {
      method: "GET", template: `${RG}/${NET}/networkInterfaces/{name}`, apiVersion: V,
      handle: (req) => ({
        status: 200,
        body: renderNic(findById(estate.nics, id(req, "networkInterfaces", req.params["name"]), "Microsoft.Network/networkInterfaces", req.params["name"] ?? "", rg(req))),
      }),
    },
    {
      // Issue 10: an update of an existing NIC; only enableIPForwarding is applied (the simulator creates no NICs).
      method: "PUT", template: `${RG}/${NET}/networkInterfaces/{name}`, apiVersion: V,
      handle: (req) => {
        const nic = estate.nics.find((n) => sameId(n.id, id(req, "networkInterfaces", req.params["name"])));
        if (!nic) throw new SimHttpError(400, "InvalidRequestFormat", `The simulator updates existing network interfaces only; '${req.params["name"] ?? ""}' does not exist.`);
        const forwarding = propertiesOf(req.body)["enableIPForwarding"];
        if (typeof forwarding === "boolean") nic.enableIPForwarding = forwarding;
        const opId = ctx.lro.createAsync(() => ({}));
        return { status: 200, body: renderNic(nic), headers: asyncHeaders(req, nic.location, opId) };
      },
    },
    // public IPs
    { method: "GET", template: `${S}/${NET}/publicIPAddresses`, apiVersion: V, handle: (req) => paged(ctx, req, inSub(estate.publicIps, req), renderPip, V) },
    { method: "GET", template: `${RG}/${NET}/publicIPAddresses`, apiVersion: V, handle: (req) => paged(ctx, req, inRg(estate.publicIps, req), renderPip, V) },
    {
      method: "GET", template: `${RG}/${NET}/publicIPAddresses/{name}`, apiVersion: V,
      handle: (req) => ({
        status: 200,
        body: renderPip(findById(estate.publicIps, id(req, "publicIPAddresses", req.params["name"]), "Microsoft.Network/publicIPAddresses", req.params["name"] ?? "", rg(req))),
      }),
    },
    // Network Watchers (the SDK has no *Next operation for these lists)
    { method: "GET", template: `${S}/${NET}/networkWatchers`, apiVersion: V, handle: (req) => unpaged(inSub(estate.networkWatchers, req), renderWatcher) },
    { method: "GET", template: `${RG}/${NET}/networkWatchers`, apiVersion: V, handle: (req) => unpaged(inRg(estate.networkWatchers, req), renderWatcher) },
    { method: "GET", template: `${RG}/${NET}/networkWatchers/{watcher}`, apiVersion: V, handle: (req) => ({ status: 200, body: renderWatcher(findWatcher(req)) }) },
    // packet captures
    {
      method: "GET", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures`, apiVersion: V,
      handle: (req) => {
        const watcher = findWatcher(req);
        return unpaged(estate.packetCaptures.filter((c) => sameId(c.watcherId, watcher.id)), renderCapture);
      },
    },
    { method: "GET", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures/{capture}`, apiVersion: V, handle: (req) => ({ status: 200, body: renderCapture(findCapture(req).capture) }) },
    { method: "PUT", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures/{capture}`, apiVersion: V, handle: putCapture },
    {
      method: "DELETE", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures/{capture}`, apiVersion: V,
      handle: (req) => {
        const { watcher, capture } = findCapture(req);
        capture.provisioningState = "Deleting";
        const opId = ctx.lro.createLocation(() => {
          const index = estate.packetCaptures.indexOf(capture);
          if (index >= 0) estate.packetCaptures.splice(index, 1);
          return { status: 204 };
        });
        return locationAccepted(req, watcher.location, opId);
      },
    },
    {
      method: "POST", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures/{capture}/stop`, apiVersion: V,
      handle: (req) => {
        const { watcher, capture } = findCapture(req);
        if (captureState(capture, ctx.now()).status === "Running") {
          capture.stoppedAt = ctx.now().toISOString();
          capture.stopReason = "ManualStop";
        }
        const opId = ctx.lro.createLocation(() => ({ status: 200 }));
        return locationAccepted(req, watcher.location, opId);
      },
    },
    {
      method: "POST", template: `${RG}/${NET}/networkWatchers/{watcher}/packetCaptures/{capture}/queryStatus`, apiVersion: V,
      handle: (req) => {
        const { watcher, capture } = findCapture(req);
        // The status is computed when the operation completes, like Azure reading it from the agent.
        const opId = ctx.lro.createLocation(() => ({ status: 200, body: renderCaptureStatus(capture) }));
        return locationAccepted(req, watcher.location, opId);
      },
    },
    // flow logs
    {
      method: "GET", template: `${RG}/${NET}/networkWatchers/{watcher}/flowLogs`, apiVersion: V,
      handle: (req) => {
        const watcher = findWatcher(req);
        return paged(ctx, req, estate.flowLogs.filter((f) => sameId(f.watcherId, watcher.id)), (f) => renderFlowLog(f), V);
      },
    },
    { method: "GET", template: `${RG}/${NET}/networkWatchers/{watcher}/flowLogs/{flowLog}`, apiVersion: V, handle: (req) => ({ status: 200, body: renderFlowLog(findFlowLog(req, findWatcher(req))) }) },
    { method: "PUT", template: `${RG}/${NET}/networkWatchers/{watcher}/flowLogs/{flowLog}`, apiVersion: V, handle: putFlowLog },
    {
      method: "DELETE", template: `${RG}/${NET}/networkWatchers/{watcher}/flowLogs/{flowLog}`, apiVersion: V,
      handle: (req) => {
        const watcher = findWatcher(req);
        const flowLog = findFlowLog(req, watcher);
        const opId = ctx.lro.createLocation(() => {
          const index = estate.flowLogs.indexOf(flowLog);
          if (index >= 0) estate.flowLogs.splice(index, 1);
          return { status: 204 };
        });
        return locationAccepted(req, watcher.location, opId);
      },
    },
  ];
}
