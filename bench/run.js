"use strict";
/**
 * `npm run bench [-- --quick] [-- --write-docs]`: benchmarks of the built bot (dist/), printed as tables and written
 * to bench/results/latest.md (+ .json); a full run also updates the results block of docs/benchmarks.md.
 * Method and how to read the figures: docs/benchmarks.md. Not part of `npm test`; nothing here asserts timing.
 */
const { mkdirSync, readFileSync, writeFileSync, existsSync } = require("node:fs");
const os = require("node:os");
const { resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
if (!existsSync(resolve(ROOT, "dist", "composition.js"))) {
  process.stderr.write("bench: dist/ is missing; run `npm run build` first (npm run bench does).\n");
  process.exit(1);
}

const { describeMachine } = require("./lib/machine");
const { benchStartup } = require("./lib/startup");
const { startSim, startBot } = require("./lib/cluster");
const { measureCommands, measureEcho, startEchoBot } = require("./lib/overhead");
const { measureThroughput } = require("./lib/throughput");
const { measureEstate } = require("./lib/arm-cost");
const { measureDigest } = require("./lib/digest");
const { startConnector } = require("./lib/connector");
const { turn } = require("./lib/http");
const { ms, seconds, bytes, int, ratio, median } = require("./lib/stats");

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const WRITE_DOCS = argv.includes("--write-docs") || !QUICK;
const unknown = argv.filter((a) => !["--quick", "--write-docs"].includes(a));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown option ${unknown.join(" ")} (known: --quick, --write-docs)\n`);
  process.exit(2);
}

const COMMANDS = ["help", "score", "recommendations high", "alerts", "vm vm-web-01", "exposure", "jit"];
const LATENCY_MS = 40;
const CARD_LIMIT = 28 * 1024;
const GIB = 1024 ** 3;

/** What each mode measures; the full plan fits in about 10 minutes on two cores. */
const PLAN = QUICK
  ? {
      mode: "quick",
      startup: { runs: 2, idleMs: 1500 },
      overhead: { subscriptions: 2, vms: 13, warmN: 30, coldN: 3 },
      echoN: 100,
      throughput: { commands: ["score"], connections: [1, 10, 100], durationSec: 2 },
      whatIf: { warmN: 30, throughputCommands: ["score"] },
      arm: [
        { subscriptions: 1, vms: 100, naive: "run", commands: [...COMMANDS, "digest now"] },
        { subscriptions: 10, vms: 1000, naive: "count", commands: ["recommendations high", "exposure", "digest now"] },
      ],
      digest: { estate: { subscriptions: 1, vms: 100 }, conversations: [1, 100] },
    }
  : {
      mode: "full",
      startup: { runs: 5, idleMs: 2000 },
      overhead: { subscriptions: 2, vms: 13, warmN: 200, coldN: 10 },
      echoN: 400,
      throughput: { commands: COMMANDS, connections: [1, 10, 100], durationSec: 3 },
      whatIf: { warmN: 100, throughputCommands: ["score", "exposure"] },
      arm: [
        { subscriptions: 1, vms: 100, naive: "run", commands: [...COMMANDS, "digest now", "recommendations", "containers"] },
        {
          subscriptions: 10,
          vms: 1000,
          naive: "count",
          commands: [...COMMANDS, "digest now", "recommendations", "containers"],
          compare: { env: { RESOURCE_GRAPH: "never" }, commands: ["recommendations high", "exposure"] },
        },
        {
          subscriptions: 50,
          vms: 10000,
          naive: "count",
          commands: ["score", "recommendations high", "exposure", "digest now"],
          compare: { env: { RESOURCE_GRAPH: "never" }, commands: ["recommendations high"] },
        },
      ],
      digest: { estate: { subscriptions: 10, vms: 1000 }, conversations: [1, 100, 1000] },
    };

const log = (line) => {
  process.stdout.write(`${line}\n`);
};

async function sectionOverhead(connector) {
  const e = PLAN.overhead;
  const label = `${e.subscriptions}×${e.vms}`;
  log(`\n## 1. Bot overhead, estate ${label}, ARM latency ${LATENCY_MS} ms`);
  const { sim, info } = await startSim({ subscriptions: e.subscriptions, vms: e.vms, latencyMs: LATENCY_MS });
  try {
    let estate;
    let throughput;
    const asBuilt = await startBot(info);
    try {
      const rows = await measureCommands({ bot: asBuilt.bot, sim, url: asBuilt.url, connector }, { commands: COMMANDS, warmN: e.warmN, coldN: e.coldN, log });
      estate = { label, counts: info.counts, warmN: e.warmN, coldN: e.coldN, rows, memory: await asBuilt.bot.call("memory") };
      throughput = await sectionThroughput(asBuilt, PLAN.throughput.commands, { echo: true, connector });
    } finally {
      await asBuilt.bot.close();
    }
    // What-if: the same bot with one change in the card renderer (bench/lib/cached-renderer.js), measured the same way.
    log(`\n## 1c. What-if: parsed card templates kept (proposed change to src/cards/render.ts), estate ${label}`);
    const cached = await startBot(info, { variant: "cached-templates" });
    let whatIf;
    try {
      const rows = await measureCommands({ bot: cached.bot, sim, url: cached.url, connector }, { commands: COMMANDS, warmN: PLAN.whatIf.warmN, coldN: 0, log });
      for (const row of rows) {
        const base = estate.rows.find((x) => x.command === row.command);
        row.sameCard = base.warm.lastCard === row.warm.lastCard;
        if (!row.sameCard) {
          const [a, b] = [base.warm.lastCard, row.warm.lastCard];
          let i = 0;
          while (i < a.length && a[i] === b[i]) i++;
          log(`  ${row.command}: cards differ at ${i}: …${a.slice(Math.max(0, i - 80), i + 80)}… vs …${b.slice(Math.max(0, i - 80), i + 80)}…`);
        }
      }
      const t = await sectionThroughput(cached, PLAN.whatIf.throughputCommands, { echo: false, connector });
      whatIf = { rows, throughput: t.throughput };
    } finally {
      await cached.bot.close();
    }
    return { estates: [estate], ...throughput, whatIf };
  } finally {
    await sim.close();
  }
}

