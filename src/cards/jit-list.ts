/**
 * View model for `jit list`: JIT-enabled VMs and their ports, active grants with who, from where and until when,
 * requests waiting for a decision, and internet-exposed VMs whose management ports JIT does not protect.
 */
import { formatDuration, tryParseDuration } from "../domain/durations";
import type { ExposedVm } from "../domain/exposure";
import { activeGrants, portList, requestIdInJustification, type JitRequestRecord } from "../domain/jit-record";
import { JIT_APPROVAL_TIMEOUT_MS } from "../domain/jit-request";
import type { JitPolicy, JitPolicyPort } from "../domain/model";
import type { RenderedCard } from "../domain/ports";
import { utcTime } from "./jit-approval";
import { page } from "./render";
import { reportCard, type ReportItem, type ReportView } from "./report";

/** VMs per page of the JIT-enabled list; the other sections show this many and say how many more there are. */
export const JIT_LIST_PAGE_SIZE = 10;

export interface JitListInput {
  policies: readonly JitPolicy[];
  records: readonly JitRequestRecord[];
  /** Internet-exposed endpoints (analyzeExposure), of which those with unprotected management ports are shown. */
  exposed: readonly ExposedVm[];
  /** Subscriptions or reads that failed. */
  warnings: string[];
  now: Date;
  /** 0-based page of the JIT-enabled VM list. */
  page?: number;
}

const UNRESTRICTED = new Set(["*", "any", "internet"]);

function nameOf(id: string): string {
  const parts = id.split("/").filter((p) => p !== "");
  return parts[parts.length - 1] ?? id;
}

function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? "?";
}

function portLine(port: JitPolicyPort): string {
  const ms = tryParseDuration(port.maxRequestAccessDuration);
  const max = ms === undefined ? port.maxRequestAccessDuration : formatDuration(ms);
  const prefixes = port.allowedSourcePrefixes.map((p) => p.trim()).filter((p) => p !== "");
  const sources =
    prefixes.length === 0 || prefixes.some((p) => UNRESTRICTED.has(p.toLowerCase()))
      ? "from any one address or range you name"
      : `only from ${prefixes.join(", ")}`;
  return `Port ${port.number} (${port.protocol === "*" ? "any protocol" : port.protocol}) · up to ${max} · ${sources}`;
}

function more(count: number, what: string): string | undefined {
  return count > 0 ? `${count} more ${what}.` : undefined;
}

/** Items for grants Azure reports, joined with the bot's records (Azure names the bot as requestor). */
function grantItems(input: JitListInput): ReportItem[] {
  const byId = new Map(input.records.map((r) => [r.id, r]));
  const items: { item: ReportItem; end: string }[] = [];
  const seenRequests = new Set<string>();
  for (const policy of input.policies) {
    for (const grant of activeGrants(policy.grants, input.now)) {
      const requestId = requestIdInJustification(grant.justification);
      const record = requestId === undefined ? undefined : byId.get(requestId);
      if (requestId !== undefined) seenRequests.add(requestId);
      const who = record
        ? `${record.requester.name}${record.decidedBy && record.decidedBy.id !== record.requester.id ? `, approved by ${record.decidedBy.name}` : ""}`
        : grant.requestor ?? "someone outside this bot";
      items.push({
        end: grant.endTime,
        item: {
          title: `${nameOf(grant.vmId)} port ${grant.port}`,
          badge: "OPEN",
          color: "good",
          lines: [`${who} · from ${grant.source ?? "?"}`, ...(requestId ? [`Request ${requestId}`] : [])],
          value: `until ${utcTime(grant.endTime)}`,
        },
      });
    }
  }
  // Grants the bot opened that Azure did not list (yet): the bot's own record still says who and until when.
  for (const r of input.records) {
    if (r.status !== "granted" || r.accessEndedAt !== undefined || r.grantEndTime === undefined) continue;
    if (seenRequests.has(r.id) || Date.parse(r.grantEndTime) <= input.now.getTime()) continue;
    items.push({
      end: r.grantEndTime,
      item: {
        title: `${r.vm.name} port ${portList(r)}`,
        badge: "OPEN",
        color: "good",
        lines: [`${r.requester.name}${r.decidedBy && r.decidedBy.id !== r.requester.id ? `, approved by ${r.decidedBy.name}` : ""} · from ${r.source}`, `Request ${r.id}`],
        value: `until ${utcTime(r.grantEndTime)}`,
      },
    });
  }
  return items.sort((a, b) => a.end.localeCompare(b.end)).map((x) => x.item);
}

function waitingItems(input: JitListInput): ReportItem[] {
  return input.records
    .filter((r) => (r.status === "pending" && input.now.getTime() - Date.parse(r.createdAt) <= JIT_APPROVAL_TIMEOUT_MS) || r.status === "approved")
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((r) => ({
      title: `${r.id} · ${r.vm.name} port ${portList(r)}`,
      badge: r.status === "pending" ? "WAITING" : "OPENING",
      color: "accent" as const,
      lines: [`${r.requester.name} · from ${r.source} · for ${formatDuration(r.durationMs)}`, `Because: ${r.justification.slice(0, 140)}`],
      value: r.status === "pending" ? `expires ${utcTime(new Date(Date.parse(r.createdAt) + JIT_APPROVAL_TIMEOUT_MS).toISOString())}` : undefined,
    }));
}

