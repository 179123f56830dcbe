/**
 * Network exposure analysis for the `exposure` command (DESIGN §1, §3.1): internet-exposed VMs, over-permissive
 * NSG rules, IP forwarding, NSGs without flow logs, regions without Network Watcher, storage without secure
 * transfer, apps without WAF, and where Defender's own assessments disagree with the network analysis.
 *
 * Ids are compared case-insensitively throughout (see resource-ids.ts).
 */
import { ASSESSMENT_KEYS, sameKey } from "./assessment-keys";
import type {
  Assessment,
  AssessmentStatus,
  FlowLog,
  IpConfiguration,
  JitPolicy,
  NetworkInterface,
  NetworkSecurityGroup,
  NetworkWatcher,
  PublicIpAddress,
  SecurityRule,
  VirtualMachine,
} from "./model";
import {
  formatPortRange,
  isInternetSource,
  MAX_PORT,
  openInboundPorts,
  parsePortList,
  portCount,
  protocolMatches,
  rangesContain,
  type OpenPortRange,
  type RuleDecision,
  type TransportProtocol,
} from "./nsg-rules";
import {
  byId,
  IdMap,
  isSameOrChildId,
  nameOf,
  normalizeId,
  normalizeLocation,
  resourceGroupOf,
  sameId,
} from "./resource-ids";

/** Ports people administer machines through: SSH, RDP, WinRM over HTTP and HTTPS. */
export const MANAGEMENT_PORTS: readonly number[] = [22, 3389, 5985, 5986];

/**
 * An internet-wide Allow rule opening more ports than this is over-permissive even without a management port:
 * 100 covers every legitimate cluster of service ports we know of (web, mail, a few app ports) while a range like
 * `1000-65535` or `*` says nobody decided what should be reachable.
 */
export const WIDE_PORT_RANGE_THRESHOLD = 100;

/** Everything the analysis reads. */
export interface ExposureInput {
  vms: readonly VirtualMachine[];
  nics: readonly NetworkInterface[];
  publicIps: readonly PublicIpAddress[];
  nsgs: readonly NetworkSecurityGroup[];
  watchers: readonly NetworkWatcher[];
  flowLogs: readonly FlowLog[];
  assessments: readonly Assessment[];
  jitPolicies: readonly JitPolicy[];
}

/** An NSG rule that lets internet traffic in, as a card shows it. */
export interface ExposingRule {
  nsgId: string;
  nsgName: string;
  /** Where the NSG is attached on this path. */
  layer: "subnet" | "nic";
  ruleName: string;
  priority: number;
  protocol: string;
  /** Port ranges as written on the rule. */
  ports: string[];
  /** Source prefixes as written on the rule. */
  sources: string[];
}

/** A port run open to the internet, written for people (`"22"`, `"1000-2000"`, `"*"`). */
export interface OpenPorts {
  protocol: TransportProtocol;
  ports: string;
}

/** One public endpoint (VM, NIC, IP configuration with a public IP) that the internet can reach. */
export interface ExposedVm {
  vmId: string;
  vmName: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  nicId: string;
  nicName: string;
  ipConfigurationName: string;
  privateIpAddress?: string;
  publicIpId: string;
  /** The address, when allocated. */
  publicIpAddress?: string;
  publicIpSku?: string;
  /** True when neither the subnet nor the NIC has an NSG: nothing filters inbound traffic. */
  noNsg: boolean;
  /** Management ports ({@link MANAGEMENT_PORTS}, TCP) reachable from the internet. */
  openManagementPorts: number[];
  /** True when at least one management port is open: the VM is internet-exposed in the strict sense. */
  managementExposed: boolean;
  /** Every port run reachable from the internet (management and others), TCP and UDP. */
  openPorts: OpenPorts[];
  /** The rules that allow it, subnet NSG rules first. Empty when {@link noNsg}. */
  allowingRules: ExposingRule[];
  /** Open management ports a JIT policy lists for this VM. */
  jitProtectedPorts: number[];
  /** Open management ports no JIT policy covers. */
  unprotectedManagementPorts: number[];
  /** True when every open management port is covered by JIT (false when none is open). */
  jitProtected: boolean;
  /** Caveats a reader should know, e.g. Standard SKU public IPs being closed by default. */
  caveats: string[];
}

