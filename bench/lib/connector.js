"use strict";
/**
 * A local Bot Framework connector, the serviceUrl of every benchmark activity: answers `{id}` to every post and
 * update (like test/helpers/connector.ts) and remembers, per conversation, what arrived and when. Proactive posts
 * (digests) and the final answer of a command that first answered with a progress card (DESIGN §3.5: after a few
 * seconds the bot replies "Working on it" and later replaces that card) arrive here.
 */
const http = require("node:http");

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function startConnector({ keep = true } = {}) {
  let posts = 0;
  let updates = 0;
  let counter = 0;
  const calls = [];
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = nowMs();
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? "");
      if (req.method === "POST") posts += 1;
      else if (req.method === "PUT") updates += 1;
      const id = req.method === "POST" ? `activity-${++counter}` : m?.[2] ? decodeURIComponent(m[2]) : "";
      if (keep && m) {
        let activity = {};
        try {
          activity = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          /* keep {} */
        }
        if (activity.type !== "typing") calls.push({ method: req.method, conversationId: decodeURIComponent(m[1]), at, activity });
      }
      res.statusCode = 200;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id }));
      for (const w of [...waiters]) w();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    counts: () => ({ posts, updates }),
    reset() {
      posts = 0;
      updates = 0;
      calls.length = 0;
    },
    /** The first call for `conversationId` that arrived after `since` (ms, shared monotonic clock) and carries a card. */
    waitForCard(conversationId, since, timeoutMs = 180_000) {
      const find = () => calls.find((c) => c.conversationId === conversationId && c.at >= since && (c.activity.attachments ?? []).length > 0);
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const c = find();
          if (c) {
            cleanup();
            resolve(c);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`connector: no card for ${conversationId} within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

module.exports = { startConnector };
