/**
 * View models for `alerts [high|medium|low] [last <N>h|<N>d]` (active Defender alerts, newest first) and
 * `alerts <number|name>` (one alert with its description and remediation steps).
 *
 * Alerts are numbered by their place among all active alerts, newest first, whatever the filter, so "#3" in a
 * filtered list and `alerts 3` mean the same alert.
 */
import type { AlertSeverity, SecurityAlert } from "../domain/model";
import type { ReportItem, ReportView } from "./report";
import { severityStyle } from "./report";
import {
  age,
  clip,
  failureWarnings,
  nextPageButton,
  pagedSection,
  plural,
  postureFooter,
  resourceLabel,
  subscriptionLabel,
  utcMinute,
  type PostureContext,
} from "./posture";

/** Alerts per page. */
export const ALERTS_PAGE_SIZE = 10;
/** Remediation steps shown in the detail view. */
export const ALERT_STEPS_SHOWN = 12;

/** An alert and its number among all active alerts (1 = newest). */
export interface NumberedAlert {
  number?: number;
  alert: SecurityAlert;
}

export interface AlertsViewInput {
  alerts: readonly NumberedAlert[];
  severity?: AlertSeverity;
  /** The window as people read it, e.g. "24h". */
  window?: string;
}

function alertStyle(severity: AlertSeverity): ReturnType<typeof severityStyle> {
  return severity === "Informational" ? { badge: "INFO", color: "default" } : severityStyle(severity);
}

/** What the alert is about, as a person names it. */
export function alertResource(alert: SecurityAlert, names: Readonly<Record<string, string>>): string {
  const id = alert.resourceIds[0];
  if (id !== undefined) return resourceLabel(id, alert.subscriptionId, names);
  return alert.compromisedEntity ?? `subscription ${subscriptionLabel(names, alert.subscriptionId)}`;
}

function alertTimeText(alert: SecurityAlert): string {
  return alert.timeGenerated || alert.startTime;
}

export function alertsView(input: AlertsViewInput, ctx: PostureContext): ReportView {
  const what = `${input.severity ? `${input.severity.toLowerCase()}-severity ` : ""}active alerts${input.window ? ` in the last ${input.window}` : ""}`;
  const high = input.alerts.filter((a) => a.alert.severity === "High").length;
  const { section, nextCommand } = pagedSection(
    "Newest first",
    input.alerts,
    ALERTS_PAGE_SIZE,
    ctx,
    ({ number, alert }): ReportItem => ({
      title: `${number !== undefined ? `#${number} ` : ""}${clip(alert.displayName, 140)}`,
      ...alertStyle(alert.severity),
      lines: [
        clip(alertResource(alert, ctx.subscriptionNames), 160),
        `${utcMinute(alertTimeText(alert))}${alert.intent ? ` · ${clip(alert.intent, 80)}` : ""}`,
      ],
      value: age(alertTimeText(alert), ctx.now),
    }),
    { empty: `No ${what}.` },
  );
  const first = input.alerts[0];
  return {
    title: `Alerts${input.severity ? ` (${input.severity})` : ""}${input.window ? `, last ${input.window}` : ""}`,
    subtitle: `${plural(input.alerts.length, "active alert")}${high > 0 && input.severity === undefined ? `, ${high} high` : ""}`,
    headline: { value: String(input.alerts.length), label: "active", color: high > 0 ? "attention" : input.alerts.length > 0 ? "warning" : "good" },
    sections: [section],
    warnings: failureWarnings(ctx.failures, ctx.subscriptionNames),
    buttons: [
      ...(first?.number !== undefined ? [{ title: `Details of #${first.number}`, command: `alerts ${first.number}` }] : []),
      ...nextPageButton(nextCommand),
    ],
    footer: postureFooter(ctx, "Type alerts ‹number› for an alert's details and remediation steps."),
  };
}

/** One alert in full: what, where, when, why it matters and the steps to take. */
export function alertDetailView(input: NumberedAlert, ctx: PostureContext): ReportView {
  const { alert, number } = input;
  const names = ctx.subscriptionNames;
  const steps = alert.remediationSteps.filter((s) => s.trim() !== "");
  const shownSteps = steps.slice(0, ALERT_STEPS_SHOWN);
  const facts = [
    { title: "Severity", value: alert.severity },
    { title: "Status", value: alert.status },
    { title: "Resource", value: clip(alertResource(alert, names), 160) },
    { title: "Subscription", value: subscriptionLabel(names, alert.subscriptionId) },
    { title: "Generated", value: `${utcMinute(alertTimeText(alert))} (${age(alertTimeText(alert), ctx.now)})` },
    ...(alert.intent ? [{ title: "Intent", value: clip(alert.intent, 120) }] : []),
    ...(alert.compromisedEntity ? [{ title: "Entity", value: clip(alert.compromisedEntity, 120) }] : []),
    { title: "Type", value: clip(alert.alertType, 120) },
    { title: "Alert name", value: clip(alert.name, 120) },
  ];
  return {
    title: clip(alert.displayName, 200),
    subtitle: number !== undefined ? `Alert #${number} of the active alerts` : undefined,
    headline: { value: alertStyle(alert.severity).badge, label: alert.status.toLowerCase(), color: alertStyle(alert.severity).color },
    facts,
    sections: [
      {
        title: "What happened",
        items: alert.description ? [{ title: clip(alert.description, 1500) }] : [],
        empty: "Defender gave no description.",
      },
      {
        title: "Remediation steps",
        items: shownSteps.map((s, i) => ({ title: `${i + 1}. ${clip(s, 600)}` })),
        empty: "Defender lists no remediation steps for this alert; see it in the portal.",
        more: steps.length > shownSteps.length ? `${steps.length - shownSteps.length} more steps in the portal.` : undefined,
      },
    ],
    warnings: failureWarnings(ctx.failures, names),
    buttons: [
      { title: "All alerts", command: "alerts" },
      // --- remediation (issue 10): dismiss, resolve or reactivate, with a reason and an approval.
      { title: alert.status === "Active" ? "Fix… (dismiss or resolve)" : "Fix… (reactivate)", command: `fix alert ${alert.name}` },
    ],
    links: alert.portalUrl ? [{ title: "Open in Defender for Cloud", url: alert.portalUrl }] : [],
    footer: postureFooter(ctx),
  };
}
