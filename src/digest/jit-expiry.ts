/**
 * The JIT expiry job: one pass over the stored requests (`tick`) that
 * - expires requests nobody decided within 30 minutes,
 * - tells the requester shortly before their access ends, and again when it has ended,
 * - marks a request failed when the bot stopped between approval and Azure's answer,
 * and updates every posted approval card accordingly. `start()` runs a pass on a timer; tests call `tick(now)` with
 * a moved clock instead of waiting. Each step is claimed with an optimistic write before anything is sent, so
 * several instances (or an overlapping pass) never send a notice twice.
 */
import type { CardRenderer } from "../cards/render";
import { expireIfStale, markFailed } from "../domain/jit-request";
import { describeJitRequest, expiryStep, JIT_ENDING_NOTICE_MS, type JitRequestRecord } from "../domain/jit-record";
import type { Clock, Notifier } from "../domain/ports";
import type { Logger } from "../logger";
import type { Store } from "../store/store";
import { listJitRecords, notifyRequester, refreshJitCards, saveJitRecordIf, type JitDeliveryDeps } from "./jit-requests";

export interface JitExpiryOptions {
  store: Store;
  cards: CardRenderer;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Time between passes when started. Default 30 s. */
  intervalMs?: number;
  /** How long before the end the requester is warned. Default 5 min. */
  endingNoticeMs?: number;
}

/** What one pass did (for logs and tests). */
export interface JitExpiryResult {
  expired: string[];
  interrupted: string[];
  endingNotices: string[];
  ended: string[];
}

/** The audit log's actor for what the job does on its own. */
const JOB_ACTOR = { actorId: "secops-bot", actorName: "SecOps bot (JIT expiry)" };

export const INTERRUPTED_REASON =
  "The bot stopped while asking Azure to open access, so it is not known whether access was opened. " +
  "Check the VM's JIT requests in Defender for Cloud before asking again.";

export class JitExpiryJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly deps: JitDeliveryDeps;

  constructor(private readonly options: JitExpiryOptions) {
    this.deps = { store: options.store, cards: options.cards, notifier: options.notifier, logger: options.logger };
  }

  /** One pass at `now` (default: the clock). Passes never overlap within one process. */
  tick(now: Date = this.options.clock.now()): Promise<JitExpiryResult> {
    const pass = this.running.then(() => this.pass(now));
    this.running = pass.catch(() => undefined);
    return pass;
  }

  /** Runs a pass every `intervalMs` until stopped; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.options.logger.error({ err }, "JIT expiry pass failed"));
    }, this.options.intervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(now: Date): Promise<JitExpiryResult> {
    const result: JitExpiryResult = { expired: [], interrupted: [], endingNotices: [], ended: [] };
    for (const doc of await listJitRecords(this.options.store)) {
      try {
        await this.step(doc.value, doc.version, now, result);
      } catch (err) {
        // One bad record must not stop the others.
        this.options.logger.error({ err, requestId: doc.key }, "JIT expiry step failed");
      }
    }
    if (Object.values(result).some((ids: string[]) => ids.length > 0)) this.options.logger.info(result, "JIT expiry pass");
    return result;
  }

  private async step(record: JitRequestRecord, version: number, now: Date, result: JitExpiryResult): Promise<void> {
    const step = expiryStep(record, now, this.options.endingNoticeMs ?? JIT_ENDING_NOTICE_MS);
    const at = now.toISOString();
    switch (step.kind) {
      case "none":
        return;
      case "expire": {
        const next: JitRequestRecord = { ...record, ...expireIfStale(record, now) };
        if ((await saveJitRecordIf(this.options.store, next, version)) === undefined) return;
        result.expired.push(record.id);
        await this.audit(at, "jit:expire", next, "expired", next.reason ?? "undecided");
        await refreshJitCards(this.deps, next);
        await notifyRequester(this.deps, next, "expired", now);
        return;
      }
      case "interrupted": {
        const next: JitRequestRecord = { ...record, ...markFailed(record, INTERRUPTED_REASON) };
        if ((await saveJitRecordIf(this.options.store, next, version)) === undefined) return;
        result.interrupted.push(record.id);
        await this.audit(at, "jit:initiate", next, "error", "interrupted: no answer from Azure was recorded");
        await refreshJitCards(this.deps, next);
        await notifyRequester(this.deps, next, "interrupted", now);
        return;
      }
      case "ending": {
        const next: JitRequestRecord = { ...record, endingNoticeAt: at };
        if ((await saveJitRecordIf(this.options.store, next, version)) === undefined) return;
        result.endingNotices.push(record.id);
        await notifyRequester(this.deps, next, "ending", now);
        return;
      }
      case "ended": {
        const next: JitRequestRecord = { ...record, accessEndedAt: at };
        if ((await saveJitRecordIf(this.options.store, next, version)) === undefined) return;
        result.ended.push(record.id);
        await this.audit(at, "jit:access-ended", next, "expired", `${describeJitRequest(next)}; ended ${next.grantEndTime ?? "?"}`);
        await refreshJitCards(this.deps, next);
        await notifyRequester(this.deps, next, "ended", now);
        return;
      }
    }
  }

  private audit(at: string, action: string, record: JitRequestRecord, result: string, detail: string): Promise<void> {
    return this.options.store.appendAudit({
      at,
      ...JOB_ACTOR,
      conversationId: record.conversationId,
      action,
      target: record.id,
      result,
      detail: `${detail}`.slice(0, 300),
    });
  }
}
