import { alertDetailView, alertsView, type NumberedAlert } from "../../cards/alerts";
import { postureCard, type PostureContext } from "../../cards/posture";
import { selectAlerts, windowStart } from "../../domain/alerts";
import { AppError } from "../../domain/errors";
import type { SecurityAlert } from "../../domain/model";
import type { CommandSpec } from "../command-spec";
import { alertsCommand, failuresOf, parseAlertsArgs, quoteArg, severityFromQuestion, USAGE, type AlertsArgs } from "../posture-args";

/** The alert `alerts <number|name>` means: by its number among active alerts, by its alert name, or by its title. */
function findTarget(target: NonNullable<AlertsArgs["target"]>, all: readonly SecurityAlert[], active: readonly NumberedAlert[]): NumberedAlert[] {
  if ("number" in target) {
    const hit = active[target.number - 1];
    if (!hit) {
      throw new AppError(
        "BadInput",
        active.length === 0 ? "There are no active alerts to show." : `There ${active.length === 1 ? "is 1 active alert" : `are ${active.length} active alerts`}; ask for a number from 1 to ${active.length}.`,
      );
    }
    return [hit];
  }
  const wanted = target.name.toLowerCase();
  const numberOf = (a: SecurityAlert): number | undefined => active.find((x) => x.alert.id === a.id)?.number;
  const byName = all.filter((a) => a.name.toLowerCase() === wanted);
  if (byName.length > 0) return byName.map((alert) => ({ alert, number: numberOf(alert) }));
  const byTitle = active.filter((x) => x.alert.displayName.toLowerCase() === wanted);
  if (byTitle.length > 0) return byTitle;
  throw new AppError(
    "BadInput",
    `"${target.name.slice(0, 60)}" is not a severity, a window, an alert number or the name of an alert I can see. Use: ${USAGE.alerts}`,
  );
}

/** `alerts [high|medium|low] [last <N>h|<N>d]`: active Defender alerts, newest first; `alerts <n>` shows one in full. */
export const spec: CommandSpec = {
  name: "alerts",
  aliases: ["alert"],
  usage: USAGE.alerts,
  summary: "Active Defender alerts, newest first; alerts <number> for one alert's remediation steps",
  description:
    "Lists the active Defender for Cloud security alerts across the watched subscriptions, newest first, with severity, the " +
    "resource, the time and the intent (kill-chain stage). Filter by severity and by a window such as last 24h or last 7d. " +
    "Each alert has a number: alerts <number> (or the alert's name or title) shows its description and remediation steps.",
  examples: ["alerts", "alerts high last 24h", "alerts last 7d", "alerts 1"],
  role: "reader",
  sideEffects: false,
  keywords: ["alerts", "alert", "attack", "attacks", "threat", "threats", "incident", "incidents", "suspicious", "intrusion"],
  questionArgs: (words) => [
    ...severityFromQuestion(words),
    ...(words.includes("today") ? ["today"] : words.includes("week") ? ["last", "7d"] : []),
  ],
  async handler(inv, services) {
    const args = parseAlertsArgs(inv.args);
    const now = services.clock.now();
    const [alerts, names] = await Promise.all([services.azure.alerts(), services.azure.subscriptionNames()]);
    const active: NumberedAlert[] = selectAlerts(alerts.items, { now }).map((alert, i) => ({ alert, number: i + 1 }));
    const ctx = (command: string, page = args.page): PostureContext => ({
      subscriptionNames: names,
      failures: failuresOf(alerts),
      page,
      command,
      question: inv.fromQuestion,
      now,
    });
    if (args.target !== undefined) {
      const found = findTarget(args.target, alerts.items, active);
      const command = `alerts ${"number" in args.target ? args.target.number : quoteArg(args.target.name)}`;
      const view = found.length === 1 ? alertDetailView(found[0]!, ctx(command, 0)) : alertsView({ alerts: found }, ctx(command));
      await inv.reply(postureCard(services.cards, view));
      return;
    }
    const since = args.windowMs !== undefined ? windowStart(now, args.windowMs) : undefined;
    const selected = new Set(selectAlerts(alerts.items, { now, severity: args.severity, since }).map((a) => a.id));
    const view = alertsView(
      { alerts: active.filter((x) => selected.has(x.alert.id)), severity: args.severity, window: args.windowText },
      ctx(alertsCommand(args)),
    );
    await inv.reply(postureCard(services.cards, view));
  },
};
