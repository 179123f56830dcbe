/**
 * Stored fixes (collection "remediations") and the cards about them. Writes use the store's optimistic concurrency
 * (`ifVersion`) so a double click, Teams' retry of an invoke or a second instance never applies one change twice;
 * card updates never throw (a chat that is gone must not undo a decision).
 */
import { remediationCard } from "../cards/remediation";
import type { CardRenderer } from "../cards/render";
import { isAppError } from "../domain/errors";
import type { Notifier } from "../domain/ports";
import { REMEDIATIONS, type RemediationRecord } from "../domain/remediation-record";
import type { Logger } from "../logger";
import type { Store, StoredDocument } from "../store/store";

/** What delivering remediation cards needs. */
export interface RemediationDeliveryDeps {
  store: Store;
  cards: CardRenderer;
  notifier: Notifier;
  logger: Logger;
}

export function loadRemediation(store: Store, id: string): Promise<StoredDocument<RemediationRecord> | undefined> {
  return store.getDocument<RemediationRecord>(REMEDIATIONS, id);
}

export async function listRemediations(store: Store): Promise<RemediationRecord[]> {
  return (await store.listDocuments<RemediationRecord>(REMEDIATIONS)).map((d) => d.value);
}

/** Writes `record` only if the stored version is still `version`; undefined when someone else wrote first. */
export async function saveRemediationIf(store: Store, record: RemediationRecord, version: number): Promise<number | undefined> {
  try {
    return await store.putDocument(REMEDIATIONS, record.id, record, { ifVersion: version });
  } catch (err) {
    if (isAppError(err) && err.code === "Conflict") return undefined;
    throw err;
  }
}

/** Stores a new record under a fresh id (`make` is called again with another id if one is taken). */
export async function createRemediation(
  store: Store,
  newId: () => string,
  make: (id: string) => RemediationRecord,
): Promise<{ record: RemediationRecord; version: number }> {
  for (let attempt = 0; ; attempt++) {
    const record = make(newId());
    const version = await saveRemediationIf(store, record, 0);
    if (version !== undefined) return { record, version };
    if (attempt >= 5) throw new Error("could not find a free change id");
  }
}

/**
 * Applies `change` to the latest stored record, retrying on a lost race; `change` returns undefined to leave it
 * alone. Resolves with the record as finally stored (or as found), or undefined when there is no such record.
 */
export async function updateRemediation(
  store: Store,
  id: string,
  change: (current: RemediationRecord) => RemediationRecord | undefined,
): Promise<{ record: RemediationRecord; version: number } | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await loadRemediation(store, id);
    if (doc === undefined) return undefined;
    const next = change(doc.value);
    if (next === undefined) return { record: doc.value, version: doc.version };
    const version = await saveRemediationIf(store, next, doc.version);
    if (version !== undefined) return { record: next, version };
  }
  throw new Error(`change ${id} kept changing under concurrent writes`);
}

/** Replaces every posted copy of the change's card with its current state. */
export async function refreshRemediationCards(deps: RemediationDeliveryDeps, record: RemediationRecord, approvers: string): Promise<void> {
  if (record.cards.length === 0) return;
  const card = remediationCard(deps.cards, record, { approvers });
  const results = await Promise.allSettled(record.cards.map((c) => deps.notifier.update(c.conversationId, c.activityId, card)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      deps.logger.warn({ err: r.reason as unknown, changeId: record.id, conversationId: record.cards[i]!.conversationId }, "could not update a change card");
    }
  });
}