function unprotectedItems(exposed: readonly ExposedVm[]): ReportItem[] {
  const byVm = new Map<string, { vm: ExposedVm; ports: Set<number>; ips: Set<string> }>();
  for (const e of exposed) {
    if (e.unprotectedManagementPorts.length === 0) continue;
    const key = e.vmId.toLowerCase();
    const entry = byVm.get(key) ?? { vm: e, ports: new Set<number>(), ips: new Set<string>() };
    e.unprotectedManagementPorts.forEach((p) => entry.ports.add(p));
    if (e.publicIpAddress) entry.ips.add(e.publicIpAddress);
    byVm.set(key, entry);
  }
  return [...byVm.values()]
    .sort((a, b) => a.vm.vmName.localeCompare(b.vm.vmName))
    .map(({ vm, ports, ips }) => ({
      title: vm.vmName,
      badge: "HIGH",
      color: "attention" as const,
      lines: [
        `Open to the internet without JIT: port ${[...ports].sort((a, b) => a - b).join(", ")}${ips.size ? ` on ${[...ips].join(", ")}` : ""}`,
        `${vm.resourceGroup} · ${vm.location}`,
      ],
      value: "not protected",
    }));
}

export function jitListView(input: JitListInput): ReportView {
  const vms = input.policies
    .flatMap((policy) => policy.virtualMachines.map((vm) => ({ policy, vm })))
    .sort((a, b) => nameOf(a.vm.vmId).localeCompare(nameOf(b.vm.vmId)));
  const pageIndex = Math.max(0, input.page ?? 0);
  const vmPage = page(vms, JIT_LIST_PAGE_SIZE, pageIndex);
  const grants = grantItems(input);
  const waiting = waitingItems(input);
  const unprotected = unprotectedItems(input.exposed);
  const top = <T>(items: T[]) => page(items, JIT_LIST_PAGE_SIZE);

  const grantsPage = top(grants);
  const waitingPage = top(waiting);
  const unprotectedPage = top(unprotected);
  const lastPage = Math.max(0, Math.ceil(vms.length / JIT_LIST_PAGE_SIZE) - 1);

  return {
    title: "Just-In-Time VM access",
    subtitle: vms.length > JIT_LIST_PAGE_SIZE ? `JIT-enabled VMs, page ${pageIndex + 1} of ${lastPage + 1}` : undefined,
    headline: { value: String(vms.length), label: vms.length === 1 ? "JIT-enabled VM" : "JIT-enabled VMs", color: "good" },
    facts: [
      { title: "Active grants", value: String(grants.length) },
      { title: "Waiting for a decision", value: String(waiting.length) },
      { title: "Exposed without JIT", value: String(unprotected.length) },
    ],
    sections: [
      {
        title: "JIT-enabled VMs",
        items: vmPage.shown.map(({ policy, vm }) => ({
          title: nameOf(vm.vmId),
          badge: "JIT",
          color: "good",
          lines: [...vm.ports.map(portLine), `${resourceGroupOf(vm.vmId)} · ${policy.location}`],
        })),
        empty: pageIndex > 0 && vms.length > 0 ? `There are only ${lastPage + 1} pages.` : "No VM has a JIT policy that I can see.",
        more: vmPage.nextPage !== undefined ? `${vmPage.more} more: type "jit list page ${vmPage.nextPage + 1}".` : undefined,
      },
      {
        title: "Active grants",
        items: grantsPage.shown,
        empty: "Nobody has JIT access open right now.",
        more: more(grantsPage.more, "grants"),
      },
      {
        title: "Waiting for a decision",
        items: waitingPage.shown,
        empty: "No request is waiting.",
        more: more(waitingPage.more, "requests"),
      },
      {
        title: "Not protected",
        subtitle:
          "Recommendation (Defender for Cloud): management ports of virtual machines should be protected with just-in-time network access control. " +
          "Enable JIT on these ports, then remove the NSG rules that open them to the internet.",
        items: unprotectedPage.shown,
        empty: "Every internet-exposed management port I can see is covered by JIT.",
        more: more(unprotectedPage.more, 'VMs; type "exposure" for the full list'),
      },
    ],
    warnings: input.warnings,
    buttons: vmPage.nextPage !== undefined ? [{ title: "Next page", command: `jit list page ${vmPage.nextPage + 1}` }] : [],
    footer: 'To ask for access: jit request ‹vm› port ‹n› for 1h from ‹your address› because ‹reason›. Type "help jit request" for details.',
  };
}

export function jitListCard(cards: Parameters<typeof reportCard>[0], input: JitListInput): RenderedCard {
  const view = jitListView(input);
  return reportCard(cards, view, `JIT: ${view.headline?.value ?? 0} JIT-enabled VMs, ${view.facts?.[0]?.value ?? 0} active grants`);
}
