/**
 * What goes into the daily digest, as pure functions over domain values: new and resolved high-severity
 * recommendations since the previous digest, alerts of the last 24 hours by severity, JIT grants of the last 24 hours
 * (with the people behind them), captures that ran, and the top exposures.
 */
import type { ExposedVm, ExposureReport } from "./exposure";
import { requestIdInJustification, type JitRequestRecord } from "./jit-record";
import type { AlertSeverity, JitPolicy, ScoreControl, SecureScore, SecurityAlert, SubscriptionFailure } from "./model";
import type { RecommendationGroup } from "./recommendations";
import { nameOf, normalizeId } from "./resource-ids";
import type { ScoreHistory, ScoreSnapshot } from "./score-history";

/** How far back "of the day" reaches. */
export const DIGEST_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A recommendation as the previous digest saw it. */
export interface RecommendationRef {
  /** Assessment key, lower case. */
  key: string;
  name: string;
}

/** What the previous digest in a conversation showed, so the next one can say what changed. */
export interface DigestBaseline {
  /** ISO 8601 of the digest. */
  at: string;
  /** Per subscription id (as Azure wrote it). */
  scores: ({ subscriptionId: string } & ScoreSnapshot)[];
  /** High-severity recommendations open at the time. */
  highRecommendations: RecommendationRef[];
}

/** High-severity recommendations compared with the previous digest. */
export interface RecommendationDiff {
  /** True when there is no previous digest to compare with: everything open is listed as open, nothing as new. */
  first: boolean;
  added: RecommendationGroup[];
  resolved: RecommendationRef[];
  /** Every high recommendation open now. */
  open: RecommendationGroup[];
}

/**
 * Compares the high recommendations open now with those of the previous digest, by assessment key.
 *
 * @param complete false when some subscription's assessments could not be read: then nothing is called resolved
 *   (it may only be unreadable)
 */
export function diffRecommendations(
  previous: readonly RecommendationRef[] | undefined,
  current: readonly RecommendationGroup[],
  complete = true,
): RecommendationDiff {
  const high = current.filter((g) => g.severity === "High");
  if (previous === undefined) return { first: true, added: [], resolved: [], open: high };
  const before = new Set(previous.map((r) => r.key.toLowerCase()));
  const now = new Set(high.map((g) => g.key.toLowerCase()));
  return {
    first: false,
    added: high.filter((g) => !before.has(g.key.toLowerCase())),
    resolved: complete ? previous.filter((r) => !now.has(r.key.toLowerCase())) : [],
    open: high,
  };
}

/**
 * The recommendations to remember for the next digest. When the read was incomplete, what was open before stays
 * remembered so that it is neither reported resolved now nor new later.
 */
export function recommendationRefs(
  current: readonly RecommendationGroup[],
  previous: readonly RecommendationRef[] | undefined,
  complete = true,
): RecommendationRef[] {
  const refs = current.filter((g) => g.severity === "High").map((g) => ({ key: g.key.toLowerCase(), name: g.displayName }));
  if (complete || previous === undefined) return refs;
  const seen = new Set(refs.map((r) => r.key));
  return [...refs, ...previous.filter((r) => !seen.has(r.key.toLowerCase()))];
}

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ["High", "Medium", "Low", "Informational"];

/** How many alerts of each severity. */
export function countBySeverity(alerts: readonly SecurityAlert[]): Record<AlertSeverity, number> {
  const counts: Record<AlertSeverity, number> = { High: 0, Medium: 0, Low: 0, Informational: 0 };
  for (const a of alerts) counts[a.severity] = (counts[a.severity] ?? 0) + 1;
  return counts;
}

/** One JIT grant as the digest shows it: several ports opened by the same request are one entry. */
export interface JitGrantEntry {
  vmId: string;
  vmName: string;
  ports: number[];
  /** ISO 8601 */
  startTime: string;
  /** ISO 8601 */
  endTime: string;
  source?: string;
  /** The person who asked (from the bot's request record), else the requestor Azure reports. */
  requester?: string;
  /** Who approved, when the bot's record says. */
  approver?: string;
  /** The bot's request id, when the grant came through the bot. */
  requestId?: string;
  justification?: string;
}

/**
 * JIT grants that started at or after `since`, newest first. Grants the bot made carry its request id in the
 * justification (see jitJustification); the stored request then names the requester and the approver, since Azure
 * only knows the bot's identity.
 */
