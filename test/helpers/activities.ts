/** Activity builders with overridable defaults (a Teams personal chat unless told otherwise). */
import { randomUUID } from "node:crypto";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const BOT = { id: "28:secops-bot", name: "SecOps bot" };
export const ALICE = { id: "29:alice", name: "Alice Analyst", aadObjectId: "00000000-0000-0000-0000-00000000a11c" };
export const BOB = { id: "29:bob", name: "Bob Approver", aadObjectId: "00000000-0000-0000-0000-000000000b0b" };

export interface ActivityOptions {
  serviceUrl: string;
  from?: { id: string; name: string; aadObjectId?: string };
  conversationId?: string;
  conversationType?: "personal" | "channel" | "groupChat";
  tenantId?: string;
  [extra: string]: unknown;
}

export function messageActivity(text: string, o: ActivityOptions): Record<string, unknown> {
  const { serviceUrl, from = ALICE, conversationId = "conv-personal-alice", conversationType = "personal", tenantId = TENANT, ...rest } = o;
  return {
    type: "message",
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: "msteams",
    serviceUrl,
    from,
    recipient: BOT,
    conversation: { id: conversationId, conversationType, tenantId },
    channelData: { tenant: { id: tenantId } },
    text,
    textFormat: "plain",
    locale: "en-US",
    ...rest,
  };
}

/** A channel message that @mentions the bot, as Teams sends it. */
export function mentionActivity(text: string, o: ActivityOptions): Record<string, unknown> {
  const mention = `<at>${BOT.name}</at>`;
  return messageActivity(`${mention} ${text}`, {
    conversationType: "channel",
    conversationId: "19:channel@thread.tacv2",
    entities: [{ type: "mention", text: mention, mentioned: BOT }],
    ...o,
  });
}

export function membersAddedActivity(o: ActivityOptions): Record<string, unknown> {
  const a = messageActivity("", o);
  return { ...a, type: "conversationUpdate", text: undefined, membersAdded: [BOT, o.from ?? ALICE] };
}

export function cardActionInvoke(verb: string, data: Record<string, unknown>, o: ActivityOptions): Record<string, unknown> {
  const a = messageActivity("", o);
  return { ...a, type: "invoke", name: "adaptiveCard/action", text: undefined, value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" } };
}
