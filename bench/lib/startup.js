"use strict";
/**
 * Start-up: spawn `node dist/index.js` in demo mode exactly as `npm start` runs it (PORT=0, a fresh STATE_DIR, an
 * empty working directory so no .env is read), read the URL from its "Demo mode" log line, poll GET /healthz until it
 * answers 200, then let it idle and read its RSS from /proc. Each run is stopped with SIGTERM (its own pid).
 */
const { spawn } = require("node:child_process");
const { mkdtempSync, rmSync, readFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { request, nowMs } = require("./http");

const ENTRY = resolve(__dirname, "..", "..", "dist", "index.js");

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `node dist/index.js` in demo mode in `dir` as `npm start` runs it (PORT=0, STATE_DIR under `dir`, no .env)
 * and reads its JSON log: `url` resolves with the URL from its start-up line; `errors` collects error-level messages.
 */
function spawnDemoBot(dir) {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", STATE_DIR: join(dir, "data"), LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((r) => child.once("exit", r));
  const errors = [];
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const url = new Promise((resolveUrl, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no URL logged within 30 s; stderr: ${stderr.slice(0, 500)}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          if (typeof entry.url === "string" && /^http:\/\//.test(entry.url)) {
            clearTimeout(timer);
            resolveUrl(entry.url);
          }
          if (entry.level >= 50) errors.push(String(entry.msg).slice(0, 200));
        } catch {
          /* not a JSON log line */
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`bot exited (${code}) before logging its URL: ${stderr.slice(0, 500)}`)));
  });
  return { child, exited, url, errors };
}

async function oneStart({ idleMs }) {
  const dir = mkdtempSync(join(tmpdir(), "secops-bench-start-"));
  const t0 = nowMs();
  const { child, exited, url: logged } = spawnDemoBot(dir);
  try {
    const url = await logged;
    const urlLoggedMs = nowMs() - t0;
    for (;;) {
      try {
        const res = await request(`${url}/healthz`);
        if (res.status === 200) break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = nowMs() - t0;
    await new Promise((r) => setTimeout(r, idleMs));
    const idleRss = rssOf(child.pid);
    return { readyMs, urlLoggedMs, idleRss };
  } finally {
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchStartup({ runs, idleMs, log }) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const s = await oneStart({ idleMs });
    log(`  start ${i + 1}/${runs}: healthz 200 after ${s.readyMs.toFixed(0)} ms, idle RSS ${(s.idleRss / 1048576).toFixed(0)} MiB`);
    samples.push(s);
  }
  return { samples };
}

module.exports = { benchStartup, spawnDemoBot, rssOf };
