/**
 * View models for score watches: the card posted when a watch fires (which subscription, the rule, the score now and
 * at the previous check, the controls that lost points), and the card that shows a conversation's watch.
 */
import type { RenderedCard } from "../domain/ports";
import { describeRules, type ScoreWatch, type WatchFinding } from "../domain/score-watch";
import { localDateTime } from "../domain/digest-schedule";
import type { CardRenderer } from "./render";
import { reportCard, type ReportItem, type ReportView } from "./report";
import { clip, subscriptionLabel } from "./posture";
import { scoreColor } from "./score";

const CONTROLS_SHOWN = 6;

function percent(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function watchFiredView(finding: WatchFinding, names: Readonly<Record<string, string>>): ReportView {
  const label = subscriptionLabel(names, finding.subscriptionId);
  const facts = [
    { title: "Now", value: `${percent(finding.percentage)} (${points(finding.current)} / ${points(finding.max)} points)` },
    ...(finding.previous ? [{ title: "Previous check", value: `${percent(finding.previous.percentage)} (${points(finding.previous.current)} points)` }] : []),
    { title: "Watch", value: finding.rule },
  ];
  const items: ReportItem[] = finding.lostControls.slice(0, CONTROLS_SHOWN).map((c) => ({
    title: clip(c.displayName, 120),
    badge: "LOST",
    color: "attention",
    lines: [`now ${points(c.current)} / ${points(c.max)} points`],
    value: `-${points(c.lost)}`,
  }));
  return {
    title: finding.kind === "below" ? `Secure score below the watch: ${clip(label, 80)}` : `Secure score dropped: ${clip(label, 80)}`,
    subtitle: finding.kind === "below" ? `The score went ${finding.rule}.` : `The score fell by at least ${finding.rule.replace(/^a drop of /, "")} since the previous hourly check.`,
    headline: { value: percent(finding.percentage), label: "secure score", color: scoreColor(finding.percentage) },
    facts,
    sections: [
      {
        title: "Controls that lost points",
        items,
        empty: finding.previous ? "No single control lost points; the maximum may have grown (new resources)." : "This is the first check for this subscription.",
        more: finding.lostControls.length > CONTROLS_SHOWN ? `${finding.lostControls.length - CONTROLS_SHOWN} more: type score` : undefined,
      },
    ],
    buttons: [
      { title: "Secure score", command: "score" },
      { title: "High recommendations", command: "recommendations high" },
    ],
    footer: "I post again for this subscription only after it recovers. Type watch off to stop watching.",
  };
}

export function watchFiredCard(cards: CardRenderer, finding: WatchFinding, names: Readonly<Record<string, string>>): RenderedCard {
  const label = subscriptionLabel(names, finding.subscriptionId);
  return reportCard(cards, watchFiredView(finding, names), `Secure score of ${label} is ${percent(finding.percentage)} (${finding.rule})`);
}

/** The `watch` answer: the rules, when the next check runs, and each subscription's state at the last check. */
export function watchStatusView(watch: ScoreWatch, names: Readonly<Record<string, string>>, timeZone: string): ReportView {
  const subs = Object.values(watch.subscriptions).sort((a, b) => subscriptionLabel(names, a.subscriptionId).localeCompare(subscriptionLabel(names, b.subscriptionId)));
  return {
    title: "Secure score watch",
    subtitle: `Watching for ${describeRules(watch.rules).join(" and ")}.`,
    facts: [
      { title: "Set by", value: clip(watch.createdBy.name, 80) },
      { title: "Next check", value: `${localDateTime(new Date(watch.nextCheckAt), timeZone)} ${timeZone}` },
    ],
    sections: [
      {
        title: "At the last check",
        items: subs.slice(0, 10).map((s) => ({
          title: clip(subscriptionLabel(names, s.subscriptionId), 100),
          badge: s.belowFiring || s.droppedFrom !== undefined ? "FIRED" : "OK",
          color: s.belowFiring || s.droppedFrom !== undefined ? "attention" : "good",
          value: percent(s.percentage),
        })),
        empty: "No score has been read yet.",
      },
    ],
    buttons: [{ title: "Stop watching", command: "watch off" }],
  };
}

export function watchStatusCard(cards: CardRenderer, watch: ScoreWatch, names: Readonly<Record<string, string>>, timeZone: string): RenderedCard {
  return reportCard(cards, watchStatusView(watch, names, timeZone), `Secure score watch: ${describeRules(watch.rules).join(" and ")}`);
}
