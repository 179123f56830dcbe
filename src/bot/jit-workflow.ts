/**
 * The JIT flow the commands and card actions share (STYLE rule 6: propose → approve → execute):
 * a validated request is stored, its approval card posted; an approver's decision moves it to "approved" BEFORE
 * Azure is called (so a retried invoke or a double click finds it taken), then exactly one initiate call opens access
 * and every copy of the card is updated. Without approval required, a request is approved and opened at once.
 */
import { randomInt } from "node:crypto";
import { jitApprovalCard } from "../cards/jit-approval";
import type { JitNoticeKind } from "../cards/jit-notice";
import { AppError, isAppError } from "../domain/errors";
import {
  createJitRecord,
  loadJitRecord,
  notifyRequester,
  refreshJitCards,
  saveJitRecordIf,
  updateJitRecord,
  type JitDeliveryDeps,
} from "../digest/jit-requests";
import {
  describeJitRequest,
  jitJustification,
  newJitRequestId,
  normalizeJitRequestId,
  type JitRequestRecord,
  type PostedCard,
} from "../domain/jit-record";
import { approveWithoutReview, decide, initiationFor, markFailed, markGranted, newJitRequest } from "../domain/jit-request";
import { jitVmProblem } from "../domain/jit-precheck";
import {
  DEFAULT_JIT_LIMITS,
  findJitPolicy,
  validateJitRequest,
  type JitRequestInput,
  type ValidatedJitRequest,
} from "../domain/jit-rules";
import type { Gathered, SubscriptionFailure } from "../domain/model";
import { personalConversationsOf, userIdsOf } from "../domain/people";
import type { RenderedCard } from "../domain/ports";
import type { Logger } from "../logger";
import type { Actor, CommandInvocation, ConversationInfo, Services } from "./command-spec";

/** The part of a turn (text command or card action) the JIT flow needs. */
export interface JitTurn {
  actor: Actor;
  conversation: ConversationInfo;
  log: Logger;
  audit: CommandInvocation["audit"];
}

/** At most this many approvers get a copy of an approval card in their own chat. */
export const MAX_APPROVER_COPIES = 20;

/**
 * How long a turn waits for Azure's answer to the initiate call before answering "opening access…" and finishing in
 * the background (Teams gives a turn 15 s, and retries after throttling can take longer; DESIGN §3.5).
 */
export const INITIATE_WAIT_MS = 8_000;

/** The value of `work` if it settles within `ms`, else undefined (`work` keeps running; its rejection is not lost). */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function noticeFor(record: JitRequestRecord): JitNoticeKind | undefined {
  switch (record.status) {
    case "granted":
      return "granted";
    case "failed":
      return "failed";
    case "denied":
      return "denied";
    case "expired":
      return "expired";
    default:
      return undefined;
  }
}

function deliveryDeps(services: Services): JitDeliveryDeps {
  return { store: services.store, cards: services.cards, notifier: services.notifier, logger: services.logger };
}

/** The stored id for what someone typed or a button carried; BadInput when it cannot be one. */
export function requestIdFrom(typed: unknown, usage: string): string {
  if (typeof typed !== "string" || typed.trim() === "") {
    throw new AppError("BadInput", `Say which request: ${usage}. "jit list" shows the requests waiting for a decision.`);
  }
  const id = normalizeJitRequestId(typed);
  if (id === undefined) {
    const shown = typed.trim().slice(0, 40);
    throw new AppError("BadInput", `"${shown}" is not a JIT request id; ids look like J7K2MQ. "jit list" shows the requests waiting for a decision.`);
  }
  return id;
}

function failureNote(failures: readonly SubscriptionFailure[]): string {
  if (failures.length === 0) return "";
  return ` (I could not read JIT policies in ${failures.map((f) => f.subscriptionId).join(", ")}: ${failures[0]!.message})`;
}

async function readOrEmpty<T>(read: () => Promise<Gathered<T>>): Promise<T[]> {
  try {
    return (await read()).items;
  } catch {
    return [];
  }
}

