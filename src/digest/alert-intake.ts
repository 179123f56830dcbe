/**
 * The alert webhook's logic behind POST /api/alerts (DESIGN §3.3), free of restify: rate limit per source, the shared
 * secret compared in constant time, the payload read (Azure Monitor common alert schema or a Defender for Cloud
 * alert), duplicates suppressed, and 202 at once; the listeners (alert-triggered capture, channel posts) then run in
 * the background, each in its own try/catch so one failing never stops the others.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { alertDedupeKey, parseAlertPayload } from "../domain/alert-payload";
import { isAppError } from "../domain/errors";
import type { AlertListener, IncomingAlert } from "../domain/incoming-alert";
import type { Clock } from "../domain/ports";
import type { Logger } from "../logger";
import type { AuditEntry, Store } from "../store/store";

/** Store collection of alert ids already handled (dedupe key → first sight). */
export const ALERTS_SEEN = "alerts-seen";

export interface AlertIntakeOptions {
  /** ALERT_WEBHOOK_SECRET; without it every request is refused. */
  secret?: string;
  store: Store;
  clock: Clock;
  logger: Logger;
  runInBackground(name: string, work: () => Promise<void>): void;
  /** Requests accepted per source address per minute (wrong keys count too). Default 60. */
  ratePerMinute?: number;
  /** How long a seen alert is remembered for de-duplication. Default 7 days. */
  seenRetentionMs?: number;
}

export interface AlertRequest {
  /** From `?key=` or the `x-alert-key` header. */
  key?: string;
  body: unknown;
  /** The caller's address, for the rate limit and the audit log. */
  source?: string;
}

export interface AlertResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const WEBHOOK_ACTOR = { actorId: "alert-webhook", actorName: "Alert webhook" };
const PRUNE_EVERY = 100;
const MAX_TRACKED_SOURCES = 10_000;

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function error(status: number, code: string, message: string, headers?: Record<string, string>): AlertResponse {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

export class AlertIntake {
  private readonly listeners: AlertListener[] = [];
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly secretDigest: Buffer | undefined;
  private accepted = 0;

  constructor(private readonly options: AlertIntakeOptions) {
    this.secretDigest = options.secret ? digest(options.secret) : undefined;
  }

  /** Adds a listener; every new alert reaches every listener once, in the order they were added. */
  onAlert(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  /** Handles one webhook request; never throws (a store failure is a 500 that the sender retries). */
  async handle(request: AlertRequest): Promise<AlertResponse> {
    try {
      return await this.process(request);
    } catch (err) {
      this.options.logger.error({ err }, "alert webhook failed");
      return error(500, "InternalError", "The alert could not be recorded; send it again.");
    }
  }

  private async process(request: AlertRequest): Promise<AlertResponse> {
    const source = request.source ?? "unknown";
    const limited = this.rateLimited(source);
    if (limited !== undefined) {
      return error(429, "TooManyRequests", "Too many alert requests from this address; try again shortly.", { "Retry-After": String(limited) });
    }
    if (!this.keyMatches(request.key)) {
      await this.audit({ action: "alert:rejected", result: "denied", detail: `${request.key ? "wrong" : "missing"} key from ${source}` });
      this.options.logger.warn({ source, keyGiven: request.key !== undefined && request.key !== "" }, "alert webhook refused: bad key");
      return error(401, "Unauthorized", "A valid key is required: ?key=<secret> or the x-alert-key header.");
    }
    const body = typeof request.body === "string" || Buffer.isBuffer(request.body) ? this.parseJson(String(request.body)) : request.body;
    const parsed = parseAlertPayload(body, this.options.clock.now());
    if (!parsed.ok) {
      await this.audit({ action: "alert:invalid", result: "invalid", detail: `${parsed.reason} (from ${source})`.slice(0, 300) });
      return error(400, "BadRequest", parsed.reason);
    }
    const alert = parsed.alert;
    const fresh = await this.claim(alert);
    await this.audit({
      action: "alert:received",
      target: alert.id.slice(0, 300),
      result: fresh ? "ok" : "duplicate",
      detail: `${alert.source}: ${alert.name} (${alert.severity})`.slice(0, 300),
    });
    if (!fresh) return { status: 202, body: { status: "duplicate", id: alert.id } };
    this.options.runInBackground(`alert ${alert.id}`, () => this.dispatch(alert));
    if (++this.accepted % PRUNE_EVERY === 0) this.options.runInBackground("prune seen alerts", () => this.pruneSeen());
    return { status: 202, body: { status: "accepted", id: alert.id } };
  }

  /** Runs every listener for one alert, each on its own: a failure is logged and the next still runs. */
  async dispatch(alert: IncomingAlert): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(alert);
      } catch (err) {
        this.options.logger.error({ err, alertId: alert.id }, "alert listener failed");
      }
    }
  }

  private keyMatches(key: string | undefined): boolean {
    if (this.secretDigest === undefined || key === undefined || key === "") return false;
    // Equal-length digests, so the comparison takes the same time whatever was sent.
    return timingSafeEqual(digest(key), this.secretDigest);
  }

  private parseJson(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Seconds to wait when `source` is over its limit, else undefined (and the request is counted). */
  private rateLimited(source: string): number | undefined {
    const now = this.options.clock.now().getTime();
    const limit = this.options.ratePerMinute ?? 60;
    if (this.windows.size > MAX_TRACKED_SOURCES) {
      for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
    }
    const w = this.windows.get(source);
    if (w === undefined || now - w.start >= 60_000) {
      this.windows.set(source, { start: now, count: 1 });
      return undefined;
    }
    if (w.count >= limit) return Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
    w.count++;
    return undefined;
  }

  /** True for the first delivery of this alert (an optimistic create: two deliveries at once cannot both win). */
  private async claim(alert: IncomingAlert): Promise<boolean> {
    try {
      await this.options.store.putDocument(
        ALERTS_SEEN,
        alertDedupeKey(alert),
        { id: alert.id, name: alert.name, firstSeenAt: this.options.clock.now().toISOString() },
        { ifVersion: 0 },
      );
      return true;
    } catch (err) {
      if (isAppError(err) && err.code === "Conflict") return false;
      throw err;
    }
  }

  private async pruneSeen(): Promise<void> {
    const cutoff = this.options.clock.now().getTime() - (this.options.seenRetentionMs ?? 7 * 24 * 3_600_000);
    for (const doc of await this.options.store.listDocuments(ALERTS_SEEN)) {
      if (Date.parse(doc.updatedAt) < cutoff) await this.options.store.deleteDocument(ALERTS_SEEN, doc.key);
    }
  }

  private async audit(entry: Pick<AuditEntry, "action" | "result"> & Partial<AuditEntry>): Promise<void> {
    try {
      await this.options.store.appendAudit({ at: this.options.clock.now().toISOString(), ...WEBHOOK_ACTOR, ...entry });
    } catch (err) {
      this.options.logger.error({ err }, "could not write the alert audit entry");
    }
  }
}
