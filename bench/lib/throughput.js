"use strict";
/**
 * Throughput with autocannon against POST /api/messages: `connections` concurrent conversations (each connection is
 * one conversation, its own conversation id), each sending the next message as soon as the previous turn answered
 * (deliveryMode expectReplies, so the reply is in the HTTP response). Warm cache: the command is asked once right
 * before the run, and the run is far shorter than the 60 s cache TTL.
 */
const autocannon = require("autocannon");
const { messageActivity } = require("./http");

function run(url, text, connections, durationSec, serviceUrl) {
  let nextConversation = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/api/messages`,
        method: "POST",
        connections,
        duration: durationSec,
        pipelining: 1,
        headers: { "content-type": "application/json" },
        setupClient(client) {
          const conversationId = `conv-bench-load-${connections}-${++nextConversation}`;
          client.setBody(JSON.stringify(messageActivity(text, { serviceUrl, conversationId })));
        },
        verifyBody: (body) => body.includes('"attachments"'),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function measureThroughput({ url, text, connections, durationSec, serviceUrl, before, after }) {
  if (before) await before();
  const r = await run(url, text, connections, durationSec, serviceUrl);
  const extra = after ? await after() : {};
  return {
    connections,
    rps: r.requests.average,
    total: r.requests.total,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx + (r.mismatches ?? 0),
    ...extra,
  };
}

module.exports = { measureThroughput };
