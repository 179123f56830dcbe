/**
 * Everything known about one VM, for the `vm <name>` command: Defender findings by topic, NICs and addresses,
 * internet exposure, JIT state and alerts. A name can match several VMs (one per subscription or resource
 * group); each gets its own entry.
 */
import { vmTopicOf, type VmFindingTopic } from "./assessment-keys";
import { alertTime } from "./alerts";
import { analyzeExposure, nicsOfVm, type AssessmentDisagreement, type ExposedVm, type ExposingRule, type ExposureInput } from "./exposure";
import type { JitGrant, JitPolicyPort, NetworkInterface, SecurityAlert, Severity, VirtualMachine } from "./model";
import { byId, isSameOrChildId, normalizeId, sameId } from "./resource-ids";
import { editDistance } from "./text";

/** What {@link buildVmReport} reads: the exposure inputs plus alerts. */
export interface VmEstate extends ExposureInput {
  alerts: readonly SecurityAlert[];
}

/** One unhealthy assessment on the VM. */
export interface VmFinding {
  assessmentId: string;
  key: string;
  displayName: string;
  severity: Severity;
  cause?: string;
  remediation?: string;
  portalUrl?: string;
}

/** A NIC of the VM with its addresses. */
export interface VmNic {
  id: string;
  name: string;
  ipForwarding: boolean;
  nsgId?: string;
  privateIps: string[];
  publicIps: { id: string; address?: string }[];
}

/** The VM's JIT state. */
export interface VmJitState {
  /** True when a JIT policy lists the VM. */
  enabled: boolean;
  policyIds: string[];
  ports: JitPolicyPort[];
  /** Grants that are still open (status Initiated, end time after now), soonest to expire first. */
  activeGrants: JitGrant[];
}

/** Everything about one VM. */
export interface VmReportEntry {
  vm: VirtualMachine;
  /** Unhealthy assessments by topic, most severe first within each topic. */
  findings: Record<VmFindingTopic, VmFinding[]>;
  findingCount: number;
  nics: VmNic[];
  /** Its public endpoints that the internet can reach (see exposure.ts). */
  exposure: ExposedVm[];
  /** The NSG rules that let internet traffic in, across its endpoints. */
  internetExposingRules: ExposingRule[];
  assessmentDisagreements: AssessmentDisagreement[];
  jit: VmJitState;
  /** Alerts about it: active first, newest first. */
  alerts: SecurityAlert[];
}

/** The answer to `vm <name>`. */
export interface VmReport {
  query: string;
  matches: VmReportEntry[];
  /** When nothing matched: the closest VM names by edit distance, at most three. */
  suggestions: string[];
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { High: 0, Medium: 1, Low: 2 };
const TOPICS: readonly VmFindingTopic[] = ["updates", "endpointProtection", "vulnerabilityAssessment", "diskEncryption", "other"];

/**
 * Builds the report for every VM named `vmName` (case-insensitive). Unknown names give `matches: []` and up to
 * three suggestions, closest first.
 */
export function buildVmReport(vmName: string, estate: VmEstate, now: Date): VmReport {
  const query = vmName.trim();
  const wanted = query.toLowerCase();
  const vms = estate.vms
    .filter((vm) => vm.name.toLowerCase() === wanted)
    .sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId) || a.resourceGroup.localeCompare(b.resourceGroup));
  if (vms.length === 0) return { query, matches: [], suggestions: suggestNames(query, estate.vms) };
  return { query, matches: vms.map((vm) => entryFor(vm, estate, now)), suggestions: [] };
}

