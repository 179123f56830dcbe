/**
 * View model for `exposure [<part>] [page <n>]`: internet-exposed VMs with the NSG rules that allow them in and their
 * JIT state, over-permissive rules, NICs with IP forwarding, NSGs without flow logs, regions without Network Watcher,
 * storage without secure transfer, application gateways without WAF, and where Defender's assessments disagree with
 * the network analysis.
 *
 * Without a part, every part shows its first few entries (the overview); `exposure vms` (and the other parts) lists
 * one part alone with longer pages.
 */
import type {
  AssessedResource,
  AssessmentDisagreement,
  ExposedVm,
  ExposingRule,
  ExposureReport,
  IpForwardingNic,
  NsgWithoutFlowLog,
  OverPermissiveRule,
  RegionWithoutWatcher,
} from "../domain/exposure";
import type { CommandButton } from "./message";
import type { ReportItem, ReportSection, ReportView } from "./report";
import { clip, failureWarnings, pagedSection, plural, postureFooter, resourceLabel, subscriptionLabel, type PostureContext } from "./posture";

/** The parts of the exposure answer, as `exposure <part>` names them. */
export const EXPOSURE_PARTS = ["vms", "rules", "forwarding", "flowlogs", "watchers", "storage", "waf", "disagreements"] as const;
export type ExposurePart = (typeof EXPOSURE_PARTS)[number];

/** Entries per part in the overview. */
export const EXPOSURE_OVERVIEW_SIZE = 4;
/** Exposed VMs in the overview (the part people ask about most). */
export const EXPOSURE_OVERVIEW_VMS = 6;
/** Entries per page when one part is listed alone. */
export const EXPOSURE_PART_PAGE_SIZE = 10;
/** NSG rules named per exposed VM. */
const RULES_PER_VM = 3;

export interface ExposureViewInput {
  report: ExposureReport;
  /** One part alone, or the overview. */
  part?: ExposurePart;
}

type Names = Readonly<Record<string, string>>;

function ruleLine(r: ExposingRule): string {
  return `${clip(r.nsgName, 60)} / ${clip(r.ruleName, 60)} · priority ${r.priority} · ${r.protocol} ${clip(r.ports.join(","), 40)} · from ${clip(r.sources.join(","), 60)} (${r.layer})`;
}

function exposedVmItem(e: ExposedVm, names: Names): ReportItem {
  const where = `${subscriptionLabel(names, e.subscriptionId)} / ${e.resourceGroup}`;
  const open = e.openPorts.map((p) => `${p.protocol.toLowerCase()}/${p.ports}`);
  const lines = [where];
  if (e.managementExposed) {
    const jit = e.jitProtectedPorts.length > 0 ? ` · JIT on ${e.jitProtectedPorts.join(", ")}` : "";
    const without = e.unprotectedManagementPorts.length > 0 ? ` · no JIT on ${e.unprotectedManagementPorts.join(", ")}` : "";
    lines.push(`Management ports open: ${e.openManagementPorts.join(", ")}${jit}${without}`);
  }
  lines.push(`Open: ${clip(open.join(", "), 100)}`);
  if (e.noNsg) lines.push("No NSG: nothing filters inbound traffic.");
  const rules = e.allowingRules.map(ruleLine);
  lines.push(...rules.slice(0, RULES_PER_VM));
  if (rules.length > RULES_PER_VM) lines.push(`and ${rules.length - RULES_PER_VM} more rules`);
  return {
    title: `${clip(e.vmName, 80)}${e.publicIpAddress ? ` (${e.publicIpAddress})` : ""}`,
    badge: e.managementExposed ? (e.jitProtected ? "JIT" : "NO JIT") : "OPEN",
    color: e.managementExposed ? (e.jitProtected ? "good" : "attention") : "warning",
    lines,
    value: e.managementExposed ? `port${e.openManagementPorts.length > 1 ? "s" : ""} ${e.openManagementPorts.join(", ")}` : undefined,
  };
}