/**
 * Checks a request against the VM's JIT policy, the configured limits and the VM itself (running, no Basic-SKU
 * public IP). Reads only; a failure is an AppError("BadInput") that says what to change.
 */
export async function validateForAzure(services: Services, input: JitRequestInput): Promise<ValidatedJitRequest> {
  if (input.vmName.trim() === "") throw new AppError("BadInput", `Choose the VM you need access to.`);
  const gathered = await services.azure.jitPolicies();
  const match = findJitPolicy(input.vmName, gathered.items);
  if (match === undefined && gathered.failures.length > 0) {
    throw new AppError(
      "BadInput",
      `I cannot find a JIT policy for ${input.vmName.trim()}${failureNote(gathered.failures)}. Type "jit list" to see the VMs you can request.`,
    );
  }
  const validated = validateJitRequest(input, match, { ...DEFAULT_JIT_LIMITS, maxDuration: services.config.jit.maxDuration });
  const [vms, nics, publicIps] = await Promise.all([
    readOrEmpty(() => services.azure.virtualMachines()),
    readOrEmpty(() => services.azure.networkInterfaces()),
    readOrEmpty(() => services.azure.publicIpAddresses()),
  ]);
  const problem = jitVmProblem(validated.vmId, { vms, nics, publicIps });
  if (problem !== undefined) throw new AppError("BadInput", problem);
  return validated;
}

/** JIT-enabled VMs for the request form's picker: value = the VM id, title = name, resource group and ports. */
export async function requestableVms(services: Services): Promise<{ title: string; value: string }[]> {
  const policies = await readOrEmpty(() => services.azure.jitPolicies());
  return policies
    .flatMap((p) => p.virtualMachines)
    .map((vm) => {
      const parts = vm.vmId.split("/");
      const name = parts[parts.length - 1] ?? vm.vmId;
      const rg = /\/resourceGroups\/([^/]+)\//i.exec(vm.vmId)?.[1] ?? "?";
      return { title: `${name} (${rg}) · port ${vm.ports.map((p) => p.number).join(", ")}`, value: vm.vmId };
    })
    .sort((a, b) => a.title.localeCompare(b.title));
}

/** Updates every posted card and tells the requester, after the turn has answered. */
function announce(services: Services, record: JitRequestRecord, kind: JitNoticeKind | undefined): void {
  const deps = deliveryDeps(services);
  const now = services.clock.now();
  services.runInBackground(`jit ${record.id} ${record.status}`, async () => {
    await refreshJitCards(deps, record);
    if (kind !== undefined) await notifyRequester(deps, record, kind, now);
  });
}

/**
 * Calls Azure once for an approved request (already saved as "approved" at `version`) and records the outcome.
 * An Azure error becomes a "failed" request with the gateway's user message; it is never thrown.
 */
async function openAccess(services: Services, turn: JitTurn, approved: JitRequestRecord, version: number): Promise<JitRequestRecord> {
  const now = services.clock.now();
  const initiation = { ...initiationFor(approved, now), justification: jitJustification(approved) };
  const endTime = initiation.ports[0].endTime;
  let outcome: JitRequestRecord;
  try {
    await services.azure.initiateJit(initiation);
    outcome = { ...approved, ...markGranted(approved, endTime), initiatedAt: now.toISOString() };
    await turn.audit({
      action: "jit:initiate",
      target: approved.id,
      result: "ok",
      detail: `${describeJitRequest(approved)}; until ${endTime.toISOString()}`,
    });
  } catch (err) {
    const known = isAppError(err);
    turn.log[known ? "warn" : "error"]({ err, requestId: approved.id }, "JIT initiate failed");
    const message = known ? err.userMessage : "Azure did not open access, for a reason I did not expect; the details are in the log.";
    outcome = { ...approved, ...markFailed(approved, message), initiatedAt: now.toISOString() };
    await turn.audit({
      action: "jit:initiate",
      target: approved.id,
      result: "error",
      detail: `${known ? err.code : "Internal"}: ${message}`.slice(0, 300),
    });
  }
  // Only this call moves the request out of "approved"; a lost race here is the expiry job's interrupted-request
  // sweep or a card-list update, and what Azure actually did must win over either.
  if ((await saveJitRecordIf(services.store, outcome, version)) === undefined) {
    const stored = await updateJitRecord(services.store, approved.id, (current) => ({
      ...current,
      status: outcome.status,
      reason: outcome.reason,
      grantEndTime: outcome.grantEndTime,
      initiatedAt: outcome.initiatedAt,
    }));
    if (stored) outcome = stored.record;
  }
  return outcome;
}

