/**
 * Digest subscriptions in the store: collection "digest-subscriptions", keyed by conversation id, so the keys are
 * exactly the conversations that receive digests and alert posts (other features read the keys). A subscription the
 * bot can no longer post to is moved to "digest-disabled" with the reason, so it stops counting as subscribed while
 * `digest` can still say what happened.
 */
import type { DigestBaseline } from "../domain/digest";
import type { DigestSchedule } from "../domain/digest-schedule";
import { isAppError } from "../domain/errors";
import type { Store, StoredDocument } from "../store/store";

export const DIGEST_SUBSCRIPTIONS = "digest-subscriptions";
export const DIGEST_DISABLED = "digest-disabled";

/** A conversation's digest: schedule, delivery bookkeeping, and what the last digest showed. */
export interface DigestSubscription extends DigestSchedule {
  conversationId: string;
  /** "personal" | "channel" | "groupChat" */
  conversationKind: string;
  tenantId?: string;
  createdBy: { id: string; name: string };
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601 of the last `digest on` (creation or a schedule change): runs before it are not owed. */
  activeFrom: string;
  /** Local date ("YYYY-MM-DD", in the subscription's zone) of the last digest posted. */
  lastPostedLocalDate?: string;
  /** ISO 8601 */
  lastPostedAt?: string;
  lastActivityId?: string;
  /**
   * Set right before posting, cleared with the result. While it is fresh nobody else posts; a stale one means the
   * instance that wrote it died mid-post, and the digest is owed again.
   */
  claim?: { localDate: string; at: string; by: string };
  /** Transient posting failures of one local date, retried with backoff. */
  retry?: { localDate: string; attempts: number; nextAttemptAt: string; lastError: string };
  /** Local date given up on after too many failed attempts. */
  gaveUpLocalDate?: string;
  baseline?: DigestBaseline;
}

/** Why a subscription was turned off by the bot. */
export interface DisabledDigest {
  conversationId: string;
  schedule: DigestSchedule;
  /** ISO 8601 */
  disabledAt: string;
  reason: string;
}

export function getSubscription(store: Store, conversationId: string): Promise<StoredDocument<DigestSubscription> | undefined> {
  return store.getDocument<DigestSubscription>(DIGEST_SUBSCRIPTIONS, conversationId);
}

export function listSubscriptions(store: Store): Promise<StoredDocument<DigestSubscription>[]> {
  return store.listDocuments<DigestSubscription>(DIGEST_SUBSCRIPTIONS);
}

/** Conversation ids with an active digest subscription. */
export async function subscribedConversationIds(store: Store): Promise<string[]> {
  return (await listSubscriptions(store)).map((d) => d.key);
}

/** Writes only if the stored version is still `version`; undefined when someone else wrote first. */
export async function saveSubscriptionIf(store: Store, sub: DigestSubscription, version: number): Promise<number | undefined> {
  try {
    return await store.putDocument(DIGEST_SUBSCRIPTIONS, sub.conversationId, sub, { ifVersion: version });
  } catch (err) {
    if (isAppError(err) && err.code === "Conflict") return undefined;
    throw err;
  }
}

/**
 * Applies `change` to the latest stored subscription, retrying on a lost race. `change` returns undefined to leave
 * it alone. Resolves with the stored value, or undefined when there is no subscription.
 */
export async function updateSubscription(
  store: Store,
  conversationId: string,
  change: (current: DigestSubscription) => DigestSubscription | undefined,
): Promise<DigestSubscription | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await getSubscription(store, conversationId);
    if (doc === undefined) return undefined;
    const next = change(doc.value);
    if (next === undefined) return doc.value;
    if ((await saveSubscriptionIf(store, next, doc.version)) !== undefined) return next;
  }
  throw new Error(`digest subscription ${conversationId} kept changing under concurrent writes`);
}

/** Moves a subscription to the disabled collection with the reason. Returns whether there was one to move. */
export async function disableSubscription(store: Store, conversationId: string, reason: string, now: Date): Promise<boolean> {
  const doc = await getSubscription(store, conversationId);
  if (doc === undefined) return false;
  const disabled: DisabledDigest = {
    conversationId,
    schedule: { time: doc.value.time, timeZone: doc.value.timeZone },
    disabledAt: now.toISOString(),
    reason,
  };
  await store.putDocument(DIGEST_DISABLED, conversationId, disabled);
  await store.deleteDocument(DIGEST_SUBSCRIPTIONS, conversationId);
  return true;
}

export async function getDisabled(store: Store, conversationId: string): Promise<DisabledDigest | undefined> {
  return (await store.getDocument<DisabledDigest>(DIGEST_DISABLED, conversationId))?.value;
}
