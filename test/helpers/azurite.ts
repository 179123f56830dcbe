/**
 * Starts a real Azurite (the Azure Storage emulator, a devDependency) for tests: Blob and Table services on free
 * loopback ports, in memory, without telemetry (no test reaches the internet). One process per test file.
 *
 *   const azurite = await startAzurite();
 *   openAzureTableStore({ connectionString: azurite.connectionString, prefix: "t1" });
 *   await azurite.stop();
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  /** e.g. http://127.0.0.1:41234/devstoreaccount1 */
  tableEndpoint: string;
  blobEndpoint: string;
  /** An account connection string naming both endpoints (what AZURE_STORAGE_CONNECTION_STRING takes). */
  connectionString: string;
  /** Output Azurite wrote (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const READY = /Azurite (Blob|Table) service is successfully listening at (http:\/\/\S+)/g;

/** Starts Azurite and resolves once both services listen. Rejects with its output after `timeoutMs`. */
export async function startAzurite(timeoutMs = 30_000): Promise<Azurite> {
  const location = mkdtempSync(join(tmpdir(), "secops-azurite-"));
  const main = require.resolve("azurite/dist/src/azurite.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      "--inMemoryPersistence",
      "--silent",
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--blobHost", "127.0.0.1", "--blobPort", "0",
      "--tableHost", "127.0.0.1", "--tablePort", "0",
      "--queueHost", "127.0.0.1", "--queuePort", "0",
    ],
    // cwd: Azurite may still write small files (debug logs, extent folders) to its working directory.
    { cwd: location, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const endpoints: Partial<Record<"Blob" | "Table", string>> = {};
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      for (const m of output.matchAll(READY)) endpoints[m[1] as "Blob" | "Table"] = m[2]!.replace(/\/+$/, "");
      if (endpoints.Blob && endpoints.Table) {
        clearTimeout(timer);
        resolve();
      }
    };
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => fail(new Error(`Azurite exited with code ${String(code)}:\n${output}`)));
    child.once("error", (e) => fail(e));
  });

  const tableEndpoint = `${endpoints.Table!}/${AZURITE_ACCOUNT}`;
  const blobEndpoint = `${endpoints.Blob!}/${AZURITE_ACCOUNT}`;
  return {
    tableEndpoint,
    blobEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(location, { recursive: true, force: true });
    },
  };
}