async function sectionThroughput({ bot, url }, commands, { echo: withEcho, connector }) {
  const { connections, durationSec } = PLAN.throughput;
  log(`\n## 1b. Throughput (autocannon, ${durationSec} s per run, warm cache)${withEcho ? " and the echo bot" : ""}`);
  const echo = withEcho ? await startEchoBot() : undefined;
  try {
    let echoLatency;
    const echoRuns = [];
    if (echo) {
      echoLatency = await measureEcho(echo, PLAN.echoN, connector);
      log(`  echo bot: p50 ${echoLatency.e2eP50.toFixed(2)} ms, p99 ${echoLatency.e2eP99.toFixed(2)} ms, cpu ${echoLatency.cpuPerTurn.toFixed(2)} ms/turn`);
      for (const c of connections) {
        const r = await measureThroughput({ url: echo.url, text: "hello", connections: c, durationSec, serviceUrl: connector.url });
        log(`  echo bot       ${String(c).padStart(3)} conversations: ${r.rps.toFixed(0)} turns/s, p99 ${r.latencyP99} ms, errors ${r.errors}`);
        echoRuns.push(r);
      }
    }
    const bots = [];
    for (const command of commands) {
      const runs = [];
      for (const c of connections) {
        let before;
        const r = await measureThroughput({
          url,
          text: command,
          connections: c,
          durationSec,
          serviceUrl: connector.url,
          before: async () => {
            await turn(url, command, { connector }); // warm the cache right before the run
            before = await bot.call("requestCount");
          },
          after: async () => ({ armRequests: (await bot.call("requestCount")) - before }),
        });
        log(`  ${command.padEnd(22)} ${String(c).padStart(3)} conversations: ${r.rps.toFixed(0)} turns/s, p99 ${r.latencyP99} ms, errors ${r.errors}, ARM requests ${r.armRequests}`);
        runs.push(r);
      }
      bots.push({ command, runs });
    }
    return { echo: { latency: echoLatency, runs: echoRuns }, throughput: bots };
  } finally {
    if (echo) await echo.close();
  }
}

