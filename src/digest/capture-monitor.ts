/**
 * Watches the captures the bot started until they end: each pass (`tick`) asks Network Watcher for the status of
 * every running capture and updates its record and cards when it stopped (time limit, byte limit, someone's stop) or
 * failed. A capture stuck in "starting" (the bot stopped during the create) is settled from Azure's answer.
 * `start()` runs a pass every `intervalMs`; tests move the simulator's clock and call `tick()`.
 */
import { isActive, type CaptureRecord } from "../domain/capture-rules";
import { isAppError } from "../domain/errors";
import { auditCapture, BOT_ACTOR, listCaptureRecords, refreshCaptureStatus, refreshCaptureCards, updateCapture, type CaptureDeps } from "./capture-workflow";

export interface CaptureMonitorOptions {
  /** Time between passes when started. Default 15 s. */
  intervalMs?: number;
  /** How long a capture may stay "starting" before the monitor asks Azure about it. Default 10 min. */
  startingTimeoutMs?: number;
}

/** What one pass did (for logs and tests). */
export interface CaptureMonitorResult {
  checked: string[];
  ended: string[];
  failed: string[];
}

export const INTERRUPTED_START =
  "The bot stopped while Network Watcher was creating this capture, and Azure does not know it, so it never started. Start it again if you still need it.";

export class CaptureMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: CaptureDeps,
    private readonly options: CaptureMonitorOptions = {},
  ) {}

  /** One pass. Passes never overlap within one process. */
  tick(): Promise<CaptureMonitorResult> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  /** Runs a pass every `intervalMs` until stopped; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.deps.logger.error({ err }, "capture monitor pass failed"));
    }, this.options.intervalMs ?? 15_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(): Promise<CaptureMonitorResult> {
    const result: CaptureMonitorResult = { checked: [], ended: [], failed: [] };
    const now = this.deps.clock.now().getTime();
    const startingTimeout = this.options.startingTimeoutMs ?? 600_000;
    for (const record of await listCaptureRecords(this.deps.store)) {
      if (!isActive(record)) continue;
      // A fresh "starting" capture belongs to the create running in the background.
      if (record.state === "starting" && now - Date.parse(record.createdAt) < startingTimeout) continue;
      result.checked.push(record.name);
      try {
        const updated = record.state === "starting" ? await this.settleStarting(record) : (await refreshCaptureStatus(this.deps, record)).record;
        if (updated.state === "stopped") result.ended.push(record.name);
        if (updated.state === "failed") result.failed.push(record.name);
      } catch (err) {
        this.deps.logger.warn({ err, capture: record.name }, "could not read a capture's status; will try again");
      }
    }
    return result;
  }

  private async settleStarting(record: CaptureRecord): Promise<CaptureRecord> {
    try {
      return (await refreshCaptureStatus(this.deps, record)).record;
    } catch (err) {
      if (!(isAppError(err) && err.code === "NotFound")) throw err;
      const endedAt = this.deps.clock.now().toISOString();
      const updated = await updateCapture(this.deps.store, record.name, (current) =>
        current.state === "starting" ? { ...current, state: "failed", endedAt, error: INTERRUPTED_START } : undefined,
      );
      if (updated?.changed) {
        await refreshCaptureCards(this.deps, updated.record);
        await auditCapture(this.deps, BOT_ACTOR, { action: "capture:ended", target: record.vmId, result: "error", detail: `${record.name}: interrupted` });
      }
      return updated?.record ?? record;
    }
  }
}