const REASON_TEXT: Readonly<Record<string, string>> = {
  managementPort: "management port",
  allPorts: "every port",
  wideRange: "wide port range",
};

function ruleItem(r: OverPermissiveRule, names: Names): ReportItem {
  const mgmt = r.reasons.includes("managementPort") || r.reasons.includes("allPorts");
  return {
    title: `${clip(r.nsgName, 70)} / ${clip(r.ruleName, 70)}`,
    badge: r.reasons.includes("allPorts") ? "ALL" : r.reasons.includes("managementPort") ? "MGMT" : "WIDE",
    color: r.unattached ? "default" : mgmt ? "attention" : "warning",
    lines: [
      `priority ${r.priority} · ${r.protocol} ${clip(r.ports.join(","), 40)} · from ${clip(r.sources.join(","), 60)}`,
      `${r.reasons.map((x) => REASON_TEXT[x] ?? x).join(", ")}${r.managementPorts.length ? ` (${r.managementPorts.join(", ")})` : ""} · ${subscriptionLabel(names, r.subscriptionId)}`,
      ...(r.unattached ? ["The NSG is attached to nothing yet."] : []),
    ],
    value: plural(r.portCount, "port"),
  };
}

function forwardingItem(n: IpForwardingNic, names: Names): ReportItem {
  return {
    title: clip(n.nicName, 80),
    badge: "IP FWD",
    color: "warning",
    lines: [`${n.vmName ? `VM ${clip(n.vmName, 60)}` : "not attached to a VM"} · ${subscriptionLabel(names, n.subscriptionId)}`],
  };
}

function flowLogItem(n: NsgWithoutFlowLog, names: Names): ReportItem {
  return {
    title: clip(n.nsgName, 80),
    badge: n.disabledFlowLogIds.length > 0 ? "OFF" : "NONE",
    color: n.attached ? "warning" : "default",
    lines: [
      `${subscriptionLabel(names, n.subscriptionId)} · ${n.location}${n.attached ? "" : " · not attached"}`,
      ...(n.disabledFlowLogIds.length > 0 ? ["A flow log exists but is disabled."] : []),
    ],
  };
}

function watcherItem(r: RegionWithoutWatcher, names: Names): ReportItem {
  return {
    title: r.location,
    badge: "NO NW",
    color: "warning",
    lines: [`${subscriptionLabel(names, r.subscriptionId)} · ${plural(r.vmCount, "VM")}, ${plural(r.nicCount, "NIC")} without Network Watcher`],
  };
}

function resourceItem(r: AssessedResource, names: Names, badge: string): ReportItem {
  return { title: clip(r.name, 80), badge, color: "warning", lines: [clip(resourceLabel(r.resourceId, r.subscriptionId, names).split(" · ")[1] ?? "", 120)] };
}

function disagreementItem(d: AssessmentDisagreement): ReportItem {
  return { title: clip(d.vmName, 80), badge: "CHECK", color: "accent", lines: [clip(d.message, 300)] };
}

interface PartSpec {
  part: ExposurePart;
  title: string;
  empty: string;
  items: readonly unknown[];
  toItem: (x: never) => ReportItem;
}

