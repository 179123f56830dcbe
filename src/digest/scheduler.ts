/**
 * The digest runner: one pass (`tick(now)`) posts every digest that is due at `now` and not yet posted for its local
 * date, and runs the hourly score-watch checks. Tests drive it with a moved clock; `start()` runs a pass at once (a
 * digest missed while the bot was down is still owed until the local day ends) and then every minute.
 *
 * Exactly once per conversation and local date, across restarts and instances:
 * 1. the subscription is claimed with an optimistic write (ifVersion) before posting, so of two ticks or two
 *    instances only one posts;
 * 2. the result is recorded right after the post (last posted local date, or a retry with backoff, or, when Teams
 *    says the conversation is gone, the subscription is disabled with an audit entry);
 * 3. a claim older than the lease means its instance died mid-post: the digest is owed again. That is the only way
 *    a day can be posted twice: a crash in the moment between Teams accepting the post and the store write after it.
 *
 * Cost: the pass reads Azure at most once (scores only when only watches are due), and renders per conversation.
 */
import { randomUUID } from "node:crypto";
import { Cron } from "croner";
import { digestCard } from "../cards/digest";
import type { CardRenderer } from "../cards/render";
import { watchFiredCard } from "../cards/score-watch";
import { recommendationRefs, type DigestBaseline, type DigestData, type ScoreData } from "../domain/digest";
import { localDate } from "../domain/digest-schedule";
import { isAppError } from "../domain/errors";
import type { AzureGateway, Clock, Notifier, RenderedCard } from "../domain/ports";
import { normalizeId } from "../domain/resource-ids";
import { snapshotOf } from "../domain/score-history";
import { evaluateWatch, type ScoreWatch } from "../domain/score-watch";
import type { Logger } from "../logger";
import type { Store, StoredDocument } from "../store/store";
import { readDigestData, readScoreData } from "./digest-data";
import { settleWithLimit } from "./fan-out";
import { runToday } from "./schedule";
import { deleteWatch, listWatches, saveWatchIf, upsertWatch } from "./score-watches";
import { disableSubscription, listSubscriptions, saveSubscriptionIf, updateSubscription, type DigestSubscription } from "./subscriptions";

export interface DigestSchedulerOptions {
  store: Store;
  azure: AzureGateway;
  cards: CardRenderer;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Posts in flight at once. Default 8. */
  concurrency?: number;
  /** How long a claim keeps others away; older claims are taken to be from a dead instance. Default 5 min. */
  claimLeaseMs?: number;
  /** Attempts per local date before giving up on a conversation for that day. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. Default 1 min. */
  retryBaseMs?: number;
  /** Time between score-watch checks. Default 1 h. */
  watchIntervalMs?: number;
  /** Identifies this instance in claims (logs and diagnostics). */
  instanceId?: string;
}

/** What one pass did, by conversation id (for logs and tests). */
export interface DigestTickResult {
  posted: string[];
  retrying: string[];
  gaveUp: string[];
  disabled: string[];
  watchesChecked: string[];
  watchAlerts: string[];
}

/** The audit log's actor for what the scheduler does on its own. */
const JOB_ACTOR = { actorId: "secops-bot", actorName: "SecOps bot (digest)" };

export const DEFAULT_CLAIM_LEASE_MS = 5 * 60 * 1000;
export const DEFAULT_WATCH_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Whether `sub` owes a digest at `now`: today's scheduled instant (in its zone) has passed, it was subscribed
 * before that instant, nothing was posted (or given up) for today, no live claim holds it and no retry is waiting.
 */
export function digestDue(sub: DigestSubscription, now: Date, claimLeaseMs = DEFAULT_CLAIM_LEASE_MS): boolean {
  const today = localDate(now, sub.timeZone);
  if (sub.lastPostedLocalDate === today || sub.gaveUpLocalDate === today) return false;
  if (sub.claim !== undefined && sub.claim.localDate === today && now.getTime() - Date.parse(sub.claim.at) < claimLeaseMs) return false;
  if (sub.retry !== undefined && sub.retry.localDate === today && now.getTime() < Date.parse(sub.retry.nextAttemptAt)) return false;
  const run = runToday(sub, now);
  return run !== undefined && run.getTime() >= Date.parse(sub.activeFrom);
}

