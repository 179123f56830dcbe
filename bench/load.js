"use strict";
/**
 * Load (issue 6, the full run; `npm test` has a 5-second variant in test/security/load.test.ts): the built bot in demo
 * mode as `npm start` runs it, 100 concurrent conversations for 60 s mixing help / score / exposure / jit / alerts, each
 * request with deliveryMode "expectReplies" so its answer comes back in the HTTP response. A worker takes a new user id
 * every 20 requests, so the per-user rate limit (30 a minute) is not what is measured. Prints errors, unanswered
 * requests, throttled answers, progress cards whose answer came later, latency percentiles and the bot's RSS, and
 * writes bench/results/load.md.
 *
 *   npm run bench:load [-- --seconds 60 --concurrency 100]
 */
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { request, messageActivity, nowMs } = require("./lib/http");
const { startConnector } = require("./lib/connector");
const { describeMachine } = require("./lib/machine");
const { spawnDemoBot, rssOf } = require("./lib/startup");

const COMMANDS = ["help", "score", "exposure", "jit", "alerts"];
const PER_USER = 20;

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

async function startBot(dir) {
  const { child, url, errors } = spawnDemoBot(dir);
  return { child, url: await url, errors };
}

function pct(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const seconds = flag("seconds", 60);
  const concurrency = flag("concurrency", 100);
  const dir = mkdtempSync(join(tmpdir(), "secops-bench-load-"));
  const connector = await startConnector({ keep: false });
  const { child, url, errors } = await startBot(dir);
  try {
    const send = async (worker, seq) => {
      const user = Math.floor(seq / PER_USER);
      const from = { id: `29:load-${worker}-${user}`, name: `Load ${worker}.${user}`, aadObjectId: `load-${worker}-${user}` };
      const text = COMMANDS[(worker + seq) % COMMANDS.length];
      const activity = messageActivity(text, { serviceUrl: connector.url, conversationId: `conv-load-${worker}`, from });
      const t0 = nowMs();
      let status = 0;
      let replies = [];
      try {
        const res = await request(`${url}/api/messages`, { method: "POST", body: activity });
        status = res.status;
        replies = (JSON.parse(res.text || "{}").activities ?? []).filter((a) => a.attachments?.length);
      } catch {
        status = -1;
      }
      const body = JSON.stringify(replies);
      return { status, ms: nowMs() - t0, answered: replies.length > 0, throttled: body.includes("Slow down"), progress: body.includes("Working on it") };
    };

    // Warm the caches once so the run measures the steady state.
    for (let i = 0; i < COMMANDS.length; i++) await send(-1, i);
    const rssStart = rssOf(child.pid);
    const outcomes = [];
    const end = Date.now() + seconds * 1000;
    const t0 = nowMs();
    let rssPeak = rssStart ?? 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(child.pid) ?? 0)), 500);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        for (let seq = 0; Date.now() < end; seq++) outcomes.push(await send(w, seq));
      }),
    );
    clearInterval(sampler);
    const elapsed = (nowMs() - t0) / 1000;
    const rssEnd = rssOf(child.pid);
    const lat = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const failed = outcomes.filter((o) => o.status !== 200).length;
    const unanswered = outcomes.filter((o) => o.status === 200 && !o.answered).length;
    const mb = (b) => (b === undefined ? "–" : `${Math.round(b / 1048576)} MiB`);
    const rows = [
      ["requests", `${outcomes.length} in ${elapsed.toFixed(1)} s (${Math.round(outcomes.length / elapsed)}/s), ${concurrency} conversations`],
      ["errors (non-200 or connection)", String(failed)],
      ["answered without a card (lost)", String(unanswered)],
      ["throttled", String(outcomes.filter((o) => o.throttled).length)],
      ["answered first with a progress card", String(outcomes.filter((o) => o.progress).length)],
      ["latency p50 / p95 / p99 / max", `${pct(lat, 50).toFixed(0)} / ${pct(lat, 95).toFixed(0)} / ${pct(lat, 99).toFixed(0)} / ${pct(lat, 100).toFixed(0)} ms`],
      ["bot RSS start / peak / end", `${mb(rssStart)} / ${mb(rssPeak)} / ${mb(rssEnd)}`],
      ["error-level log lines", String(errors.length)],
    ];
    const md = [
      `# Load: ${concurrency} conversations for ${seconds} s`,
      "",
      (() => {
        const m = describeMachine();
        return `${m.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, load average at start ${m.loadAverageAtStart.join(" ")}`;
      })(),
      "",
      "Demo mode (`node dist/index.js`), commands: " + COMMANDS.join(", ") + ", deliveryMode expectReplies.",
      "",
      "| | |",
      "|---|---|",
      ...rows.map(([k, v]) => `| ${k} | ${v} |`),
      "",
    ].join("\n");
    process.stdout.write(md + "\n");
    mkdirSync(resolve(__dirname, "results"), { recursive: true });
    writeFileSync(resolve(__dirname, "results", "load.md"), md);
    if (failed > 0 || unanswered > 0) process.exitCode = 1;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:load failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