export function jitGrantsSince(policies: readonly JitPolicy[], since: Date, records: readonly JitRequestRecord[] = []): JitGrantEntry[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const entries = new Map<string, JitGrantEntry>();
  for (const policy of policies) {
    for (const g of policy.grants) {
      const start = Date.parse(g.startTime);
      if (Number.isNaN(start) || start < since.getTime()) continue;
      const key = `${normalizeId(g.vmId)}|${g.startTime}|${g.justification ?? ""}`;
      const existing = entries.get(key);
      if (existing) {
        if (!existing.ports.includes(g.port)) existing.ports.push(g.port);
        continue;
      }
      const requestId = requestIdInJustification(g.justification);
      const record = requestId !== undefined ? byId.get(requestId) : undefined;
      const approver = record?.decidedBy !== undefined && record.decidedBy.id !== record.requester.id ? record.decidedBy.name : undefined;
      entries.set(key, {
        vmId: g.vmId,
        vmName: record?.vm.name ?? nameOf(g.vmId),
        ports: [g.port],
        startTime: g.startTime,
        endTime: g.endTime,
        source: g.source,
        requester: record?.requester.name ?? g.requestor,
        approver,
        requestId,
        justification: record?.justification ?? g.justification,
      });
    }
  }
  return [...entries.values()]
    .map((e) => ({ ...e, ports: [...e.ports].sort((a, b) => a - b) }))
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || a.vmName.localeCompare(b.vmName));
}

/** How bad an exposed endpoint is, for ordering: management ports without JIT first, no NSG next. */
function exposureRank(e: ExposedVm): number {
  if (e.managementExposed && e.unprotectedManagementPorts.length > 0) return 0;
  if (e.noNsg) return 1;
  if (e.managementExposed) return 2;
  return 3;
}

/** The `n` worst internet exposures: unprotected management ports, then no NSG, then JIT-covered, then other ports. */
export function topExposures(report: ExposureReport, n = 3): ExposedVm[] {
  return [...report.exposedVms]
    .sort(
      (a, b) =>
        exposureRank(a) - exposureRank(b) ||
        b.unprotectedManagementPorts.length - a.unprotectedManagementPorts.length ||
        b.openManagementPorts.length - a.openManagementPorts.length ||
        a.vmName.localeCompare(b.vmName),
    )
    .slice(0, Math.max(0, n));
}

/** A packet capture that ran in the digest's window. */
export interface CaptureActivity {
  name: string;
  vmName?: string;
  /** ISO 8601 of the start. */
  at: string;
  /** Who started it, or "alert" for one an alert triggered. */
  by?: string;
  /** e.g. "Running", "Stopped", "Failed". */
  status?: string;
}

/** Merges capture reports from several sources (store records, audit log), one per name, newest first. */
export function mergeCaptures(...lists: (readonly CaptureActivity[])[]): CaptureActivity[] {
  const byName = new Map<string, CaptureActivity>();
  for (const list of lists) {
    for (const c of list) {
      const key = c.name.toLowerCase();
      const known = byName.get(key);
      byName.set(key, known ? { ...c, ...known, vmName: known.vmName ?? c.vmName, by: known.by ?? c.by, status: known.status ?? c.status } : c);
    }
  }
  return [...byName.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.name.localeCompare(b.name));
}

/** Scores, controls and their history: what the digest's headline and the score watch need. */
export interface ScoreData {
  at: Date;
  scores: SecureScore[];
  controls: ScoreControl[];
  /** Subscription id → display name. */
  names: Record<string, string>;
  failures: SubscriptionFailure[];
  /** By lower-case subscription id, including the point just recorded. */
  history: Map<string, ScoreHistory>;
}

/** Everything one digest shows, the same for every conversation. */
export interface DigestData extends ScoreData {
  /** Open high-severity recommendations, most affected resources first. */
  highRecommendations: RecommendationGroup[];
  /** False when some subscription's assessments could not be read. */
  recommendationsComplete: boolean;
  /** Active alerts generated in the last 24 hours, newest first. */
  alerts: SecurityAlert[];
  jitGrants: JitGrantEntry[];
  captures: CaptureActivity[];
  /** The three worst internet exposures. */
  exposures: ExposedVm[];
  exposedCount: number;
}

