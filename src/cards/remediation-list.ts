/** View model for `fix list`: the recent fixes and undos, newest first, with who decided and until when undo works. */
import { UNDO_WINDOW_MS, type RemediationRecord, type RemediationStatus } from "../domain/remediation-record";
import type { CommandButton } from "./message";
import type { ReportItem, ReportView, TextColor } from "./report";
import { clip, plural } from "./posture";

/** Changes listed on the card. */
export const FIX_LIST_SIZE = 15;

const BADGES: Readonly<Record<RemediationStatus, { badge: string; color: TextColor }>> = {
  pending: { badge: "WAITING", color: "accent" },
  approved: { badge: "APPLYING", color: "accent" },
  applied: { badge: "APPLIED", color: "good" },
  failed: { badge: "FAILED", color: "attention" },
  stale: { badge: "CHANGED", color: "warning" },
  denied: { badge: "DENIED", color: "attention" },
  expired: { badge: "EXPIRED", color: "default" },
};

function hhmm(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function undoUntil(r: RemediationRecord, now: Date): string | undefined {
  if (r.status !== "applied" || r.undoOf !== undefined || r.undoneAt !== undefined || r.appliedAt === undefined) return undefined;
  const until = Date.parse(r.appliedAt) + UNDO_WINDOW_MS;
  return until > now.getTime() ? new Date(until).toISOString() : undefined;
}

function item(r: RemediationRecord, now: Date): ReportItem {
  const lines = [`Proposed by ${clip(r.requester.name, 60)} at ${hhmm(r.createdAt)}${r.decidedBy ? ` · ${r.status === "denied" ? "denied" : "decided"} by ${clip(r.decidedBy.name, 60)}` : ""}`];
  lines.push(clip(r.resourceName, 160));
  if (r.error) lines.push(clip(r.error, 200));
  const until = undoUntil(r, now);
  if (until) lines.push(`Undo: "undo ${r.id}" until ${hhmm(until)}`);
  if (r.undoneAt) lines.push(`Undone by ${r.undoneBy ?? "?"} at ${hhmm(r.undoneAt)}`);
  return { title: `${r.id} · ${clip(r.title, 140)}`, ...BADGES[r.status], lines };
}

export function remediationListView(records: readonly RemediationRecord[], now: Date): ReportView {
  const sorted = [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  const shown = sorted.slice(0, FIX_LIST_SIZE);
  const waiting = records.filter((r) => r.status === "pending").length;
  const buttons: CommandButton[] = shown.filter((r) => undoUntil(r, now) !== undefined).slice(0, 3).map((r) => ({ title: `Undo ${r.id}`, command: `undo ${r.id}` }));
  return {
    title: "Fixes made from Teams",
    subtitle: `${plural(records.length, "change")}, ${waiting} waiting for a decision`,
    sections: [
      {
        title: "Newest first",
        items: shown.map((r) => item(r, now)),
        empty: `No fixes yet. "exposure" lists findings; their cards have Fix buttons, or type "fix jit <vm>".`,
        more: sorted.length > shown.length ? `${sorted.length - shown.length} older changes are in the audit log ("audit last 7d").` : undefined,
      },
    ],
    buttons,
    footer: "Every proposal, decision and change is in the audit log, with its before and after values.",
  };
}
