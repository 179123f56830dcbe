/**
 * The daily digest commands. Each subcommand is its own spec because they need different roles: turning the digest
 * on or off changes what the bot posts in a conversation (operator); showing the schedule or posting one now only
 * reads (reader).
 *
 *   digest                                   show this conversation's schedule
 *   digest on [at HH:MM] [tz <IANA zone>]    post a digest here every day (defaults: DIGEST_DEFAULT_TIME / _TZ)
 *   digest off                               stop it
 *   digest now                               post one now
 */
import { digestCard } from "../../cards/digest";
import { messageCard } from "../../cards/message";
import { DIGEST_ON_USAGE, localDateTime, parseDigestOnArgs, type DigestSchedule } from "../../domain/digest-schedule";
import { AppError } from "../../domain/errors";
import { readDigestData } from "../../digest/digest-data";
import { nextRun } from "../../digest/schedule";
import {
  DIGEST_DISABLED,
  DIGEST_SUBSCRIPTIONS,
  getDisabled,
  getSubscription,
  updateSubscription,
  type DigestSubscription,
} from "../../digest/subscriptions";
import type { CommandSpec, Services } from "../command-spec";

const USAGE = `digest | ${DIGEST_ON_USAGE} | digest off | digest now`;

function scheduleText(schedule: DigestSchedule): string {
  return `${schedule.time} ${schedule.timeZone}`;
}

function nextText(schedule: DigestSchedule, services: Services): string {
  const next = nextRun(schedule, services.clock.now());
  const utc = schedule.timeZone === "UTC" ? "" : ` (${next.toISOString().slice(11, 16)} UTC)`;
  return `${localDateTime(next, schedule.timeZone)}${utc}`;
}

function defaults(services: Services): DigestSchedule {
  return { time: services.config.digest.defaultTime, timeZone: services.config.digest.defaultTimeZone };
}

/** `digest`: this conversation's schedule. */
export const spec: CommandSpec = {
  name: "digest",
  usage: USAGE,
  summary: "Show this conversation's daily digest schedule",
  description:
    "The daily digest brings the secure score and its trend, new and fixed high-severity recommendations, alerts of the last " +
    "24 hours, JIT access granted, packet captures that ran, and the top exposures. Conversations with a digest also get " +
    "alerts posted as they arrive. digest on and digest off need the operator role.",
  examples: ["digest", "digest on at 08:30 tz Europe/Berlin", "digest now", "digest off"],
  role: "reader",
  sideEffects: false,
  keywords: ["digest", "daily digest"],
  async handler(inv, services) {
    if (inv.args.length > 0) {
      throw new AppError("BadInput", `I don't know "digest ${inv.args.join(" ").slice(0, 40)}". Use: ${USAGE}`);
    }
    const doc = await getSubscription(services.store, inv.conversation.id);
    if (doc === undefined) {
      const disabled = await getDisabled(services.store, inv.conversation.id);
      const d = defaults(services);
      await inv.reply(
        messageCard(services.cards, {
          title: "No daily digest here",
          text: disabled
            ? `The digest here (${scheduleText(disabled.schedule)}) was turned off on ${disabled.disabledAt.slice(0, 10)} because I could not post here: ${disabled.reason} Type digest on to start it again.`
            : `Type digest on to get one here every day at ${scheduleText(d)}, or choose the time: ${DIGEST_ON_USAGE}.`,
          style: disabled ? "warning" : "default",
          buttons: [
            { title: `Every day at ${d.time}`, command: "digest on" },
            { title: "Post one now", command: "digest now" },
          ],
        }),
      );
      return;
    }
    const sub = doc.value;
    const facts = [
      { title: "Schedule", value: `every day at ${scheduleText(sub)}` },
      { title: "Next", value: nextText(sub, services) },
      { title: "Last posted", value: sub.lastPostedAt ? `${localDateTime(new Date(sub.lastPostedAt), sub.timeZone)} ${sub.timeZone}` : "not yet" },
      { title: "Set by", value: sub.createdBy.name },
    ];
    if (sub.retry) facts.push({ title: "Retrying", value: `attempt ${sub.retry.attempts} failed: ${sub.retry.lastError}` });
    await inv.reply(
      messageCard(services.cards, {
        title: "Daily digest",
        text: "Conversations with a digest also get Defender and Azure Monitor alerts posted as they arrive.",
        facts,
        buttons: [
          { title: "Post one now", command: "digest now" },
          { title: "Turn off", command: "digest off" },
        ],
      }),
    );
  },
};

