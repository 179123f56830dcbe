/**
 * Score watches in the store (collection "score-watches", keyed by conversation id), shared by the `watch` commands
 * and the scheduler's hourly check. Writes use optimistic concurrency so two instances never both check (and post
 * for) the same watch in the same hour.
 */
import { isAppError } from "../domain/errors";
import { SCORE_WATCHES, type ScoreWatch } from "../domain/score-watch";
import type { Store, StoredDocument } from "../store/store";

export function getWatch(store: Store, conversationId: string): Promise<StoredDocument<ScoreWatch> | undefined> {
  return store.getDocument<ScoreWatch>(SCORE_WATCHES, conversationId);
}

export function listWatches(store: Store): Promise<StoredDocument<ScoreWatch>[]> {
  return store.listDocuments<ScoreWatch>(SCORE_WATCHES);
}

/** Writes only if the stored version is still `version` (0 = must not exist); undefined when someone else wrote first. */
export async function saveWatchIf(store: Store, watch: ScoreWatch, version: number): Promise<number | undefined> {
  try {
    return await store.putDocument(SCORE_WATCHES, watch.conversationId, watch, { ifVersion: version });
  } catch (err) {
    if (isAppError(err) && err.code === "Conflict") return undefined;
    throw err;
  }
}

/** Applies `change` to the latest stored watch (or to undefined when there is none), retrying on a lost race. */
export async function upsertWatch(
  store: Store,
  conversationId: string,
  change: (current: ScoreWatch | undefined) => ScoreWatch | undefined,
): Promise<ScoreWatch | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await getWatch(store, conversationId);
    const next = change(doc?.value);
    if (next === undefined) return doc?.value;
    if ((await saveWatchIf(store, next, doc?.version ?? 0)) !== undefined) return next;
  }
  throw new Error(`score watch ${conversationId} kept changing under concurrent writes`);
}

export function deleteWatch(store: Store, conversationId: string): Promise<void> {
  return store.deleteDocument(SCORE_WATCHES, conversationId);
}
