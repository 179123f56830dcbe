/**
 * Which conversations receive alert posts: those subscribed to the digest (store documents "digest-subscriptions",
 * keyed by conversation id; the digest owns that collection). A subscription explicitly switched off
 * (`enabled: false`) does not count.
 */
import type { Store } from "../store/store";

/** Store collection the digest keeps its subscriptions in, keyed by conversation id. */
export const DIGEST_SUBSCRIPTIONS = "digest-subscriptions";

/** Conversation ids subscribed to alerts, in a stable order. */
export async function alertSubscribers(store: Store): Promise<string[]> {
  const docs = await store.listDocuments<unknown>(DIGEST_SUBSCRIPTIONS);
  return docs
    .filter((d) => {
      const v = d.value;
      return !(typeof v === "object" && v !== null && (v as { enabled?: unknown }).enabled === false);
    })
    .map((d) => d.key)
    .sort();
}
