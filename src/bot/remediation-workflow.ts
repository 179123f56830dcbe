/**
 * The remediation flow (issue 10) the `fix` / `undo` commands and the change card's buttons share (STYLE rule 6:
 * propose → approve → execute):
 *
 * 1. Propose: find the resource, read exactly what the fix changes from Azure (uncached), plan the new value, store
 *    the change "pending" and post its preview card (here and to the approvers' chats).
 * 2. Decide: an approver other than the proposer approves (or, without approval required, the proposer confirms).
 *    The change is written "approved" with the store's optimistic concurrency BEFORE Azure is called, so a double
 *    click, Teams' retried invoke or a second instance finds it taken.
 * 3. Apply, after the turn has answered (long-running operations are polled in the background, the cards updated):
 *    read the resource again; if it no longer matches the preview, write nothing ("stale"); else make the change,
 *    read it back and record the outcome. Azure's refusal becomes "failed" with its reason in plain words.
 * 4. Undo (24 h): a new change from what was written back to what was there, through the same steps.
 *
 * Every proposal, decision, change and undo is audited with its before and after values.
 */
import { randomInt } from "node:crypto";
import { remediationCard } from "../cards/remediation";
import { selectAlerts } from "../domain/alerts";
import { AppError, isAppError } from "../domain/errors";
import { analyzeExposure, nicsOfVm } from "../domain/exposure";
import type { Gathered, NetworkInterface, SecurityAlert, VirtualMachine } from "../domain/model";
import { personalConversationsOf, userIdsOf } from "../domain/people";
import type { RenderedCard } from "../domain/ports";
import type { PostedCard } from "../domain/jit-record";
import {
  describeChanges,
  labelOf,
  planAlert,
  planFlowLogs,
  planForwarding,
  planJit,
  planRule,
  propertyChanges,
  sameState,
  type AlertAction,
  type RemediationProposal,
  type RemediationState,
  type RemediationTarget,
  type RuleFix,
} from "../domain/remediation";
import { asRemediationGateway, type RemediationGateway } from "../domain/remediation-ports";
import {
  auditPrefix,
  decideFix,
  isStuck,
  newChangeId,
  normalizeChangeId,
  undoProblem,
  undoProposal,
  type RemediationRecord,
} from "../domain/remediation-record";
import { nameOf, normalizeLocation, resourceGroupOf, sameId } from "../domain/resource-ids";
import { closestMatches } from "../domain/text";
import {
  createRemediation,
  loadRemediation,
  refreshRemediationCards,
  saveRemediationIf,
  updateRemediation,
  type RemediationDeliveryDeps,
} from "../digest/remediation-store";
import type { Actor, CommandInvocation, ConversationInfo, Services } from "./command-spec";

/** The part of a turn (text command or card action) the flow needs. */
export interface FixTurn {
  actor: Actor;
  conversation: ConversationInfo;
  log: CommandInvocation["log"];
  audit: CommandInvocation["audit"];
}

/** What `fix …` asks for, as parsed from the command line (names as typed). */
export type FixIntent =
  | { kind: "jit"; vm: string; ports?: number[] }
  | { kind: "rule"; nsg: string; rule: string; fix: RuleFix }
  | { kind: "forwarding"; nic: string }
  | { kind: "flowlogs"; nsg: string }
  | { kind: "alert"; alert: string; action: AlertAction; reason: string };

/** At most this many approvers get a copy of a change card in their own chat. */
export const MAX_APPROVER_COPIES = 20;
const DETAIL_CHARS = 900;

function gatewayOf(services: Services): RemediationGateway {
  const gateway = asRemediationGateway(services.azure);
  if (!gateway) throw new AppError("Config", "This bot's Azure connection cannot make changes.");
  return gateway;
}

/** Whether a second person must approve fixes (REMEDIATION_REQUIRE_APPROVAL, else JIT_REQUIRE_APPROVAL). */
export function approvalRequired(services: Services): boolean {
  return services.config.remediation?.requireApproval ?? services.config.jit.requireApproval;
}

/** Who may approve a change proposed by `requester`, as the card says it. */
export function approversText(services: Services, requester: string): string {
  const approvers = services.config.roles.approvers;
  if (approvers.includes("*")) return `any approver other than ${requester} (everyone in the allowed tenants has the approver role)`;
  return `an approver other than ${requester} (${approvers.length} ${approvers.length === 1 ? "person" : "people"} in ROLE_APPROVERS)`;
}

