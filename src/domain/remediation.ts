/**
 * Remediation from Teams (issue 10): the safe, bounded fixes the bot can make, as pure values and rules.
 *
 * A fix names one resource (its {@link RemediationTarget}) and two values of exactly the properties it changes: the
 * state read from Azure when it was proposed (`before`) and the state it asks for (`after`). Applying writes `after`;
 * undoing writes `before` back. Because both are plain data, the same code previews a change (a property diff),
 * checks that nothing changed since the preview (compare the fresh read with `before`), applies it, reads it back and
 * undoes it, whatever the kind of fix. src/azure turns states into SDK calls; nothing here does I/O.
 */
import { AppError } from "./errors";
import { checkSource } from "./ip";
import type { AlertStatus } from "./model";
import { isInternetSource } from "./nsg-rules";
import { nameOf, normalizeId, resourceGroupOf } from "./resource-ids";

/** The kinds of fix, as `fix <kind> …` names them. */
export type FixKind = "jit" | "rule" | "forwarding" | "flowlogs" | "alert";
export const FIX_KINDS: readonly FixKind[] = ["jit", "rule", "forwarding", "flowlogs", "alert"];

/** Longest access a JIT port the bot adds allows (Defender's own default for management ports). */
export const JIT_FIX_MAX_DURATION = "PT3H";
/** Retention of a flow log the bot creates (an existing flow log keeps its own). */
export const FLOW_LOG_RETENTION_DAYS = 90;

/** One port of one VM in a JIT policy, in the policy's own shape (so an undo writes back exactly what was there). */
export interface JitPortSetting {
  number: number;
  protocol: "TCP" | "UDP" | "*";
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  maxRequestAccessDuration: string;
}

/**
 * Every writable property of an NSG security rule, singular and plural fields as Azure returned them, so a rule the
 * bot deletes can be recreated exactly and a rule it edits keeps everything it did not mean to change.
 */
export interface RuleSettings {
  protocol: string;
  access: "Allow" | "Deny";
  direction: "Inbound" | "Outbound";
  priority: number;
  sourceAddressPrefix?: string;
  sourceAddressPrefixes: string[];
  sourcePortRange?: string;
  sourcePortRanges: string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes: string[];
  destinationPortRange?: string;
  destinationPortRanges: string[];
  sourceApplicationSecurityGroupIds: string[];
  destinationApplicationSecurityGroupIds: string[];
  description?: string;
}

/** The flow log properties a fix manages (format and traffic analytics are kept as Azure has them). */
export interface FlowLogSettings {
  targetResourceId: string;
  storageId: string;
  enabled: boolean;
  retentionDays: number;
}

/** The one resource (or part of one) a fix changes. */
export type RemediationTarget =
  /** One VM's entry in a JIT policy; the policy's other VMs are never touched. */
  | { kind: "jit"; policyId: string; vmId: string }
  /** `<nsgId>/securityRules/<name>`; the NSG's other rules are never touched. */
  | { kind: "rule"; ruleId: string }
  | { kind: "forwarding"; nicId: string }
  /** `<watcherId>/flowLogs/<name>`; `location` is the watcher's region (a flow log is created there). */
  | { kind: "flowlogs"; flowLogId: string; location: string }
  | { kind: "alert"; alertId: string };

/** The value of exactly the properties a fix changes; `null` means "does not exist". */
export type RemediationState =
  | { kind: "jit"; ports: JitPortSetting[] | null }
  | { kind: "rule"; rule: RuleSettings | null }
  | { kind: "forwarding"; enableIPForwarding: boolean }
  | { kind: "flowlogs"; flowLog: FlowLogSettings | null }
  | { kind: "alert"; status: AlertStatus };

/** A proposed change, ready to preview: what, where, from which value to which, and what to watch out for. */
export interface RemediationProposal {
  kind: FixKind;
  target: RemediationTarget;
  /** The ARM id of the resource that changes (the VM for JIT, the rule, the NIC, the flow log, the alert). */
  resourceId: string;
  /** Short, human: "rule Allow-SSH-Internet of nsg-web-prod". */
  resourceName: string;
  /** "Tighten rule Allow-SSH-Internet of nsg-web-prod". */
  title: string;
  /** The finding the fix addresses, in a sentence. */
  finding: string;
  before: RemediationState;
  after: RemediationState;
  /** What could break, when something could. */
  warning?: string;
  /** The person's reason (alert state changes), as typed. */
  reason?: string;
}

