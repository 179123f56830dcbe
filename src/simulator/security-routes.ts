/**
 * Microsoft.Security (Defender for Cloud) as @azure/arm-security 5.0.0 calls it: secure scores and
 * controls, assessments (+metadata), sub-assessments, alerts, JIT network access policies, locations.
 * Paths and api-versions follow the SDK's operation specs (facts file §1.2).
 */
import {
  SimHttpError,
  type Route,
  type RouteRequest,
  type SimResponse,
} from "./router";
import { isRecord, num, paged, parseIsoDuration, resourceNotFound, str, type SimContext } from "./context";
import {
  nameOf,
  sameId,
  type SimAlert,
  type SimAssessment,
  type SimJitPolicy,
  type SimJitPolicyPort,
  type SimJitRequest,
  type SimJitRequestPort,
  type SimSubAssessment,
  type SimVm,
} from "./estate";
import { addJitAllowRule, ensureJitDenyRules, removeJitRules } from "./nsg-rules";

const V_SCORES = "2020-01-01";
const V_ASSESSMENTS = "2021-06-01";
const V_SUB_ASSESSMENTS = "2019-01-01-preview";
const V_ALERTS = "2021-11-01";
const V_JIT = "2020-01-01";
const V_LOCATIONS = "2015-06-01-preview";