async function sectionArm(connector) {
  const out = [];
  for (const e of PLAN.arm) {
    log(`\n## 2. ARM cost, estate ${e.subscriptions}×${e.vms}, ARM latency ${LATENCY_MS} ms`);
    out.push(await measureEstate({ subscriptions: e.subscriptions, vms: e.vms }, { commands: e.commands, latencyMs: LATENCY_MS, naive: e.naive, compare: e.compare, connector, log }));
  }
  return out;
}

async function sectionDigest() {
  const { estate, conversations } = PLAN.digest;
  log(`\n## 3. Digest at scale, estate ${estate.subscriptions}×${estate.vms}, ARM latency ${LATENCY_MS} ms`);
  const { sim, info } = await startSim({ ...estate, latencyMs: LATENCY_MS });
  try {
    return { estate: `${estate.subscriptions}×${estate.vms}`, rows: await measureDigest({ sim, info }, { conversations, log }) };
  } finally {
    await sim.close();
  }
}

async function sectionStartup() {
  log(`\n## 5. Start-up (node dist/index.js, demo mode)`);
  return benchStartup({ ...PLAN.startup, log });
}

// ------------------------------------------------------------------ targets and report

/** "with the change: p99 X ms" for a command, from the what-if run. */
function whatIfNote(r, command) {
  const x = r.overhead.whatIf?.rows.find((y) => y.command === command);
  return x ? `keep parsed card templates (1c): ${command} p99 ${ms(x.warm.overheadP99)}, ${ms(x.warm.cpuPerTurn)} CPU/turn` : "keep parsed card templates (1c)";
}

