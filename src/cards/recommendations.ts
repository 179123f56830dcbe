/**
 * View model for `recommendations [high|medium|low] [in <resource-group|subscription>]`: unhealthy assessments grouped
 * by recommendation, most severe and most widespread first, each with the first affected resources, the remediation
 * and a link to the recommendation in Defender for Cloud.
 */
import { affectedNames, type RecommendationGroup } from "../domain/recommendations";
import type { Severity } from "../domain/model";
import type { ReportView } from "./report";
import { severityStyle } from "./report";
import { clip, failureWarnings, nextPageButton, pagedSection, plural, postureFooter, subscriptionLabel, type PostureContext } from "./posture";

/** Recommendations per page. */
export const RECOMMENDATIONS_PAGE_SIZE = 8;
/** Affected resources named per recommendation. */
export const AFFECTED_NAMES_SHOWN = 4;

export interface RecommendationsViewInput {
  groups: readonly RecommendationGroup[];
  severity?: Severity;
  /** What followed "in", as typed. */
  scope?: string;
}

/** Resource names; a subscription-level finding names the subscription rather than its GUID. */
function affectedLine(group: RecommendationGroup, subscriptionNames: Readonly<Record<string, string>>): string {
  const plain = affectedNames(group);
  const names = group.affectedResourceIds.map((id, i) => {
    const sub = /^\/subscriptions\/([^/]+)\/?$/i.exec(id)?.[1];
    return sub !== undefined ? `subscription ${subscriptionLabel(subscriptionNames, sub)}` : plain[i]!;
  });
  const shown = names.slice(0, AFFECTED_NAMES_SHOWN).map((n) => clip(n, 60)).join(", ");
  const rest = names.length - AFFECTED_NAMES_SHOWN;
  return `Affected: ${shown}${rest > 0 ? ` and ${rest} more` : ""}`;
}

export function recommendationsView(input: RecommendationsViewInput, ctx: PostureContext): ReportView {
  const what = `${input.severity ? `${input.severity.toLowerCase()}-severity ` : ""}recommendations${input.scope ? ` in ${clip(input.scope, 60)}` : ""}`;
  const counts: Record<Severity, number> = { High: 0, Medium: 0, Low: 0 };
  for (const g of input.groups) counts[g.severity]++;
  const resources = new Set(input.groups.flatMap((g) => g.affectedResourceIds.map((id) => id.toLowerCase()))).size;
  const { section, nextCommand } = pagedSection(
    "By severity, then by resources affected",
    input.groups,
    RECOMMENDATIONS_PAGE_SIZE,
    ctx,
    (g) => ({
      title: clip(g.displayName, 160),
      ...severityStyle(g.severity),
      lines: [
        affectedLine(g, ctx.subscriptionNames),
        ...(g.remediation ? [`Fix: ${clip(g.remediation, 260)}`] : []),
        ...(/^https:\/\//.test(g.portalUrl) ? [`[Open in Defender for Cloud](${g.portalUrl})`] : []),
      ],
      value: plural(g.affectedCount, "resource"),
    }),
    { empty: `No unhealthy ${what}. Nothing to fix here.` },
  );
  return {
    title: `Recommendations${input.severity ? ` (${input.severity})` : ""}${input.scope ? ` in ${clip(input.scope, 60)}` : ""}`,
    subtitle: `${plural(input.groups.length, "recommendation")} on ${plural(resources, "resource")}`,
    headline: { value: String(input.groups.length), label: "to fix", color: counts.High > 0 ? "attention" : counts.Medium > 0 ? "warning" : "good" },
    facts: input.severity
      ? []
      : [
          { title: "High", value: String(counts.High) },
          { title: "Medium", value: String(counts.Medium) },
          { title: "Low", value: String(counts.Low) },
        ],
    sections: [section],
    warnings: failureWarnings(ctx.failures, ctx.subscriptionNames),
    buttons: [
      ...nextPageButton(nextCommand),
      ...(input.severity === undefined && counts.High > 0 ? [{ title: "High only", command: "recs high" }] : []),
      { title: "Secure score", command: "score" },
    ],
    footer: postureFooter(ctx, "Filter with recs high|medium|low and recs in <resource group or subscription>."),
  };
}
