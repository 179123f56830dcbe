"use strict";
/**
 * The SecOps bot under test, in its own process, built exactly as `node dist/index.js` builds it (loadConfig →
 * buildApp → restify on a free port, real SDK clients) but pointed at the benchmark's ARM simulator with a static
 * token, so the driver can also ask it, over IPC, to drop its read cache, report its ARM request count and memory,
 * and run one digest pass (app.digest.tick).
 */
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { serve } = require("./ipc");
const { loadConfig } = require("../../dist/config");
const { buildApp } = require("../../dist/composition");

let app;
let stateDir;

/** Samples RSS and heap every 5 ms while `work` runs; returns its value, wall time and the peaks. */
async function withPeakMemory(work) {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  }, 5);
  const t0 = process.hrtime.bigint();
  try {
    const value = await work();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const after = process.memoryUsage();
    return { value, ms, rssBefore: before.rss, peakRss: Math.max(peakRss, after.rss), peakHeap: Math.max(peakHeap, after.heapUsed) };
  } finally {
    clearInterval(timer);
  }
}

serve({
  /** `variant: "cached-templates"` measures the proposed render.ts change (bench/lib/cached-renderer.js). */
  async init({ armUrl, token, subscriptionIds, logLevel = "info", variant, env = {} }) {
    stateDir = mkdtempSync(join(tmpdir(), "secops-bench-"));
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      STATE_DIR: stateDir,
      AZURE_ARM_ENDPOINT: armUrl,
      AZURE_ARM_TOKEN: token,
      AZURE_SUBSCRIPTION_IDS: subscriptionIds.join(","),
      LOG_LEVEL: logLevel,
      ...env,
    });
    const overrides = variant === "cached-templates" ? { cards: require("./cached-renderer").createCachedCardRenderer() } : {};
    app = await buildApp(config, overrides);
    const { url } = await app.start();
    return { url, pid: process.pid };
  },
  invalidate() {
    app.services.azure.invalidate();
    return true;
  },
  requestCount() {
    return app.services.azure.requestCount();
  },
  /** CPU time this process used so far (user + system), in ms: robust when the machine is shared. */
  cpu() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  memory() {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, maxRssKb: process.resourceUsage().maxRSS };
  },
  gc() {
    if (global.gc) global.gc();
    return Boolean(global.gc);
  },
  /** One digest pass at `nowIso`, cold (cache dropped first): ARM requests, time, peak memory, what it posted. */
  async digestTick({ nowIso, cold = true }) {
    if (cold) app.services.azure.invalidate();
    const requestsBefore = app.services.azure.requestCount();
    const run = await withPeakMemory(() => app.digest.tick(new Date(nowIso)));
    const r = run.value;
    return {
      ms: run.ms,
      requests: app.services.azure.requestCount() - requestsBefore,
      rssBefore: run.rssBefore,
      peakRss: run.peakRss,
      peakHeap: run.peakHeap,
      posted: r.posted.length,
      retrying: r.retrying.length,
      gaveUp: r.gaveUp.length,
      disabled: r.disabled.length,
    };
  },
  async stop() {
    if (app) await app.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    setImmediate(() => process.exit(0));
    return true;
  },
});
