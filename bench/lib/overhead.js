"use strict";
/**
 * Bot overhead: each command end to end through the real restify server, CloudAdapter, dispatcher, store, real SDK
 * clients and the simulator (fixed ARM latency on every subscription), minus the time during which at least one ARM
 * request was outstanding (from the recording proxy in front of the simulator). Replies come back in the HTTP
 * response (deliveryMode "expectReplies"), so one POST is one whole turn. The echo bot is measured the same way.
 */
const { spawn } = require("node:child_process");
const { resolve } = require("node:path");
const { turn, cardSizes } = require("./http");
const { busyWithin, requestsWithin, percentile, mean } = require("./stats");


async function sample(ctx, text, n, { cold, conversationId = "conv-bench-overhead" }) {
  const { bot, sim, url, connector } = ctx;
  await sim.call("takeIntervals");
  const cpu0 = await bot.call("cpu");
  const req0 = await bot.call("requestCount");
  const turns = [];
  for (let i = 0; i < n; i++) {
    if (cold) await bot.call("invalidate");
    const t = await turn(url, text, { connector, conversationId });
    turns.push(t);
  }
  const cpu = (await bot.call("cpu")) - cpu0;
  const requests = (await bot.call("requestCount")) - req0;
  const intervals = await sim.call("takeIntervals");
  const e2e = turns.map((t) => t.ms);
  const arm = turns.map((t) => busyWithin(intervals, t.t0, t.t1));
  const overhead = turns.map((t, i) => t.ms - arm[i]);
  const armRequests = turns.map((t) => requestsWithin(intervals, t.t0, t.t1));
  const cards = turns.flatMap((t) => cardSizes(t.replies));
  const lastCard = JSON.stringify((turns[turns.length - 1].replies ?? []).map((a) => a.attachments ?? []));
  return {
    lastCard,
    n,
    e2eP50: percentile(e2e, 50),
    e2eP99: percentile(e2e, 99),
    armP50: percentile(arm, 50),
    overheadP50: percentile(overhead, 50),
    overheadP99: percentile(overhead, 99),
    armRequestsPerTurn: mean(armRequests),
    requestsPerTurn: requests / n,
    cpuPerTurn: cpu / n,
    largestCard: cards.length ? Math.max(...cards) : 0,
    replies: turns[turns.length - 1].replies.length,
    progressCards: turns.filter((t) => t.progress).length,
  };
}

async function measureCommands(ctx, { commands, warmN, coldN, log }) {
  const rows = [];
  // Warm the process up (JIT, lazily loaded modules, the store) before anything is measured.
  for (let round = 0; round < 2; round++) for (const c of commands) await turn(ctx.url, c, { connector: ctx.connector });
  for (const command of commands) {
    const cold = coldN > 0 ? await sample(ctx, command, coldN, { cold: true }) : undefined;
    await turn(ctx.url, command, { connector: ctx.connector }); // fill the cache
    const warm = await sample(ctx, command, warmN, { cold: false });
    log(
      `  ${command.padEnd(22)} warm overhead p50 ${warm.overheadP50.toFixed(1)} p99 ${warm.overheadP99.toFixed(1)} ms (cpu ${warm.cpuPerTurn.toFixed(1)} ms/turn, ` +
        `${warm.requestsPerTurn} ARM req)` +
        (cold ? ` · cold e2e p50 ${cold.e2eP50.toFixed(0)} ms, overhead p50 ${cold.overheadP50.toFixed(0)} ms, ${cold.requestsPerTurn} ARM req` : ""),
    );
    rows.push({ command, cold, warm });
  }
  return rows;
}

/** The echo bot in its own process, measured like the SecOps bot (it makes no ARM requests). */
async function startEchoBot() {
  const child = spawn(process.execPath, [resolve(__dirname, "..", "echo-bot.js"), "0", "--exit-with-parent"], { stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise((res, rej) => {
    let buf = "";
    child.stdout.on("data", (c) => {
      buf += c;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) res(m[1]);
    });
    child.once("exit", (code) => rej(new Error(`echo bot exited (${code})`)));
  });
  return {
    url,
    pid: child.pid,
    cpu: () => {
      // /proc/<pid>/stat utime+stime, in clock ticks (100 Hz on Linux).
      const fields = require("node:fs").readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async close() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function measureEcho(echo, n, connector) {
  for (let i = 0; i < 50; i++) await turn(echo.url, "warm up", { connector });
  const cpu0 = echo.cpu();
  const turns = [];
  for (let i = 0; i < n; i++) turns.push(await turn(echo.url, "hello", { connector }));
  const cpu = echo.cpu() - cpu0;
  const e2e = turns.map((t) => t.ms);
  return { n, e2eP50: percentile(e2e, 50), e2eP99: percentile(e2e, 99), overheadP50: percentile(e2e, 50), overheadP99: percentile(e2e, 99), cpuPerTurn: cpu / n, largestCard: Math.max(...cardSizes(turns[0].replies)) };
}

module.exports = { measureCommands, measureEcho, startEchoBot };