/** One changed property in a preview: its ARM path, the current and the proposed value, both as text. */
export interface PropertyChange {
  property: string;
  current: string;
  proposed: string;
}

const NONE = "(none)";
const NOT_SET = "(not set)";

// ---------------------------------------------------------------------------------------------------------------
// Comparing states

/** A singular/plural field pair as one list, as written (the plural wins when it has values). */
export function asList(single: string | undefined, plural: readonly string[]): string[] {
  return plural.length > 0 ? [...plural] : single !== undefined && single !== "" ? [single] : [];
}

function sortedLower(values: readonly string[] | undefined): string[] {
  return [...(values ?? [])].map((v) => v.trim().toLowerCase()).sort();
}

function canonicalPort(p: JitPortSetting): string {
  const sources = p.allowedSourceAddressPrefixes && p.allowedSourceAddressPrefixes.length > 0
    ? sortedLower(p.allowedSourceAddressPrefixes)
    : sortedLower([p.allowedSourceAddressPrefix ?? "*"]);
  return `${p.number}|${p.protocol}|${sources.join(",")}|${p.maxRequestAccessDuration.toUpperCase()}`;
}

/** Azure folds a single value into the singular field; compare the rule by what it means, not by which field. */
function folded(single: string | undefined, plural: readonly string[]): string[] {
  return sortedLower(asList(single, plural));
}

function canonicalRule(r: RuleSettings): string {
  return JSON.stringify([
    r.protocol.toLowerCase(),
    r.access,
    r.direction,
    r.priority,
    folded(r.sourceAddressPrefix, r.sourceAddressPrefixes),
    folded(r.sourcePortRange, r.sourcePortRanges),
    folded(r.destinationAddressPrefix, r.destinationAddressPrefixes),
    folded(r.destinationPortRange, r.destinationPortRanges),
    sortedLower(r.sourceApplicationSecurityGroupIds),
    sortedLower(r.destinationApplicationSecurityGroupIds),
  ]);
}

/** A comparable form of a state: equal strings mean the resource is as the state says (ids and tags ignore case). */
export function canonicalState(state: RemediationState): string {
  switch (state.kind) {
    case "jit":
      return state.ports === null ? "jit:none" : `jit:${state.ports.map(canonicalPort).sort().join(";")}`;
    case "rule":
      return state.rule === null ? "rule:none" : `rule:${canonicalRule(state.rule)}`;
    case "forwarding":
      return `forwarding:${state.enableIPForwarding}`;
    case "flowlogs": {
      const f = state.flowLog;
      return f === null ? "flowlogs:none" : `flowlogs:${normalizeId(f.targetResourceId)}|${normalizeId(f.storageId)}|${f.enabled}|${f.retentionDays}`;
    }
    case "alert":
      return `alert:${state.status}`;
  }
}

/** True when two states mean the same resource state (the concurrency check and the read-back check). */
export function sameState(a: RemediationState, b: RemediationState): boolean {
  return canonicalState(a) === canonicalState(b);
}

// ---------------------------------------------------------------------------------------------------------------
// The diff a preview shows

function list(values: readonly string[] | undefined): string {
  return values === undefined || values.length === 0 ? NOT_SET : values.join(", ");
}

function portText(p: JitPortSetting): string {
  const from = p.allowedSourceAddressPrefixes && p.allowedSourceAddressPrefixes.length > 0 ? p.allowedSourceAddressPrefixes.join(", ") : p.allowedSourceAddressPrefix ?? "*";
  return `protocol ${p.protocol}, from ${from}, up to ${p.maxRequestAccessDuration}`;
}

function ruleSummary(r: RuleSettings): string {
  return `${r.access} ${r.direction} ${r.protocol} port ${list(asList(r.destinationPortRange, r.destinationPortRanges))} from ${list(asList(r.sourceAddressPrefix, r.sourceAddressPrefixes))}, priority ${r.priority}`;
}

