"use strict";
/** Starts the simulator worker (estate, proxy, ARM latency) and a SecOps bot worker pointed at it. */
const { resolve } = require("node:path");
const { spawnWorker } = require("./ipc");

const SIM = resolve(__dirname, "sim-worker.js");
const BOT = resolve(__dirname, "bot-worker.js");

async function startSim({ subscriptions, vms, latencyMs, pageSize = 50 }) {
  const sim = spawnWorker(SIM);
  const info = await sim.call("init", { subscriptions, vms, pageSize });
  await sim.call("latency", { ms: latencyMs });
  return { sim, info };
}

/** `env`: extra configuration variables for the bot (e.g. RESOURCE_GRAPH=never), read by dist/config's loadConfig. */
async function startBot(info, { execArgv = [], variant, env } = {}) {
  const bot = spawnWorker(BOT, { execArgv });
  const { url } = await bot.call("init", { armUrl: info.url, token: info.token, subscriptionIds: info.subscriptionIds, variant, env });
  return { bot, url };
}

module.exports = { startSim, startBot };