function evaluate(r) {
  const targets = [];
  const add = (target, measured, pass, fix) => targets.push({ target, measured, pass, fix });

  const small = r.overhead.estates[0];
  const worst = small.rows.reduce((a, b) => (b.warm.overheadP99 > a.warm.overheadP99 ? b : a));
  add(
    `bot overhead p99 < 25 ms, warm (estate ${small.label})`,
    `worst: ${worst.command} ${ms(worst.warm.overheadP99)} (p50 ${ms(worst.warm.overheadP50)}, ${worst.warm.cpuPerTurn.toFixed(1)} ms CPU/turn)`,
    small.rows.every((x) => x.warm.overheadP99 < 25),
    whatIfNote(r, worst.command) + "; the rest is Bot Framework + restify + store per turn (docs/benchmarks.md, 'Findings')",
  );

  const ratios = [];
  for (const b of r.overhead.throughput) {
    b.runs.forEach((run, i) => ratios.push({ command: b.command, connections: run.connections, ratio: run.rps / r.overhead.echo.runs[i].rps }));
  }
  const lowest = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  add(
    "warm throughput ≥ ½ of the echo bot's",
    `lowest: ${lowest.command} at ${lowest.connections} conversation(s), ${(lowest.ratio * 100).toFixed(0)} % of echo`,
    ratios.every((x) => x.ratio >= 0.5),
    "keep parsed card templates (1c); then CPU per turn is the limit: the echo bot does no store writes, audit or rendering",
  );

  const largest = r.arm[r.arm.length - 1];
  for (const command of ["recommendations high", "exposure"]) {
    const row = largest.rows.find((x) => x.command === command);
    if (!row) continue;
    const idle = row.coldMs - row.coldArmWaitMs - row.coldBotCpuMs;
    add(
      `cold \`${command}\` (${largest.estate.label}) < 15 s at ${LATENCY_MS} ms ARM latency`,
      `${seconds(row.coldMs)}, ${int(row.coldRequests)} requests; ARM wait ${seconds(row.coldArmWaitMs)}, bot CPU ${seconds(row.coldBotCpuMs)}`,
      row.coldMs < 15_000,
      idle > row.coldMs / 2
        ? "most of it is waiting for the Resource Graph quota (15 queries per 5 s): ask Resource Graph for unhealthy assessments only (see 'Findings')"
        : command === "exposure"
          ? "index NICs and NSGs once in src/domain/exposure.ts; more than 4 reads in flight (see 'Findings')"
          : "more than 4 reads in flight (see 'Findings')",
    );
    add(
      `warm \`${command}\` (${largest.estate.label}) < 1 s`,
      seconds(row.warmMs),
      row.warmMs < 1000,
      command === "exposure" ? "index NICs and NSGs once in src/domain/exposure.ts (quadratic lookups, see 'Findings')" : "",
    );
  }

  const digestRequests = r.digest.rows.map((x) => x.requests);
  add(
    "digest ARM requests independent of the number of conversations",
    r.digest.rows.map((x) => `${int(x.conversations)} conv: ${x.requests}`).join(", "),
    digestRequests.every((x) => x === digestRequests[0]),
    "",
  );

  const peaks = [
    ...r.arm.map((a) => ({ where: `bot, estate ${a.estate.label}`, rss: a.memory.maxRssKb * 1024 })),
    ...r.digest.rows.map((d) => ({ where: `digest for ${int(d.conversations)} conversations`, rss: d.maxRss })),
  ];
  const peak = peaks.reduce((a, b) => (b.rss > a.rss ? b : a));
  add("peak memory < 1 GiB", `${bytes(peak.rss)} (${peak.where})`, peak.rss < GIB, "stream pages into the mappers instead of collecting every SDK model first");

  const cards = [
    ...r.arm.flatMap((a) => a.rows.map((x) => ({ where: `${x.command} (${a.estate.label})`, size: x.card }))),
    ...r.overhead.estates.flatMap((e) => e.rows.map((x) => ({ where: `${x.command} (${e.label})`, size: Math.max(x.warm.largestCard, x.cold?.largestCard ?? 0) }))),
  ];
  const biggest = cards.reduce((a, b) => (b.size > a.size ? b : a));
  add("no card over 28 KB", `largest: ${bytes(biggest.size)}, ${biggest.where}`, cards.every((c) => c.size < CARD_LIMIT), "page that card's list");

  const start = median(r.startup.samples.map((s) => s.readyMs));
  add(
    "demo start < 3 s (spawn → /healthz 200)",
    `median ${seconds(start)} of ${r.startup.samples.length}`,
    start < 3000,
    "load fewer modules at start: ~2,100 CommonJS files are compiled; bundle dist/ (esbuild) or lazy-load rarely used SDKs",
  );
  return targets;
}

/** A markdown table: the first column left-aligned, the figures right-aligned (text columns named in `left`). */
function table(headers, rows, left = ["target", "measured", "result", "what would fix it"]) {
  const out = [`| ${headers.join(" | ")} |`, `|${headers.map((h, i) => (i === 0 || left.includes(h) ? "---" : "---:")).join("|")}|`];
  for (const row of rows) out.push(`| ${row.join(" | ")} |`);
  return out.join("\n");
}

