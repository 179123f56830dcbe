/**
 * View model for `vm <name>`: everything about one VM. Page 1 has an overview per VM (network, internet exposure
 * with the allowing NSG rules, JIT ports and open grants, health per topic), then the unhealthy findings grouped by
 * topic and the alerts, both paged. A name found in several subscriptions shows each VM, labelled; an unknown name
 * answers "no VM named …" with close names as buttons.
 */
import type { VmFindingTopic } from "../domain/assessment-keys";
import { formatDuration, tryParseDuration } from "../domain/durations";
import type { Severity } from "../domain/model";
import { nameOf } from "../domain/resource-ids";
import type { VmFinding, VmReport, VmReportEntry } from "../domain/vm-report";
import type { CommandButton } from "./message";
import { page } from "./render";
import type { ReportItem, ReportSection, ReportView } from "./report";
import { severityStyle } from "./report";
import { age, clip, failureWarnings, pageCommand, plural, postureFooter, subscriptionLabel, utcMinute, type PostureContext } from "./posture";

/** Findings per page for one VM (shared out when a name matches several VMs). */
export const VM_FINDINGS_PAGE_SIZE = 8;
/** Alerts per page for one VM. */
export const VM_ALERTS_PAGE_SIZE = 5;
/** VMs of the same name shown on one card. */
export const VM_MATCHES_SHOWN = 3;
/** Lines per overview item (NICs, rules, grants). */
const LINES_SHOWN = 5;

export const TOPIC_LABELS: Readonly<Record<VmFindingTopic, string>> = {
  updates: "System updates",
  endpointProtection: "Endpoint protection",
  vulnerabilityAssessment: "Vulnerability assessment",
  diskEncryption: "Disk encryption",
  other: "Other findings",
};
const TOPICS: readonly VmFindingTopic[] = ["updates", "endpointProtection", "vulnerabilityAssessment", "diskEncryption", "other"];
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { High: 0, Medium: 1, Low: 2 };

function capped(lines: readonly string[], what: string): string[] {
  if (lines.length <= LINES_SHOWN) return [...lines];
  return [...lines.slice(0, LINES_SHOWN - 1), `and ${lines.length - (LINES_SHOWN - 1)} more ${what}`];
}

/** `vm-web-01 · Contoso Production / rg-web-prod`. */
export function vmLabel(entry: VmReportEntry, names: Readonly<Record<string, string>>): string {
  return `${entry.vm.name} · ${subscriptionLabel(names, entry.vm.subscriptionId)} / ${entry.vm.resourceGroup}`;
}

function networkItem(entry: VmReportEntry): ReportItem {
  const lines = entry.nics.map((n) => {
    const parts = [
      n.privateIps.length ? `private ${n.privateIps.join(", ")}` : "no private IP",
      ...(n.publicIps.length ? [`public ${n.publicIps.map((p) => p.address ?? nameOf(p.id)).join(", ")}`] : []),
      ...(n.nsgId ? [`NSG ${nameOf(n.nsgId)}`] : []),
      ...(n.ipForwarding ? ["IP forwarding ON"] : []),
    ];
    return `${clip(n.name, 80)}: ${parts.join(" · ")}`;
  });
  const forwarding = entry.nics.some((n) => n.ipForwarding);
  return {
    title: "Network",
    badge: forwarding ? "IP FWD" : undefined,
    color: forwarding ? "warning" : "default",
    lines: lines.length ? capped(lines, "NICs") : ["No network interface could be read."],
    value: plural(entry.nics.length, "NIC"),
  };
}

function exposureItem(entry: VmReportEntry): ReportItem {
  const open = [...new Set(entry.exposure.flatMap((e) => e.openPorts.map((p) => `${p.protocol.toLowerCase()}/${p.ports}`)))];
  const mgmt = [...new Set(entry.exposure.flatMap((e) => e.openManagementPorts))].sort((a, b) => a - b);
  const unprotected = [...new Set(entry.exposure.flatMap((e) => e.unprotectedManagementPorts))].sort((a, b) => a - b);
  const rules = entry.internetExposingRules.map(
    (r) => `${clip(r.nsgName, 60)} / ${clip(r.ruleName, 60)} · priority ${r.priority} · ${r.protocol} ${clip(r.ports.join(","), 40)} · from ${clip(r.sources.join(","), 60)} (${r.layer} NSG)`,
  );
  const lines: string[] = [];
  if (open.length === 0) lines.push("Nothing is reachable from the internet in the NSG rules read.");
  else {
    lines.push(`Open to the internet: ${clip(open.join(", "), 120)}`);
    if (mgmt.length > 0) {
      lines.push(
        unprotected.length > 0
          ? `Management ports without JIT: ${unprotected.join(", ")}`
          : `Management ports ${mgmt.join(", ")} are covered by JIT`,
      );
    }
    if (entry.exposure.some((e) => e.noNsg)) lines.push("No NSG filters its public IP.");
    lines.push(...capped(rules, "rules"));
    lines.push(...[...new Set(entry.exposure.flatMap((e) => e.caveats))].slice(0, 1).map((c) => clip(c, 200)));
  }
  lines.push(...entry.assessmentDisagreements.slice(0, 2).map((d) => `Note: ${clip(d.message, 220)}`));
  const exposedMgmt = unprotected.length > 0;
  return {
    title: "Internet exposure",
    badge: exposedMgmt ? "EXPOSED" : open.length > 0 ? "OPEN" : "CLOSED",
    color: exposedMgmt ? "attention" : open.length > 0 ? "warning" : "good",
    lines,
    value: mgmt.length > 0 ? `port${mgmt.length > 1 ? "s" : ""} ${mgmt.join(", ")}` : undefined,
  };
}

