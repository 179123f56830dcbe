/**
 * The alert intake's listener that posts each new alert (severity, resource, description, remediation, portal link)
 * into every conversation with a digest subscription. The intake has already suppressed duplicates. A conversation
 * the bot was removed from loses its subscription (with an audit entry); a transient failure is retried a few times.
 */
import { alertCard } from "../cards/alert";
import type { CardRenderer } from "../cards/render";
import { isAppError } from "../domain/errors";
import type { AlertListener, IncomingAlert } from "../domain/incoming-alert";
import type { Clock, Notifier } from "../domain/ports";
import type { Logger } from "../logger";
import type { Store } from "../store/store";
import { settleWithLimit } from "./fan-out";
import { disableSubscription, subscribedConversationIds } from "./subscriptions";

export interface AlertPushOptions {
  store: Store;
  cards: CardRenderer;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Posts in flight at once. Default 8. */
  concurrency?: number;
  /** Waits before the 2nd, 3rd… attempt of a post that failed transiently. Default [2 s, 10 s]. */
  retryDelaysMs?: readonly number[];
  /** How to wait (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>;
}

/** What one alert's fan-out did (for logs and tests). */
export interface AlertPushResult {
  posted: string[];
  failed: string[];
  disabled: string[];
}

const JOB_ACTOR = { actorId: "secops-bot", actorName: "SecOps bot (alerts)" };

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Posts one alert to every subscribed conversation. */
export async function pushAlert(options: AlertPushOptions, alert: IncomingAlert): Promise<AlertPushResult> {
  const { store, cards, notifier, logger } = options;
  const result: AlertPushResult = { posted: [], failed: [], disabled: [] };
  const conversations = await subscribedConversationIds(store);
  if (conversations.length === 0) return result;
  const card = alertCard(cards, alert);
  const delays = options.retryDelaysMs ?? [2_000, 10_000];
  const sleep = options.sleep ?? defaultSleep;
  const now = () => options.clock.now();

  await settleWithLimit(conversations, options.concurrency ?? 8, async (conversationId) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await notifier.post(conversationId, card);
        result.posted.push(conversationId);
        return;
      } catch (err) {
        if (isAppError(err) && err.code === "NotFound") {
          await disableSubscription(store, conversationId, err.userMessage, now());
          result.disabled.push(conversationId);
          await store.appendAudit({
            at: now().toISOString(),
            ...JOB_ACTOR,
            conversationId,
            action: "digest:disable",
            target: conversationId,
            result: "disabled",
            detail: `could not post alert ${alert.id.slice(0, 80)}: ${err.userMessage}`.slice(0, 300),
          });
          return;
        }
        if (attempt >= delays.length) {
          logger.warn({ err, conversationId, alertId: alert.id }, "could not post an alert");
          result.failed.push(conversationId);
          return;
        }
        await sleep(delays[attempt]!);
      }
    }
  });

  await store.appendAudit({
    at: now().toISOString(),
    ...JOB_ACTOR,
    action: "alert:post",
    target: alert.id.slice(0, 200),
    result: result.failed.length === 0 ? "ok" : "partial",
    detail: `${alert.severity} "${alert.name}": posted to ${result.posted.length} of ${conversations.length} conversations${
      result.disabled.length > 0 ? `, ${result.disabled.length} gone` : ""
    }${result.failed.length > 0 ? `, ${result.failed.length} failed` : ""}`.slice(0, 300),
  });
  logger.info({ alertId: alert.id, ...result }, "alert posted to subscribed conversations");
  return result;
}

/** The listener to register with the alert intake (`alertIntake.onAlert(createAlertPush(…))`). */
export function createAlertPush(options: AlertPushOptions): AlertListener {
  return async (alert) => {
    await pushAlert(options, alert);
  };
}