function render(r, targets, machine, wallSeconds) {
  const md = [];
  const loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(", ");
  md.push(
    `Measured ${machine.date.slice(0, 16).replace("T", " ")} UTC with \`npm run bench${QUICK ? " -- --quick" : ""}\` (${PLAN.mode} run, ${Math.round(wallSeconds)} s) on ` +
      `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}. ` +
      `Load average at start ${machine.loadAverageAtStart.join(", ")}, at end ${loadEnd}` +
      (machine.loadAverageAtStart[0] > machine.cores ? " — **the machine was shared with other work**, so wall-clock figures are pessimistic; the CPU ms per turn are the steadier measure." : "."),
  );
  md.push("", "### Targets", "");
  md.push(table(["target", "measured", "result", "what would fix it"], targets.map((t) => [t.target, t.measured, t.pass ? "met" : "**missed**", t.pass ? "" : t.fix])));

  for (const e of r.overhead.estates) {
    md.push("", `### 1. Bot overhead: estate ${e.label} (${e.counts.vms} VMs), ARM latency ${LATENCY_MS} ms`, "");
    md.push(`Warm: ${e.warmN} turns per command, cache filled. Cold: ${e.coldN} turns, cache dropped before each (p99 of so few = the worst).`, "");
    md.push(
      table(
        ["command", "warm e2e p50", "warm overhead p50", "warm overhead p99", "CPU / turn", "warm ARM req", "cold e2e p50", "cold ARM wait p50", "cold overhead p50", "cold overhead p99", "cold ARM req"],
        e.rows.map((x) => [
          `\`${x.command}\``,
          ms(x.warm.e2eP50),
          ms(x.warm.overheadP50),
          ms(x.warm.overheadP99),
          ms(x.warm.cpuPerTurn),
          int(x.warm.requestsPerTurn),
          ms(x.cold.e2eP50),
          ms(x.cold.armP50),
          ms(x.cold.overheadP50),
          ms(x.cold.overheadP99),
          int(x.cold.requestsPerTurn),
        ]),
      ),
    );
    if (e === r.overhead.estates[0]) {
      const echo = r.overhead.echo.latency;
      md.push("", `Echo bot (bare botbuilder + restify, one small card), ${echo.n} turns: p50 ${ms(echo.e2eP50)}, p99 ${ms(echo.e2eP99)}, ${ms(echo.cpuPerTurn)} CPU/turn.`);
      const p50s = e.rows.map((x) => x.warm.overheadP50);
      md.push(`SecOps bot warm overhead p50 is ${ratio(Math.min(...p50s), echo.e2eP50)}–${ratio(Math.max(...p50s), echo.e2eP50)} the echo bot's whole turn.`);
    }
  }

  const conns = PLAN.throughput.connections;
  md.push("", `### 1b. Throughput, warm cache (turns per second; autocannon, ${PLAN.throughput.durationSec} s per run, estate ${r.overhead.estates[0].label})`, "");
  md.push(
    table(
      ["command", ...conns.map((c) => `${c} conv.`), ...conns.map((c) => `vs echo @${c}`), `p99 @${conns[conns.length - 1]}`, "errors", "ARM req"],
      [
        ["echo bot", ...r.overhead.echo.runs.map((x) => int(x.rps)), ...conns.map(() => "1×"), `${r.overhead.echo.runs[conns.length - 1].latencyP99} ms`, int(r.overhead.echo.runs.reduce((a, x) => a + x.errors, 0)), "0"],
        ...r.overhead.throughput.map((b) => [
          `\`${b.command}\``,
          ...b.runs.map((x) => int(x.rps)),
          ...b.runs.map((x, i) => `${((x.rps / r.overhead.echo.runs[i].rps) * 100).toFixed(0)} %`),
          `${b.runs[b.runs.length - 1].latencyP99} ms`,
          int(b.runs.reduce((a, x) => a + x.errors, 0)),
          int(b.runs.reduce((a, x) => a + x.armRequests, 0)),
        ]),
      ],
    ),
  );

  const w = r.overhead.whatIf;
  const base = r.overhead.estates[0];
  md.push("", `### 1c. What-if: keep parsed card templates (the change proposed for src/cards/render.ts), estate ${base.label}`, "");
  md.push(`The same bot built with bench/lib/cached-renderer.js as its card renderer; warm cache, ${PLAN.whatIf.warmN} turns per command.`, "");
  md.push(
    table(
      ["command", "CPU / turn as built", "CPU / turn with the change", "overhead p50 as built", "with the change", "overhead p99 as built", "with the change", "same card"],
      w.rows.map((x) => {
        const b = base.rows.find((y) => y.command === x.command);
        return [`\`${x.command}\``, ms(b.warm.cpuPerTurn), ms(x.warm.cpuPerTurn), ms(b.warm.overheadP50), ms(x.warm.overheadP50), ms(b.warm.overheadP99), ms(x.warm.overheadP99), x.sameCard ? "yes" : "**no**"];
      }),
    ),
  );
  md.push("");
  md.push(
    table(
      ["command", ...conns.map((c) => `${c} conv. with the change`), ...conns.map((c) => `vs echo @${c}`)],
      w.throughput.map((b) => [`\`${b.command}\``, ...b.runs.map((x) => int(x.rps)), ...b.runs.map((x, i) => `${((x.rps / r.overhead.echo.runs[i].rps) * 100).toFixed(0)} %`)]),
    ),
  );

  for (const a of r.arm) {
    const c = a.estate.counts;
    md.push("", `### 2. ARM cost: estate ${a.estate.label} (${int(c.vms)} VMs, ${int(c.nics)} NICs, ${int(c.nsgs)} NSGs, ${int(c.assessments)} assessments), ${LATENCY_MS} ms per request`, "");
    md.push(
      table(
        ["command", "cold requests", "cold time", "of which ARM wait", "bot CPU", "cold first reply", "warm requests", "warm time", "largest card"],
        a.rows.map((x) => [
          `\`${x.command}\``,
          int(x.coldRequests),
          seconds(x.coldMs),
          seconds(x.coldArmWaitMs),
          seconds(x.coldBotCpuMs),
          x.coldProgress ? `progress card at ${seconds(x.coldFirstReplyMs)}` : "the answer",
          int(x.warmRequests),
          seconds(x.warmMs),
          bytes(x.card),
        ]),
        ["command", "cold first reply"],
      ),
    );
    if (a.compared) {
      const setting = Object.entries(a.compared.env).map(([k, v]) => `${k}=${v}`).join(" ");
      md.push("", `The same estate with \`${setting}\` (per-subscription list calls only, no Azure Resource Graph):`, "");
      md.push(
        table(
          ["command", "cold requests", "cold time", "of which ARM wait", "bot CPU", "warm time", "requests vs default", "time vs default"],
          a.compared.rows.map((x) => {
            const d = a.rows.find((y) => y.command === x.command);
            return [
              `\`${x.command}\``,
              int(x.coldRequests),
              seconds(x.coldMs),
              seconds(x.coldArmWaitMs),
              seconds(x.coldBotCpuMs),
              seconds(x.warmMs),
              ratio(x.coldRequests, d?.coldRequests),
              ratio(x.coldMs, d?.coldMs),
            ];
          }),
        ),
      );
    }
    md.push("", "Side by side with the naive script (bench/lib/naive.js, 4 requests in flight like the bot):", "");
    md.push(
      table(
        ["question", "bot requests (cold)", "bot time (cold)", "naive requests", "naive time", "requests ratio", "time ratio"],
        a.naive.map((n) => {
          const bot = a.rows.find((x) => x.command === n.question);
          return [
            `\`${n.question}\``,
            int(bot?.coldRequests),
            seconds(bot?.coldMs),
            `${int(n.requests)}${n.measured ? "" : " (counted)"}`,
            n.measured ? seconds(n.ms) : `≥ ${seconds(n.ms)} (ARM wait alone)`,
            ratio(n.requests, bot?.coldRequests),
            `${n.measured ? "" : "≥ "}${ratio(n.ms, bot?.coldMs)}`,
          ];
        }),
      ),
    );
    md.push("", `Bot peak RSS for this estate: ${bytes(a.memory.maxRssKb * 1024)}.`);
  }

  md.push("", `### 3. Digest at scale: one scheduler pass, estate ${r.digest.estate}, cold cache, ${LATENCY_MS} ms per ARM request`, "");
  md.push(
    table(
      ["conversations", "ARM requests", "time", "posted", "RSS before", "peak RSS", "peak heap"],
      r.digest.rows.map((d) => [int(d.conversations), int(d.requests), seconds(d.ms), `${int(d.posted)} (connector: ${int(d.connectorPosts)})`, bytes(d.rssBefore), bytes(d.peakRss), bytes(d.peakHeap)]),
    ),
  );

  md.push("", "### 4. Card size: the largest card of each command (JSON of the Adaptive Card attachment; limit 28 KB)", "");
  const commands = [...new Set(r.arm.flatMap((a) => a.rows.map((x) => x.command)))];
  md.push(
    table(
      ["command", ...r.overhead.estates.slice(0, 1).map((e) => e.label), ...r.arm.map((a) => a.estate.label)],
      commands.map((cmd) => [
        `\`${cmd}\``,
        ...r.overhead.estates.slice(0, 1).map((e) => {
          const x = e.rows.find((y) => y.command === cmd);
          return x ? bytes(Math.max(x.warm.largestCard, x.cold?.largestCard ?? 0)) : "–";
        }),
        ...r.arm.map((a) => bytes(a.rows.find((x) => x.command === cmd)?.card)),
      ]),
    ),
  );

  const s = r.startup.samples;
  md.push("", `### 5. Start-up: \`node dist/index.js\` in demo mode, ${s.length} runs`, "");
  md.push(
    table(
      ["", "median", "min", "max"],
      [
        ["spawn → URL logged", seconds(median(s.map((x) => x.urlLoggedMs))), seconds(Math.min(...s.map((x) => x.urlLoggedMs))), seconds(Math.max(...s.map((x) => x.urlLoggedMs)))],
        ["spawn → /healthz 200", seconds(median(s.map((x) => x.readyMs))), seconds(Math.min(...s.map((x) => x.readyMs))), seconds(Math.max(...s.map((x) => x.readyMs)))],
        [`RSS after ${PLAN.startup.idleMs / 1000} s idle`, bytes(median(s.map((x) => x.idleRss))), bytes(Math.min(...s.map((x) => x.idleRss))), bytes(Math.max(...s.map((x) => x.idleRss)))],
      ],
    ),
  );
  return md.join("\n");
}