function jitItem(entry: VmReportEntry, now: Date): ReportItem {
  const ports = entry.jit.ports.map((p) => {
    const ms = tryParseDuration(p.maxRequestAccessDuration);
    const sources = p.allowedSourcePrefixes.filter((s) => s.trim() !== "");
    const from = sources.length === 0 || sources.includes("*") ? "any source you name" : clip(sources.join(", "), 80);
    return `Port ${p.number} ${p.protocol === "*" ? "any protocol" : p.protocol} · up to ${ms === undefined ? p.maxRequestAccessDuration : formatDuration(ms)} · from ${from}`;
  });
  const grants = entry.jit.activeGrants.map(
    (g) => `Open now: port ${g.port} from ${g.source ?? "?"} until ${utcMinute(g.endTime)} (${age(g.endTime, now)})${g.requestor ? ` for ${clip(g.requestor, 60)}` : ""}`,
  );
  return {
    title: "Just-in-time access",
    badge: entry.jit.enabled ? "JIT" : "NO JIT",
    color: entry.jit.enabled ? "good" : "warning",
    lines: entry.jit.enabled ? [...capped(ports, "ports"), ...capped(grants, "grants")] : ["No JIT policy covers this VM."],
    value: entry.jit.activeGrants.length > 0 ? plural(entry.jit.activeGrants.length, "open grant") : undefined,
  };
}

function healthItem(entry: VmReportEntry): ReportItem {
  const lines = TOPICS.filter((t) => t !== "other" || entry.findings.other.length > 0).map((t) => {
    const list = entry.findings[t];
    if (list.length === 0) return `${TOPIC_LABELS[t]}: nothing unhealthy`;
    return `${TOPIC_LABELS[t]}: ${plural(list.length, "unhealthy finding")} (worst ${list[0]!.severity})`;
  });
  const worst = TOPICS.flatMap((t) => entry.findings[t]).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0];
  return {
    title: "Health by topic",
    ...(worst ? severityStyle(worst.severity) : { badge: "OK", color: "good" as const }),
    lines,
    value: plural(entry.findingCount, "finding"),
  };
}

function findingItem(f: VmFinding & { topic: VmFindingTopic }): ReportItem {
  return {
    title: clip(f.displayName, 160),
    ...severityStyle(f.severity),
    lines: [...(f.cause ? [`Why: ${clip(f.cause, 160)}`] : []), ...(f.remediation ? [`Fix: ${clip(f.remediation, 220)}`] : [])],
  };
}

interface EntryPages {
  sections: ReportSection[];
  hasMore: boolean;
}

function entrySections(entry: VmReportEntry, ctx: PostureContext, sizes: { findings: number; alerts: number }, labelled: boolean): EntryPages {
  const names = ctx.subscriptionNames;
  const label = vmLabel(entry, names);
  const prefix = labelled ? `${entry.vm.name} (${subscriptionLabel(names, entry.vm.subscriptionId)}): ` : "";
  const sections: ReportSection[] = [];
  if (ctx.page === 0) {
    sections.push({
      title: label,
      subtitle: [entry.vm.location, entry.vm.osType, entry.vm.powerState].filter((x) => x !== undefined && x !== "").join(" · "),
      items: [healthItem(entry), exposureItem(entry), jitItem(entry, ctx.now), networkItem(entry)],
    });
  }
  const findings = TOPICS.flatMap((topic) => entry.findings[topic].map((f) => ({ ...f, topic })));
  const fp = page(findings, sizes.findings, ctx.page);
  // Group the page's findings by topic, keeping the topic order.
  for (const topic of TOPICS) {
    const items = fp.shown.filter((f) => f.topic === topic);
    if (items.length > 0) sections.push({ title: `${prefix}${TOPIC_LABELS[topic]}`, items: items.map(findingItem) });
  }
  if (fp.more > 0 && sections.length > 0) sections[sections.length - 1]!.more = `${fp.more} more findings on the next page.`;
  if (ctx.page === 0 && findings.length === 0) {
    sections.push({ title: `${prefix}Unhealthy findings`, items: [], empty: "Defender reports nothing unhealthy on this VM." });
  }
  const ap = page(entry.alerts, sizes.alerts, ctx.page);
  if (ctx.page === 0 || ap.shown.length > 0) {
    sections.push({
      title: `${prefix}Alerts (${entry.alerts.length})`,
      items: ap.shown.map((a) => ({
        title: clip(a.displayName, 140),
        ...(a.severity === "Informational" ? { badge: "INFO", color: "default" as const } : severityStyle(a.severity)),
        lines: [`${a.status} · ${utcMinute(a.timeGenerated || a.startTime)}${a.intent ? ` · ${clip(a.intent, 60)}` : ""}`],
        value: age(a.timeGenerated || a.startTime, ctx.now),
      })),
      empty: "No alerts about this VM.",
      more: ap.more > 0 ? `${ap.more} more alerts on the next page.` : undefined,
    });
  }
  return { sections, hasMore: fp.more > 0 || ap.more > 0 };
}

