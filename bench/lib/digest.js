"use strict";
/**
 * Digest at scale: N conversations subscribe with `digest on at 00:00 tz UTC` (real turns through the HTTP
 * endpoint, their serviceUrl a local connector), then one scheduler pass, app.digest.tick(now), runs at 00:01 UTC
 * the next day with a cold read cache: every digest is due. It reads Azure once and posts N cards through
 * BotNotifier (continueConversationAsync → the connector). A fresh bot process per N, so peak memory is per run.
 */
const { startBot } = require("./cluster");
const { turn } = require("./http");
const { startConnector } = require("./connector");

async function subscribe(url, connector, n, concurrency = 10) {
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const t = await turn(url, "digest on at 00:00 tz UTC", { connector, conversationId: `conv-bench-digest-${i}` });
      if (!JSON.stringify(t.replies).includes("00:00")) throw new Error(`digest on did not answer as expected: ${JSON.stringify(t.replies).slice(0, 300)}`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

async function measureDigest({ sim, info }, { conversations, log }) {
  const out = [];
  const tomorrow = new Date();
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  tomorrow.setUTCHours(0, 1, 0, 0);
  for (const n of conversations) {
    const connector = await startConnector();
    const { bot, url } = await startBot(info);
    try {
      const t = Date.now();
      await subscribe(url, connector, n);
      const subscribeMs = Date.now() - t;
      connector.reset();
      const s0 = await sim.call("stats");
      const r = await bot.call("digestTick", { nowIso: tomorrow.toISOString(), cold: true });
      const s1 = await sim.call("stats");
      const posts = connector.counts().posts;
      const memory = await bot.call("memory");
      const row = { conversations: n, ...r, simRequests: s1.total - s0.total, connectorPosts: posts, maxRss: memory.maxRssKb * 1024, subscribeMs };
      log(
        `  digest for ${n} conversation(s): ${r.requests} ARM requests, ${Math.round(r.ms)} ms, posted ${r.posted} (connector got ${posts}), ` +
          `peak RSS ${(r.peakRss / 1048576).toFixed(0)} MiB (subscribing took ${subscribeMs} ms)`,
      );
      out.push(row);
    } finally {
      await bot.close();
      await connector.close();
    }
  }
  return out;
}

module.exports = { measureDigest };
