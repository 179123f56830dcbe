/**
 * Runs several SqliteStore writers in worker threads, each with its own connection to the same
 * file, released together so their putDocument calls really overlap. better-sqlite3 is
 * synchronous, so inside one thread two writes can never interleave; this is the only way a test
 * can show the optimistic check holds between connections (as between two bot instances).
 *
 * Workers run outside jest's transformer, so the worker registers a tiny `.ts` loader built on
 * @swc/core (already used by jest) before requiring the store.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";

/** What one writer saw. */
export type WriterOutcome = { writer: number; ok: true; version: number } | { writer: number; ok: false; code: string; message: string };

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const Module = require("node:module");
const swc = require(workerData.swcPath);
Module._extensions[".ts"] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
const { openSqliteStore } = require(workerData.storePath);
const store = openSqliteStore({ dir: workerData.dir });
const gate = new Int32Array(workerData.gate);
parentPort.postMessage({ ready: true });
(async () => {
  for (let round = 0; round < workerData.rounds; round++) {
    // Park until the parent opens this round (gate > round), so every writer starts together.
    for (let seen = Atomics.load(gate, 0); seen <= round; seen = Atomics.load(gate, 0)) Atomics.wait(gate, 0, seen);
    const key = workerData.key + "-" + round;
    const outcome = await store
      .putDocument(workerData.collection, key, { writer: workerData.writer }, { ifVersion: workerData.ifVersion })
      .then(
        (version) => ({ writer: workerData.writer, ok: true, version }),
        (e) => ({ writer: workerData.writer, ok: false, code: String(e && e.code), message: String(e && e.message) }),
      );
    parentPort.postMessage({ round, outcome });
  }
  await store.close();
})();
`;

/**
 * Starts `writers` workers on the store in `dir`. Once all have opened their connection, each of
 * `rounds` rounds releases them together to call
 * putDocument(collection, `${keyPrefix}-${round}`, {writer: n}, {ifVersion}).
 * Several rounds make a lost race likely to show even on a machine with few cores.
 * Returns the outcomes of each round.
 */
export async function raceWriters(options: {
  dir: string;
  writers: number;
  rounds: number;
  collection: string;
  keyPrefix: string;
  ifVersion: number;
}): Promise<WriterOutcome[][]> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const storePath = path.resolve(__dirname, "../../src/store/sqlite-store.ts");
  const swcPath = require.resolve("@swc/core");
  const byRound: WriterOutcome[][] = Array.from({ length: options.rounds }, () => []);

  const workers: Worker[] = [];
  const readies: Promise<void>[] = [];
  let roundDone: (() => void) | undefined;
  let failed: ((e: unknown) => void) | undefined;
  const failure = new Promise<never>((_resolve, reject) => (failed = reject));
  failure.catch(() => undefined); // observed through Promise.race below

  for (let writer = 0; writer < options.writers; writer++) {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { dir: options.dir, collection: options.collection, key: options.keyPrefix, ifVersion: options.ifVersion, rounds: options.rounds, writer, gate: gate.buffer, storePath, swcPath },
    });
    workers.push(worker);
    readies.push(
      new Promise<void>((resolve) => {
        worker.on("message", (message: { ready?: boolean; round?: number; outcome?: WriterOutcome }) => {
          if (message.ready === true) resolve();
          if (message.round !== undefined && message.outcome !== undefined) {
            const outcomes = byRound[message.round];
            outcomes.push(message.outcome);
            if (outcomes.length === options.writers) roundDone?.();
          }
        });
      }),
    );
    worker.on("error", (e) => failed?.(e));
    worker.on("exit", (code) => {
      if (code !== 0) failed?.(new Error(`writer ${writer} exited with code ${code}`));
    });
  }

  try {
    await Promise.race([Promise.all(readies), failure]);
    for (let round = 0; round < options.rounds; round++) {
      const done = new Promise<void>((resolve) => (roundDone = resolve));
      Atomics.store(gate, 0, round + 1);
      Atomics.notify(gate, 0);
      await Promise.race([done, failure]);
    }
    return byRound;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
