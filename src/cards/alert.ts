/**
 * View model for an alert pushed into subscribed conversations as it arrives on POST /api/alerts: severity, the
 * resources it is about, what happened, what to do, and a link to the portal. Alert text is data, never template.
 */
import type { IncomingAlert } from "../domain/incoming-alert";
import type { RenderedCard } from "../domain/ports";
import { nameOf, resourceGroupOf } from "../domain/resource-ids";
import type { CommandButton } from "./message";
import type { CardRenderer } from "./render";
import { reportCard, severityStyle, type ReportView } from "./report";
import { clip, utcMinute } from "./posture";

/** Resources named on the card; the rest are counted. */
const RESOURCES_SHOWN = 5;
/** Remediation steps shown. */
const STEPS_SHOWN = 6;

function resourceLine(id: string): string {
  const rg = resourceGroupOf(id);
  return rg ? `${nameOf(id)} (${rg})` : nameOf(id);
}

export function alertView(alert: IncomingAlert): ReportView {
  const style = severityStyle(alert.severity);
  const resources = alert.resourceIds.slice(0, RESOURCES_SHOWN).map((id) => clip(resourceLine(id), 120));
  if (alert.resourceIds.length > RESOURCES_SHOWN) resources.push(`${alert.resourceIds.length - RESOURCES_SHOWN} more`);
  const facts = [
    { title: "Resource", value: resources.length > 0 ? resources.join(", ") : "not named in the alert" },
    { title: "Fired", value: utcMinute(alert.firedAt) },
    ...(alert.alertType ? [{ title: "Type", value: clip(alert.alertType, 120) }] : []),
    ...(alert.condition ? [{ title: "Condition", value: clip(alert.condition, 40) }] : []),
  ];
  const steps = alert.remediationSteps.filter((s) => s.trim() !== "");
  const vm = alert.resourceIds.find((id) => /\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(id));
  const buttons: CommandButton[] = [{ title: "Alerts", command: "alerts" }];
  if (vm) buttons.push({ title: `Everything about ${clip(nameOf(vm), 30)}`, command: `vm ${nameOf(vm)}` });
  const resolved = alert.condition !== undefined && /^resolved$/i.test(alert.condition);
  return {
    title: `${resolved ? "Resolved" : "Security alert"}: ${clip(alert.name, 160)}`,
    subtitle: alert.source === "defender" ? "Microsoft Defender for Cloud" : "Azure Monitor",
    headline: { value: style.badge, label: "severity", color: resolved ? "good" : style.color },
    facts,
    sections: [
      {
        title: "What happened",
        items: alert.description ? [{ title: clip(alert.description, 800) }] : [],
        empty: "The alert carries no description.",
      },
      {
        title: "What to do",
        items: steps.slice(0, STEPS_SHOWN).map((s, i) => ({ title: `${i + 1}. ${clip(s, 400)}` })),
        empty: "No remediation steps came with the alert; open it in the portal for Defender's guidance.",
        more: steps.length > STEPS_SHOWN ? `${steps.length - STEPS_SHOWN} more steps in the portal` : undefined,
      },
    ],
    buttons,
    links: alert.portalUrl ? [{ title: "Open in the Azure portal", url: alert.portalUrl }] : [],
    footer: "Posted to every conversation with a digest subscription (digest on).",
  };
}

export function alertCard(cards: CardRenderer, alert: IncomingAlert): RenderedCard {
  const resource = alert.resourceIds[0] ? ` on ${nameOf(alert.resourceIds[0])}` : "";
  return reportCard(cards, alertView(alert), `${alert.severity} alert: ${clip(alert.name, 120)}${resource}`);
}