// --- remediation (issue 10): "Fix…" buttons that send `fix …` for this VM's fixable findings.
/** Teams shows at most five top-level actions on a card; the fix buttons take what the others leave. */
const MAX_ACTIONS = 5;

function rgOf(id: string): string {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? "";
}

function fixButtons(entries: readonly VmReportEntry[]): CommandButton[] {
  const out: CommandButton[] = [];
  for (const e of entries) {
    const at = `${e.vm.resourceGroup}/`;
    if (e.exposure.some((x) => x.unprotectedManagementPorts.length > 0)) out.push({ title: clip(`Fix… JIT on ${e.vm.name}`, 40), command: `fix jit ${at}${e.vm.name}` });
    for (const r of e.internetExposingRules.slice(0, 1)) {
      out.push({ title: clip(`Fix… ${r.ruleName}`, 40), command: `fix rule ${rgOf(r.nsgId)}/${r.nsgName}/${r.ruleName}` });
    }
    for (const n of e.nics.filter((x) => x.ipForwarding).slice(0, 1)) out.push({ title: clip(`Fix… forwarding on ${n.name}`, 40), command: `fix forwarding ${rgOf(n.id)}/${n.name}` });
  }
  return out;
}

function withFixButtons(buttons: CommandButton[], entries: readonly VmReportEntry[]): CommandButton[] {
  return [...buttons, ...fixButtons(entries).slice(0, Math.max(0, MAX_ACTIONS - buttons.length))];
}

export function vmView(report: VmReport, ctx: PostureContext): ReportView {
  const warnings = failureWarnings(ctx.failures, ctx.subscriptionNames);
  if (report.matches.length === 0) {
    const buttons: CommandButton[] = report.suggestions.map((s) => ({ title: `vm ${s}`, command: `vm ${s}` }));
    return {
      title: `No VM named "${clip(report.query, 80)}"`,
      subtitle: report.suggestions.length
        ? `Did you mean ${report.suggestions.join(", ")}?`
        : "No VM has a similar name.",
      sections: [],
      warnings: ctx.failures.length > 0 ? [...warnings, "The VM may be in a subscription I could not read."] : warnings,
      buttons,
      footer: postureFooter(ctx, "VM names are matched exactly, ignoring case."),
    };
  }
  const shown = report.matches.slice(0, VM_MATCHES_SHOWN);
  const n = shown.length;
  const sizes = { findings: Math.max(3, Math.floor(VM_FINDINGS_PAGE_SIZE / n)), alerts: Math.max(2, Math.floor(VM_ALERTS_PAGE_SIZE / n)) };
  const pages = shown.map((entry) => entrySections(entry, ctx, sizes, n > 1));
  const sections = pages.flatMap((p) => p.sections);
  const hasMore = pages.some((p) => p.hasMore);
  const next = hasMore ? pageCommand(ctx.command, ctx.page + 1) : undefined;
  if (sections.length === 0) {
    sections.push({ title: `Page ${ctx.page + 1}`, items: [], empty: `Nothing on page ${ctx.page + 1}. Type ${ctx.command} for the first page.` });
  }
  const findingCount = shown.reduce((s, e) => s + e.findingCount, 0);
  const extra = report.matches.length - shown.length;
  return {
    title: n === 1 ? shown[0]!.vm.name : `${report.matches.length} VMs named ${shown[0]!.vm.name}`,
    subtitle:
      n === 1
        ? vmLabel(shown[0]!, ctx.subscriptionNames).split(" · ")[1]
        : `In ${shown.map((e) => `${subscriptionLabel(ctx.subscriptionNames, e.vm.subscriptionId)} / ${e.vm.resourceGroup}`).join("; ")}`,
    headline: { value: String(findingCount), label: findingCount === 1 ? "unhealthy finding" : "unhealthy findings", color: findingCount > 0 ? "attention" : "good" },
    sections,
    warnings: extra > 0 ? [...warnings, `${extra} more ${extra === 1 ? "VM is" : "VMs are"} named ${shown[0]!.vm.name}; showing the first ${n}.`] : warnings,
    buttons: withFixButtons(
      [
        ...(next ? [{ title: "Next page", command: next }] : []),
        ...(ctx.page === 0 && shown.some((e) => !e.jit.enabled && e.exposure.some((x) => x.unprotectedManagementPorts.length > 0))
          ? [{ title: "JIT overview", command: "jit" }]
          : []),
      ],
      ctx.page === 0 ? shown : [],
    ),
    footer: postureFooter(ctx, next ? `More: type ${next}.` : undefined),
  };
}