function deliveryDeps(services: Services): RemediationDeliveryDeps {
  return { store: services.store, cards: services.cards, notifier: services.notifier, logger: services.logger };
}

function cardFor(services: Services, record: RemediationRecord, options: { notice?: string; approversNotified?: number } = {}): RenderedCard {
  return remediationCard(services.cards, record, { ...options, approvers: approversText(services, record.requester.name), now: services.clock.now() });
}

/** The stored id for what someone typed or a button carried; BadInput when it cannot be one. */
export function changeIdFrom(typed: unknown, usage: string): string {
  if (typeof typed !== "string" || typed.trim() === "") {
    throw new AppError("BadInput", `Say which change: ${usage}. "fix list" shows the recent changes.`);
  }
  const id = normalizeChangeId(typed);
  if (id === undefined) {
    throw new AppError("BadInput", `"${typed.trim().slice(0, 40)}" is not a change id; ids look like C7K2MQ. "fix list" shows the recent changes.`);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------------------------
// Finding the resource

interface Named {
  id: string;
  name: string;
}

/** One item by `name`, `resource-group/name` or the full ARM id (any case); BadInput naming the choices otherwise. */
export function findNamed<T extends Named>(items: readonly T[], typed: string, what: string, failures: Gathered<T>["failures"] = []): T {
  const wanted = typed.trim();
  if (wanted === "") throw new AppError("BadInput", `Name the ${what}.`);
  const lower = wanted.toLowerCase();
  const slash = lower.split("/");
  const matches = wanted.startsWith("/")
    ? items.filter((i) => sameId(i.id, wanted))
    : slash.length === 2
      ? items.filter((i) => i.name.toLowerCase() === slash[1] && (resourceGroupOf(i.id) ?? "").toLowerCase() === slash[0])
      : items.filter((i) => i.name.toLowerCase() === lower);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const choices = matches.slice(0, 5).map((m) => `${resourceGroupOf(m.id) ?? "?"}/${m.name}`);
    throw new AppError("BadInput", `Several ${what}s are named ${wanted.slice(0, 80)}: ${choices.join(", ")}. Name one as resource-group/name.`);
  }
  const close = closestMatches(slash[slash.length - 1] ?? lower, [...new Set(items.map((i) => i.name))]);
  const unread = failures.length > 0 ? ` (I could not read ${failures.map((f) => f.subscriptionId).join(", ")})` : "";
  throw new AppError("BadInput", `I cannot find a ${what} named ${wanted.slice(0, 80)}${unread}.${close.length > 0 ? ` Did you mean ${close.join(" or ")}?` : ""}`);
}

async function items<T>(read: () => Promise<Gathered<T>>): Promise<Gathered<T>> {
  return read();
}

function asKind<K extends RemediationState["kind"]>(state: RemediationState, kind: K): RemediationState & { kind: K } {
  if (state.kind !== kind) throw new AppError("Internal", "Azure answered about a different kind of resource.");
  return state as RemediationState & { kind: K };
}

async function planJitFix(services: Services, gateway: RemediationGateway, intent: FixIntent & { kind: "jit" }): Promise<RemediationProposal> {
  const [vms, nics, publicIps, nsgs, policies] = await Promise.all([
    items(() => services.azure.virtualMachines()),
    items(() => services.azure.networkInterfaces()),
    items(() => services.azure.publicIpAddresses()),
    items(() => services.azure.networkSecurityGroups()),
    items(() => services.azure.jitPolicies()),
  ]);
  const vm: VirtualMachine = findNamed(vms.items, intent.vm, "VM", vms.failures);
  const ipIds = nicsOfVm(vm, nics.items).flatMap((n) => n.ipConfigurations.map((c) => c.publicIpId)).filter((id): id is string => id !== undefined);
  if (publicIps.items.some((p) => ipIds.some((id) => sameId(id, p.id)) && p.sku?.toLowerCase() === "basic")) {
    throw new AppError("BadInput", `${vm.name} has a Basic SKU public IP, which Defender for Cloud's JIT does not support. Upgrade the IP to Standard SKU first, then fix it again.`);
  }
  const report = analyzeExposure({
    vms: [vm],
    nics: nics.items,
    publicIps: publicIps.items,
    nsgs: nsgs.items,
    watchers: [],
    flowLogs: [],
    assessments: [],
    jitPolicies: policies.items,
  });
  const unprotected = [...new Set(report.exposedVms.flatMap((e) => e.unprotectedManagementPorts))].sort((a, b) => a - b);
  const ports = intent.ports ?? unprotected;
  if (ports.length === 0) {
    throw new AppError(
      "BadInput",
      `${vm.name} has no management port open to the internet without JIT, so there is nothing to fix. To put a port under JIT anyway: fix jit ${vm.name} port 22.`,
    );
  }
  const policy =
    policies.items.find((p) => p.virtualMachines.some((v) => sameId(v.vmId, vm.id))) ??
    policies.items.find((p) => sameId(`/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`, `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}`) && normalizeLocation(p.location) === normalizeLocation(vm.location));
  const location = normalizeLocation(policy?.location ?? vm.location);
  const policyId =
    policy?.id ?? `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Security/locations/${location}/jitNetworkAccessPolicies/default`;
  const target: RemediationTarget = { kind: "jit", policyId, vmId: vm.id };
  const before = asKind(await gateway.readRemediationState(target), "jit");
  const after = planJit(before, ports, vm.name);
  const added = after.ports!.filter((p) => !(before.ports ?? []).some((b) => b.number === p.number)).map((p) => p.number);
  const policyName = nameOf(policyId);
  return {
    kind: "jit",
    target,
    resourceId: policyId,
    resourceName: `${vm.name}'s entry in JIT policy ${policyName} (${resourceGroupOf(policyId) ?? "?"}, ${location})${policy ? "" : ", a new policy"}`,
    title: before.ports === null ? `Enable JIT on ${vm.name}` : `Extend JIT on ${vm.name} to port${added.length === 1 ? "" : "s"} ${added.join(", ")}`,
    finding:
      unprotected.length > 0
        ? `${vm.name} has management port${unprotected.length === 1 ? "" : "s"} ${unprotected.join(", ")} open to the internet without just-in-time access.`
        : `Port${ports.length === 1 ? "" : "s"} ${ports.join(", ")} of ${vm.name} should only open on request.`,
    before,
    after,
    warning:
      `Once JIT covers port${added.length === 1 ? "" : "s"} ${added.join(", ")}, Defender adds a deny rule for ${added.length === 1 ? "it" : "them"} to ${vm.name}'s NSG; ` +
      `people then connect through "jit request". Ports already in the policy stay as they are.`,
  };
}

async function planRuleFix(services: Services, gateway: RemediationGateway, intent: FixIntent & { kind: "rule" }): Promise<RemediationProposal> {
  const nsgs = await services.azure.networkSecurityGroups();
  const nsg = findNamed(nsgs.items, intent.nsg, "network security group", nsgs.failures);
  const rule = nsg.rules.find((r) => r.name.toLowerCase() === intent.rule.trim().toLowerCase());
  if (!rule) {
    const names = nsg.rules.filter((r) => !r.isDefault).map((r) => r.name);
    throw new AppError("BadInput", `${nsg.name} has no rule named ${intent.rule.slice(0, 80)}. Its rules: ${names.length > 0 ? names.slice(0, 10).join(", ") : "none but Azure's defaults"}.`);
  }
  if (rule.isDefault) throw new AppError("BadInput", `${rule.name} is one of Azure's default rules, which cannot be changed.`);
  const target: RemediationTarget = { kind: "rule", ruleId: `${nsg.id}/securityRules/${rule.name}` };
  const before = asKind(await gateway.readRemediationState(target), "rule");
  const after = planRule(before, intent.fix, rule.name);
  const deleting = "delete" in intent.fix;
  return {
    kind: "rule",
    target,
    resourceId: target.ruleId,
    resourceName: `rule ${rule.name} of ${labelOf(nsg.id)}`,
    title: deleting ? `Delete rule ${rule.name} of ${nsg.name}` : `Tighten rule ${rule.name} of ${nsg.name}`,
    finding: `${rule.name} allows ${rule.protocol} port ${rule.destinationPorts.join(", ") || "*"} from ${rule.sourcePrefixes.join(", ")}: the whole internet.`,
    before,
    after,
    warning: deleting
      ? `Traffic this rule allowed is refused from then on, unless another rule allows it. No other rule of ${nsg.name} changes.`
      : `Traffic to port ${rule.destinationPorts.join(", ") || "*"} from anywhere but ${"from" in intent.fix ? intent.fix.from.trim() : "?"} is refused from then on. No other rule of ${nsg.name} changes.`,
  };
}

function findNic(nics: readonly NetworkInterface[], vms: readonly VirtualMachine[], typed: string): NetworkInterface {
  try {
    return findNamed(nics, typed, "network interface");
  } catch (err) {
    // A VM name works too when exactly one of its NICs forwards.
    const vm = vms.find((v) => v.name.toLowerCase() === typed.trim().toLowerCase());
    if (!vm) throw err;
    const forwarding = nicsOfVm(vm, nics).filter((n) => n.ipForwarding);
    if (forwarding.length === 1) return forwarding[0]!;
    throw new AppError(
      "BadInput",
      forwarding.length === 0 ? `No network interface of ${vm.name} has IP forwarding on; there is nothing to fix.` : `Several NICs of ${vm.name} forward IP traffic: ${forwarding.map((n) => n.name).join(", ")}. Name one.`,
    );
  }
}

async function planForwardingFix(services: Services, gateway: RemediationGateway, intent: FixIntent & { kind: "forwarding" }): Promise<RemediationProposal> {
  const [nics, vms] = await Promise.all([services.azure.networkInterfaces(), services.azure.virtualMachines()]);
  const nic = findNic(nics.items, vms.items, intent.nic);
  const vmName = nic.vmId ? nameOf(nic.vmId) : undefined;
  const target: RemediationTarget = { kind: "forwarding", nicId: nic.id };
  const before = asKind(await gateway.readRemediationState(target), "forwarding");
  const after = planForwarding(before, nic.name);
  return {
    kind: "forwarding",
    target,
    resourceId: nic.id,
    resourceName: `network interface ${labelOf(nic.id)}${vmName ? ` of VM ${vmName}` : ""}`,
    title: `Turn off IP forwarding on ${nic.name}`,
    finding: `${nic.name}${vmName ? ` (VM ${vmName})` : ""} can forward traffic that is not addressed to it.`,
    before,
    after,
    warning:
      `Network virtual appliances (firewalls, routers, NAT and VPN gateways running in a VM) need IP forwarding: turning it off on one ` +
      `stops the traffic it routes. Approve only if ${vmName ?? nic.name} is not such an appliance.`,
  };
}

async function planFlowLogFix(services: Services, gateway: RemediationGateway, intent: FixIntent & { kind: "flowlogs" }): Promise<RemediationProposal> {
  const storageId = services.config.capture.storageAccountId;
  if (!storageId) {
    throw new AppError("BadInput", "No storage account is configured for flow logs: set CAPTURE_STORAGE_ACCOUNT_ID to a storage account in the NSG's region.");
  }
  const [nsgs, watchers, flowLogs] = await Promise.all([
    services.azure.networkSecurityGroups(),
    services.azure.networkWatchers(),
    services.azure.flowLogs(),
  ]);
  const nsg = findNamed(nsgs.items, intent.nsg, "network security group", nsgs.failures);
  const watcher = watchers.items.find((w) => sameId(`/subscriptions/${w.subscriptionId}`, `/subscriptions/${nsg.subscriptionId}`) && normalizeLocation(w.location) === normalizeLocation(nsg.location));
  if (!watcher) {
    throw new AppError(
      "BadInput",
      `There is no Network Watcher in ${normalizeLocation(nsg.location)} for ${nsg.name}'s subscription, and flow logs live in one. Create NetworkWatcher_${normalizeLocation(nsg.location)} (resource group NetworkWatcherRG) first.`,
    );
  }
  const existing = flowLogs.items.find((f) => sameId(f.targetResourceId, nsg.id) && f.id.toLowerCase().startsWith(`${watcher.id.toLowerCase()}/`));
  const taken = (name: string): boolean => flowLogs.items.some((f) => sameId(f.id, `${watcher.id}/flowLogs/${name}`) && !sameId(f.targetResourceId, nsg.id));
  const name = taken(`fl-${nsg.name}`) ? `fl-${nsg.name}-${resourceGroupOf(nsg.id) ?? "rg"}` : `fl-${nsg.name}`;
  const target: RemediationTarget = { kind: "flowlogs", flowLogId: existing?.id ?? `${watcher.id}/flowLogs/${name}`, location: watcher.location };
  const before = asKind(await gateway.readRemediationState(target), "flowlogs");
  const after = planFlowLogs(before, nsg.id, storageId, nsg.name);
  return {
    kind: "flowlogs",
    target,
    resourceId: target.flowLogId,
    resourceName: `flow log ${nameOf(target.flowLogId)} of ${labelOf(nsg.id)} (Network Watcher ${watcher.name})`,
    title: before.flowLog === null ? `Create a flow log for ${nsg.name}` : `Enable the flow log of ${nsg.name}`,
    finding: `No enabled flow log records the traffic ${nsg.name} allows and denies.`,
    before,
    after,
    warning:
      `Flow logs are written to ${nameOf(storageId)}, which must be in ${normalizeLocation(nsg.location)} (Azure refuses another region) and costs storage.` +
      (before.flowLog === null ? " Azure stopped creating new NSG flow logs on 30 June 2025 in favour of VNet flow logs; if it refuses, enable a VNet flow log instead." : ""),
  };
}

function findAlert(alerts: readonly SecurityAlert[], typed: string, now: Date): SecurityAlert {
  const wanted = typed.trim().replace(/^#/, "");
  const active = selectAlerts(alerts, { now });
  if (/^\d{1,4}$/.test(wanted)) {
    const hit = active[Number(wanted) - 1];
    if (!hit) throw new AppError("BadInput", `There is no active alert #${wanted}; "alerts" shows the ${active.length} active alert${active.length === 1 ? "" : "s"}.`);
    return hit;
  }
  const byName = alerts.filter((a) => a.name.toLowerCase() === wanted.toLowerCase() || sameId(a.id, wanted));
  if (byName.length === 1) return byName[0]!;
  const byTitle = alerts.filter((a) => a.displayName.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 0 && byTitle.length === 1) return byTitle[0]!;
  throw new AppError(
    "BadInput",
    byName.length + byTitle.length > 1
      ? `Several alerts match "${wanted.slice(0, 60)}"; use the alert's name (shown by "alerts <number>").`
      : `I cannot find an alert "${wanted.slice(0, 60)}". Use its number from "alerts" or its name from "alerts <number>".`,
  );
}

async function planAlertFix(services: Services, gateway: RemediationGateway, intent: FixIntent & { kind: "alert" }): Promise<RemediationProposal> {
  if (intent.reason.trim() === "") throw new AppError("BadInput", `Say why, after "because": fix alert ${intent.alert} ${intent.action} because <reason>.`);
  const alerts = await services.azure.alerts();
  const alert = findAlert(alerts.items, intent.alert, services.clock.now());
  const target: RemediationTarget = { kind: "alert", alertId: alert.id };
  const before = asKind(await gateway.readRemediationState(target), "alert");
  const after = planAlert(before, intent.action, alert.name);
  const verb = { dismiss: "Dismiss", resolve: "Resolve", activate: "Reactivate" }[intent.action];
  const on = alert.resourceIds[0] ? ` on ${nameOf(alert.resourceIds[0])}` : "";
  return {
    kind: "alert",
    target,
    resourceId: alert.id,
    resourceName: `alert ${alert.name}`,
    title: `${verb} alert "${alert.displayName}"`,
    finding: `${alert.severity} alert "${alert.displayName}"${on} is ${before.status.toLowerCase()}.`,
    before,
    after,
    reason: intent.reason.trim().slice(0, 500),
    ...(intent.action === "dismiss" ? { warning: "A dismissed alert leaves the active list and the digest; Defender keeps it, and it can be reactivated." } : {}),
  };
}

/** Finds the resource, reads exactly what the fix changes from Azure and plans the change. Reads only. */
export async function planFix(services: Services, intent: FixIntent): Promise<RemediationProposal> {
  const gateway = gatewayOf(services);
  switch (intent.kind) {
    case "jit":
      return planJitFix(services, gateway, intent);
    case "rule":
      return planRuleFix(services, gateway, intent);
    case "forwarding":
      return planForwardingFix(services, gateway, intent);
    case "flowlogs":
      return planFlowLogFix(services, gateway, intent);
    case "alert":
      return planAlertFix(services, gateway, intent);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Proposing

function changesOf(record: Pick<RemediationRecord, "before" | "after" | "target" | "resourceId">, after: RemediationState = record.after): string {
  const vm = record.target.kind === "jit" ? nameOf(record.target.vmId) : nameOf(record.resourceId);
  return describeChanges(propertyChanges(record.before, after, vm));
}

function detail(parts: (string | undefined)[]): string {
  const text = parts.filter((p): p is string => p !== undefined && p !== "").join("; ");
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS - 1)}…` : text;
}

/**
 * Stores a proposal and posts its preview card: into the conversation and, when approval is required, to the
 * approvers' personal chats the bot knows (not the proposer's). Nothing changes in Azure.
 */
export async function proposeFix(
  services: Services,
  turn: FixTurn,
  proposal: RemediationProposal,
  reply: (card: RenderedCard) => Promise<string | undefined>,
  options: { undoOf?: string; id?: string } = {},
): Promise<RemediationRecord> {
  const now = services.clock.now();
  const needsApproval = approvalRequired(services);
  const make = (id: string): RemediationRecord => ({
    ...proposal,
    id,
    requester: { id: turn.actor.id, name: turn.actor.name },
    createdAt: now.toISOString(),
    status: "pending",
    approvalRequired: needsApproval,
    conversationId: turn.conversation.id,
    cards: [],
    ...(options.undoOf ? { undoOf: options.undoOf } : {}),
  });
  let record: RemediationRecord;
  if (options.id !== undefined) {
    record = make(options.id);
    if ((await saveRemediationIf(services.store, record, 0)) === undefined) throw new AppError("Conflict", `Change ${options.id} already exists; try again.`);
  } else {
    record = (await createRemediation(services.store, () => newChangeId((n) => randomInt(n)), make)).record;
  }
  await turn.audit({
    action: `${auditPrefix(record)}:propose`,
    target: record.id,
    result: "ok",
    detail: detail([record.title, record.resourceId, changesOf(record), record.reason ? `because: ${record.reason}` : undefined, options.undoOf ? `undoes ${options.undoOf}` : undefined]),
  });

  const requesterIds = [turn.actor.id.toLowerCase()];
  const approverChats = needsApproval
    ? personalConversationsOf(await services.store.listConversations(), services.config.roles.approvers)
        .filter((c) => c.id !== turn.conversation.id && !userIdsOf(c).some((id) => requesterIds.includes(id)))
        .slice(0, MAX_APPROVER_COPIES)
    : [];
  const card = cardFor(services, record, { approversNotified: approverChats.length });
  const posted: PostedCard[] = [];
  const replyId = await reply(card);
  if (replyId !== undefined) posted.push({ conversationId: turn.conversation.id, activityId: replyId });
  const copies = await Promise.allSettled(approverChats.map((c) => services.notifier.post(c.id, card)));
  copies.forEach((result, i) => {
    const conversationId = approverChats[i]!.id;
    if (result.status === "fulfilled" && result.value !== undefined) posted.push({ conversationId, activityId: result.value });
    else if (result.status === "rejected") turn.log.warn({ err: result.reason as unknown, conversationId }, "could not send a change card to an approver");
  });
  const stored = await updateRemediation(services.store, record.id, (c) => ({ ...c, cards: [...c.cards, ...posted] }));
  // Someone may have decided while the copies were going out; bring the copies just posted up to date.
  if (stored && stored.record.status !== "pending") refreshLater(services, stored.record.id);
  return stored?.record ?? record;
}

/** Proposes the undo of an applied change (same approval as a fix). */
export async function proposeUndo(
  services: Services,
  turn: FixTurn,
  changeId: string,
  reply: (card: RenderedCard) => Promise<string | undefined>,
): Promise<RemediationRecord> {
  const doc = await loadRemediation(services.store, changeId);
  if (doc === undefined) throw new AppError("NotFound", `There is no change ${changeId}. "fix list" shows the recent changes.`);
  const original = doc.value;
  const earlier = original.undoneBy ? (await loadRemediation(services.store, original.undoneBy))?.value : undefined;
  const problem = undoProblem(original, services.clock.now(), earlier);
  if (problem !== undefined) throw new AppError("BadInput", problem);
  const proposal = undoProposal(original);
  // The preview must show Azure as it is: if someone changed the resource after the fix, undoing would overwrite that.
  const current = await gatewayOf(services).readRemediationState(original.target);
  if (!sameState(current, proposal.before)) {
    const vm = original.target.kind === "jit" ? nameOf(original.target.vmId) : nameOf(original.resourceId);
    throw new AppError(
      "Conflict",
      `${original.resourceName} changed after ${original.id} was applied (${describeChanges(propertyChanges(proposal.before, current, vm), 300)}), so undoing it would overwrite someone else's change. Propose a fix instead.`,
    );
  }
  // Claim the undo on the original first, so two people asking at once cannot both undo it.
  const id = newChangeId((n) => randomInt(n));
  if ((await saveRemediationIf(services.store, { ...original, undoneBy: id }, doc.version)) === undefined) {
    throw new AppError("Conflict", `Change ${changeId} changed while you asked; try again.`);
  }
  return proposeFix(services, turn, proposal, reply, { undoOf: original.id, id });
}

