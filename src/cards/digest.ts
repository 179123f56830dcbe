/**
 * View model for the daily digest (the report card layout): secure score per subscription with the change since the
 * previous digest and a 14-day sparkline, new and resolved high-severity recommendations, alerts of the last 24 hours
 * by severity, JIT grants and captures of the day, and the top three exposures, with buttons to the full views.
 * Built once per conversation from data read once per run.
 */
import { countBySeverity, diffRecommendations, type DigestBaseline, type DigestData } from "../domain/digest";
import { localDate, localDateTime, localTime, longDate, type DigestSchedule } from "../domain/digest-schedule";
import type { RenderedCard } from "../domain/ports";
import { nameOf, normalizeId } from "../domain/resource-ids";
import { overallScore } from "../domain/score";
import { formatChange, previousDayPoint, scoreChange, sparkline, trendValues } from "../domain/score-history";
import type { CardRenderer } from "./render";
import { reportCard, severityStyle, type ReportItem, type ReportSection, type ReportView } from "./report";
import { age, clip, failureWarnings, plural, subscriptionLabel } from "./posture";
import { scoreColor } from "./score";

/** Subscriptions listed with their score; more are summarised in one line. */
export const DIGEST_SUBSCRIPTION_FACTS = 10;
/** Entries per section. */
export const DIGEST_SECTION_SIZE = 5;

export interface DigestViewContext {
  now: Date;
  /** The zone the digest's times are shown in. */
  timeZone: string;
  /** A scheduled digest, or one asked for with `digest now`. */
  kind: "scheduled" | "now";
  /** The conversation's schedule, when it has one. */
  schedule?: DigestSchedule;
  /** What the previous scheduled digest here showed. */
  baseline?: DigestBaseline;
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function more(total: number, shown: number, hint: string): string | undefined {
  return total > shown ? `${total - shown} more: ${hint}` : undefined;
}

function scoreFacts(data: DigestData, ctx: DigestViewContext): { title: string; value: string }[] {
  const names = data.names;
  const scores = [...data.scores].sort((a, b) => subscriptionLabel(names, a.subscriptionId).localeCompare(subscriptionLabel(names, b.subscriptionId)));
  const facts = scores.slice(0, DIGEST_SUBSCRIPTION_FACTS).map((s) => {
    const key = normalizeId(s.subscriptionId);
    const history = data.history.get(key);
    const fromDigest = ctx.baseline?.scores.find((b) => normalizeId(b.subscriptionId) === key);
    const previous = fromDigest ?? previousDayPoint(history, ctx.now);
    const change = formatChange(scoreChange(s, previous));
    const since = change === undefined ? undefined : `${change} since ${fromDigest ? "the last digest" : "yesterday"}`;
    const trend = sparkline(trendValues(history, ctx.now));
    const parts = [`${percent(s.percentage)} (${points(s.current)} / ${points(s.max)})`, since, trend.length > 1 ? `14 days ${trend}` : undefined];
    return { title: subscriptionLabel(names, s.subscriptionId), value: parts.filter((p) => p !== undefined).join(" · ") };
  });
  if (scores.length > DIGEST_SUBSCRIPTION_FACTS) {
    facts.push({ title: "Other subscriptions", value: `${scores.length - DIGEST_SUBSCRIPTION_FACTS} more: type score` });
  }
  return facts;
}

function recommendationSection(data: DigestData, ctx: DigestViewContext): ReportSection {
  const diff = diffRecommendations(ctx.baseline?.highRecommendations, data.highRecommendations, data.recommendationsComplete);
  const affected = (ids: readonly string[]) => {
    const shown = ids.slice(0, 3).map(nameOf).join(", ");
    return `${plural(ids.length, "resource")}: ${clip(shown, 120)}${ids.length > 3 ? ", …" : ""}`;
  };
  if (diff.first) {
    const shown = diff.open.slice(0, DIGEST_SECTION_SIZE);
    return {
      title: "High-severity recommendations",
      subtitle: `${diff.open.length} open (the first digest here; later digests show what is new and what was fixed)`,
      items: shown.map((g) => ({ title: clip(g.displayName, 140), badge: "HIGH", color: "attention", lines: [affected(g.affectedResourceIds)] })),
      empty: "No high-severity recommendations are open.",
      more: more(diff.open.length, shown.length, "type recommendations high"),
    };
  }
  const added = diff.added.slice(0, DIGEST_SECTION_SIZE);
  const resolved = diff.resolved.slice(0, DIGEST_SECTION_SIZE);
  const items: ReportItem[] = [
    ...added.map((g): ReportItem => ({ title: clip(g.displayName, 140), badge: "NEW", color: "attention", lines: [affected(g.affectedResourceIds)] })),
    ...resolved.map((r): ReportItem => ({ title: clip(r.name, 140), badge: "FIXED", color: "good", lines: ["No resource is unhealthy any more."] })),
  ];
  const hidden = diff.added.length - added.length + (diff.resolved.length - resolved.length);
  return {
    title: "High-severity recommendations",
    subtitle: `Since the last digest: ${diff.added.length} new, ${diff.resolved.length} fixed · ${diff.open.length} open${
      data.recommendationsComplete ? "" : " · some subscriptions could not be read, so none is called fixed"
    }`,
    items,
    empty: `Nothing new and nothing fixed since the last digest; ${diff.open.length} open.`,
    more: hidden > 0 ? `${hidden} more: type recommendations high` : undefined,
  };
}

const SEVERITY_ORDER: Readonly<Record<string, number>> = { High: 0, Medium: 1, Low: 2, Informational: 3 };

function alertSection(data: DigestData, ctx: DigestViewContext): ReportSection {
  const counts = countBySeverity(data.alerts);
  const ordered = [...data.alerts].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9));
  const shown = ordered.slice(0, DIGEST_SECTION_SIZE);
  return {
    title: "Alerts in the last 24 hours",
    subtitle: `High ${counts.High} · Medium ${counts.Medium} · Low ${counts.Low} · Informational ${counts.Informational}`,
    items: shown.map((a) => {
      const style = severityStyle(a.severity);
      const named = a.resourceIds.filter((id) => !/^\/subscriptions\/[^/]+\/?$/i.test(id));
      const resources = named.slice(0, 2).map(nameOf).join(", ") || a.compromisedEntity || "subscription-wide";
      return {
        title: clip(a.displayName, 140),
        badge: style.badge,
        color: style.color,
        lines: [`${clip(resources, 100)} · ${subscriptionLabel(data.names, a.subscriptionId)}`],
        value: age(a.timeGenerated, ctx.now),
      };
    }),
    empty: "No new active alerts.",
    more: more(data.alerts.length, shown.length, "type alerts last 24h"),
  };
}

