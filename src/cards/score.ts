/**
 * View model for `score`: the overall secure score (Defender's weighted aggregate), each subscription's current / max
 * and percentage, and the controls with the most to gain, with how many resources are unhealthy in each.
 */
import type { ControlGain, OverallScore } from "../domain/score";
import type { SecureScore } from "../domain/model";
import type { ReportView, TextColor } from "./report";
import { failureWarnings, nextPageButton, pagedSection, plural, postureFooter, subscriptionLabel, type PostureContext } from "./posture";

/** Controls per page. */
export const SCORE_CONTROLS_PAGE_SIZE = 8;
/** Subscriptions listed as facts; more than this are summarised in one line. */
export const SCORE_SUBSCRIPTION_FACTS = 10;

export interface ScoreViewInput {
  overall: OverallScore;
  scores: readonly SecureScore[];
  /** Controls by potential gain, largest first (topControls). */
  controls: readonly ControlGain[];
}

/** Green from 70 %, amber from 40 %, red below (of the percentage as shown, so "70%" is never amber). */
export function scoreColor(percentage: number): TextColor {
  const shown = Math.round(percentage * 100);
  return shown >= 70 ? "good" : shown >= 40 ? "warning" : "attention";
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function scoreView(input: ScoreViewInput, ctx: PostureContext): ReportView {
  const names = ctx.subscriptionNames;
  const scores = [...input.scores].sort((a, b) => a.percentage - b.percentage || subscriptionLabel(names, a.subscriptionId).localeCompare(subscriptionLabel(names, b.subscriptionId)));
  const facts = scores.slice(0, SCORE_SUBSCRIPTION_FACTS).map((s) => ({
    title: subscriptionLabel(names, s.subscriptionId),
    value: `${points(s.current)} / ${points(s.max)} (${percent(s.percentage)})`,
  }));
  if (scores.length > SCORE_SUBSCRIPTION_FACTS) {
    facts.push({ title: "Other subscriptions", value: `${scores.length - SCORE_SUBSCRIPTION_FACTS} more, not shown` });
  }
  const { section, nextCommand } = pagedSection(
    "Top controls by potential gain",
    input.controls,
    SCORE_CONTROLS_PAGE_SIZE,
    ctx,
    (c) => ({
      title: c.displayName,
      badge: c.unhealthyResourceCount > 0 ? "FIX" : undefined,
      color: c.unhealthyResourceCount > 0 ? "attention" : "default",
      lines: [
        `${plural(c.unhealthyResourceCount, "unhealthy resource")} of ${c.unhealthyResourceCount + c.healthyResourceCount} · ${points(c.current)} / ${points(c.max)} points (${percent(c.percentage)})`,
      ],
      value: `+${points(c.potentialGain)}`,
    }),
    {
      subtitle: "Points you gain by making every resource in the control healthy",
      empty: input.scores.length === 0 ? "No secure score could be read." : "Every control has its full score.",
    },
  );
  const none = input.overall.subscriptionCount === 0;
  return {
    title: "Secure score",
    subtitle: none
      ? "No subscription's secure score could be read."
      : `${plural(input.overall.subscriptionCount, "subscription")} · ${points(input.overall.current)} / ${points(input.overall.max)} points`,
    headline: none
      ? undefined
      : { value: percent(input.overall.percentage), label: "overall", color: scoreColor(input.overall.percentage) },
    facts,
    sections: [section],
    warnings: failureWarnings(ctx.failures, names),
    buttons: [...nextPageButton(nextCommand, "More controls"), { title: "High recommendations", command: "recs high" }],
    footer: postureFooter(ctx, "The overall figure weights each subscription as Defender for Cloud does. Type recs high for what to fix first."),
  };
}