function suggestNames(query: string, vms: readonly VirtualMachine[]): string[] {
  const names = new Map<string, string>();
  for (const vm of vms) if (!names.has(vm.name.toLowerCase())) names.set(vm.name.toLowerCase(), vm.name);
  return [...names.values()]
    .map((name) => ({ name, d: editDistance(query, name) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((x) => x.name);
}

function entryFor(vm: VirtualMachine, estate: VmEstate, now: Date): VmReportEntry {
  const nics = nicsOfVm(vm, estate.nics);
  const exposure = analyzeExposure({ ...estate, vms: [vm] });
  const findings = findingsOf(vm, nics.map((n) => n.id), estate);
  return {
    vm,
    findings,
    findingCount: TOPICS.reduce((n, t) => n + findings[t].length, 0),
    nics: nicsView(nics, estate),
    exposure: exposure.exposedVms,
    internetExposingRules: dedupeRules(exposure.exposedVms.flatMap((e) => e.allowingRules)),
    assessmentDisagreements: exposure.assessmentDisagreements,
    jit: jitState(vm, estate, now),
    alerts: alertsAbout(vm, estate.alerts),
  };
}

function findingsOf(vm: VirtualMachine, nicIds: readonly string[], estate: VmEstate): Record<VmFindingTopic, VmFinding[]> {
  const out: Record<VmFindingTopic, VmFinding[]> = {
    updates: [],
    endpointProtection: [],
    vulnerabilityAssessment: [],
    diskEncryption: [],
    other: [],
  };
  const seen = new Set<string>();
  for (const a of estate.assessments) {
    if (a.status !== "Unhealthy") continue;
    // Findings about the VM's extensions or NICs are findings about the VM to the person asking.
    const about = isSameOrChildId(a.resourceId, vm.id) || nicIds.some((id) => sameId(id, a.resourceId));
    if (!about) continue;
    const dedupe = `${a.key.toLowerCase()}|${normalizeId(a.resourceId)}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out[vmTopicOf(a.key)].push({
      assessmentId: a.id,
      key: a.key,
      displayName: a.displayName,
      severity: a.severity,
      cause: a.cause,
      remediation: a.remediation,
      portalUrl: a.portalUrl,
    });
  }
  for (const t of TOPICS) {
    out[t].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.displayName.localeCompare(b.displayName));
  }
  return out;
}

function nicsView(nics: readonly NetworkInterface[], estate: VmEstate): VmNic[] {
  const pipById = byId(estate.publicIps);
  return nics.map((nic) => ({
    id: nic.id,
    name: nic.name,
    ipForwarding: nic.ipForwarding,
    nsgId: nic.nsgId,
    privateIps: nic.ipConfigurations.map((c) => c.privateIpAddress).filter((ip): ip is string => ip !== undefined),
    publicIps: nic.ipConfigurations.flatMap((c) => {
      const configId = `${nic.id}/ipConfigurations/${c.name}`;
      const pip = c.publicIpId !== undefined ? pipById.get(c.publicIpId) : estate.publicIps.find((p) => sameId(p.ipConfigurationId, configId));
      const id = c.publicIpId ?? pip?.id;
      return id === undefined ? [] : [{ id, address: pip?.ipAddress }];
    }),
  }));
}

function dedupeRules(rules: readonly ExposingRule[]): ExposingRule[] {
  const seen = new Map<string, ExposingRule>();
  for (const r of rules) {
    const key = `${normalizeId(r.nsgId)}|${r.ruleName.toLowerCase()}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}

function jitState(vm: VirtualMachine, estate: VmEstate, now: Date): VmJitState {
  const policyIds: string[] = [];
  const ports: JitPolicyPort[] = [];
  const activeGrants: JitGrant[] = [];
  for (const policy of estate.jitPolicies) {
    const entries = policy.virtualMachines.filter((v) => sameId(v.vmId, vm.id));
    if (entries.length > 0) policyIds.push(policy.id);
    for (const e of entries) ports.push(...e.ports);
    for (const g of policy.grants) {
      const end = Date.parse(g.endTime);
      if (sameId(g.vmId, vm.id) && g.status === "Initiated" && end > now.getTime()) activeGrants.push(g);
    }
  }
  activeGrants.sort((a, b) => Date.parse(a.endTime) - Date.parse(b.endTime) || a.port - b.port);
  ports.sort((a, b) => a.number - b.number);
  return { enabled: policyIds.length > 0, policyIds, ports, activeGrants };
}

function alertsAbout(vm: VirtualMachine, alerts: readonly SecurityAlert[]): SecurityAlert[] {
  return alerts
    .filter(
      (a) =>
        a.resourceIds.some((id) => isSameOrChildId(id, vm.id)) ||
        (a.compromisedEntity !== undefined &&
          a.compromisedEntity.toLowerCase() === vm.name.toLowerCase() &&
          a.subscriptionId.toLowerCase() === vm.subscriptionId.toLowerCase()),
    )
    .map((a) => ({ a, t: alertTime(a) }))
    .sort(
      (x, y) =>
        Number(y.a.status === "Active") - Number(x.a.status === "Active") ||
        (Number.isNaN(y.t) ? -1 : Number.isNaN(x.t) ? 1 : y.t - x.t),
    )
    .map((x) => x.a);
}
