"use strict";
/**
 * Starts Microsoft 365 Agents Playground (@microsoft/m365agentsplayground) as a child process against a bot endpoint,
 * waits until it answers GET /_debug/ping, and stops it again. Used by scripts/playground.js (npm run playground)
 * and by the e2e tests in test/e2e/playground*.test.ts. Plain CommonJS so `node scripts/playground.js` needs no build.
 *
 * Facts this relies on (checked with 0.2.28; see docs/playground.md):
 * - the CLI prints "Listening on <port>"; a taken port makes it silently pick another one, so the real port is
 *   read from that line rather than assumed;
 * - TEAMSAPPTESTER_BROWSER=none stops it from opening a desktop browser; --disable-telemetry plus
 *   APPLICATION_INSIGHTS_NO_STATSBEAT=true stop its outbound telemetry;
 * - it reads mock users/chats/team from M365_AGENTS_PLAYGROUND_CONFIG_PATH, else ./.m365agentsplayground.yml in its
 *   working folder, else a built-in default.
 */
const { spawn } = require("node:child_process");
const net = require("node:net");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..");
const DEFAULT_PORT = 56150;
const DEFAULT_CONFIG = path.join(REPO_ROOT, ".m365agentsplayground.yml");

/** Path of the playground's CLI entry; run with this Node binary, so no shell or .bin shim is involved. */
function playgroundCli() {
  return require.resolve("@microsoft/m365agentsplayground/cli.js", { paths: [REPO_ROOT] });
}

/** The last lines of the playground's log file: when stdout is not a terminal, its errors go there, not to stdout. */
function logTail(logFile, lines = 15) {
  try {
    const text = fs.readFileSync(logFile, "utf8").trim();
    return text === "" ? [] : text.split(/\r?\n/).slice(-lines);
  } catch {
    return [];
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function ping(url, timeoutMs) {
  try {
    const res = await fetch(`${url}/_debug/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok && (await res.text()).trim() === "pong";
  } catch {
    return false;
  }
}

/** A port that was free a moment ago (listen on 0, read it, close); for tests and scripts that must not use fixed ports. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {object} options
 * @param {string} options.botEndpoint     e.g. http://127.0.0.1:3978/api/messages
 * @param {number} [options.port]          port to ask for (default 56150; the playground falls back to another if taken)
 * @param {string} [options.cwd]           working folder of the playground process (default: the repository root)
 * @param {string|null} [options.configPath]  mock Teams context (.m365agentsplayground.yml); null = the built-in default
 * @param {string} [options.logFile]       playground log file (default: a file in a fresh temp dir)
 * @param {string} [options.channelId]     default msteams
 * @param {number} [options.timeoutMs]     how long to wait for "pong" (default 20000)
 * @param {Record<string,string>} [options.env]  extra environment for the child
 * @param {(line: string) => void} [options.onOutput]  receives each line the playground prints
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, output: string[], stop(): Promise<void>}>}
 */
async function startPlayground(options) {
  const { botEndpoint, channelId = "msteams", timeoutMs = 20000, onOutput } = options;
  if (!botEndpoint) throw new Error("startPlayground: botEndpoint is required, e.g. http://127.0.0.1:3978/api/messages");
  const requestedPort = options.port ?? DEFAULT_PORT;
  const cwd = options.cwd ?? REPO_ROOT;
  const configPath = options.configPath === undefined ? DEFAULT_CONFIG : options.configPath;
  let tempDir;
  let logFile = options.logFile;
  if (!logFile) {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "agents-playground-"));
    logFile = path.join(tempDir, "m365agentsplayground.log");
  }
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  const env = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: "none",
    APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    ...options.env,
  };
  // An explicit path, so the mock users do not depend on the child's working folder.
  if (configPath) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = configPath;
  else delete env.M365_AGENTS_PLAYGROUND_CONFIG_PATH;

  const args = [
    playgroundCli(),
    "start",
    "--app-endpoint", botEndpoint,
    "--channel-id", channelId,
    "--port", String(requestedPort),
    "--disable-telemetry",
  ];
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });

  const output = [];
  let listeningPort;
  let exited = false;
  let exitInfo = "";
  const exitPromise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
  });
  const onData = (chunk) => {
    for (const line of chunk.toString("utf8").split(/\r?\n/)) {
      if (line.trim() === "") continue;
      output.push(line);
      if (output.length > 500) output.shift();
      const m = /Listening on (\d+)/.exec(line);
      if (m && listeningPort === undefined) listeningPort = Number(m[1]);
      if (onOutput) onOutput(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      let timer;
      const grace = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), 5000);
      });
      const killed = await Promise.race([exitPromise.then(() => true), grace]);
      clearTimeout(timer);
      if (!killed && !exited) {
        child.kill("SIGKILL");
        await exitPromise;
      }
    }
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  };

  const failure = async (what) => {
    const details = [...output, ...logTail(logFile)];
    await stop();
    return new Error(`Agents Playground ${what}. Its output and log:\n  ${details.join("\n  ") || "(none)"}`);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw await failure(`exited before it was ready (${exitInfo})`);
    if (listeningPort !== undefined && (await ping(`http://127.0.0.1:${listeningPort}`, 1000))) break;
    if (Date.now() > deadline) throw await failure(`did not answer GET /_debug/ping within ${timeoutMs} ms`);
    await delay(100);
  }

  const port = listeningPort;
  return {
    // It listens on all interfaces; 127.0.0.1 keeps clients on loopback.
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    logFile,
    output,
    exited: () => exited,
    onExit: (fn) => {
      void exitPromise.then(() => fn(exitInfo));
    },
    stop,
  };
}

module.exports = { startPlayground, freePort, DEFAULT_PORT, DEFAULT_CONFIG, REPO_ROOT };