const SEC = "providers/Microsoft.Security";
/** Slack for clocks that differ between the caller and us when checking JIT end times. */
const JIT_END_SLACK_MS = 60_000;
/** Azure's own upper bound on a JIT port's maxRequestAccessDuration. */
const JIT_MAX_POLICY_DURATION_MS = 24 * 3_600_000;
/** Who JIT requests are recorded as made by (the simulator has no identities). */
const SIM_REQUESTOR = "secops-bot@contoso.onmicrosoft.com";

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
const lower = (s: string): string => s.toLowerCase();
/** A predicate "is this resource id inside the scope" (the scope itself or below it). */
const inScopeOf = (scope: string): ((resourceId: string) => boolean) => {
  const escaped = scope.replace(/\/+$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A case-insensitive anchored regex allocates nothing per id; listings filter every assessment per page.
  const pattern = new RegExp(`^${escaped}(?:/|$)`, "i");
  return (resourceId) => pattern.test(resourceId);
};
const expandIncludes = (req: RouteRequest, value: string): boolean =>
  (req.query.get("$expand") ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .includes(value);

/** Builds the Microsoft.Security routes. */
export function securityRoutes(ctx: SimContext): Route[] {
  const { estate } = ctx;

  // ---------- secure score ----------
  interface ControlScore {
    name: string;
    displayName: string;
    healthy: number;
    unhealthy: number;
    notApplicable: number;
    max: number;
    current: number;
    percentage: number;
    weight: number;
  }
  const controlScores = (subscriptionId: string): ControlScore[] => {
    const byKey = new Map<string, SimAssessment[]>();
    for (const a of estate.assessments) {
      if (!sameId(a.subscriptionId, subscriptionId)) continue;
      const list = byKey.get(lower(a.key)) ?? [];
      list.push(a);
      byKey.set(lower(a.key), list);
    }
    return estate.scoreControls.map((control) => {
      const perResource = new Map<string, "Healthy" | "Unhealthy" | "NotApplicable">();
      for (const key of control.assessmentKeys) {
        for (const a of byKey.get(lower(key)) ?? []) {
          const id = lower(a.resourceId);
          const prev = perResource.get(id);
          if (a.status === "Unhealthy" || prev === "Unhealthy") perResource.set(id, "Unhealthy");
          else if (a.status === "Healthy" || prev === "Healthy") perResource.set(id, "Healthy");
          else perResource.set(id, "NotApplicable");
        }
      }
      const counts = { Healthy: 0, Unhealthy: 0, NotApplicable: 0 };
      for (const status of perResource.values()) counts[status] += 1;
      const assessed = counts.Healthy + counts.Unhealthy;
      const max = assessed > 0 ? control.maxScore : 0;
      const current = assessed > 0 ? round((max * counts.Healthy) / assessed, 2) : 0;
      return {
        name: control.name,
        displayName: control.displayName,
        healthy: counts.Healthy,
        unhealthy: counts.Unhealthy,
        notApplicable: counts.NotApplicable,
        max,
        current,
        percentage: max > 0 ? round(current / max, 4) : 0,
        weight: assessed,
      };
    });
  };
  const renderScore = (subscriptionId: string): unknown => {
    const controls = controlScores(subscriptionId);
    const max = controls.reduce((s, c) => s + c.max, 0);
    const current = round(
      controls.reduce((s, c) => s + c.current, 0),
      2,
    );
    const resources = new Set(estate.assessments.filter((a) => sameId(a.subscriptionId, subscriptionId)).map((a) => lower(a.resourceId)));
    return {
      id: `/subscriptions/${subscriptionId}/${SEC}/secureScores/ascScore`,
      name: "ascScore",
      type: "Microsoft.Security/secureScores",
      properties: {
        displayName: "ASC score",
        score: { max, current, percentage: max > 0 ? round(current / max, 4) : 0 },
        weight: resources.size,
      },
    };
  };
  const renderControl = (subscriptionId: string, c: ControlScore, withDefinition: boolean): unknown => {
    const def = estate.scoreControls.find((d) => d.name === c.name);
    return {
      id: `/subscriptions/${subscriptionId}/${SEC}/secureScores/ascScore/secureScoreControls/${c.name}`,
      name: c.name,
      type: "Microsoft.Security/secureScores/secureScoreControls",
      properties: {
        displayName: c.displayName,
        healthyResourceCount: c.healthy,
        unhealthyResourceCount: c.unhealthy,
        notApplicableResourceCount: c.notApplicable,
        weight: c.weight,
        score: { max: c.max, current: c.current, percentage: c.percentage },
        ...(withDefinition && def ? { definition: renderControlDefinition(def.name) } : {}),
      },
    };
  };
  const renderControlDefinition = (name: string): unknown => {
    const def = estate.scoreControls.find((d) => d.name === name);
    return {
      id: `/providers/Microsoft.Security/secureScoreControlDefinitions/${name}`,
      name,
      type: "Microsoft.Security/secureScoreControlDefinitions",
      properties: {
        source: { sourceType: "BuiltIn" },
        displayName: def?.displayName ?? name,
        maxScore: def?.maxScore ?? 0,
        assessmentDefinitions: (def?.assessmentKeys ?? []).map((k) => ({ id: `/providers/Microsoft.Security/assessmentMetadata/${k}` })),
      },
    };
  };
  const requireAscScore = (name: string | undefined): void => {
    if (lower(name ?? "") !== "ascscore") throw new SimHttpError(404, "NotFound", `Secure score '${name ?? ""}' was not found.`);
  };

  // ---------- assessments ----------
  const metadataFor = (key: string): Record<string, unknown> => {
    const m = estate.assessmentMetadata.find((x) => sameId(x.key, key));
    if (!m) return { displayName: key, severity: "Medium", assessmentType: "CustomerManaged", categories: [] };
    return {
      displayName: m.displayName,
      severity: m.severity,
      assessmentType: "BuiltIn",
      categories: m.categories,
      description: m.description,
      remediationDescription: m.remediationDescription,
      userImpact: m.userImpact,
      implementationEffort: m.implementationEffort,
      threats: m.threats,
      preview: false,
      ...(m.policyDefinitionId ? { policyDefinitionId: m.policyDefinitionId } : {}),
    };
  };
  const portalLink = (key: string): { azurePortalUri: string } => ({
    azurePortalUri: `https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/${key}`,
  });
  const renderAssessment = (a: SimAssessment, withMetadata: boolean, withLinks: boolean): unknown => ({
    id: `${a.resourceId}/${SEC}/assessments/${a.key}`,
    name: a.key,
    type: "Microsoft.Security/assessments",
    properties: {
      resourceDetails: { source: "Azure", id: a.resourceId },
      displayName: (metadataFor(a.key)["displayName"] as string | undefined) ?? a.key,
      status: {
        code: a.status,
        ...(a.cause ? { cause: a.cause } : {}),
        ...(a.description ? { description: a.description } : {}),
        firstEvaluationDate: a.firstEvaluationDate,
        statusChangeDate: a.statusChangeDate,
      },
      ...(a.additionalData ? { additionalData: a.additionalData } : {}),
      ...(withMetadata ? { metadata: metadataFor(a.key) } : {}),
      ...(withLinks ? { links: portalLink(a.key) } : {}),
    },
  });
  const renderMetadata = (key: string, subscriptionId?: string): unknown => ({
    id: subscriptionId
      ? `/subscriptions/${subscriptionId}/${SEC}/assessmentMetadata/${key}`
      : `/providers/Microsoft.Security/assessmentMetadata/${key}`,
    name: key,
    type: "Microsoft.Security/assessmentMetadata",
    properties: metadataFor(key),
  });
  const metadataByName = (name: string | undefined): string => {
    const m = estate.assessmentMetadata.find((x) => sameId(x.key, name));
    if (!m) throw new SimHttpError(404, "NotFound", `Assessment metadata '${name ?? ""}' was not found.`);
    return m.key;
  };

  const renderSubAssessment = (s: SimSubAssessment): unknown => ({
    id: `${s.resourceId}/${SEC}/assessments/${s.assessmentKey}/subAssessments/${s.name}`,
    name: s.name,
    type: "Microsoft.Security/assessments/subAssessments",
    properties: {
      id: s.findingId,
      displayName: s.displayName,
      status: { code: s.statusCode, cause: "", severity: s.severity, description: s.statusCode === "Unhealthy" ? "The resource is unhealthy" : "" },
      remediation: s.remediation,
      impact: s.impact,
      category: s.category,
      description: s.description,
      timeGenerated: s.timeGenerated,
      resourceDetails: { source: "Azure", id: s.resourceId },
      additionalData: s.additionalData,
    },
  });

  // ---------- alerts ----------
  const alertId = (a: SimAlert): string =>
    a.resourceGroup
      ? `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/${SEC}/locations/${a.ascLocation}/alerts/${a.name}`
      : `/subscriptions/${a.subscriptionId}/${SEC}/locations/${a.ascLocation}/alerts/${a.name}`;
  const renderAlert = (a: SimAlert): unknown => ({
    id: alertId(a),
    name: a.name,
    type: "Microsoft.Security/Locations/alerts",
    properties: {
      alertType: a.alertType,
      systemAlertId: a.name,
      productComponentName: a.resourceIds.some((r) => /virtualMachines/i.test(r)) ? "Servers" : "",
      alertDisplayName: a.displayName,
      description: a.description,
      severity: a.severity,
      intent: a.intent,
      startTimeUtc: a.startTimeUtc,
      endTimeUtc: a.endTimeUtc,
      resourceIdentifiers: a.resourceIds.map((id) => ({ type: "AzureResource", azureResourceId: id })),
      remediationSteps: a.remediationSteps,
      vendorName: "Microsoft",
      status: a.status,
      extendedLinks: [],
      alertUri: `https://portal.azure.com/#blade/Microsoft_Azure_Security_AzureDefenderForData/AlertBlade/alertId/${a.name}/subscriptionId/${a.subscriptionId}/resourceGroup/${a.resourceGroup ?? ""}/referencedFrom/alertDeepLink/location/${a.ascLocation}`,
      timeGeneratedUtc: a.timeGeneratedUtc,
      productName: "Microsoft Defender for Cloud",
      processingEndTimeUtc: a.timeGeneratedUtc,
      entities: [],
      isIncident: false,
      correlationKey: Buffer.from(`${a.alertType}:${a.compromisedEntity}`).toString("base64"),
      extendedProperties: a.extendedProperties,
      compromisedEntity: a.compromisedEntity,
    },
  });
  const findAlert = (p: Record<string, string>): SimAlert => {
    const alert = estate.alerts.find(
      (a) =>
        sameId(a.subscriptionId, p["subscriptionId"]) &&
        sameId(a.ascLocation, p["ascLocation"]) &&
        sameId(a.name, p["alertName"]) &&
        (p["resourceGroupName"] === undefined || sameId(a.resourceGroup, p["resourceGroupName"])),
    );
    if (!alert) throw new SimHttpError(404, "NotFound", `Alert '${p["alertName"] ?? ""}' was not found.`);
    return alert;
  };
  const alertAction = (p: Record<string, string>): SimResponse => {
    const alert = findAlert(p);
    const action = lower(p["action"] ?? "");
    const next: Record<string, SimAlert["status"]> = { dismiss: "Dismissed", resolve: "Resolved", activate: "Active" };
    const status = next[action];
    if (!status) throw new SimHttpError(404, "NotFound", `Unknown alert action '${p["action"] ?? ""}'.`);
    alert.status = status;
    return { status: 204 };
  };

  // ---------- JIT ----------
  const renderJitRequest = (r: SimJitRequest): unknown => {
    const now = ctx.now().getTime();
    return {
      virtualMachines: r.virtualMachines.map((vm) => ({
        id: vm.id,
        ports: vm.ports.map((port) => {
          // Expired grants are reported as Azure reports them: Revoked, reason Expired.
          const expired = port.status === "Initiated" && Date.parse(port.endTimeUtc) <= now;
          return {
            ...port,
            ...(expired ? { status: "Revoked", statusReason: "Expired" } : {}),
          };
        }),
      })),
      startTimeUtc: r.startTimeUtc,
      requestor: r.requestor,
      ...(r.justification !== undefined ? { justification: r.justification } : {}),
    };
  };
  const renderJit = (p: SimJitPolicy): unknown => ({
    id: p.id,
    name: p.name,
    type: "Microsoft.Security/locations/jitNetworkAccessPolicies",
    kind: p.kind,
    location: p.location,
    properties: {
      virtualMachines: p.virtualMachines.map((vm) => ({
        id: vm.id,
        ports: vm.ports,
        ...(vm.publicIpAddress ? { publicIpAddress: vm.publicIpAddress } : {}),
      })),
      requests: p.requests.map(renderJitRequest),
      provisioningState: "Succeeded",
    },
  });
  const jitPolicyId = (p: Record<string, string>): string =>
    `/subscriptions/${p["subscriptionId"] ?? ""}/resourceGroups/${p["resourceGroupName"] ?? ""}/${SEC}/locations/${p["ascLocation"] ?? ""}/jitNetworkAccessPolicies/${p["policyName"] ?? ""}`;
  const findJit = (p: Record<string, string>): SimJitPolicy => {
    const policy = estate.jitPolicies.find((x) => sameId(x.id, jitPolicyId(p)));
    if (!policy) throw resourceNotFound("Microsoft.Security/locations/jitNetworkAccessPolicies", p["policyName"] ?? "", p["resourceGroupName"]);
    return policy;
  };
  const findVm = (id: string): SimVm | undefined => estate.vms.find((v) => sameId(v.id, id));
  const publicIpOf = (vm: SimVm): { ipAddress: string; sku: string } | undefined => {
    const nic = estate.nics.find((n) => sameId(n.vmId, vm.id));
    const pipId = nic?.ipConfigurations.find((c) => c.publicIpId)?.publicIpId;
    return estate.publicIps.find((p) => sameId(p.id, pipId));
  };

  const putJit = (req: RouteRequest): SimResponse => {
    const p = req.params;
    const body = req.body;
    const props = isRecord(body) ? body["properties"] : undefined;
    if (!isRecord(props) || !Array.isArray(props["virtualMachines"])) {
      throw new SimHttpError(400, "InvalidRequestContent", "properties.virtualMachines is required.");
    }
    const vms: SimJitPolicy["virtualMachines"] = [];
    for (const raw of props["virtualMachines"] as unknown[]) {
      if (!isRecord(raw) || typeof raw["id"] !== "string" || !Array.isArray(raw["ports"])) {
        throw new SimHttpError(400, "InvalidRequestContent", "Each virtual machine needs an id and ports.");
      }
      const vm = findVm(raw["id"]);
      if (!vm) throw new SimHttpError(400, "VirtualMachineNotFound", `Virtual machine '${raw["id"]}' was not found.`);
      const pip = publicIpOf(vm);
      if (pip?.sku === "Basic") {
        throw new SimHttpError(400, "JitUnsupportedPublicIpSku", `Virtual machine '${vm.name}' uses a Basic SKU public IP; just-in-time access requires a Standard SKU public IP.`);
      }
      const ports: SimJitPolicyPort[] = (raw["ports"] as unknown[]).map((rp) => {
        if (!isRecord(rp)) throw new SimHttpError(400, "InvalidRequestContent", "Invalid port.");
        const number = num(rp, "number");
        const protocol = str(rp, "protocol");
        const duration = str(rp, "maxRequestAccessDuration");
        const ms = duration ? parseIsoDuration(duration) : undefined;
        if (number === undefined || number < 1 || number > 65535) throw new SimHttpError(400, "InvalidRequestContent", "Port number must be between 1 and 65535.");
        if (protocol !== "TCP" && protocol !== "UDP" && protocol !== "*") throw new SimHttpError(400, "InvalidRequestContent", "Port protocol must be TCP, UDP or *.");
        if (!duration || ms === undefined || ms <= 0 || ms > JIT_MAX_POLICY_DURATION_MS) {
          throw new SimHttpError(400, "InvalidRequestContent", `maxRequestAccessDuration '${duration ?? ""}' must be an ISO 8601 duration between PT5M and PT24H.`);
        }
        const prefixes = Array.isArray(rp["allowedSourceAddressPrefixes"]) ? (rp["allowedSourceAddressPrefixes"] as unknown[]).filter((x): x is string => typeof x === "string") : undefined;
        const prefix = str(rp, "allowedSourceAddressPrefix");
        return {
          number,
          protocol,
          maxRequestAccessDuration: duration,
          ...(prefixes && prefixes.length > 0 ? { allowedSourceAddressPrefixes: prefixes } : { allowedSourceAddressPrefix: prefix ?? "*" }),
        };
      });
      vms.push({ id: vm.id, ports, ...(pip ? { publicIpAddress: pip.ipAddress } : {}) });
    }
    const id = jitPolicyId(p);
    let policy = estate.jitPolicies.find((x) => sameId(x.id, id));
    if (policy) {
      for (const old of policy.virtualMachines) {
        const vm = findVm(old.id);
        if (vm && !vms.some((v) => sameId(v.id, old.id))) removeJitRules(estate, vm);
      }
      policy.virtualMachines = vms;
      if (isRecord(body) && typeof body["kind"] === "string") policy.kind = body["kind"];
    } else {
      policy = {
        id,
        subscriptionId: p["subscriptionId"] ?? "",
        resourceGroup: p["resourceGroupName"] ?? "",
        location: p["ascLocation"] ?? "",
        name: p["policyName"] ?? "default",
        kind: isRecord(body) && typeof body["kind"] === "string" ? body["kind"] : "Basic",
        virtualMachines: vms,
        requests: [],
      };
      estate.jitPolicies.push(policy);
    }
    for (const v of vms) {
      const vm = findVm(v.id);
      if (vm) ensureJitDenyRules(estate, vm, v.ports.map((x) => x.number));
    }
    return { status: 200, body: renderJit(policy) };
  };

  const initiateJit = (req: RouteRequest): SimResponse => {
    const policy = findJit(req.params);
    const body = req.body;
    if (!isRecord(body) || !Array.isArray(body["virtualMachines"]) || body["virtualMachines"].length === 0) {
      throw new SimHttpError(400, "InvalidRequestContent", "virtualMachines is required.");
    }
    const now = ctx.now();
    const planned: { vm: SimVm; ports: { port: SimJitPolicyPort; grant: SimJitRequestPort; source: string[] }[] }[] = [];
    for (const raw of body["virtualMachines"] as unknown[]) {
      if (!isRecord(raw) || typeof raw["id"] !== "string" || !Array.isArray(raw["ports"]) || raw["ports"].length === 0) {
        throw new SimHttpError(400, "InvalidRequestContent", "Each virtual machine needs an id and at least one port.");
      }
      const vmId = raw["id"];
      const entry = policy.virtualMachines.find((v) => sameId(v.id, vmId));
      const vm = findVm(vmId);
      if (!entry || !vm) {
        throw new SimHttpError(400, "JitVirtualMachineNotInPolicy", `Virtual machine '${nameOf(vmId)}' is not part of just-in-time policy '${policy.name}'.`);
      }
      const ports: (typeof planned)[number]["ports"] = [];
      for (const rp of raw["ports"] as unknown[]) {
        if (!isRecord(rp)) throw new SimHttpError(400, "InvalidRequestContent", "Invalid port.");
        const number = num(rp, "number");
        const port = entry.ports.find((x) => x.number === number);
        if (number === undefined || !port) {
          throw new SimHttpError(400, "JitPortNotInPolicy", `Port ${String(number)} of virtual machine '${vm.name}' is not configured for just-in-time access.`);
        }
        const endRaw = str(rp, "endTimeUtc");
        const end = endRaw ? Date.parse(endRaw) : Number.NaN;
        if (!Number.isFinite(end)) throw new SimHttpError(400, "InvalidRequestContent", "endTimeUtc is required.");
        if (end <= now.getTime()) throw new SimHttpError(400, "JitInvalidEndTime", `endTimeUtc ${endRaw ?? ""} is not in the future.`);
        const maxMs = parseIsoDuration(port.maxRequestAccessDuration) ?? 0;
        if (end > now.getTime() + maxMs + JIT_END_SLACK_MS) {
          throw new SimHttpError(
            400,
            "JitRequestExceedsMaxDuration",
            `The requested access to port ${number} ends after the maximum duration of ${port.maxRequestAccessDuration} allowed by the policy.`,
          );
        }
        const allowed = port.allowedSourceAddressPrefixes ?? [port.allowedSourceAddressPrefix ?? "*"];
        const asked = str(rp, "allowedSourceAddressPrefix");
        const anySource = allowed.includes("*");
        // Azure matches restricted sources verbatim: an address inside an allowed CIDR is refused.
        if (asked !== undefined && !anySource && !allowed.includes(asked)) {
          throw new SimHttpError(
            400,
            "JitSourceAddressNotAllowed",
            `Source '${asked}' is not allowed for port ${number}; the policy allows: ${allowed.join(", ")}.`,
          );
        }
        const source = asked !== undefined ? [asked] : allowed;
        const grant: SimJitRequestPort = {
          number,
          ...(source.length === 1 ? { allowedSourceAddressPrefix: source[0] } : { allowedSourceAddressPrefixes: source }),
          endTimeUtc: new Date(end).toISOString(),
          status: "Initiated",
          statusReason: "UserRequested",
        };
        ports.push({ port, grant, source });
      }
      planned.push({ vm, ports });
    }
    // A newer request for the same VM and port replaces the active one.
    for (const { vm, ports } of planned) {
      for (const old of policy.requests) {
        for (const ovm of old.virtualMachines.filter((v) => sameId(v.id, vm.id))) {
          for (const op of ovm.ports) {
            if (op.status === "Initiated" && ports.some((p) => p.port.number === op.number) && Date.parse(op.endTimeUtc) > now.getTime()) {
              op.status = "Revoked";
              op.statusReason = "NewerRequestInitiated";
            }
          }
        }
      }
      for (const { port, grant, source } of ports) {
        addJitAllowRule(estate, vm, port.number, port.protocol, source, grant.endTimeUtc);
      }
    }
    const request: SimJitRequest = {
      virtualMachines: planned.map(({ vm, ports }) => ({ id: vm.id, ports: ports.map((p) => p.grant) })),
      startTimeUtc: now.toISOString(),
      requestor: SIM_REQUESTOR,
      ...(typeof body["justification"] === "string" ? { justification: body["justification"] } : {}),
    };
    policy.requests.push(request);
    return { status: 202, body: renderJitRequest(request) };
  };

  const sub = (req: RouteRequest): string => req.params["subscriptionId"] ?? "";
  const rg = (req: RouteRequest): string => req.params["resourceGroupName"] ?? "";
  const loc = (req: RouteRequest): string => req.params["ascLocation"] ?? "";
  const subAlerts = (req: RouteRequest): SimAlert[] => estate.alerts.filter((a) => sameId(a.subscriptionId, sub(req)));
  const subJit = (req: RouteRequest): SimJitPolicy[] => estate.jitPolicies.filter((p) => sameId(p.subscriptionId, sub(req)));
  const S = "/subscriptions/{subscriptionId}";
  const RG = `${S}/resourceGroups/{resourceGroupName}`;

  const routes: Route[] = [
    // secure scores
    {
      method: "GET", template: `${S}/${SEC}/secureScores`, apiVersion: V_SCORES,
      handle: (req) => paged(ctx, req, [sub(req)], renderScore, V_SCORES),
    },
    {
      method: "GET", template: `${S}/${SEC}/secureScores/{secureScoreName}`, apiVersion: V_SCORES,
      handle: (req) => {
        requireAscScore(req.params["secureScoreName"]);
        return { status: 200, body: renderScore(sub(req)) };
      },
    },
    {
      method: "GET", template: `${S}/${SEC}/secureScoreControls`, apiVersion: V_SCORES,
      handle: (req) => paged(ctx, req, controlScores(sub(req)), (c) => renderControl(sub(req), c, expandIncludes(req, "definition")), V_SCORES),
    },
    {
      method: "GET", template: `${S}/${SEC}/secureScores/{secureScoreName}/secureScoreControls`, apiVersion: V_SCORES,
      handle: (req) => {
        requireAscScore(req.params["secureScoreName"]);
        return paged(ctx, req, controlScores(sub(req)), (c) => renderControl(sub(req), c, expandIncludes(req, "definition")), V_SCORES);
      },
    },
    {
      method: "GET", template: `/${SEC}/secureScoreControlDefinitions`, apiVersion: V_SCORES,
      handle: (req) => paged(ctx, req, estate.scoreControls.map((c) => c.name), renderControlDefinition, V_SCORES),
    },
    {
      method: "GET", template: `${S}/${SEC}/secureScoreControlDefinitions`, apiVersion: V_SCORES,
      handle: (req) => paged(ctx, req, estate.scoreControls.map((c) => c.name), renderControlDefinition, V_SCORES),
    },
    // assessment metadata
    {
      method: "GET", template: `/${SEC}/assessmentMetadata`, apiVersion: V_ASSESSMENTS,
      handle: (req) => paged(ctx, req, estate.assessmentMetadata.map((m) => m.key), (k) => renderMetadata(k), V_ASSESSMENTS),
    },
    {
      method: "GET", template: `/${SEC}/assessmentMetadata/{name}`, apiVersion: V_ASSESSMENTS,
      handle: (req) => ({ status: 200, body: renderMetadata(metadataByName(req.params["name"])) }),
    },
    {
      method: "GET", template: `${S}/${SEC}/assessmentMetadata`, apiVersion: V_ASSESSMENTS,
      handle: (req) => paged(ctx, req, estate.assessmentMetadata.map((m) => m.key), (k) => renderMetadata(k, sub(req)), V_ASSESSMENTS),
    },
    {
      method: "GET", template: `${S}/${SEC}/assessmentMetadata/{name}`, apiVersion: V_ASSESSMENTS,
      handle: (req) => ({ status: 200, body: renderMetadata(metadataByName(req.params["name"]), sub(req)) }),
    },
    // alerts (before the scope-based routes; more specific)
    {
      method: "GET", template: `${S}/${SEC}/alerts`, apiVersion: V_ALERTS,
      handle: (req) => paged(ctx, req, subAlerts(req), renderAlert, V_ALERTS),
    },
    {
      method: "GET", template: `${RG}/${SEC}/alerts`, apiVersion: V_ALERTS,
      handle: (req) => paged(ctx, req, subAlerts(req).filter((a) => sameId(a.resourceGroup, rg(req))), renderAlert, V_ALERTS),
    },
    {
      method: "GET", template: `${S}/${SEC}/locations/{ascLocation}/alerts`, apiVersion: V_ALERTS,
      handle: (req) => paged(ctx, req, subAlerts(req).filter((a) => sameId(a.ascLocation, loc(req))), renderAlert, V_ALERTS),
    },
    {
      method: "GET", template: `${RG}/${SEC}/locations/{ascLocation}/alerts`, apiVersion: V_ALERTS,
      handle: (req) =>
        paged(ctx, req, subAlerts(req).filter((a) => sameId(a.ascLocation, loc(req)) && sameId(a.resourceGroup, rg(req))), renderAlert, V_ALERTS),
    },
    {
      method: "GET", template: `${S}/${SEC}/locations/{ascLocation}/alerts/{alertName}`, apiVersion: V_ALERTS,
      handle: (req) => ({ status: 200, body: renderAlert(findAlert(req.params)) }),
    },
    {
      method: "GET", template: `${RG}/${SEC}/locations/{ascLocation}/alerts/{alertName}`, apiVersion: V_ALERTS,
      handle: (req) => ({ status: 200, body: renderAlert(findAlert(req.params)) }),
    },
    { method: "POST", template: `${S}/${SEC}/locations/{ascLocation}/alerts/{alertName}/{action}`, apiVersion: V_ALERTS, handle: (req) => alertAction(req.params) },
    { method: "POST", template: `${RG}/${SEC}/locations/{ascLocation}/alerts/{alertName}/{action}`, apiVersion: V_ALERTS, handle: (req) => alertAction(req.params) },
    // JIT
    { method: "GET", template: `${S}/${SEC}/jitNetworkAccessPolicies`, apiVersion: V_JIT, handle: (req) => paged(ctx, req, subJit(req), renderJit, V_JIT) },
    {
      method: "GET", template: `${S}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies`, apiVersion: V_JIT,
      handle: (req) => paged(ctx, req, subJit(req).filter((p) => sameId(p.location, loc(req))), renderJit, V_JIT),
    },
    {
      method: "GET", template: `${RG}/${SEC}/jitNetworkAccessPolicies`, apiVersion: V_JIT,
      handle: (req) => paged(ctx, req, subJit(req).filter((p) => sameId(p.resourceGroup, rg(req))), renderJit, V_JIT),
    },
    {
      method: "GET", template: `${RG}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies`, apiVersion: V_JIT,
      handle: (req) => paged(ctx, req, subJit(req).filter((p) => sameId(p.resourceGroup, rg(req)) && sameId(p.location, loc(req))), renderJit, V_JIT),
    },
    {
      method: "GET", template: `${RG}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies/{policyName}`, apiVersion: V_JIT,
      handle: (req) => ({ status: 200, body: renderJit(findJit(req.params)) }),
    },
    { method: "PUT", template: `${RG}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies/{policyName}`, apiVersion: V_JIT, handle: putJit },
    {
      method: "DELETE", template: `${RG}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies/{policyName}`, apiVersion: V_JIT,
      handle: (req) => {
        const index = estate.jitPolicies.findIndex((x) => sameId(x.id, jitPolicyId(req.params)));
        if (index < 0) return { status: 204 };
        const [removed] = estate.jitPolicies.splice(index, 1);
        for (const v of removed?.virtualMachines ?? []) {
          const vm = findVm(v.id);
          if (vm) removeJitRules(estate, vm);
        }
        return { status: 200 };
      },
    },
    { method: "POST", template: `${RG}/${SEC}/locations/{ascLocation}/jitNetworkAccessPolicies/{policyName}/initiate`, apiVersion: V_JIT, handle: initiateJit },
    // locations
    {
      method: "GET", template: `${S}/${SEC}/locations`, apiVersion: V_LOCATIONS,
      handle: (req) => paged(ctx, req, estate.subscriptions.filter((s) => sameId(s.id, sub(req))), (s) => renderLocation(s.id, s.ascLocation), V_LOCATIONS),
    },
    {
      method: "GET", template: `${S}/${SEC}/locations/{ascLocation}`, apiVersion: V_LOCATIONS,
      handle: (req) => {
        const s = estate.subscriptions.find((x) => sameId(x.id, sub(req)));
        if (!s || !sameId(s.ascLocation, loc(req))) throw new SimHttpError(404, "NotFound", `Location '${loc(req)}' was not found.`);
        return { status: 200, body: renderLocation(s.id, s.ascLocation) };
      },
    },
    // scope-based: assessments and sub-assessments (scope = subscription, resource group or resource id)
    {
      method: "GET", template: `{*scope}/${SEC}/assessments`, apiVersion: V_ASSESSMENTS,
      handle: (req) => {
        const inScope = inScopeOf(req.params["scope"] ?? "");
        const items = estate.assessments.filter((a) => inScope(a.resourceId));
        // Documented simplification: list always includes properties.metadata (and links).
        return paged(ctx, req, items, (a) => renderAssessment(a, true, true), V_ASSESSMENTS);
      },
    },
    {
      method: "GET", template: `{*resourceId}/${SEC}/assessments/{assessmentName}`, apiVersion: V_ASSESSMENTS,
      handle: (req) => {
        const resourceId = req.params["resourceId"] ?? "";
        const a = estate.assessments.find((x) => sameId(x.resourceId, resourceId) && sameId(x.key, req.params["assessmentName"]));
        if (!a) throw new SimHttpError(404, "NotFound", `Assessment '${req.params["assessmentName"] ?? ""}' was not found on '${resourceId}'.`);
        return { status: 200, body: renderAssessment(a, expandIncludes(req, "metadata"), expandIncludes(req, "links")) };
      },
    },
    {
      method: "GET", template: `{*scope}/${SEC}/subAssessments`, apiVersion: V_SUB_ASSESSMENTS,
      handle: (req) => {
        const inScope = inScopeOf(req.params["scope"] ?? "");
        return paged(ctx, req, estate.subAssessments.filter((s) => inScope(s.resourceId)), renderSubAssessment, V_SUB_ASSESSMENTS);
      },
    },
    {
      method: "GET", template: `{*scope}/${SEC}/assessments/{assessmentName}/subAssessments`, apiVersion: V_SUB_ASSESSMENTS,
      handle: (req) => {
        const inScope = inScopeOf(req.params["scope"] ?? "");
        return paged(
          ctx,
          req,
          estate.subAssessments.filter((s) => inScope(s.resourceId) && sameId(s.assessmentKey, req.params["assessmentName"])),
          renderSubAssessment,
          V_SUB_ASSESSMENTS,
        );
      },
    },
    {
      method: "GET", template: `{*scope}/${SEC}/assessments/{assessmentName}/subAssessments/{subAssessmentName}`, apiVersion: V_SUB_ASSESSMENTS,
      handle: (req) => {
        const inScope = inScopeOf(req.params["scope"] ?? "");
        const s = estate.subAssessments.find(
          (x) => inScope(x.resourceId) && sameId(x.assessmentKey, req.params["assessmentName"]) && sameId(x.name, req.params["subAssessmentName"]),
        );
        if (!s) throw new SimHttpError(404, "NotFound", `Sub-assessment '${req.params["subAssessmentName"] ?? ""}' was not found.`);
        return { status: 200, body: renderSubAssessment(s) };
      },
    },
  ];
  return routes;
}

function renderLocation(subscriptionId: string, ascLocation: string): unknown {
  return {
    id: `/subscriptions/${subscriptionId}/providers/Microsoft.Security/locations/${ascLocation}`,
    name: ascLocation,
    type: "Microsoft.Security/locations",
    properties: { homeRegionName: ascLocation },
  };
}
