/**
 * Finding the personal chat the bot has with someone, from the conversations it stored. The stored reference is
 * opaque to everything but src/bot; the only thing read here is the user it names (`user.aadObjectId` / `user.id`,
 * the Bot Framework ConversationReference fields), so scheduled work can reach a person without botbuilder.
 */

/** The stored-conversation fields this needs (structurally a StoredConversation). */
export interface KnownConversation {
  id: string;
  kind: string;
  reference: Record<string, unknown>;
  updatedAt?: string;
}

/** The ids a personal conversation's reference names for its user (Entra object id and channel id). */
export function userIdsOf(conversation: KnownConversation): string[] {
  const user = conversation.reference["user"];
  if (typeof user !== "object" || user === null) return [];
  const u = user as Record<string, unknown>;
  return [u["aadObjectId"], u["id"]].filter((x): x is string => typeof x === "string" && x !== "").map((x) => x.toLowerCase());
}

/**
 * Personal conversations with any of `personIds` (compared case-insensitively), most recently used first, one per
 * person.
 */
export function personalConversationsOf(conversations: readonly KnownConversation[], personIds: readonly string[]): KnownConversation[] {
  const wanted = new Set(personIds.map((p) => p.trim().toLowerCase()).filter((p) => p !== "" && p !== "*"));
  const sorted = conversations
    .filter((c) => c.kind === "personal")
    .sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
  const out: KnownConversation[] = [];
  const seenPeople = new Set<string>();
  for (const c of sorted) {
    const ids = userIdsOf(c);
    const person = ids.find((id) => wanted.has(id));
    if (person === undefined || ids.some((id) => seenPeople.has(id))) continue;
    ids.forEach((id) => seenPeople.add(id));
    out.push(c);
  }
  return out;
}
