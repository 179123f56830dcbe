/**
 * An ARM-compatible HTTP server with a seeded Azure estate, for demo mode, e2e tests and benchmarks.
 * It speaks the paths, api-versions and wire shapes of the installed @azure/arm-security,
 * @azure/arm-network and @azure/arm-compute clients. See docs/simulator.md.
 */
import type { Estate } from "./estate";
import type { FaultControl } from "./faults";
import { generateEstate } from "./generate-estate";
import { startServer, type RequestStats } from "./server";

export * from "./estate";
export type { FaultControl, FaultSpec } from "./faults";
export type { RequestStats } from "./server";
export { generateEstate, type GenerateEstateOptions } from "./generate-estate";
export { KEYS as SEEDED_ASSESSMENT_KEYS } from "./catalog";
export { NETWORK_API_VERSION } from "./network-routes";
export { COMPUTE_API_VERSION } from "./compute-routes";

/** Named estate sizes: "small" = the named VMs only, "medium" = 200 VMs, "large" = 2000 VMs. */
export type EstateSize = "small" | "medium" | "large";

const SIZES: Record<EstateSize, number> = { small: 0, medium: 200, large: 2000 };

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Serve this estate instead of generating one. */
  estate?: Estate;
  /** Seed of the generated estate (default 1). */
  seed?: number;
  /** Size of the generated estate: a named size or a VM count (the named VMs are always kept). */
  size?: EstateSize | number;
  /** When set, every ARM request must carry "Authorization: Bearer <token>" or gets 401. */
  token?: string;
  /** Items per list page before a nextLink (default 50). */
  pageSize?: number;
  /** The simulator's clock (default: real time). /_sim/advance and advance() move it forward. */
  clock?: () => Date;
  /** Optional pino-shaped logger; `debug` (when present) gets one line per request. */
  logger?: { info(o: unknown, m?: string): void; debug?(o: unknown, m?: string): void };
}

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:54321 (use as the SDK clients' endpoint). */
  url: string;
  port: number;
  /** The live estate: mutate it and the next request sees the change. */
  estate: Estate;
  faults: FaultControl;
  /** Request counts by "METHOD path-template", by status, and in total. */
  stats(): RequestStats;
  resetStats(): void;
  /** Moves the simulator's clock forward (captures end, JIT grants expire). */
  advance(seconds: number): void;
  /** The simulator's current time. */
  now(): Date;
  close(): Promise<void>;
}

/** Starts the simulator; resolves once it is listening. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? ((): Date => new Date());
  const host = options.host ?? "127.0.0.1";
  const size = options.size ?? "small";
  const vms = typeof size === "number" ? size : SIZES[size];
  const estate = options.estate ?? generateEstate({ seed: options.seed ?? 1, vms, now: clock() });
  const running = await startServer({
    estate,
    host,
    port: options.port ?? 0,
    token: options.token,
    pageSize: options.pageSize ?? 50,
    clock,
    logger: options.logger,
  });
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${running.port}`;
  options.logger?.info({ url, vms: estate.vms.length, subscriptions: estate.subscriptions.length }, "ARM simulator listening");
  return {
    url,
    port: running.port,
    estate,
    faults: running.faults,
    stats: running.stats,
    resetStats: running.resetStats,
    advance: running.advance,
    now: running.now,
    close: running.close,
  };
}