// ---------------------------------------------------------------------------------------------------------------
// Deciding and applying

/** What a decision answers: the card for the person who decided (with a notice when nothing changed). */
export interface FixDecisionAnswer {
  card: RenderedCard;
  record: RemediationRecord;
  /** True when this call changed the change. */
  changed: boolean;
}

function refreshLater(services: Services, id: string): void {
  services.runInBackground(`fix ${id} cards`, async () => {
    const latest = await loadRemediation(services.store, id);
    if (latest) await refreshRemediationCards(deliveryDeps(services), latest.value, approversText(services, latest.value.requester.name));
  });
}

function messageOf(err: unknown, fallback: string): string {
  return isAppError(err) ? err.userMessage : fallback;
}

/**
 * Applies an approved change (saved "approved" at `version`): checks the resource still matches the preview, writes,
 * reads back, records and audits the outcome. Never throws: an Azure refusal is a "failed" change.
 */
async function applyChange(services: Services, turn: FixTurn, approved: RemediationRecord, version: number): Promise<RemediationRecord> {
  const gateway = gatewayOf(services);
  const action = `${auditPrefix(approved)}:apply`;
  let outcome: RemediationRecord;
  try {
    const current = await gateway.readRemediationState(approved.target);
    if (!sameState(current, approved.before)) {
      outcome = { ...approved, status: "stale", readBack: current, error: `${approved.resourceName} no longer matches the preview.` };
      await turn.audit({
        action,
        target: approved.id,
        result: "conflict",
        detail: detail([`changed since the preview, nothing written`, approved.resourceId, `preview → now: ${changesOf(approved, current)}`]),
      });
    } else {
      await gateway.applyRemediation(approved.target, approved.after);
      const now = services.clock.now().toISOString();
      let readBack: RemediationState | undefined;
      try {
        readBack = await gateway.readRemediationState(approved.target);
      } catch (err) {
        turn.log.warn({ err, changeId: approved.id }, "could not read a changed resource back");
      }
      outcome = { ...approved, status: "applied", appliedAt: now, ...(readBack ? { readBack } : {}) };
      await turn.audit({
        action,
        target: approved.id,
        result: "ok",
        detail: detail([approved.title, approved.resourceId, `before → after: ${changesOf(approved, readBack ?? approved.after)}`, readBack ? undefined : "not read back"]),
      });
    }
  } catch (err) {
    const known = isAppError(err);
    turn.log[known ? "warn" : "error"]({ err, changeId: approved.id }, "applying a change failed");
    const message = messageOf(err, "Azure did not make the change, for a reason I did not expect; the details are in the log.");
    outcome = { ...approved, status: "failed", appliedAt: services.clock.now().toISOString(), error: message };
    await turn.audit({ action, target: approved.id, result: "error", detail: detail([`${known ? err.code : "Internal"}: ${message}`, approved.resourceId]) });
  }
  // Only this call moves the change out of "approved": what Azure did wins over any concurrent card bookkeeping.
  if ((await saveRemediationIf(services.store, outcome, version)) === undefined) {
    const stored = await updateRemediation(services.store, approved.id, (c) => ({
      ...c,
      status: outcome.status,
      appliedAt: outcome.appliedAt,
      readBack: outcome.readBack,
      error: outcome.error,
    }));
    if (stored) outcome = stored.record;
  }
  if (outcome.status === "applied" && outcome.undoOf !== undefined) {
    const undone = await updateRemediation(services.store, outcome.undoOf, (c) => ({ ...c, undoneBy: outcome.id, undoneAt: outcome.appliedAt }));
    if (undone) await refreshRemediationCards(deliveryDeps(services), undone.record, approversText(services, undone.record.requester.name));
  }
  return outcome;
}

