/**
 * Score watches: `watch score below <N>%` and `watch score drop <N>[%]` post here as soon as the hourly check sees a
 * subscription's secure score go under the threshold, or fall by that much since the previous check, naming the
 * controls that lost points; they post again for that subscription only after it recovered. Setting and removing a
 * watch changes what the bot posts (operator); showing it only reads (reader).
 */
import { messageCard } from "../../cards/message";
import { subscriptionLabel } from "../../cards/posture";
import { watchStatusCard } from "../../cards/score-watch";
import { AppError } from "../../domain/errors";
import { describeRules, evaluateWatch, parseWatchScoreArgs, WATCH_USAGE, type ScoreWatch } from "../../domain/score-watch";
import { readScoreData } from "../../digest/digest-data";
import { DEFAULT_WATCH_INTERVAL_MS } from "../../digest/scheduler";
import { deleteWatch, getWatch, upsertWatch } from "../../digest/score-watches";
import { getSubscription } from "../../digest/subscriptions";
import type { CommandSpec } from "../command-spec";

function percent(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

/** `watch`: this conversation's score watch. */
export const spec: CommandSpec = {
  name: "watch",
  usage: WATCH_USAGE,
  summary: "Show this conversation's secure score watch",
  description:
    "A watch checks the secure score every hour and posts here at once when a subscription goes below a percentage " +
    "(watch score below 60%) or drops by an amount since the previous check (watch score drop 3 for points, drop 5% for " +
    "percentage points), naming the controls that lost points. It posts again only after the score recovered. " +
    "Setting or removing a watch needs the operator role.",
  examples: ["watch", "watch score below 60%", "watch score drop 3", "watch off"],
  role: "reader",
  sideEffects: false,
  keywords: ["watch", "threshold", "notify"],
  async handler(inv, services) {
    if (inv.args.length > 0) throw new AppError("BadInput", `I don't know "watch ${inv.args.join(" ").slice(0, 40)}". Use: ${WATCH_USAGE}`);
    const doc = await getWatch(services.store, inv.conversation.id);
    if (doc === undefined) {
      await inv.reply(
        messageCard(services.cards, {
          title: "No score watch here",
          text: `Type watch score below 60% (or drop 3) to hear here as soon as the secure score falls. Use: ${WATCH_USAGE}`,
        }),
      );
      return;
    }
    const names = await services.azure.subscriptionNames();
    const tz = (await getSubscription(services.store, inv.conversation.id))?.value.timeZone ?? services.config.digest.defaultTimeZone;
    await inv.reply(watchStatusCard(services.cards, doc.value, names, tz));
  },
};

/** `watch score below <N>% | drop <N>[%]`: set (or add to) this conversation's watch. */
export const watchScore: CommandSpec = {
  name: "watch score",
  usage: "watch score below <N>% | watch score drop <N>[%]",
  summary: "Post here at once when the secure score falls below N% or drops by N points (N% = percentage points)",
  examples: ["watch score below 60%", "watch score drop 3", "watch score drop 5%"],
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const rules = parseWatchScoreArgs(inv.args);
    const now = services.clock.now();
    const data = await readScoreData({ azure: services.azure, store: services.store, logger: inv.log }, now);
    let already: ReturnType<typeof evaluateWatch>["findings"] = [];
    const saved = await upsertWatch(services.store, inv.conversation.id, (current): ScoreWatch => {
      const merged = { ...current?.rules, ...rules };
      // The first reading is the baseline: a score already below is said here, not posted again until it recovers.
      const evaluated = evaluateWatch(merged, current?.subscriptions ?? {}, data.scores, data.controls);
      already = evaluated.findings.filter((f) => f.kind === "below");
      return {
        conversationId: inv.conversation.id,
        rules: merged,
        createdBy: current?.createdBy ?? { id: inv.actor.id, name: inv.actor.name },
        createdAt: current?.createdAt ?? now.toISOString(),
        updatedAt: now.toISOString(),
        nextCheckAt: new Date(now.getTime() + DEFAULT_WATCH_INTERVAL_MS).toISOString(),
        lastCheckAt: now.toISOString(),
        subscriptions: evaluated.next,
      };
    });
    const rulesText = describeRules(saved!.rules).join(" and ");
    await inv.audit({ action: "watch:on", target: inv.conversation.id, result: "ok", detail: rulesText });
    const facts = data.scores.slice(0, 10).map((s) => ({ title: subscriptionLabel(data.names, s.subscriptionId), value: percent(s.percentage) }));
    const belowNow = already.map((f) => `${subscriptionLabel(data.names, f.subscriptionId)} (${percent(f.percentage)})`);
    await inv.reply(
      messageCard(services.cards, {
        title: "Watching the secure score",
        text:
          `I check every hour and post here as soon as a subscription's score shows ${rulesText}, naming the controls that lost points.` +
          (belowNow.length > 0 ? ` Already below now: ${belowNow.join(", ")}; I'll post about ${belowNow.length === 1 ? "it" : "them"} after a recovery.` : ""),
        style: belowNow.length > 0 ? "warning" : "good",
        facts,
        buttons: [
          { title: "Show the watch", command: "watch" },
          { title: "Stop watching", command: "watch off" },
        ],
      }),
    );
  },
};

/** `watch off`: remove this conversation's watch. */
export const watchOff: CommandSpec = {
  name: "watch off",
  usage: "watch off",
  summary: "Stop watching the secure score in this conversation",
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    if (inv.args.length > 0) throw new AppError("BadInput", `"watch off" takes nothing after it. Use: ${WATCH_USAGE}`);
    const doc = await getWatch(services.store, inv.conversation.id);
    await deleteWatch(services.store, inv.conversation.id);
    if (doc) await inv.audit({ action: "watch:off", target: inv.conversation.id, result: "ok", detail: describeRules(doc.value.rules).join(" and ") });
    await inv.reply(
      messageCard(services.cards, {
        title: doc ? "Score watch off" : "There was no score watch here",
        text: doc ? "I no longer post score changes here." : `Use: ${WATCH_USAGE}`,
      }),
    );
  },
};
