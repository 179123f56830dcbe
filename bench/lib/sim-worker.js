"use strict";
/**
 * The ARM side of the benchmark, in its own process: the simulator (built, dist/simulator) with a generated estate,
 * behind a recording pass-through proxy. The proxy notes when each ARM request arrived and when its answer left
 * (process.hrtime, CLOCK_MONOTONIC, comparable across processes), so the driver can tell how much of a turn was
 * spent waiting on ARM. The simulator builds nextLinks from the Host header, which the proxy forwards unchanged, so
 * every page goes through the proxy too.
 */
const http = require("node:http");
const { serve } = require("./ipc");
const { startSimulator, generateEstate } = require("../../dist/simulator");

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

let sim;
let proxy;
let intervals = [];
let proxied = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function startProxy(simPort) {
  const server = http.createServer((req, res) => {
    const start = nowMs();
    proxied += 1;
    const upstream = http.request(
      { host: "127.0.0.1", port: simPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("finish", () => intervals.push(start, nowMs()));
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

serve({
  async init({ subscriptions = 2, vms = 13, seed = 1, pageSize = 50, token = "bench-token" }) {
    const t0 = Date.now();
    const estate = generateEstate({ subscriptions, vms, seed, now: new Date() });
    const generatedMs = Date.now() - t0;
    sim = await startSimulator({ estate, token, pageSize });
    proxy = await startProxy(sim.port);
    return {
      url: `http://127.0.0.1:${proxy.address().port}`,
      simUrl: sim.url,
      token,
      generatedMs,
      subscriptionIds: estate.subscriptions.map((s) => s.id),
      counts: {
        vms: estate.vms.length,
        nics: estate.nics.length,
        publicIps: estate.publicIps.length,
        nsgs: estate.nsgs.length,
        watchers: estate.networkWatchers.length,
        flowLogs: estate.flowLogs.length,
        assessments: estate.assessments.length,
        alerts: estate.alerts.length,
        jitPolicies: estate.jitPolicies.length,
      },
    };
  },
  /** Fixed simulated ARM latency on every subscription (simulator fault `latencyMs` on "*"). */
  latency({ ms }) {
    sim.faults.set("*", { latencyMs: ms });
    return ms;
  },
  /** ARM request intervals [start, end, start, end, …] in ms on the shared monotonic clock; clears them. */
  takeIntervals() {
    const out = intervals;
    intervals = [];
    return out;
  },
  stats() {
    return { ...sim.stats(), proxied };
  },
  resetStats() {
    sim.resetStats();
    proxied = 0;
    intervals = [];
    return true;
  },
  /**
   * The requests bench/lib/naive.js makes, counted from the estate instead of sent (for estates where sending them at
   * 40 ms each would take minutes). The benchmark checks this count against the measured one on the smaller estates.
   */
  naiveCounts({ pageSize = 50, vmKeys = 7 }) {
    const e = sim.estate;
    const lower = (id) => id.toLowerCase();
    const pages = (n) => Math.max(1, Math.ceil(n / pageSize));
    let vmListPages = 0;
    let jitListPages = 0;
    for (const sub of e.subscriptions) {
      vmListPages += pages(e.vms.filter((v) => v.subscriptionId === sub.id).length);
      jitListPages += pages(e.jitPolicies.filter((j) => j.subscriptionId === sub.id).length);
    }
    const vmIds = new Set(e.vms.map((v) => lower(v.id)));
    const nics = e.nics.filter((n) => n.vmId !== undefined && vmIds.has(lower(n.vmId)));
    const nsgGets = nics.filter((n) => n.nsgId !== undefined).length;
    const pipGets = nics.reduce((a, n) => a + n.ipConfigurations.filter((c) => c.publicIpId !== undefined).length, 0);
    return {
      recommendations: vmListPages + e.vms.length * vmKeys,
      exposure: vmListPages + jitListPages + e.vms.length + nics.length + nsgGets + pipGets,
    };
  },
  async stop() {
    await new Promise((r) => proxy.close(() => r()));
    proxy.closeAllConnections();
    await sim.close();
    agent.destroy();
    setImmediate(() => process.exit(0));
    return true;
  },
});
