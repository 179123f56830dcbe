"use strict";
/** Keep-alive HTTP helpers for the driver (node:http: less client overhead than fetch, so the bot's share shows). */
const http = require("node:http");
const { randomUUID } = require("node:crypto");

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function request(url, { method = "GET", body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        agent,
        headers: payload === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const BOT = { id: "28:secops-bot", name: "SecOps bot" };
const USER = { id: "29:bench-analyst", name: "Bench Analyst", aadObjectId: "00000000-0000-0000-0000-0000000be7c0" };

/** A Teams personal-chat message, as test/helpers/activities.ts builds it. */
function messageActivity(text, { serviceUrl, conversationId = "conv-bench", expectReplies = true, from = USER } = {}) {
  return {
    type: "message",
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: "msteams",
    serviceUrl,
    from,
    recipient: BOT,
    conversation: { id: conversationId, conversationType: "personal", tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text,
    textFormat: "plain",
    locale: "en-US",
    ...(expectReplies ? { deliveryMode: "expectReplies" } : {}),
  };
}

/** True when a reply is the bot's "Working on it" card (DESIGN §3.5): the answer will replace it later. */
function isProgress(replies) {
  return replies.length > 0 && replies.every((a) => JSON.stringify(a.attachments ?? []).includes("Working on it"));
}

/**
 * Sends one turn with deliveryMode expectReplies and resolves with the answer, the timing window and the size.
 * When the bot answered with a progress card, waits for the real answer at the connector (options.connector, the
 * activity's serviceUrl): `t1` is then when that card arrived, and `progress` is true.
 */
async function turn(botUrl, text, options = {}) {
  const { connector, ...activityOptions } = options;
  const activity = messageActivity(text, { ...activityOptions, serviceUrl: connector ? connector.url : activityOptions.serviceUrl });
  const t0 = nowMs();
  const res = await request(`${botUrl}/api/messages`, { method: "POST", body: activity });
  const httpAt = nowMs();
  let t1 = httpAt;
  if (res.status !== 200) throw new Error(`"${text}": bot answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  const body = res.text ? JSON.parse(res.text) : {};
  let replies = body.activities ?? [];
  const progress = isProgress(replies);
  if (progress) {
    if (!connector) throw new Error(`"${text}": the bot answered with a progress card and no connector is listening for the answer`);
    const call = await connector.waitForCard(activity.conversation.id, t0);
    t1 = call.at;
    replies = [call.activity];
  }
  return { t0, t1, ms: t1 - t0, replies, progress, httpMs: httpAt - t0 };
}

/** Bytes of each Adaptive Card in the replies (the attachment content as JSON, what Teams limits to 28 KB). */
function cardSizes(replies) {
  const sizes = [];
  for (const a of replies) {
    for (const att of a.attachments ?? []) {
      if (att.contentType === "application/vnd.microsoft.card.adaptive") sizes.push(Buffer.byteLength(JSON.stringify(att.content)));
    }
  }
  return sizes;
}

/** A reply's card text (title-ish), to check a command answered what was asked and not with an error card. */
function cardSummary(replies) {
  const first = replies.find((a) => (a.attachments ?? []).length > 0) ?? replies[0];
  if (!first) return "";
  const card = first.attachments?.[0]?.content;
  const texts = [];
  const walk = (node) => {
    if (!node || typeof node !== "object" || texts.length > 3) return;
    if (node.type === "TextBlock" && typeof node.text === "string") texts.push(node.text);
    for (const v of Object.values(node)) if (typeof v === "object") walk(v);
  };
  walk(card);
  return texts.join(" | ").slice(0, 160) || first.text || "";
}

module.exports = { request, turn, cardSizes, cardSummary, messageActivity, nowMs, agent, TENANT };