function parts(report: ExposureReport, names: Names): PartSpec[] {
  const spec = <T>(part: ExposurePart, title: string, empty: string, items: readonly T[], toItem: (x: T) => ReportItem): PartSpec => ({
    part,
    title,
    empty,
    items,
    toItem: toItem as (x: never) => ReportItem,
  });
  return [
    spec("vms", "Internet-exposed VMs", "No VM is reachable from the internet in the NSG rules read.", report.exposedVms, (x: ExposedVm) => exposedVmItem(x, names)),
    spec("rules", "Over-permissive NSG rules", "No inbound rule opens management ports, every port or a wide range to the internet.", report.overPermissiveRules, (x: OverPermissiveRule) => ruleItem(x, names)),
    spec("forwarding", "NICs with IP forwarding", "No NIC has IP forwarding on.", report.ipForwardingNics, (x: IpForwardingNic) => forwardingItem(x, names)),
    spec("flowlogs", "NSGs without flow logs", "Every NSG has an enabled flow log.", report.nsgsWithoutFlowLogs, (x: NsgWithoutFlowLog) => flowLogItem(x, names)),
    spec("watchers", "Regions without Network Watcher", "Every region with VMs has a Network Watcher.", report.regionsWithoutNetworkWatcher, (x: RegionWithoutWatcher) => watcherItem(x, names)),
    spec("storage", "Storage accounts without secure transfer", "Every assessed storage account requires secure transfer.", report.storageWithoutSecureTransfer, (x: AssessedResource) => resourceItem(x, names, "HTTP")),
    spec("waf", "Application gateways without WAF", "Every assessed application gateway has WAF on.", report.appsWithoutWaf, (x: AssessedResource) => resourceItem(x, names, "NO WAF")),
    spec("disagreements", "Where Defender and the NSG rules disagree", "Defender's assessments agree with the network analysis.", report.assessmentDisagreements, (x: AssessmentDisagreement) => disagreementItem(x)),
  ];
}

// --- remediation (issue 10): "Fix…" buttons that send `fix …` for the findings a card shows.
/** Teams shows at most five top-level actions on a card; the fix buttons take what the others leave. */
const MAX_ACTIONS = 5;

function at(id: string): string {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? "";
}

/** The `fix …` command for one finding, or undefined when it has no safe, bounded fix. */
function fixButton(part: ExposurePart, item: unknown): CommandButton | undefined {
  switch (part) {
    case "vms": {
      const e = item as ExposedVm;
      return e.unprotectedManagementPorts.length > 0 ? { title: clip(`Fix… JIT on ${e.vmName}`, 40), command: `fix jit ${e.resourceGroup}/${e.vmName}` } : undefined;
    }
    case "rules": {
      const r = item as OverPermissiveRule;
      return { title: clip(`Fix… ${r.ruleName}`, 40), command: `fix rule ${at(r.nsgId)}/${r.nsgName}/${r.ruleName}` };
    }
    case "forwarding": {
      const n = item as IpForwardingNic;
      return { title: clip(`Fix… forwarding on ${n.nicName}`, 40), command: `fix forwarding ${at(n.nicId)}/${n.nicName}` };
    }
    case "flowlogs": {
      const n = item as NsgWithoutFlowLog;
      return { title: clip(`Fix… flow log of ${n.nsgName}`, 40), command: `fix flowlogs ${at(n.nsgId)}/${n.nsgName}` };
    }
    default:
      return undefined;
  }
}

function fixButtons(part: ExposurePart, shown: readonly unknown[], max: number): CommandButton[] {
  const out: CommandButton[] = [];
  for (const item of shown) {
    if (out.length >= max) break;
    const button = fixButton(part, item);
    if (button && !out.some((b) => b.command === button.command)) out.push(button);
  }
  return out;
}

/** VMs (not endpoints) open to the internet on a management port without JIT. */
function unprotectedVmCount(report: ExposureReport): number {
  return new Set(report.exposedVms.filter((e) => e.unprotectedManagementPorts.length > 0).map((e) => e.vmId.toLowerCase())).size;
}