function jitSection(data: DigestData, ctx: DigestViewContext): ReportSection {
  const shown = data.jitGrants.slice(0, DIGEST_SECTION_SIZE);
  return {
    title: "JIT access granted in the last 24 hours",
    items: shown.map((g) => {
      const who = [g.requester ? `by ${clip(g.requester, 60)}` : undefined, g.approver ? `approved by ${clip(g.approver, 60)}` : undefined].filter(Boolean).join(", ");
      const when = `${localTime(new Date(g.startTime), ctx.timeZone)}–${localTime(new Date(g.endTime), ctx.timeZone)}${g.source ? ` from ${clip(g.source, 40)}` : ""}`;
      return {
        title: `${clip(g.vmName, 80)} · port${g.ports.length === 1 ? "" : "s"} ${g.ports.join(", ")}`,
        badge: "JIT",
        color: "accent",
        lines: [who, when].filter((l) => l !== ""),
        value: g.requestId,
      };
    }),
    empty: "No JIT access was granted.",
    more: more(data.jitGrants.length, shown.length, "type jit"),
  };
}

function captureSection(data: DigestData, ctx: DigestViewContext): ReportSection {
  const shown = data.captures.slice(0, DIGEST_SECTION_SIZE);
  return {
    title: "Packet captures in the last 24 hours",
    items: shown.map((c) => ({
      title: clip(c.name, 100),
      lines: [[c.vmName ? `on ${clip(c.vmName, 60)}` : undefined, c.by ? `started by ${clip(c.by, 60)}` : undefined, c.status].filter(Boolean).join(" · ")].filter(
        (l) => l !== "",
      ),
      value: age(c.at, ctx.now),
    })),
    empty: "No packet captures ran.",
    more: more(data.captures.length, shown.length, "type capture list"),
  };
}