function writeDocs(markdown) {
  const file = resolve(ROOT, "docs", "benchmarks.md");
  const start = "<!-- bench:results:start -->";
  const end = "<!-- bench:results:end -->";
  if (!existsSync(file)) return false;
  const doc = readFileSync(file, "utf8");
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return false;
  writeFileSync(file, `${doc.slice(0, i + start.length)}\n${markdown}\n${doc.slice(j)}`);
  return true;
}

async function main() {
  const t0 = Date.now();
  const machine = describeMachine();
  log(`SecOps bot benchmarks (${PLAN.mode}) — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(", ")}`);
  const results = {};
  const connector = await startConnector();
  try {
    results.startup = await sectionStartup();
    results.overhead = await sectionOverhead(connector);
    results.arm = await sectionArm(connector);
    results.digest = await sectionDigest();
  } finally {
    await connector.close();
  }
  const targets = evaluate(results);
  const wall = (Date.now() - t0) / 1000;
  const markdown = render(results, targets, machine, wall);

  const dir = resolve(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "latest.md"), `# Benchmark results (${PLAN.mode} run)\n\nMethod: [docs/benchmarks.md](../../docs/benchmarks.md).\n\n${markdown}\n`);
  const strip = (key, value) => (key === "lastCard" ? undefined : value);
  writeFileSync(resolve(dir, "latest.json"), `${JSON.stringify({ plan: PLAN, machine, results, targets, wallSeconds: wall }, strip, 1)}\n`);
  log(`\n${markdown}\n`);
  const wrote = WRITE_DOCS && writeDocs(markdown);
  log(`Wrote bench/results/latest.md and latest.json${wrote ? " and the results block of docs/benchmarks.md" : ""} (${Math.round(wall)} s).`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