/** Rule fields in the order people read them, with their ARM property paths. */
const RULE_FIELDS: readonly { path: string; read: (r: RuleSettings) => string }[] = [
  { path: "properties.access", read: (r) => r.access },
  { path: "properties.direction", read: (r) => r.direction },
  { path: "properties.priority", read: (r) => String(r.priority) },
  { path: "properties.protocol", read: (r) => r.protocol },
  { path: "properties.sourceAddressPrefix", read: (r) => r.sourceAddressPrefix ?? NOT_SET },
  { path: "properties.sourceAddressPrefixes", read: (r) => list(r.sourceAddressPrefixes) },
  { path: "properties.sourcePortRange", read: (r) => r.sourcePortRange ?? NOT_SET },
  { path: "properties.sourcePortRanges", read: (r) => list(r.sourcePortRanges) },
  { path: "properties.destinationAddressPrefix", read: (r) => r.destinationAddressPrefix ?? NOT_SET },
  { path: "properties.destinationAddressPrefixes", read: (r) => list(r.destinationAddressPrefixes) },
  { path: "properties.destinationPortRange", read: (r) => r.destinationPortRange ?? NOT_SET },
  { path: "properties.destinationPortRanges", read: (r) => list(r.destinationPortRanges) },
  { path: "properties.sourceApplicationSecurityGroups", read: (r) => list(r.sourceApplicationSecurityGroupIds.map(nameOf)) },
  { path: "properties.destinationApplicationSecurityGroups", read: (r) => list(r.destinationApplicationSecurityGroupIds.map(nameOf)) },
  { path: "properties.description", read: (r) => r.description ?? NOT_SET },
];

function jitChanges(before: JitPortSetting[] | null, after: JitPortSetting[] | null, vmName: string): PropertyChange[] {
  const base = `properties.virtualMachines[${vmName}]`;
  if (before === null && after === null) return [];
  if (before === null || after === null) {
    const shown = (ports: JitPortSetting[] | null): string =>
      ports === null ? `${NONE}: ${vmName} is not in the policy` : ports.map((p) => `${p.number}: ${portText(p)}`).join("; ");
    return [{ property: `${base}.ports`, current: shown(before), proposed: shown(after) }];
  }
  const numbers = [...new Set([...before, ...after].map((p) => p.number))].sort((a, b) => a - b);
  const out: PropertyChange[] = [];
  for (const n of numbers) {
    const b = before.find((p) => p.number === n);
    const a = after.find((p) => p.number === n);
    if (b && a && canonicalPort(a) === canonicalPort(b)) continue;
    out.push({ property: `${base}.ports[${n}]`, current: b ? portText(b) : NONE, proposed: a ? portText(a) : NONE });
  }
  return out;
}

function flowLogText(f: FlowLogSettings): string {
  return `${f.enabled ? "enabled" : "disabled"}, storage ${nameOf(f.storageId)}, retention ${f.retentionDays} days`;
}

/**
 * The properties that differ between two states of the same target, as a preview shows them: ARM property paths,
 * current and proposed values. `vmName` labels a JIT policy's VM entry.
 */