/** Starts applying after the turn has answered; every posted card shows the outcome when Azure is done. */
function applyInBackground(services: Services, turn: FixTurn, approved: RemediationRecord, version: number): void {
  services.runInBackground(`fix ${approved.id} apply`, async () => {
    await applyChange(services, turn, approved, version);
    const latest = await loadRemediation(services.store, approved.id);
    if (latest) await refreshRemediationCards(deliveryDeps(services), latest.value, approversText(services, latest.value.requester.name));
  });
}

/**
 * A decision on a change, from a button or a text command: approve / deny (an approver other than the proposer) or
 * confirm (the proposer, when approval is not required). Idempotent: a second click or a retried invoke answers with
 * the change's current card and a note, and calls Azure no more.
 */
export async function decideChange(
  services: Services,
  turn: FixTurn,
  changeId: string,
  decision: "approve" | "deny" | "confirm",
  note?: string,
): Promise<FixDecisionAnswer> {
  let doc = await loadRemediation(services.store, changeId);
  if (doc === undefined) throw new AppError("NotFound", `There is no change ${changeId}. "fix list" shows the recent changes.`);
  const now = services.clock.now();
  if (isStuck(doc.value, now)) {
    // The bot stopped while applying it: say so instead of leaving it "applying…" forever.
    const interrupted: RemediationRecord = { ...doc.value, status: "failed", error: "The bot stopped while applying this change; check the resource in the portal before proposing it again." };
    const version = await saveRemediationIf(services.store, interrupted, doc.version);
    if (version !== undefined) doc = { ...doc, value: interrupted, version };
  }
  const record = doc.value;
  const action = `${auditPrefix(record)}:${decision}`;
  const input = { decision, person: { id: turn.actor.id, name: turn.actor.name }, now, note };
  const result = decideFix(record, input);

  if (result.outcome === "refused") {
    await turn.audit({ action, target: changeId, result: result.error.code === "Forbidden" ? "denied" : "conflict", detail: result.error.userMessage.slice(0, 300) });
    return { card: cardFor(services, record, { notice: result.error.userMessage }), record, changed: false };
  }
  const version = await saveRemediationIf(services.store, result.record, doc.version);
  if (version === undefined) {
    const current = (await loadRemediation(services.store, changeId))?.value ?? record;
    const again = decideFix(current, input);
    const notice = again.outcome === "refused" || again.outcome === "expired" ? again.error.userMessage : `Change ${changeId} changed while you decided; try again.`;
    await turn.audit({ action, target: changeId, result: "conflict", detail: notice.slice(0, 300) });
    return { card: cardFor(services, current, { notice }), record: current, changed: false };
  }
  if (result.outcome === "expired") {
    await turn.audit({ action: `${auditPrefix(record)}:expire`, target: changeId, result: "expired", detail: result.error.userMessage.slice(0, 300) });
    refreshLater(services, changeId);
    return { card: cardFor(services, result.record, { notice: result.error.userMessage }), record: result.record, changed: true };
  }
  await turn.audit({
    action,
    target: changeId,
    result: "ok",
    detail: detail([record.title, `proposed by ${record.requester.name}`, changesOf(record), result.record.note ? `note: ${result.record.note}` : undefined]),
  });
  if (result.outcome === "denied") {
    refreshLater(services, changeId);
    return { card: cardFor(services, result.record), record: result.record, changed: true };
  }
  applyInBackground(services, turn, result.record, version);
  return { card: cardFor(services, result.record), record: result.record, changed: true };
}

/**
 * Records a card the bot just replied with (a typed decision), so the outcome updates it too; refreshes it at once
 * when the outcome is already there.
 */
export async function trackCard(services: Services, changeId: string, card: PostedCard | undefined): Promise<void> {
  if (card === undefined) return;
  const stored = await updateRemediation(services.store, changeId, (c) =>
    c.cards.some((x) => x.activityId === card.activityId && x.conversationId === card.conversationId) ? undefined : { ...c, cards: [...c.cards, card] },
  );
  if (stored && stored.record.status !== "pending" && stored.record.status !== "approved") refreshLater(services, changeId);
}