/** What the next digest compares with: this one's figures, keeping the previous ones for what could not be read. */
export function nextBaseline(data: DigestData, previous: DigestBaseline | undefined, now: Date): DigestBaseline {
  const read = new Set(data.scores.map((s) => normalizeId(s.subscriptionId)));
  return {
    at: now.toISOString(),
    scores: [
      ...data.scores.map((s) => ({ subscriptionId: s.subscriptionId, ...snapshotOf(s) })),
      ...(previous?.scores ?? []).filter((s) => !read.has(normalizeId(s.subscriptionId))),
    ],
    highRecommendations: recommendationRefs(data.highRecommendations, previous?.highRecommendations, data.recommendationsComplete),
  };
}

function errorText(err: unknown): string {
  return (isAppError(err) ? `${err.code}: ${err.userMessage}` : err instanceof Error ? err.message : String(err)).slice(0, 200);
}

export class DigestScheduler {
  private job: Cron | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly instanceId: string;

  constructor(private readonly options: DigestSchedulerOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
  }

  /** One pass at `now` (default: the clock). Passes never overlap within one process. */
  tick(now: Date = this.options.clock.now()): Promise<DigestTickResult> {
    const pass = this.running.then(() => this.pass(now));
    this.running = pass.catch(() => undefined);
    return pass;
  }

  /** Runs a pass now (owed digests after a restart) and then at the start of every minute. */
  start(): void {
    if (this.job !== undefined) return;
    const run = () =>
      this.tick().then(
        () => undefined,
        (err: unknown) => this.options.logger.error({ err }, "digest pass failed"),
      );
    this.job = new Cron("0 * * * * *", { protect: true, unref: true }, run);
    void run();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.job?.stop();
    this.job = undefined;
    await this.running;
  }

  private async pass(now: Date): Promise<DigestTickResult> {
    const result: DigestTickResult = { posted: [], retrying: [], gaveUp: [], disabled: [], watchesChecked: [], watchAlerts: [] };
    const lease = this.options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    const due = (await listSubscriptions(this.options.store)).filter((d) => this.safeDue(d, now, lease));
    const watches = (await listWatches(this.options.store)).filter((d) => Date.parse(d.value.nextCheckAt) <= now.getTime());
    if (due.length === 0 && watches.length === 0) return result;

    // Read once per pass; every conversation's card is rendered from the same data.
    const deps = { azure: this.options.azure, store: this.options.store, logger: this.options.logger };
    let scores: Promise<ScoreData> | undefined;
    const scoreData = () => (scores ??= readScoreData(deps, now));

    if (due.length > 0) {
      const data = await readDigestData(deps, now, scoreData());
      // Conversations with the same zone, time and previous digest get the same card: render it once (rendering is
      // the expensive part of a large run, ~40 ms per card).
      const rendered = new Map<string, RenderedCard>();
      const cardFor = (sub: DigestSubscription): RenderedCard => {
        const key = JSON.stringify([sub.timeZone, sub.time, sub.baseline ?? null]);
        let card = rendered.get(key);
        if (card === undefined) {
          card = digestCard(this.options.cards, data, { now, timeZone: sub.timeZone, kind: "scheduled", schedule: sub, baseline: sub.baseline });
          rendered.set(key, card);
        }
        return card;
      };
      const settled = await settleWithLimit(due, this.options.concurrency ?? 8, (doc) => this.deliver(doc, cardFor, data, now, result));
      settled.forEach((s, i) => {
        if (s.status === "rejected") this.options.logger.error({ err: s.reason as unknown, conversationId: due[i]!.key }, "digest delivery failed");
      });
    }
    if (watches.length > 0) {
      const data = await scoreData();
      for (const doc of watches) {
        try {
          await this.checkWatch(doc, data, now, result);
        } catch (err) {
          this.options.logger.error({ err, conversationId: doc.key }, "score watch check failed");
        }
      }
    }
    if (Object.values(result).some((ids: string[]) => ids.length > 0)) this.options.logger.info(result, "digest pass");
    return result;
  }

  private safeDue(doc: StoredDocument<DigestSubscription>, now: Date, lease: number): boolean {
    try {
      return digestDue(doc.value, now, lease);
    } catch (err) {
      // A hand-edited or corrupt schedule must not stop everyone else's digest.
      this.options.logger.warn({ err, conversationId: doc.key }, "digest subscription could not be read");
      return false;
    }
  }