export function propertyChanges(before: RemediationState, after: RemediationState, vmName = "vm"): PropertyChange[] {
  if (before.kind !== after.kind) throw new AppError("Internal", "A fix cannot change the kind of its resource.");
  switch (before.kind) {
    case "jit":
      return jitChanges(before.ports, (after as typeof before).ports, vmName);
    case "rule": {
      const b = before.rule;
      const a = (after as typeof before).rule;
      if (b === null && a === null) return [];
      if (b === null || a === null) {
        return [{ property: "securityRule", current: b ? ruleSummary(b) : `${NONE}: the rule does not exist`, proposed: a ? ruleSummary(a) : `${NONE}: the rule is deleted` }];
      }
      return RULE_FIELDS.filter((f) => f.read(b) !== f.read(a)).map((f) => ({ property: f.path, current: f.read(b), proposed: f.read(a) }));
    }
    case "forwarding": {
      const a = (after as typeof before).enableIPForwarding;
      return before.enableIPForwarding === a ? [] : [{ property: "properties.enableIPForwarding", current: String(before.enableIPForwarding), proposed: String(a) }];
    }
    case "flowlogs": {
      const b = before.flowLog;
      const a = (after as typeof before).flowLog;
      if (b === null && a === null) return [];
      if (b === null || a === null) {
        return [{ property: "flowLog", current: b ? flowLogText(b) : `${NONE}: no flow log`, proposed: a ? flowLogText(a) : `${NONE}: the flow log is deleted` }];
      }
      const out: PropertyChange[] = [];
      if (b.enabled !== a.enabled) out.push({ property: "properties.enabled", current: String(b.enabled), proposed: String(a.enabled) });
      if (normalizeId(b.storageId) !== normalizeId(a.storageId)) out.push({ property: "properties.storageId", current: b.storageId, proposed: a.storageId });
      if (b.retentionDays !== a.retentionDays) {
        out.push({ property: "properties.retentionPolicy.days", current: String(b.retentionDays), proposed: String(a.retentionDays) });
      }
      if (normalizeId(b.targetResourceId) !== normalizeId(a.targetResourceId)) {
        out.push({ property: "properties.targetResourceId", current: b.targetResourceId, proposed: a.targetResourceId });
      }
      return out;
    }
    case "alert": {
      const a = (after as typeof before).status;
      return before.status === a ? [] : [{ property: "properties.status", current: before.status, proposed: a }];
    }
  }
}