/** Why an inbound rule counts as over-permissive. */
export type OverPermissiveReason = "managementPort" | "allPorts" | "wideRange";

/** An inbound Allow rule open to the whole internet on management ports, every port or a wide range. */
export interface OverPermissiveRule {
  nsgId: string;
  nsgName: string;
  subscriptionId: string;
  ruleName: string;
  priority: number;
  protocol: string;
  ports: string[];
  sources: string[];
  /** Management ports the rule opens (TCP). */
  managementPorts: number[];
  /** How many distinct ports the rule opens. */
  portCount: number;
  reasons: OverPermissiveReason[];
  /** True when the NSG is attached to no subnet and no NIC: harmless today, dangerous the day it is attached. */
  unattached: boolean;
}

/** A NIC with IP forwarding on (it can route traffic not addressed to it). */
export interface IpForwardingNic {
  nicId: string;
  nicName: string;
  subscriptionId: string;
  vmId?: string;
  vmName?: string;
}

/** An NSG whose traffic no enabled flow log records. */
export interface NsgWithoutFlowLog {
  nsgId: string;
  nsgName: string;
  subscriptionId: string;
  location: string;
  attached: boolean;
  /** Flow logs that target it but are disabled. */
  disabledFlowLogIds: string[];
}

/** A subscription + region with VMs or NICs but no Network Watcher. */
export interface RegionWithoutWatcher {
  subscriptionId: string;
  /** Normalised region name, e.g. `westeurope`. */
  location: string;
  vmCount: number;
  nicCount: number;
}

/** A resource an unhealthy assessment names (storage without secure transfer, gateway without WAF). */
export interface AssessedResource {
  resourceId: string;
  name: string;
  subscriptionId: string;
  resourceGroup?: string;
  assessmentId: string;
  displayName: string;
}

/** Where Defender's assessment and the network analysis tell different stories about one VM. */
export interface AssessmentDisagreement {
  vmId: string;
  vmName: string;
  assessmentKey: string;
  /** The assessment's status on this VM; "Missing" when Defender evaluates the recommendation in the subscription but not for this VM. */
  assessmentStatus: AssessmentStatus | "Missing";
  networkFinding: "exposed" | "notExposed" | "managementPortsOpenWithoutJit" | "noUnprotectedManagementPorts";
  message: string;
}

/** The result of {@link analyzeExposure}. */
export interface ExposureReport {
  /** Public endpoints reachable from the internet: management-exposed first, then by VM name. */
  exposedVms: ExposedVm[];
  overPermissiveRules: OverPermissiveRule[];
  ipForwardingNics: IpForwardingNic[];
  nsgsWithoutFlowLogs: NsgWithoutFlowLog[];
  regionsWithoutNetworkWatcher: RegionWithoutWatcher[];
  storageWithoutSecureTransfer: AssessedResource[];
  appsWithoutWaf: AssessedResource[];
  assessmentDisagreements: AssessmentDisagreement[];
  /** Things the analysis could not decide, e.g. a NIC naming an NSG that was not read. */
  notes: string[];
}

const UNKNOWN = "(unknown)";

