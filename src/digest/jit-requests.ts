/**
 * Stored JIT requests (collection "jit-requests") and the messages about them, shared by the bot's JIT commands and
 * the expiry job. Writes use the store's optimistic concurrency so two instances, a retried invoke and the expiry
 * job never both act on the same state; deliveries never throw (a chat that is gone must not undo a decision).
 */
import { jitApprovalCard } from "../cards/jit-approval";
import { jitNoticeCard, type JitNoticeKind } from "../cards/jit-notice";
import type { CardRenderer } from "../cards/render";
import { isAppError } from "../domain/errors";
import { JIT_REQUESTS, type JitRequestRecord } from "../domain/jit-record";
import { personalConversationsOf } from "../domain/people";
import type { Notifier } from "../domain/ports";
import type { Logger } from "../logger";
import type { Store, StoredDocument } from "../store/store";

/** What delivering JIT messages needs. */
export interface JitDeliveryDeps {
  store: Store;
  cards: CardRenderer;
  notifier: Notifier;
  logger: Logger;
}

export function loadJitRecord(store: Store, id: string): Promise<StoredDocument<JitRequestRecord> | undefined> {
  return store.getDocument<JitRequestRecord>(JIT_REQUESTS, id);
}

export async function listJitRecords(store: Store): Promise<StoredDocument<JitRequestRecord>[]> {
  return store.listDocuments<JitRequestRecord>(JIT_REQUESTS);
}

function isConflict(err: unknown): boolean {
  return isAppError(err) && err.code === "Conflict";
}

/**
 * Writes `record` only if the stored version is still `version`. Returns the new version, or undefined when
 * someone else wrote first (the caller reloads and decides what that means).
 */
export async function saveJitRecordIf(store: Store, record: JitRequestRecord, version: number): Promise<number | undefined> {
  try {
    return await store.putDocument(JIT_REQUESTS, record.id, record, { ifVersion: version });
  } catch (err) {
    if (isConflict(err)) return undefined;
    throw err;
  }
}

/** Stores a new record under a fresh id (`make` is called again with another id if one is taken). */
export async function createJitRecord(
  store: Store,
  newId: () => string,
  make: (id: string) => JitRequestRecord,
): Promise<{ record: JitRequestRecord; version: number }> {
  for (let attempt = 0; ; attempt++) {
    const record = make(newId());
    const version = await saveJitRecordIf(store, record, 0);
    if (version !== undefined) return { record, version };
    if (attempt >= 5) throw new Error("could not find a free JIT request id");
  }
}

/**
 * Applies `change` to the latest stored record, retrying on a lost race. `change` returns undefined to leave the
 * record alone. Resolves with the record as finally stored (or as found).
 */
export async function updateJitRecord(
  store: Store,
  id: string,
  change: (current: JitRequestRecord) => JitRequestRecord | undefined,
): Promise<{ record: JitRequestRecord; version: number } | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await loadJitRecord(store, id);
    if (doc === undefined) return undefined;
    const next = change(doc.value);
    if (next === undefined) return { record: doc.value, version: doc.version };
    const version = await saveJitRecordIf(store, next, doc.version);
    if (version !== undefined) return { record: next, version };
  }
  throw new Error(`JIT request ${id} kept changing under concurrent writes`);
}

/** Where the requester hears about their request: their personal chat with the bot, else where they asked. */
export async function requesterConversationId(store: Store, record: JitRequestRecord): Promise<string> {
  const personal = personalConversationsOf(await store.listConversations(), [record.requester.id]);
  return personal[0]?.id ?? record.conversationId;
}

/** Replaces every posted copy of the request's card with its current state. */
export async function refreshJitCards(deps: JitDeliveryDeps, record: JitRequestRecord): Promise<void> {
  if (record.cards.length === 0) return;
  const card = jitApprovalCard(deps.cards, record);
  const results = await Promise.allSettled(record.cards.map((c) => deps.notifier.update(c.conversationId, c.activityId, card)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      deps.logger.warn({ err: r.reason as unknown, requestId: record.id, conversationId: record.cards[i].conversationId }, "could not update a JIT card");
    }
  });
}

/** Tells the requester what happened to their request. Returns whether the message went out. */
export async function notifyRequester(deps: JitDeliveryDeps, record: JitRequestRecord, kind: JitNoticeKind, now: Date): Promise<boolean> {
  try {
    const conversationId = await requesterConversationId(deps.store, record);
    await deps.notifier.post(conversationId, jitNoticeCard(deps.cards, kind, record, now));
    return true;
  } catch (err) {
    deps.logger.warn({ err, requestId: record.id, kind }, "could not tell the requester about their JIT request");
    return false;
  }
}