  private async deliver(
    doc: StoredDocument<DigestSubscription>,
    cardFor: (sub: DigestSubscription) => RenderedCard,
    data: DigestData,
    now: Date,
    result: DigestTickResult,
  ): Promise<void> {
    const { store, notifier } = this.options;
    const sub = doc.value;
    const today = localDate(now, sub.timeZone);
    const claimed: DigestSubscription = { ...sub, claim: { localDate: today, at: now.toISOString(), by: this.instanceId } };
    if ((await saveSubscriptionIf(store, claimed, doc.version)) === undefined) return; // another tick or instance has it

    let activityId: string | undefined;
    try {
      activityId = await notifier.post(sub.conversationId, cardFor(sub));
    } catch (err) {
      await this.failed(sub, today, err, now, result);
      return;
    }
    await updateSubscription(store, sub.conversationId, (latest) => ({
      ...latest,
      claim: undefined,
      retry: undefined,
      lastPostedLocalDate: today,
      lastPostedAt: now.toISOString(),
      lastActivityId: activityId,
      baseline: nextBaseline(data, latest.baseline, now),
    }));
    result.posted.push(sub.conversationId);
    await this.audit(now, "digest:post", sub.conversationId, "ok", `${today} (${sub.time} ${sub.timeZone})`);
  }

  private async failed(sub: DigestSubscription, today: string, err: unknown, now: Date, result: DigestTickResult): Promise<void> {
    const { store, logger } = this.options;
    if (isAppError(err) && err.code === "NotFound") {
      // The bot was removed from the conversation (403/404): stop posting there.
      await disableSubscription(store, sub.conversationId, err.userMessage, now);
      result.disabled.push(sub.conversationId);
      logger.warn({ conversationId: sub.conversationId }, "digest subscription disabled: the bot can no longer post there");
      await this.audit(now, "digest:disable", sub.conversationId, "disabled", `could not post: ${errorText(err)}`);
      return;
    }
    const attempts = (sub.retry?.localDate === today ? sub.retry.attempts : 0) + 1;
    const max = this.options.maxAttempts ?? 5;
    logger.warn({ err, conversationId: sub.conversationId, attempts }, "digest post failed");
    if (attempts >= max) {
      await updateSubscription(store, sub.conversationId, (latest) => ({ ...latest, claim: undefined, retry: undefined, gaveUpLocalDate: today }));
      result.gaveUp.push(sub.conversationId);
      await this.audit(now, "digest:post", sub.conversationId, "error", `gave up on ${today} after ${attempts} attempts: ${errorText(err)}`);
      return;
    }
    const delay = (this.options.retryBaseMs ?? 60_000) * 2 ** (attempts - 1);
    await updateSubscription(store, sub.conversationId, (latest) => ({
      ...latest,
      claim: undefined,
      retry: { localDate: today, attempts, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), lastError: errorText(err) },
    }));
    result.retrying.push(sub.conversationId);
  }

  private async checkWatch(doc: StoredDocument<ScoreWatch>, data: ScoreData, now: Date, result: DigestTickResult): Promise<void> {
    const { store, notifier, cards } = this.options;
    const watch = doc.value;
    const interval = this.options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    const claimed: ScoreWatch = { ...watch, nextCheckAt: new Date(now.getTime() + interval).toISOString(), lastCheckAt: now.toISOString() };
    if ((await saveWatchIf(store, claimed, doc.version)) === undefined) return;
    result.watchesChecked.push(watch.conversationId);

    const { findings, next } = evaluateWatch(watch.rules, watch.subscriptions, data.scores, data.controls);
    for (const finding of findings) {
      try {
        await notifier.post(watch.conversationId, watchFiredCard(cards, finding, data.names));
        result.watchAlerts.push(watch.conversationId);
        await this.audit(now, "watch:alert", watch.conversationId, "ok", `${finding.subscriptionId}: ${finding.rule}, now ${Math.round(finding.percentage * 1000) / 10}%`);
      } catch (err) {
        if (isAppError(err) && err.code === "NotFound") {
          await deleteWatch(store, watch.conversationId);
          await this.audit(now, "watch:disable", watch.conversationId, "disabled", `could not post: ${errorText(err)}`);
          return;
        }
        // Not said, so not remembered as said: the next check compares with the same reading and fires again.
        this.options.logger.warn({ err, conversationId: watch.conversationId }, "score watch post failed");
        const key = normalizeId(finding.subscriptionId);
        const before = watch.subscriptions[key];
        if (before === undefined) delete next[key];
        else next[key] = before;
      }
    }
    await upsertWatch(store, watch.conversationId, (latest) => (latest === undefined ? undefined : { ...latest, subscriptions: next }));
  }

  private audit(now: Date, action: string, conversationId: string, result: string, detail: string): Promise<void> {
    return this.options.store.appendAudit({ at: now.toISOString(), ...JOB_ACTOR, conversationId, action, target: conversationId, result, detail: detail.slice(0, 300) });
  }
}
