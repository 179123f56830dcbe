"use strict";
/** What the figures were measured on. */
const os = require("node:os");
const { readFileSync } = require("node:fs");

function cpuModel() {
  const fromOs = os.cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

function describeMachine() {
  return {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

module.exports = { describeMachine };
