"use strict";
/**
 * ARM cost: requests per command (and per `digest now`) for each estate, cold (read cache dropped, as after a
 * start or 60 s of quiet) and warm (asked again at once), next to the naive per-resource script. Also records the
 * largest card each command produced and the bot's peak memory for that estate.
 */
const { startSim, startBot } = require("./cluster");
const { turn, cardSizes, cardSummary } = require("./http");
const { busyWithin } = require("./stats");
const { naiveRecommendations, naiveExposure, VM_KEYS } = require("./naive");

/** Cold then warm, one command after the other, on one bot; returns a row per command. */
async function coldAndWarm({ bot, url }, sim, commands, { label, connector, log, tag = "" }) {
  const rows = [];
  for (const command of commands) {
    await bot.call("invalidate");
    await sim.call("takeIntervals");
    const cpu0 = await bot.call("cpu");
    const r0 = await bot.call("requestCount");
    const cold = await turn(url, command, { connector, conversationId: `conv-bench-arm-${label.replace("×", "x")}` });
    const r1 = await bot.call("requestCount");
    const coldCpu = (await bot.call("cpu")) - cpu0;
    const coldArmWait = busyWithin(await sim.call("takeIntervals"), cold.t0, cold.t1);
    const warm = await turn(url, command, { connector, conversationId: `conv-bench-arm-${label.replace("×", "x")}` });
    const r2 = await bot.call("requestCount");
    const row = {
      command,
      coldRequests: r1 - r0,
      coldMs: cold.ms,
      coldProgress: cold.progress,
      coldFirstReplyMs: cold.httpMs,
      coldArmWaitMs: coldArmWait,
      coldBotCpuMs: coldCpu,
      warmRequests: r2 - r1,
      warmMs: warm.ms,
      warmProgress: warm.progress,
      card: Math.max(0, ...cardSizes(cold.replies), ...cardSizes(warm.replies)),
      summary: cardSummary(cold.replies),
    };
    log(
      `  ${label}${tag} ${command.padEnd(22)} cold ${row.coldRequests} req ${Math.round(row.coldMs)} ms (ARM wait ${Math.round(coldArmWait)} ms, bot CPU ${Math.round(coldCpu)} ms)${cold.progress ? ` (progress card after ${Math.round(cold.httpMs)} ms)` : ""} · ` +
        `warm ${row.warmRequests} req ${Math.round(row.warmMs)} ms · card ${(row.card / 1024).toFixed(1)} KB · ${row.summary.slice(0, 70)}`,
    );
    rows.push(row);
  }
  return rows;
}

async function measureEstate(estate, { commands, latencyMs, naive, connector, log, compare }) {
  const t0 = Date.now();
  const { sim, info } = await startSim({ ...estate, latencyMs });
  const { bot, url } = await startBot(info);
  const label = `${estate.subscriptions}×${estate.vms}`;
  log(`  estate ${label}: ${info.counts.vms} VMs, ${info.counts.nics} NICs, ${info.counts.nsgs} NSGs, ${info.counts.assessments} assessments (generated in ${info.generatedMs} ms)`);
  let rows;
  let compared;
  try {
    rows = await coldAndWarm({ bot, url }, sim, commands, { label, connector, log });
    const memory = await bot.call("memory");
    const naiveRows = [];
    const counted = await sim.call("naiveCounts", { pageSize: 50, vmKeys: VM_KEYS.length });
    for (const [question, fn] of [
      ["recommendations high", naiveRecommendations],
      ["exposure", naiveExposure],
    ]) {
      const key = question === "exposure" ? "exposure" : "recommendations";
      if (naive === "run") {
        const s0 = await sim.call("stats");
        const t = Date.now();
        const r = await fn({ endpoint: info.url, token: info.token, subscriptionIds: info.subscriptionIds, concurrency: 4 });
        const ms = Date.now() - t;
        const s1 = await sim.call("stats");
        naiveRows.push({ question, requests: r.requests, simRequests: s1.total - s0.total, counted: counted[key], ms, measured: true });
        log(`  ${label} naive ${question}: ${r.requests} requests (counted from the estate: ${counted[key]}), ${ms} ms`);
      } else {
        // Not sent: at 4 in flight and latencyMs each, the ARM wait alone is requests × latency ÷ 4.
        naiveRows.push({ question, requests: counted[key], counted: counted[key], ms: (counted[key] * latencyMs) / 4, measured: false });
        log(`  ${label} naive ${question}: ${counted[key]} requests (counted), ≥ ${Math.round((counted[key] * latencyMs) / 4)} ms (lower bound)`);
      }
    }
    if (compare) {
      // The same questions with other settings (e.g. RESOURCE_GRAPH=never: per-subscription list calls only).
      const other = await startBot(info, { env: compare.env });
      try {
        const tag = ` [${Object.entries(compare.env).map(([k, v]) => `${k}=${v}`).join(" ")}]`;
        compared = { env: compare.env, rows: await coldAndWarm(other, sim, compare.commands, { label, connector, log, tag }), memory: await other.bot.call("memory") };
      } finally {
        await other.bot.close();
      }
    }
    return { estate: { ...estate, label, counts: info.counts }, rows, naive: naiveRows, compared, memory, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await bot.close();
    await sim.close();
  }
}

module.exports = { measureEstate };
