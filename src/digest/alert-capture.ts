/**
 * The alert-triggered capture (DESIGN §1, proactive monitoring): when an alert about a VM matches CAPTURE_ON_ALERT,
 * start a capture on that VM with the usual limits and the one-running-capture-per-VM guard, and post its card to
 * every conversation subscribed to alerts. Registered on the alert intake by the composition root.
 */
import { captureTargetsOf } from "../domain/capture-rules";
import { isAppError } from "../domain/errors";
import type { AlertListener, IncomingAlert } from "../domain/incoming-alert";
import { alertSubscribers } from "./alert-subscribers";
import { auditCapture, BOT_ACTOR, startCapture, type CardRef, type CaptureDeps } from "./capture-workflow";

/** At most this many VMs are captured for one alert (an alert naming a whole fleet should not start a capture storm). */
export const MAX_CAPTURES_PER_ALERT = 3;

export function alertCaptureListener(deps: CaptureDeps): AlertListener {
  return async (alert: IncomingAlert) => {
    const targets = captureTargetsOf(alert, deps.config.capture.onAlert);
    if (targets.length === 0) return;
    const actor = { id: BOT_ACTOR.id, name: `${BOT_ACTOR.name} (alert "${alert.name.slice(0, 80)}")` };
    for (const vmId of targets.slice(0, MAX_CAPTURES_PER_ALERT)) {
      try {
        const record = await startCapture(deps, {
          input: { vmName: vmId, reason: `alert "${alert.name}" (${alert.severity})` },
          actor,
          trigger: { kind: "alert", alertId: alert.id, alertName: alert.name },
          deliver: async (card) => {
            const conversations = await alertSubscribers(deps.store);
            const posted = await Promise.allSettled(conversations.map(async (conversationId) => ({ conversationId, activityId: await deps.notifier.post(conversationId, card) })));
            const refs: CardRef[] = [];
            posted.forEach((p, i) => {
              if (p.status === "fulfilled" && p.value.activityId !== undefined) refs.push({ conversationId: p.value.conversationId, activityId: p.value.activityId });
              else if (p.status === "rejected") deps.logger.warn({ err: p.reason as unknown, conversationId: conversations[i] }, "could not post the capture card");
            });
            if (conversations.length === 0) deps.logger.info({ alertId: alert.id }, "alert-triggered capture: no conversation is subscribed to alerts");
            return refs;
          },
        });
        deps.logger.info({ alertId: alert.id, capture: record.name, vmId }, "alert-triggered capture starting");
      } catch (err) {
        const code = isAppError(err) ? err.code : "Internal";
        deps.logger[isAppError(err) ? "info" : "error"]({ err, alertId: alert.id, vmId }, "alert-triggered capture not started");
        await auditCapture(deps, actor, {
          action: "capture:start",
          target: vmId,
          result: code === "Conflict" ? "conflict" : code === "BadInput" ? "invalid" : "error",
          detail: `alert ${alert.id}: ${isAppError(err) ? err.userMessage : code}`.slice(0, 300),
        });
      }
    }
    if (targets.length > MAX_CAPTURES_PER_ALERT) {
      deps.logger.warn({ alertId: alert.id, vms: targets.length }, `alert names more VMs than ${MAX_CAPTURES_PER_ALERT}; captured the first ones only`);
    }
  };
}
