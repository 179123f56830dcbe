/**
 * Runs the bot as its own OS process, as production does (src/index.ts start(): config from the environment →
 * buildApp → listen), straight from the TypeScript sources: a `.ts` require hook built on @swc/core (the compiler
 * jest already uses) avoids a stale dist/ and a slow tsc build. The child gets only the environment given here (no
 * .env: its working directory is a fresh temporary one) and logs pino JSON lines on stdout, which are kept.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const LAUNCHER = `
const fs = require("node:fs");
const Module = require("node:module");
const swc = require(process.env.SECOPS_TEST_SWC);
Module._extensions[".ts"] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
require(process.env.SECOPS_TEST_ENTRY).start().catch((err) => {
  process.stderr.write("bot process failed: " + (err && err.stack ? err.stack : String(err)) + "\\n");
  process.exit(1);
});
`;

/** One pino log line. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface BotProcess {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Log lines so far (parsed; a line that is not JSON is kept as { msg: <text> }). */
  logs(): LogLine[];
  /** Whether a log line's message contains `text`. */
  logged(text: string): boolean;
  /** Resolves once a log line's message contains `text`; rejects after `timeoutMs` with the logs so far. */
  waitForLog(text: string, timeoutMs?: number): Promise<LogLine>;
  /** Sends an activity to POST /api/messages; resolves with the status and the JSON body, if any. */
  post(activity: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** kill -9: no shutdown, no lease release (a crashed instance). */
  crash(): Promise<void>;
  /** SIGTERM and wait: the bot stops as in production (jobs stopped, lease released). */
  stop(): Promise<void>;
}

/** Spawns a bot and resolves once it listens (it logs "SecOps bot is listening"). */
export async function spawnBot(name: string, env: Record<string, string>, timeoutMs = 45_000): Promise<BotProcess> {
  const cwd = mkdtempSync(join(tmpdir(), `secops-bot-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ["-e", LAUNCHER], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: cwd,
      PORT: "0",
      HOST: "127.0.0.1",
      STATE_DIR: join(cwd, "data"),
      LOG_LEVEL: "info",
      ...env,
      SECOPS_TEST_SWC: require.resolve("@swc/core"),
      SECOPS_TEST_ENTRY: resolve(__dirname, "../../../src/index.ts"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8");
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    for (const text of complete) {
      if (text.trim() === "") continue;
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: text });
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  let exitedAlready = false;
  void exited.then(() => {
    exitedAlready = true;
    for (const w of [...waiters]) w();
  });

  const logged = (text: string) => lines.some((l) => typeof l.msg === "string" && l.msg.includes(text));
  const waitForLog = (text: string, wait = 20_000): Promise<LogLine> =>
    new Promise((resolveWait, reject) => {
      const check = () => {
        const line = lines.find((l) => typeof l.msg === "string" && l.msg.includes(text));
        if (line !== undefined) {
          cleanup();
          resolveWait(line);
        } else if (exitedAlready) {
          cleanup();
          reject(new Error(`bot ${name} exited before logging "${text}".\nstderr: ${stderr}\nlogs: ${lines.map((l) => l.msg).join(" | ")}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`bot ${name} did not log "${text}" within ${wait} ms.\nstderr: ${stderr}\nlogs: ${lines.map((l) => l.msg).join(" | ")}`));
      }, wait);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  let listening: LogLine;
  try {
    listening = await waitForLog("SecOps bot is listening", timeoutMs);
  } catch (e) {
    child.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
    throw e;
  }
  const url = String(listening["url"]);

  const finish = async (signal: NodeJS.Signals) => {
    if (!exitedAlready) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(cwd, { recursive: true, force: true });
  };

  return {
    name,
    pid: child.pid!,
    url,
    logs: () => [...lines],
    logged,
    waitForLog,
    async post(activity) {
      const res = await fetch(`${url}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body };
    },
    crash: () => finish("SIGKILL"),
    stop: () => finish("SIGTERM"),
  };
}