export function exposureView(input: ExposureViewInput, ctx: PostureContext): ReportView {
  const { report } = input;
  const names = ctx.subscriptionNames;
  const all = parts(report, names);
  const managementVms = new Set(report.exposedVms.filter((e) => e.managementExposed).map((e) => e.vmId.toLowerCase())).size;
  const unprotected = unprotectedVmCount(report);
  const sections: ReportSection[] = [];
  const buttons: CommandButton[] = [];
  let next: string | undefined;

  if (input.part !== undefined) {
    const p = all.find((x) => x.part === input.part)!;
    const { section, nextCommand } = pagedSection(p.title, p.items, EXPOSURE_PART_PAGE_SIZE, ctx, (x) => p.toItem(x as never), { empty: p.empty });
    sections.push(section);
    next = nextCommand;
    if (next) buttons.push({ title: "Next page", command: next });
    buttons.push({ title: "Exposure overview", command: "exposure" });
    const start = ctx.page * EXPOSURE_PART_PAGE_SIZE;
    buttons.push(...fixButtons(p.part, p.items.slice(start, start + EXPOSURE_PART_PAGE_SIZE), MAX_ACTIONS - buttons.length));
  } else {
    let anyMore = false;
    for (const p of all) {
      const size = p.part === "vms" ? EXPOSURE_OVERVIEW_VMS : EXPOSURE_OVERVIEW_SIZE;
      const { section, nextCommand } = pagedSection(p.title, p.items, size, ctx, (x) => p.toItem(x as never), { empty: p.empty });
      if (nextCommand !== undefined) {
        anyMore = true;
        const left = p.items.length - (ctx.page + 1) * size;
        section.more = `${left} more: type exposure ${p.part}`;
      }
      sections.push(section);
    }
    if (anyMore) {
      next = `${ctx.command} page ${ctx.page + 2}`;
      buttons.push({ title: "Next page", command: next });
    }
    if (report.exposedVms.length > EXPOSURE_OVERVIEW_VMS) buttons.push({ title: "All exposed VMs", command: "exposure vms" });
    if (unprotected > 0) buttons.push({ title: "JIT overview", command: "jit" });
    const shownOf = (p: PartSpec): readonly unknown[] => {
      const size = p.part === "vms" ? EXPOSURE_OVERVIEW_VMS : EXPOSURE_OVERVIEW_SIZE;
      return p.items.slice(ctx.page * size, (ctx.page + 1) * size);
    };
    const fixes = [...fixButtons("vms", shownOf(all[0]!), 1), ...fixButtons("rules", shownOf(all[1]!), 1)];
    buttons.push(...fixes.slice(0, Math.max(0, MAX_ACTIONS - buttons.length)));
  }

  const facts =
    input.part === undefined
      ? [
          { title: "VMs open on management ports", value: `${managementVms} (${unprotected} without JIT)` },
          { title: "Internet-reachable endpoints", value: String(report.exposedVms.length) },
          { title: "Over-permissive rules", value: String(report.overPermissiveRules.length) },
          { title: "NICs with IP forwarding", value: String(report.ipForwardingNics.length) },
          { title: "NSGs without flow logs", value: String(report.nsgsWithoutFlowLogs.length) },
          { title: "Regions without Network Watcher", value: String(report.regionsWithoutNetworkWatcher.length) },
          { title: "Storage without secure transfer", value: String(report.storageWithoutSecureTransfer.length) },
          { title: "App gateways without WAF", value: String(report.appsWithoutWaf.length) },
        ]
      : [];
  const notes = report.notes.slice(0, 3).map((n) => clip(n, 200));
  if (report.notes.length > 3) notes.push(`${report.notes.length - 3} more resources could not be evaluated.`);
  return {
    title: input.part === undefined ? "Network exposure" : `Network exposure: ${all.find((x) => x.part === input.part)!.title}`,
    subtitle: `${plural(managementVms, "VM")} open to the internet on SSH, RDP or WinRM; ${unprotected} of them without JIT`,
    headline: { value: String(unprotected), label: "exposed without JIT", color: unprotected > 0 ? "attention" : managementVms > 0 ? "warning" : "good" },
    facts,
    sections,
    warnings: [...failureWarnings(ctx.failures, names), ...notes],
    buttons,
    footer: postureFooter(
      ctx,
      input.part === undefined
        ? `One part alone: exposure ${EXPOSURE_PARTS.join("|")}.`
        : next
          ? `More: type ${next}.`
          : undefined,
    ),
  };
}