/**
 * Opens access for an approved request, waiting at most `waitMs` for Azure. A slow answer returns the approved
 * ("opening access…") record at once; the outcome then updates every posted card and tells the requester.
 */
async function openAccessWithinTurn(
  services: Services,
  turn: JitTurn,
  approved: JitRequestRecord,
  version: number,
  waitMs: number,
): Promise<{ record: JitRequestRecord; done: boolean }> {
  const opening = openAccess(services, turn, approved, version);
  const done = await settleWithin(opening, waitMs);
  if (done !== undefined) return { record: done, done: true };
  turn.log.info({ requestId: approved.id }, "Azure is slow to open JIT access; answering now and finishing in the background");
  services.runInBackground(`jit ${approved.id} initiate`, async () => {
    const outcome = await opening;
    // Reload: cards posted while Azure was busy must be updated too.
    const latest = (await loadJitRecord(services.store, approved.id))?.value ?? outcome;
    await refreshJitCards(deliveryDeps(services), latest);
    const kind = noticeFor(latest);
    if (kind !== undefined) await notifyRequester(deliveryDeps(services), latest, kind, services.clock.now());
  });
  return { record: approved, done: false };
}

/**
 * Stores a validated request and either opens access at once (JIT_REQUIRE_APPROVAL=false) or posts the approval
 * card to the requester's conversation and to the approvers' personal chats the bot knows.
 */
export async function submitJitRequest(
  services: Services,
  turn: JitTurn,
  validated: ValidatedJitRequest,
  reply: (card: RenderedCard) => Promise<string | undefined>,
  waitMs = INITIATE_WAIT_MS,
): Promise<JitRequestRecord> {
  const now = services.clock.now();
  const requester = { id: turn.actor.id, name: turn.actor.name };
  const { record, version } = await createJitRecord(
    services.store,
    () => newJitRequestId((n) => randomInt(n)),
    (id) => ({ ...newJitRequest({ id, requester, validated, now }), conversationId: turn.conversation.id, cards: [] }),
  );
  await turn.audit({
    action: "jit:request",
    target: record.id,
    result: "ok",
    detail: `${describeJitRequest(record)}; because: ${record.justification}`.slice(0, 300),
  });

  if (!services.config.jit.requireApproval) {
    const approved: JitRequestRecord = { ...record, ...approveWithoutReview(record, now) };
    const approvedVersion = await saveJitRecordIf(services.store, approved, version);
    if (approvedVersion === undefined) throw new AppError("Conflict", `Request ${record.id} changed while I was opening it; type "jit list" to see where it stands.`);
    const opened = await openAccessWithinTurn(services, turn, approved, approvedVersion, waitMs);
    const activityId = await reply(jitApprovalCard(services.cards, opened.record));
    if (activityId === undefined) return opened.record;
    const stored = await updateJitRecord(services.store, record.id, (c) => ({ ...c, cards: [...c.cards, { conversationId: turn.conversation.id, activityId }] }));
    // Azure may have answered while the card was being sent; make sure the card shows the outcome.
    if (!opened.done && stored && stored.record.status !== "approved") announce(services, stored.record, undefined);
    return stored?.record ?? opened.record;
  }

  const requesterIds = [turn.actor.id.toLowerCase()];
  const approverChats = personalConversationsOf(await services.store.listConversations(), services.config.roles.approvers)
    .filter((c) => c.id !== turn.conversation.id && !userIdsOf(c).some((id) => requesterIds.includes(id)))
    .slice(0, MAX_APPROVER_COPIES);
  const card = jitApprovalCard(services.cards, record, { approversNotified: approverChats.length });
  const posted: PostedCard[] = [];
  const replyId = await reply(card);
  if (replyId !== undefined) posted.push({ conversationId: turn.conversation.id, activityId: replyId });
  const copies = await Promise.allSettled(approverChats.map((c) => services.notifier.post(c.id, card)));
  copies.forEach((result, i) => {
    const conversationId = approverChats[i].id;
    if (result.status === "fulfilled" && result.value !== undefined) posted.push({ conversationId, activityId: result.value });
    else if (result.status === "rejected") turn.log.warn({ err: result.reason as unknown, conversationId }, "could not send a JIT approval card to an approver");
  });
  const stored = await updateJitRecord(services.store, record.id, (c) => ({ ...c, cards: [...c.cards, ...posted] }));
  // Someone may have decided while the copies were going out; bring the copies just posted up to date.
  if (stored && stored.record.status !== "pending") announce(services, stored.record, undefined);
  return stored?.record ?? record;
}

