/**
 * View model for `audit`: the recent audit entries (who, what, target, result, when), newest first, paged so the
 * card stays well under the size budget whatever people typed into justifications.
 */
import { formatDuration } from "../domain/durations";
import type { RenderedCard } from "../domain/ports";
import type { AuditEntry } from "../store/store";
import { utcDateTime } from "./jit-approval";
import type { CardRenderer } from "./render";
import { page } from "./render";
import { reportCard, type ReportItem, type ReportView, type TextColor } from "./report";

/** Entries per card. At the longest each entry renders to well under 1 KB, so a page stays far below 28 KB. */
export const AUDIT_PAGE_SIZE = 20;
/** Longest shown value of one field; the full entry stays in the store. */
const FIELD_MAX = 160;

export interface AuditLogInput {
  entries: readonly AuditEntry[];
  /** The window asked for, in milliseconds. */
  windowMs: number;
  /** 0-based page. */
  page: number;
  /** True when the store returned as many entries as it was asked for (older ones in the window are not shown). */
  truncated: boolean;
  /** The command that shows this window, for the next-page button (e.g. "audit last 24h"). */
  command: string;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text === "") return undefined;
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > FIELD_MAX ? `${oneLine.slice(0, FIELD_MAX - 1)}…` : oneLine;
}

function resultStyle(result: string): { badge: string; color: TextColor } {
  switch (result.toLowerCase()) {
    case "ok":
      return { badge: "OK", color: "good" };
    case "denied":
    case "error":
      return { badge: result.toUpperCase(), color: "attention" };
    case "invalid":
    case "conflict":
    case "unknown":
    case "expired":
      return { badge: result.toUpperCase(), color: "warning" };
    default:
      return { badge: clip(result.toUpperCase())!.slice(0, 12), color: "default" };
  }
}

function itemOf(e: AuditEntry): ReportItem {
  const who = clip(e.actorName) ?? clip(e.actorId) ?? "?";
  const lines = [`${who} · ${utcDateTime(e.at)}`];
  const target = clip(e.target);
  if (target) lines.push(`Target: ${target}`);
  const detail = clip(e.detail);
  if (detail) lines.push(detail);
  return { title: clip(e.action) ?? "?", ...resultStyle(e.result), lines };
}

export function auditLogView(input: AuditLogInput): ReportView {
  const p = page(input.entries, AUDIT_PAGE_SIZE, input.page);
  const pages = Math.max(1, Math.ceil(input.entries.length / AUDIT_PAGE_SIZE));
  const denied = input.entries.filter((e) => e.result === "denied").length;
  const warnings = input.truncated
    ? [`Only the newest ${input.entries.length} entries of this window are shown; ask for a shorter window to see the rest.`]
    : [];
  return {
    title: "Audit log",
    subtitle: `Last ${formatDuration(input.windowMs)}, newest first${pages > 1 ? ` · page ${input.page + 1} of ${pages}` : ""}`,
    headline: { value: String(input.entries.length), label: input.entries.length === 1 ? "entry" : "entries" },
    facts: denied > 0 ? [{ title: "Refused", value: String(denied) }] : [],
    sections: [
      {
        title: "Entries",
        items: p.shown.map(itemOf),
        empty: input.entries.length === 0 ? "Nothing was recorded in this window." : `There are only ${pages} pages.`,
        more: p.nextPage !== undefined ? `${p.more} more: type "${input.command} page ${p.nextPage + 1}".` : undefined,
      },
    ],
    warnings,
    buttons: p.nextPage !== undefined ? [{ title: "Next page", command: `${input.command} page ${p.nextPage + 1}` }] : [],
    footer: "Every command and every change is recorded with who, what, target, result and time.",
  };
}

export function auditLogCard(cards: CardRenderer, input: AuditLogInput): RenderedCard {
  return reportCard(cards, auditLogView(input), `Audit log: ${input.entries.length} entries`);
}
