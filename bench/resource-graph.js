"use strict";
/**
 * Issue 7: ARM requests and time for 50 subscriptions × 2,000 VMs, posture reads through Azure Resource Graph
 * (RESOURCE_GRAPH=always) and through plain per-subscription ARM lists (RESOURCE_GRAPH=never), cold and warm, with
 * 40 ms of latency on every ARM request. Writes bench/results/resource-graph.md.
 *
 *   npm run build && node bench/resource-graph.js [-- --subscriptions 50 --vms 2000]
 */
const { mkdirSync, writeFileSync } = require("node:fs");
const { resolve } = require("node:path");
const { startSim, startBot } = require("./lib/cluster");
const { startConnector } = require("./lib/connector");
const { describeMachine } = require("./lib/machine");
const { turn } = require("./lib/http");

const LATENCY_MS = 40;
const COMMANDS = ["score", "recommendations high"];

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

async function measure(sim, info, connector, env) {
  const { bot, url } = await startBot(info, { env });
  const rows = [];
  try {
    for (const command of COMMANDS) {
      await bot.call("invalidate");
      for (const phase of ["cold", "warm"]) {
        const s0 = (await sim.call("stats")).total;
        const result = await turn(url, command, { conversationId: `conv-rg-${env.RESOURCE_GRAPH}`, connector });
        const requests = (await sim.call("stats")).total - s0;
        rows.push({ command, phase, ms: result.ms, requests, progress: result.progress });
      }
    }
  } finally {
    await bot.close();
  }
  return rows;
}

async function main() {
  const subscriptions = flag("subscriptions", 50);
  const vms = flag("vms", 2000);
  const connector = await startConnector();
  const { sim, info } = await startSim({ subscriptions, vms, latencyMs: LATENCY_MS });
  try {
    const graph = await measure(sim, info, connector, { RESOURCE_GRAPH: "always" });
    const arm = await measure(sim, info, connector, { RESOURCE_GRAPH: "never" });
    const m = describeMachine();
    const md = [
      `# Posture reads, Resource Graph vs ARM: ${subscriptions} subscriptions × ${vms} VMs, ${LATENCY_MS} ms per ARM request`,
      "",
      `${m.date} · ${m.cpu}, ${m.cores} cores, Node ${m.node}, load average at start ${m.loadAverageAtStart.join(" ")}`,
      "",
      "| command | cache | Resource Graph: requests | time | ARM lists: requests | time |",
      "|---|---|---:|---:|---:|---:|",
      ...graph.map((g, i) => {
        const a = arm[i];
        return `| \`${g.command}\` | ${g.phase} | ${g.requests} | ${(g.ms / 1000).toFixed(2)} s | ${a.requests} | ${(a.ms / 1000).toFixed(2)} s |`;
      }),
      "",
    ].join("\n");
    process.stdout.write(md + "\n");
    mkdirSync(resolve(__dirname, "results"), { recursive: true });
    writeFileSync(resolve(__dirname, "results", "resource-graph.md"), md);
  } finally {
    await sim.close();
    await connector.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench resource-graph failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