/** One line for audit details: `properties.x: a → b; …`, bounded. */
export function describeChanges(changes: readonly PropertyChange[], max = 600): string {
  const text = changes.map((c) => `${c.property}: ${c.current} → ${c.proposed}`).join("; ") || "no property changes";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Planning each fix (the rules that make a fix safe and bounded)

function nothingToDo(message: string): AppError {
  return new AppError("BadInput", message);
}

/**
 * Enabling JIT: the VM's entry gains the given management ports (any protocol, any source the requester names,
 * at most {@link JIT_FIX_MAX_DURATION}); ports already in the policy are kept exactly as they are.
 */
export function planJit(before: RemediationState & { kind: "jit" }, ports: readonly number[], vmName: string): RemediationState & { kind: "jit" } {
  const bad = ports.filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (bad.length > 0) throw new AppError("BadInput", `${bad[0]} is not a port number (1 to 65535).`);
  const kept = before.ports ?? [];
  const added = [...new Set(ports)].filter((p) => !kept.some((k) => k.number === p)).sort((a, b) => a - b);
  if (added.length === 0) {
    throw nothingToDo(`${vmName}'s JIT policy already covers port${ports.length === 1 ? "" : "s"} ${ports.join(", ")}; there is nothing to fix.`);
  }
  const newPorts: JitPortSetting[] = added.map((number) => ({
    number,
    protocol: "*",
    allowedSourceAddressPrefix: "*",
    maxRequestAccessDuration: JIT_FIX_MAX_DURATION,
  }));
  return { kind: "jit", ports: [...kept.map((p) => ({ ...p })), ...newPorts] };
}

/** True for a rule source that means "anyone on the internet" (`*`, `Internet`, `0.0.0.0/0`, `::/0`, huge ranges). */
export function isOpenSource(prefix: string): boolean {
  return isInternetSource(prefix) || ["any", "internet"].includes(prefix.trim().toLowerCase());
}

function internetSources(rule: RuleSettings): string[] {
  return asList(rule.sourceAddressPrefix, rule.sourceAddressPrefixes).filter(isOpenSource);
}

/**
 * Why the bot will not touch a rule, or undefined when it may: it must be an inbound Allow open to the internet, and
 * not one of the rules Defender's JIT manages.
 */
export function ruleProblem(rule: RuleSettings, name: string): string | undefined {
  if (/^SecurityCenter-JITRule/i.test(name)) return `${name} is managed by Defender for Cloud's JIT; change the JIT policy instead.`;
  if (rule.direction !== "Inbound" || rule.access !== "Allow") return `${name} is an ${rule.direction.toLowerCase()} ${rule.access} rule; only inbound Allow rules open to the internet are fixed here.`;
  if (internetSources(rule).length === 0) return `${name} does not allow traffic from the whole internet (its sources are ${list(asList(rule.sourceAddressPrefix, rule.sourceAddressPrefixes))}); there is nothing to tighten.`;
  return undefined;
}

/** What to do with an over-permissive rule: narrow its internet-wide source to one address or range, or delete it. */
export type RuleFix = { from: string } | { delete: true };

/**
 * Tightening a rule: every internet-wide source (`*`, `Internet`, `0.0.0.0/0`, …) is replaced by the given address or
 * range (a concrete source, checked like a JIT source); concrete sources and every other property stay. Or the rule
 * is deleted. Nothing else in the NSG changes.
 */
export function planRule(before: RemediationState & { kind: "rule" }, fix: RuleFix, name: string): RemediationState & { kind: "rule" } {
  const rule = before.rule;
  if (rule === null) throw nothingToDo(`Rule ${name} does not exist (any more).`);
  const problem = ruleProblem(rule, name);
  if (problem !== undefined) throw nothingToDo(problem);
  if ("delete" in fix) return { kind: "rule", rule: null };
  const check = checkSource(fix.from);
  if (!check.ok) throw new AppError("BadInput", check.reason.replace(/for JIT/g, "for an NSG rule").replace(/which is what JIT exists to prevent/, "which is what this fix removes"));
  const source = fix.from.trim();
  const current = asList(rule.sourceAddressPrefix, rule.sourceAddressPrefixes);
  const next = [...new Set([...current.filter((s) => !isOpenSource(s)), source])];
  const single = next.length === 1;
  return {
    kind: "rule",
    rule: { ...rule, sourceAddressPrefix: single ? next[0] : undefined, sourceAddressPrefixes: single ? [] : next },
  };
}

/** Turning IP forwarding off on a NIC that has it on. */
export function planForwarding(before: RemediationState & { kind: "forwarding" }, nicName: string): RemediationState & { kind: "forwarding" } {
  if (!before.enableIPForwarding) throw nothingToDo(`IP forwarding is already off on ${nicName}; there is nothing to fix.`);
  return { kind: "forwarding", enableIPForwarding: false };
}

/**
 * Enabling an NSG's flow log into the configured storage account: an existing flow log is enabled and pointed at the
 * account (keeping its retention), a missing one is created with {@link FLOW_LOG_RETENTION_DAYS} days of retention.
 */
export function planFlowLogs(
  before: RemediationState & { kind: "flowlogs" },
  nsgId: string,
  storageId: string,
  nsgName: string,
): RemediationState & { kind: "flowlogs" } {
  const current = before.flowLog;
  if (current && current.enabled && normalizeId(current.storageId) === normalizeId(storageId)) {
    throw nothingToDo(`${nsgName} already has an enabled flow log into ${nameOf(storageId)}; there is nothing to fix.`);
  }
  return {
    kind: "flowlogs",
    flowLog: {
      targetResourceId: current?.targetResourceId ?? nsgId,
      storageId,
      enabled: true,
      retentionDays: current?.retentionDays ?? FLOW_LOG_RETENTION_DAYS,
    },
  };
}

/** What a person may do to an alert, and the status each leads to. */
export const ALERT_ACTIONS = { dismiss: "Dismissed", resolve: "Resolved", activate: "Active" } as const satisfies Record<string, AlertStatus>;
export type AlertAction = keyof typeof ALERT_ACTIONS;

/** Dismissing, resolving or reactivating an alert. */
export function planAlert(before: RemediationState & { kind: "alert" }, action: AlertAction, alertName: string): RemediationState & { kind: "alert" } {
  const status = ALERT_ACTIONS[action];
  if (before.status === status) throw nothingToDo(`Alert ${alertName} is already ${status.toLowerCase()}; there is nothing to change.`);
  return { kind: "alert", status };
}

/** `vm-web-01 (rg-web-prod)` */
export function labelOf(id: string): string {
  const rg = resourceGroupOf(id);
  return rg ? `${nameOf(id)} (${rg})` : nameOf(id);
}