/** `digest on [at HH:MM] [tz <zone>]`: subscribe this conversation (or change its schedule). */
export const digestOn: CommandSpec = {
  name: "digest on",
  usage: DIGEST_ON_USAGE,
  summary: "Post a daily digest in this conversation (default time from DIGEST_DEFAULT_TIME / DIGEST_DEFAULT_TZ)",
  description:
    "Times are 24-hour HH:MM in an IANA time zone (Europe/Berlin, America/New_York, UTC) and follow daylight saving time. " +
    "Running it again changes the time. The conversation also gets alerts posted as they arrive.",
  examples: ["digest on", "digest on at 07:45", "digest on at 09:00 tz America/New_York"],
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const schedule = parseDigestOnArgs(inv.args, defaults(services));
    const now = services.clock.now().toISOString();
    const conversationId = inv.conversation.id;
    const changed = (current: DigestSubscription | undefined): DigestSubscription => ({
      ...(current ?? {
        conversationId,
        conversationKind: inv.conversation.kind,
        tenantId: inv.conversation.tenantId,
        createdBy: { id: inv.actor.id, name: inv.actor.name },
        createdAt: now,
      }),
      ...schedule,
      activeFrom: now,
      retry: undefined,
      gaveUpLocalDate: undefined,
    });
    const existing = await updateSubscription(services.store, conversationId, changed);
    if (existing === undefined) {
      try {
        await services.store.putDocument(DIGEST_SUBSCRIPTIONS, conversationId, changed(undefined), { ifVersion: 0 });
      } catch {
        // Someone subscribed this conversation at the same moment: apply this schedule on top of theirs.
        await updateSubscription(services.store, conversationId, changed);
      }
    }
    await services.store.deleteDocument(DIGEST_DISABLED, conversationId);
    await inv.audit({ action: "digest:on", target: conversationId, result: "ok", detail: `${existing ? "changed to" : "daily at"} ${scheduleText(schedule)}` });
    await inv.reply(
      messageCard(services.cards, {
        title: existing ? "Digest time changed" : "Daily digest on",
        text: `I'll post the security digest here every day at ${scheduleText(schedule)}. Alerts will be posted here as they arrive.`,
        style: "good",
        facts: [{ title: "Next digest", value: nextText(schedule, services) }],
        buttons: [
          { title: "Post one now", command: "digest now" },
          { title: "Turn off", command: "digest off" },
        ],
      }),
    );
  },
};

/** `digest off`: stop the daily digest (and alert posts) here. */
export const digestOff: CommandSpec = {
  name: "digest off",
  usage: "digest off",
  summary: "Stop the daily digest and alert posts in this conversation",
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    if (inv.args.length > 0) throw new AppError("BadInput", `"digest off" takes nothing after it. Use: ${USAGE}`);
    const conversationId = inv.conversation.id;
    const doc = await getSubscription(services.store, conversationId);
    await services.store.deleteDocument(DIGEST_SUBSCRIPTIONS, conversationId);
    await services.store.deleteDocument(DIGEST_DISABLED, conversationId);
    if (doc) await inv.audit({ action: "digest:off", target: conversationId, result: "ok", detail: `was daily at ${scheduleText(doc.value)}` });
    await inv.reply(
      messageCard(services.cards, {
        title: doc ? "Daily digest off" : "There was no daily digest here",
        text: doc ? "No more digests or alert posts here. Type digest on to start again." : "Type digest on to get one every day.",
      }),
    );
  },
};

/** `digest now`: post a digest here at once (changes are since the last scheduled digest, which it does not replace). */
export const digestNow: CommandSpec = {
  name: "digest now",
  usage: "digest now",
  summary: "Post the security digest in this conversation now",
  role: "reader",
  sideEffects: false,
  async handler(inv, services) {
    if (inv.args.length > 0) throw new AppError("BadInput", `"digest now" takes nothing after it. Use: ${USAGE}`);
    const now = services.clock.now();
    const sub = (await getSubscription(services.store, inv.conversation.id))?.value;
    const data = await readDigestData({ azure: services.azure, store: services.store, logger: inv.log }, now);
    await inv.reply(
      digestCard(services.cards, data, {
        now,
        timeZone: sub?.timeZone ?? services.config.digest.defaultTimeZone,
        kind: "now",
        schedule: sub,
        baseline: sub?.baseline,
      }),
    );
  },
};
