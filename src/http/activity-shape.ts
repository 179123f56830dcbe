/**
 * The shape check POST /api/messages applies before the Bot Framework adapter sees a body. botbuilder trusts the
 * fields it reads (serviceUrl, conversation.id, from.id, text…) and answers 500 or fails the turn when one has the
 * wrong type; a request that cannot be a Bot Framework activity gets a 400 naming the field instead.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;
const nonEmptyString = (v: unknown): boolean => typeof v === "string" && v.trim() !== "";

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    const url = new URL(v);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** Optional fields that must be strings when present. */
const OPTIONAL_STRINGS = ["id", "channelId", "text", "textFormat", "locale", "name", "replyToId", "deliveryMode", "timestamp", "localTimestamp", "summary"];
/** Optional fields that must be arrays when present. */
const OPTIONAL_ARRAYS = ["entities", "attachments", "membersAdded", "membersRemoved", "reactionsAdded", "reactionsRemoved"];

const CONVERSATION_ID = /^[\x20-\x7e]{1,1024}$/;
const TEAMS_NEEDS_CHANNEL_DATA = new Set(["messageUpdate", "messageDelete"]);

/** Account and conversation fields botbuilder copies into every reply; the connector client refuses wrong types. */
const ACCOUNT_STRINGS = ["id", "name", "aadObjectId", "role"];
const CONVERSATION_STRINGS = ["id", "name", "conversationType", "tenantId"];

function badStringField(owner: string, obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const key = keys.find((k) => !absent(obj[k]) && typeof obj[k] !== "string");
  return key === undefined ? undefined : `${owner}.${key} must be a string.`;
}

/** Why `body` is not an activity the bot can process, or undefined when its shape is fine. */
export function activityShapeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return "Expected a JSON Bot Framework activity (an object).";
  if (!nonEmptyString(body.type)) return "Expected a JSON Bot Framework activity with a type.";
  if (!isHttpUrl(body.serviceUrl)) return "serviceUrl must be an http(s) URL.";
  if (!isObject(body.conversation) || !nonEmptyString(body.conversation.id)) return "conversation.id must be a string.";
  // Replies carry the id in a URL path and an x-ms-conversation-id header; Teams ids are printable ASCII.
  if (!CONVERSATION_ID.test(body.conversation.id as string)) return "conversation.id must be printable ASCII of at most 1024 characters.";
  if (!isObject(body.from) || !nonEmptyString(body.from.id)) return "from.id must be a string.";
  if (!absent(body.recipient) && !isObject(body.recipient)) return "recipient must be an object.";
  // TeamsActivityHandler reads channelData.eventType without a null check (always for Teams edits and deletes).
  if (body.channelData !== undefined && !isObject(body.channelData)) return "channelData must be an object.";
  if (body.channelId === "msteams" && TEAMS_NEEDS_CHANNEL_DATA.has(body.type as string) && !isObject(body.channelData)) {
    return `channelData must be an object for a Teams ${body.type as string}.`;
  }
  const field =
    badStringField("from", body.from, ACCOUNT_STRINGS) ??
    (isObject(body.recipient) ? badStringField("recipient", body.recipient, ACCOUNT_STRINGS) : undefined) ??
    badStringField("conversation", body.conversation, CONVERSATION_STRINGS);
  if (field !== undefined) return field;
  for (const key of OPTIONAL_STRINGS) if (!absent(body[key]) && typeof body[key] !== "string") return `${key} must be a string.`;
  for (const key of OPTIONAL_ARRAYS) if (!absent(body[key]) && !Array.isArray(body[key])) return `${key} must be an array.`;
  return undefined;
}