/** Analyzes network exposure across the estate. Pure: same input, same report. */
export function analyzeExposure(input: ExposureInput): ExposureReport {
  const notes: string[] = [];
  const nsgById = byId(input.nsgs);
  const exposedVms = findExposedVms(input, nsgById, notes);
  return {
    exposedVms,
    overPermissiveRules: findOverPermissiveRules(input),
    ipForwardingNics: findIpForwardingNics(input),
    nsgsWithoutFlowLogs: findNsgsWithoutFlowLogs(input),
    regionsWithoutNetworkWatcher: findRegionsWithoutWatcher(input),
    storageWithoutSecureTransfer: unhealthyResources(input.assessments, ASSESSMENT_KEYS.STORAGE_SECURE_TRANSFER),
    appsWithoutWaf: unhealthyResources(input.assessments, ASSESSMENT_KEYS.WAF_APPLICATION_GATEWAY),
    assessmentDisagreements: crossCheck(input, exposedVms),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Exposed VMs

/** The NICs of a VM: those it lists and those that name it, without duplicates. */
export function nicsOfVm(vm: VirtualMachine, nics: readonly NetworkInterface[]): NetworkInterface[] {
  const listed = new Set(vm.nicIds.map(normalizeId));
  return nics.filter((n) => listed.has(normalizeId(n.id)) || sameId(n.vmId, vm.id));
}

/** {@link nicsOfVm} for every VM at once: one pass over the NICs instead of one per VM (2,000-VM estates). */
function nicsByVm(nics: readonly NetworkInterface[]): (vm: VirtualMachine) => NetworkInterface[] {
  const byNicId = new Map<string, NetworkInterface>();
  const byVmId = new Map<string, NetworkInterface[]>();
  const order = new Map<NetworkInterface, number>();
  nics.forEach((n, i) => {
    order.set(n, i);
    byNicId.set(normalizeId(n.id), n);
    if (n.vmId !== undefined) {
      const key = normalizeId(n.vmId);
      const list = byVmId.get(key);
      if (list) list.push(n);
      else byVmId.set(key, [n]);
    }
  });
  return (vm) => {
    const found = new Set<NetworkInterface>(byVmId.get(normalizeId(vm.id)) ?? []);
    for (const id of vm.nicIds) {
      const n = byNicId.get(normalizeId(id));
      if (n) found.add(n);
    }
    // Keep the input order, as nicsOfVm does (sorting the few found beats filtering every NIC per VM).
    return [...found].sort((a, b) => order.get(a)! - order.get(b)!);
  };
}

/** The public IP attached to an IP configuration, by the NIC's reference or by the public IP's back-reference. */
function publicIpOf(
  nic: NetworkInterface,
  config: IpConfiguration,
  publicIpByConfig: IdMap<PublicIpAddress>,
  publicIpById: IdMap<PublicIpAddress>,
): { id: string; ip?: PublicIpAddress } | undefined {
  if (config.publicIpId !== undefined) return { id: config.publicIpId, ip: publicIpById.get(config.publicIpId) };
  const ip = publicIpByConfig.get(`${nic.id}/ipConfigurations/${config.name}`);
  return ip ? { id: ip.id, ip } : undefined;
}

/** Public IPs by the IP configuration they are attached to; the first one wins, as `find` did. */
function byIpConfiguration(publicIps: readonly PublicIpAddress[]): IdMap<PublicIpAddress> {
  const map = new IdMap<PublicIpAddress>();
  for (const p of publicIps) if (p.ipConfigurationId !== undefined && !map.has(p.ipConfigurationId)) map.set(p.ipConfigurationId, p);
  return map;
}

/** The NSGs on an IP configuration's inbound path, subnet first; undefined when one is named but was not read. */
/** The first NSG (in input order, as `find` would) listing each subnet and each NIC; built once per NSG list. */
const attachmentIndexes = new WeakMap<readonly NetworkSecurityGroup[], { bySubnet: Map<string, NetworkSecurityGroup>; byNic: Map<string, NetworkSecurityGroup> }>();
function attachmentIndex(nsgs: readonly NetworkSecurityGroup[]): { bySubnet: Map<string, NetworkSecurityGroup>; byNic: Map<string, NetworkSecurityGroup> } {
  let index = attachmentIndexes.get(nsgs);
  if (!index) {
    index = { bySubnet: new Map(), byNic: new Map() };
    for (const nsg of nsgs) {
      for (const id of nsg.subnetIds) if (!index.bySubnet.has(normalizeId(id))) index.bySubnet.set(normalizeId(id), nsg);
      for (const id of nsg.nicIds) if (!index.byNic.has(normalizeId(id))) index.byNic.set(normalizeId(id), nsg);
    }
    attachmentIndexes.set(nsgs, index);
  }
  return index;
}

function nsgPath(
  nic: NetworkInterface,
  config: IpConfiguration,
  input: ExposureInput,
  nsgById: IdMap<NetworkSecurityGroup>,
  notes: string[],
): { nsg: NetworkSecurityGroup; layer: "subnet" | "nic" }[] | undefined {
  const path: { nsg: NetworkSecurityGroup; layer: "subnet" | "nic" }[] = [];
  const index = attachmentIndex(input.nsgs);
  const subnetNsg = config.subnetId === undefined ? undefined : index.bySubnet.get(normalizeId(config.subnetId));
  if (subnetNsg) path.push({ nsg: subnetNsg, layer: "subnet" });
  if (nic.nsgId !== undefined) {
    const nicNsg = nsgById.get(nic.nsgId);
    if (!nicNsg) {
      notes.push(`NIC ${nic.name} uses NSG ${nameOf(nic.nsgId)}, which could not be read; its exposure was not evaluated.`);
      return undefined;
    }
    path.push({ nsg: nicNsg, layer: "nic" });
  } else {
    const nicNsg = index.byNic.get(normalizeId(nic.id));
    if (nicNsg) path.push({ nsg: nicNsg, layer: "nic" });
  }
  return path;
}

/** Ports each JIT policy lists for the VM (TCP or any protocol). */
export function jitPortsOfVm(vmId: string, policies: readonly JitPolicy[]): Set<number> {
  const ports = new Set<number>();
  for (const policy of policies) {
    for (const vm of policy.virtualMachines) {
      if (!sameId(vm.vmId, vmId)) continue;
      for (const p of vm.ports) if (p.protocol === "TCP" || p.protocol === "*") ports.add(p.number);
    }
  }
  return ports;
}

function exposingRules(runs: readonly OpenPortRange[], layers: Map<string, "subnet" | "nic">): ExposingRule[] {
  const seen = new Map<string, ExposingRule>();
  for (const run of runs) {
    for (const r of run.rules) {
      const key = `${normalizeId(r.nsgId)}|${r.ruleName.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.set(key, toExposingRule(r, layers.get(normalizeId(r.nsgId)) ?? "nic"));
    }
  }
  return [...seen.values()].sort(
    (a, b) => (a.layer === b.layer ? 0 : a.layer === "subnet" ? -1 : 1) || a.priority - b.priority,
  );
}

function toExposingRule(r: RuleDecision, layer: "subnet" | "nic"): ExposingRule {
  return {
    nsgId: r.nsgId,
    nsgName: r.nsgName,
    layer,
    ruleName: r.ruleName,
    priority: r.priority,
    protocol: r.protocol,
    ports: r.destinationPorts,
    sources: r.sourcePrefixes,
  };
}

function findExposedVms(input: ExposureInput, nsgById: IdMap<NetworkSecurityGroup>, notes: string[]): ExposedVm[] {
  const publicIpById = byId(input.publicIps);
  const nicsOf = nicsByVm(input.nics);
  const publicIpByConfig = byIpConfiguration(input.publicIps);
  const out: ExposedVm[] = [];
  for (const vm of input.vms) {
    const nics = nicsOf(vm);
    for (const missing of vm.nicIds.filter((id) => !nics.some((n) => sameId(n.id, id)))) {
      notes.push(`NIC ${nameOf(missing)} of VM ${vm.name} could not be read; its exposure was not evaluated.`);
    }
    const jitPorts = jitPortsOfVm(vm.id, input.jitPolicies);
    for (const nic of nics) {
      for (const config of nic.ipConfigurations) {
        const pip = publicIpOf(nic, config, publicIpByConfig, publicIpById);
        if (!pip) continue;
        const path = nsgPath(nic, config, input, nsgById, notes);
        if (!path) continue;
        const nsgs = path.map((p) => p.nsg);
        const options = { destinationIp: config.privateIpAddress };
        const runs = [...openInboundPorts(nsgs, "Tcp", options), ...openInboundPorts(nsgs, "Udp", options)];
        if (runs.length === 0) continue;
        const tcpRanges = runs.filter((r) => r.protocol === "Tcp").map((r) => r.range);
        const openManagementPorts = MANAGEMENT_PORTS.filter((p) => rangesContain(tcpRanges, p));
        const jitProtectedPorts = openManagementPorts.filter((p) => jitPorts.has(p));
        const unprotected = openManagementPorts.filter((p) => !jitPorts.has(p));
        const layers = new Map(path.map((p) => [normalizeId(p.nsg.id), p.layer] as const));
        const caveats: string[] = [];
        if (path.length === 0 && pip.ip?.sku?.toLowerCase() === "standard") {
          caveats.push(
            "Standard SKU public IPs drop inbound traffic that no NSG allows; with no NSG at all, Defender still counts the VM as unprotected.",
          );
        }
        out.push({
          vmId: vm.id,
          vmName: vm.name,
          subscriptionId: vm.subscriptionId,
          resourceGroup: vm.resourceGroup,
          location: vm.location,
          nicId: nic.id,
          nicName: nic.name,
          ipConfigurationName: config.name,
          privateIpAddress: config.privateIpAddress,
          publicIpId: pip.id,
          publicIpAddress: pip.ip?.ipAddress,
          publicIpSku: pip.ip?.sku,
          noNsg: path.length === 0,
          openManagementPorts,
          managementExposed: openManagementPorts.length > 0,
          openPorts: runs.map((r) => ({ protocol: r.protocol, ports: formatPortRange(r.range) })),
          allowingRules: exposingRules(runs, layers),
          jitProtectedPorts,
          unprotectedManagementPorts: unprotected,
          jitProtected: openManagementPorts.length > 0 && unprotected.length === 0,
          caveats,
        });
      }
    }
  }
  return out.sort(
    (a, b) =>
      Number(b.managementExposed) - Number(a.managementExposed) ||
      b.unprotectedManagementPorts.length - a.unprotectedManagementPorts.length ||
      a.vmName.localeCompare(b.vmName) ||
      a.nicName.localeCompare(b.nicName),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Over-permissive rules

/**
 * Why an inbound rule is over-permissive, or an empty list when it is not: it must be an Allow, inbound, with an
 * internet-wide source, over a protocol that has ports (ICMP-only rules are left out), and open a management port
 * over TCP, every port, or more than {@link WIDE_PORT_RANGE_THRESHOLD} ports.
 */
export function overPermissiveReasons(rule: SecurityRule): { reasons: OverPermissiveReason[]; managementPorts: number[]; portCount: number } {
  const none = { reasons: [], managementPorts: [], portCount: 0 };
  if (rule.access !== "Allow" || rule.direction.toLowerCase() !== "inbound") return none;
  if (!rule.sourcePrefixes.some(isInternetSource)) return none;
  const tcp = protocolMatches(rule.protocol, "Tcp");
  if (!tcp && !protocolMatches(rule.protocol, "Udp")) return none;
  const { ranges } = parsePortList(rule.destinationPorts);
  const count = portCount(ranges);
  const managementPorts = tcp ? MANAGEMENT_PORTS.filter((p) => rangesContain(ranges, p)) : [];
  const reasons: OverPermissiveReason[] = [];
  if (managementPorts.length > 0) reasons.push("managementPort");
  if (count === MAX_PORT + 1) reasons.push("allPorts");
  else if (count > WIDE_PORT_RANGE_THRESHOLD) reasons.push("wideRange");
  return { reasons, managementPorts, portCount: count };
}

function isAttached(nsg: NetworkSecurityGroup, nics: readonly NetworkInterface[]): boolean {
  return nsg.subnetIds.length > 0 || nsg.nicIds.length > 0 || nics.some((n) => sameId(n.nsgId, nsg.id));
}

function findOverPermissiveRules(input: ExposureInput): OverPermissiveRule[] {
  const out: OverPermissiveRule[] = [];
  for (const nsg of input.nsgs) {
    const unattached = !isAttached(nsg, input.nics);
    for (const rule of nsg.rules) {
      const { reasons, managementPorts, portCount: count } = overPermissiveReasons(rule);
      if (reasons.length === 0) continue;
      out.push({
        nsgId: nsg.id,
        nsgName: nsg.name,
        subscriptionId: nsg.subscriptionId,
        ruleName: rule.name,
        priority: rule.priority,
        protocol: rule.protocol,
        ports: [...rule.destinationPorts],
        sources: [...rule.sourcePrefixes],
        managementPorts,
        portCount: count,
        reasons,
        unattached,
      });
    }
  }
  // Attached rules matter now; unattached ones only when someone attaches the NSG.
  return out.sort(
    (a, b) =>
      Number(a.unattached) - Number(b.unattached) ||
      b.managementPorts.length - a.managementPorts.length ||
      b.portCount - a.portCount ||
      a.nsgName.localeCompare(b.nsgName) ||
      a.priority - b.priority,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// IP forwarding, flow logs, Network Watcher

function findIpForwardingNics(input: ExposureInput): IpForwardingNic[] {
  const vmById = byId(input.vms);
  return input.nics
    .filter((n) => n.ipForwarding)
    .map((n) => {
      const vm = vmById.get(n.vmId) ?? input.vms.find((v) => v.nicIds.some((id) => sameId(id, n.id)));
      return { nicId: n.id, nicName: n.name, subscriptionId: n.subscriptionId, vmId: vm?.id ?? n.vmId, vmName: vm?.name };
    })
    .sort((a, b) => a.nicName.localeCompare(b.nicName));
}

/**
 * An NSG counts as logged when an enabled flow log targets it, when the NSG itself lists a flow log we could not
 * read (its state is unknown and the NSG says one exists), or when enabled VNet/subnet/NIC flow logs (the
 * successor of NSG flow logs) cover everything it is attached to.
 */
function findNsgsWithoutFlowLogs(input: ExposureInput): NsgWithoutFlowLog[] {
  const enabled = input.flowLogs.filter((f) => f.enabled);
  const flowLogById = byId(input.flowLogs);
  const covered = (targetId: string): boolean => enabled.some((f) => isSameOrChildId(targetId, f.targetResourceId));
  const out: NsgWithoutFlowLog[] = [];
  const nicById = new Map<string, NetworkInterface>();
  for (const n of input.nics) if (!nicById.has(normalizeId(n.id))) nicById.set(normalizeId(n.id), n);
  const nicsByNsg = new Map<string, NetworkInterface[]>();
  for (const n of input.nics) {
    if (n.nsgId === undefined) continue;
    const key = normalizeId(n.nsgId);
    const list = nicsByNsg.get(key);
    if (list) list.push(n);
    else nicsByNsg.set(key, [n]);
  }
  for (const nsg of input.nsgs) {
    if (enabled.some((f) => sameId(f.targetResourceId, nsg.id))) continue;
    const listed = nsg.flowLogIds.map((id) => flowLogById.get(id));
    if (listed.some((f) => f === undefined || f.enabled)) continue;
    const nicIds = [
      ...nsg.nicIds,
      ...(nicsByNsg.get(normalizeId(nsg.id)) ?? []).map((n) => n.id),
    ];
    const attachments = [...nsg.subnetIds, ...nicIds];
    const nicCovered = (nicId: string): boolean => {
      if (covered(nicId)) return true;
      const nic = nicById.get(normalizeId(nicId));
      const subnets = nic?.ipConfigurations.map((c) => c.subnetId).filter((s): s is string => s !== undefined) ?? [];
      return subnets.length > 0 && subnets.every(covered);
    };
    if (attachments.length > 0 && nsg.subnetIds.every(covered) && nicIds.every(nicCovered)) continue;
    out.push({
      nsgId: nsg.id,
      nsgName: nsg.name,
      subscriptionId: nsg.subscriptionId,
      location: nsg.location,
      attached: isAttached(nsg, input.nics),
      disabledFlowLogIds: input.flowLogs.filter((f) => !f.enabled && sameId(f.targetResourceId, nsg.id)).map((f) => f.id),
    });
  }
  return out.sort((a, b) => Number(b.attached) - Number(a.attached) || a.nsgName.localeCompare(b.nsgName));
}

function findRegionsWithoutWatcher(input: ExposureInput): RegionWithoutWatcher[] {
  const key = (sub: string, loc: string): string => `${sub.toLowerCase()}|${normalizeLocation(loc)}`;
  const watched = new Set(input.watchers.map((w) => key(w.subscriptionId, w.location)));
  const regions = new Map<string, RegionWithoutWatcher>();
  const entry = (sub: string, loc: string): RegionWithoutWatcher | undefined => {
    const k = key(sub, loc);
    if (watched.has(k)) return undefined;
    let r = regions.get(k);
    if (!r) {
      r = { subscriptionId: sub, location: normalizeLocation(loc), vmCount: 0, nicCount: 0 };
      regions.set(k, r);
    }
    return r;
  };
  for (const vm of input.vms) {
    const r = entry(vm.subscriptionId, vm.location);
    if (r) r.vmCount++;
  }
  for (const nic of input.nics) {
    const r = entry(nic.subscriptionId, nic.location);
    if (r) r.nicCount++;
  }
  return [...regions.values()].sort(
    (a, b) => a.subscriptionId.localeCompare(b.subscriptionId) || a.location.localeCompare(b.location),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Assessment-based findings and the cross-check

/** Resources with an unhealthy assessment of `key`, one entry per resource. */
export function unhealthyResources(assessments: readonly Assessment[], key: string): AssessedResource[] {
  const seen = new Map<string, AssessedResource>();
  for (const a of assessments) {
    if (a.status !== "Unhealthy" || !sameKey(a.key, key)) continue;
    const id = normalizeId(a.resourceId);
    if (seen.has(id)) continue;
    seen.set(id, {
      resourceId: a.resourceId,
      name: nameOf(a.resourceId),
      subscriptionId: a.subscriptionId,
      resourceGroup: resourceGroupOf(a.resourceId),
      assessmentId: a.id,
      displayName: a.displayName,
    });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The status of one assessment on one VM: its own status, "Missing" when Defender evaluates that recommendation
 * somewhere in the VM's subscription but not on this VM, undefined when Defender does not evaluate it there at all
 * (plan off, or the subscription was not read), in which case there is nothing to disagree with.
 */
function statusOn(vm: VirtualMachine, index: KeyIndex): AssessmentStatus | "Missing" | undefined {
  const own = index.byResource.get(normalizeId(vm.id)) ?? [];
  if (own.length > 0) return own.some((a) => a.status === "Unhealthy") ? "Unhealthy" : own[0].status;
  return index.subscriptions.has(vm.subscriptionId.toLowerCase()) ? "Missing" : undefined;
}

/** The assessments of one key by resource, and the subscriptions where Defender evaluates it: built once, not per VM. */
interface KeyIndex {
  byResource: Map<string, Assessment[]>;
  subscriptions: Set<string>;
}

function indexKey(assessments: readonly Assessment[], key: string): KeyIndex {
  const index: KeyIndex = { byResource: new Map(), subscriptions: new Set() };
  for (const a of assessments) {
    if (!sameKey(a.key, key)) continue;
    const id = normalizeId(a.resourceId);
    index.byResource.set(id, [...(index.byResource.get(id) ?? []), a]);
    index.subscriptions.add(a.subscriptionId.toLowerCase());
  }
  return index;
}

function crossCheck(input: ExposureInput, exposed: readonly ExposedVm[]): AssessmentDisagreement[] {
  const out: AssessmentDisagreement[] = [];
  const nsgIndex = indexKey(input.assessments, ASSESSMENT_KEYS.INTERNET_FACING_NSG);
  const jitIndex = indexKey(input.assessments, ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS);
  const endpointsByVm = new Map<string, ExposedVm[]>();
  for (const e of exposed) {
    const key = normalizeId(e.vmId);
    endpointsByVm.set(key, [...(endpointsByVm.get(key) ?? []), e]);
  }
  for (const vm of input.vms) {
    const endpoints = endpointsByVm.get(normalizeId(vm.id)) ?? [];
    const isExposed = endpoints.length > 0;
    const unprotected = [...new Set(endpoints.flatMap((e) => e.unprotectedManagementPorts))].sort((a, b) => a - b);

    const nsgStatus = statusOn(vm, nsgIndex);
    if (nsgStatus === "Unhealthy" && !isExposed) {
      out.push({
        vmId: vm.id,
        vmName: vm.name,
        assessmentKey: ASSESSMENT_KEYS.INTERNET_FACING_NSG,
        assessmentStatus: nsgStatus,
        networkFinding: "notExposed",
        message: `Defender says ${vm.name} is internet-facing without adequate NSG protection, but no port on it is open to the internet in the NSG rules read.`,
      });
    } else if (nsgStatus !== undefined && nsgStatus !== "Unhealthy" && isExposed) {
      out.push({
        vmId: vm.id,
        vmName: vm.name,
        assessmentKey: ASSESSMENT_KEYS.INTERNET_FACING_NSG,
        assessmentStatus: nsgStatus,
        networkFinding: "exposed",
        message: `${vm.name} is reachable from the internet (${describeOpen(endpoints)}), but Defender's NSG assessment is ${statusText(nsgStatus)}.`,
      });
    }

    const jitStatus = statusOn(vm, jitIndex);
    if (jitStatus === "Unhealthy" && unprotected.length === 0) {
      out.push({
        vmId: vm.id,
        vmName: vm.name,
        assessmentKey: ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS,
        assessmentStatus: jitStatus,
        networkFinding: "noUnprotectedManagementPorts",
        message: `Defender says ${vm.name} needs JIT on its management ports, but none is open to the internet without JIT in the NSG rules read.`,
      });
    } else if (jitStatus !== undefined && jitStatus !== "Unhealthy" && unprotected.length > 0) {
      out.push({
        vmId: vm.id,
        vmName: vm.name,
        assessmentKey: ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS,
        assessmentStatus: jitStatus,
        networkFinding: "managementPortsOpenWithoutJit",
        message: `${vm.name} has management port(s) ${unprotected.join(", ")} open to the internet without JIT, but Defender's JIT assessment is ${statusText(jitStatus)}.`,
      });
    }
  }
  return out.sort((a, b) => a.vmName.localeCompare(b.vmName) || a.assessmentKey.localeCompare(b.assessmentKey));
}

function statusText(status: AssessmentStatus | "Missing"): string {
  return status === "Missing" ? "missing for it" : status;
}

function describeOpen(endpoints: readonly ExposedVm[]): string {
  const ports = [...new Set(endpoints.flatMap((e) => e.openPorts.map((p) => `${p.protocol.toLowerCase()}/${p.ports}`)))];
  const shown = ports.slice(0, 5).join(", ");
  return ports.length > 5 ? `${shown}, …` : shown || UNKNOWN;
}
