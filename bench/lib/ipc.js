"use strict";
/**
 * A tiny request/response protocol over a forked child's IPC channel, so the driver can ask the simulator and the
 * bot (each in its own process, so their CPU time never mixes with the driver's) to do things and answer.
 */
const { fork } = require("node:child_process");

/** Child side: answers `{id, op, args}` messages with `{id, ok, value | error}`. */
function serve(handlers) {
  process.on("message", async (msg) => {
    if (!msg || typeof msg.id !== "number") return;
    const handler = handlers[msg.op];
    try {
      if (!handler) throw new Error(`unknown op ${msg.op}`);
      const value = await handler(msg.args ?? {});
      process.send({ id: msg.id, ok: true, value });
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: err && err.stack ? err.stack : String(err) });
    }
  });
  process.on("disconnect", () => process.exit(0));
}

/** Parent side: forks `file` and returns { child, call(op, args), close() }. */
function spawnWorker(file, { env = {}, quietStdout = true, execArgv = [] } = {}) {
  const child = fork(file, [], {
    stdio: ["ignore", quietStdout ? "ignore" : "inherit", "inherit", "ipc"],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...env },
    execArgv,
  });
  let next = 1;
  const pending = new Map();
  child.on("message", (msg) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(`${file} ${p.op}: ${msg.error}`));
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.once("exit", (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited (${code ?? signal}) during ${p.op}`));
    pending.clear();
  });
  return {
    child,
    pid: child.pid,
    call(op, args) {
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject, op });
        child.send({ id, op, args });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        await Promise.race([this.call("stop"), new Promise((r) => setTimeout(r, 10_000))]);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => child.kill("SIGTERM"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = { serve, spawnWorker };