function exposureSection(data: DigestData): ReportSection {
  return {
    title: "Top exposures",
    subtitle: data.exposedCount > 0 ? `${plural(data.exposedCount, "internet-reachable endpoint")} in all` : undefined,
    items: data.exposures.map((e) => {
      const lines: string[] = [];
      if (e.managementExposed) {
        lines.push(
          `Management ports open to the internet: ${e.openManagementPorts.join(", ")}${
            e.unprotectedManagementPorts.length > 0 ? ` · no JIT on ${e.unprotectedManagementPorts.join(", ")}` : " · JIT on all"
          }`,
        );
      } else {
        lines.push(`Open: ${clip(e.openPorts.map((p) => `${p.protocol.toLowerCase()}/${p.ports}`).join(", "), 100)}`);
      }
      const rule = e.allowingRules[0];
      if (rule) lines.push(`${clip(rule.nsgName, 60)} / ${clip(rule.ruleName, 60)} from ${clip(rule.sources.join(","), 60)}`);
      if (e.noNsg) lines.push("No NSG: nothing filters inbound traffic.");
      return {
        title: `${clip(e.vmName, 80)}${e.publicIpAddress ? ` (${e.publicIpAddress})` : ""}`,
        badge: e.managementExposed ? (e.jitProtected ? "JIT" : "NO JIT") : "OPEN",
        color: e.managementExposed ? (e.jitProtected ? "good" : "attention") : "warning",
        lines,
        value: subscriptionLabel(data.names, e.subscriptionId),
      };
    }),
    empty: "Nothing is reachable from the internet.",
  };
}

function footer(ctx: DigestViewContext): string {
  if (ctx.kind === "now") {
    return ctx.schedule
      ? `Asked for with digest now. The daily digest here comes at ${ctx.schedule.time} ${ctx.schedule.timeZone}; changes are since the last one.`
      : "Asked for with digest now. Type digest on to get one here every day.";
  }
  const schedule = ctx.schedule ? `Daily at ${ctx.schedule.time} ${ctx.schedule.timeZone}. ` : "";
  return `${schedule}Type digest off to stop, or watch score below 60% to hear at once when the score falls.`;
}

export function digestView(data: DigestData, ctx: DigestViewContext): ReportView {
  const overall = overallScore(data.scores);
  const none = overall.subscriptionCount === 0;
  return {
    title: "Daily security digest",
    subtitle: `${longDate(localDate(ctx.now, ctx.timeZone))} · ${localDateTime(ctx.now, ctx.timeZone).slice(-5)} ${ctx.timeZone}`,
    headline: none ? undefined : { value: percent(overall.percentage), label: "secure score", color: scoreColor(overall.percentage) },
    facts: scoreFacts(data, ctx),
    sections: [recommendationSection(data, ctx), alertSection(data, ctx), jitSection(data, ctx), captureSection(data, ctx), exposureSection(data)],
    warnings: failureWarnings(data.failures, data.names),
    buttons: [
      { title: "High recommendations", command: "recommendations high" },
      { title: "Alerts", command: "alerts" },
      { title: "Exposure", command: "exposure" },
    ],
    footer: footer(ctx),
  };
}

export function digestCard(cards: CardRenderer, data: DigestData, ctx: DigestViewContext): RenderedCard {
  const overall = overallScore(data.scores);
  const score = overall.subscriptionCount > 0 ? `secure score ${percent(overall.percentage)}, ` : "";
  const summary = `Daily security digest: ${score}${plural(data.alerts.length, "new alert")}, ${plural(data.highRecommendations.length, "high recommendation")} open`;
  return reportCard(cards, digestView(data, ctx), summary);
}