/** What a decision answers: the card for the person who decided (with a notice when nothing changed). */
export interface JitDecisionAnswer {
  card: RenderedCard;
  record: JitRequestRecord;
  /** True when this call changed the request. */
  changed: boolean;
}

/**
 * An approver's decision, from a button or a text command. Idempotent: a second click, a retried invoke or a
 * decision that lost a race answers with the request's current card and a note, and calls Azure no more.
 */
export async function decideJitRequest(
  services: Services,
  turn: JitTurn,
  requestId: string,
  decision: "approve" | "deny",
  reason?: string,
  waitMs = INITIATE_WAIT_MS,
): Promise<JitDecisionAnswer> {
  const doc = await loadJitRecord(services.store, requestId);
  if (doc === undefined) {
    throw new AppError("NotFound", `There is no JIT request ${requestId}. "jit list" shows the requests waiting for a decision.`);
  }
  const now = services.clock.now();
  const input = { decision, approverId: turn.actor.id, approverName: turn.actor.name, now, reason: reason?.slice(0, 300) };
  const action = `jit:${decision}`;
  const result = decide(doc.value, input);

  if (result.outcome === "refused") {
    await turn.audit({
      action,
      target: requestId,
      result: result.error.code === "Forbidden" ? "denied" : "conflict",
      detail: result.error.userMessage.slice(0, 300),
    });
    return { card: jitApprovalCard(services.cards, doc.value, { notice: result.error.userMessage }), record: doc.value, changed: false };
  }

  const next: JitRequestRecord = { ...doc.value, ...result.request };
  const version = await saveJitRecordIf(services.store, next, doc.version);
  if (version === undefined) {
    // Another click or instance won the race: answer with what it decided.
    const current = (await loadJitRecord(services.store, requestId))?.value ?? doc.value;
    const again = decide(current, input);
    const notice = again.outcome === "refused" || again.outcome === "expired" ? again.error.userMessage : `Request ${requestId} changed while you decided; try again.`;
    await turn.audit({ action, target: requestId, result: "conflict", detail: notice.slice(0, 300) });
    return { card: jitApprovalCard(services.cards, current, { notice }), record: current, changed: false };
  }

  if (result.outcome === "expired") {
    await turn.audit({ action: "jit:expire", target: requestId, result: "expired", detail: result.request.reason });
    announce(services, next, "expired");
    return { card: jitApprovalCard(services.cards, next, { notice: result.error.userMessage }), record: next, changed: true };
  }

  await turn.audit({
    action,
    target: requestId,
    result: "ok",
    detail: `${describeJitRequest(next)}; requested by ${next.requester.name}${next.reason ? `; note: ${next.reason}` : ""}`.slice(0, 300),
  });
  if (decision === "deny") {
    announce(services, next, "denied");
    return { card: jitApprovalCard(services.cards, next), record: next, changed: true };
  }
  const opened = await openAccessWithinTurn(services, turn, next, version, waitMs);
  if (opened.done) announce(services, opened.record, noticeFor(opened.record));
  return { card: jitApprovalCard(services.cards, opened.record), record: opened.record, changed: true };
}
