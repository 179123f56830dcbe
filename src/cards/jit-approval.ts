/**
 * View model for the JIT approval card (cards/jit-approval.json): one card per request that shows its state, with
 * Approve / Deny buttons (Action.Execute, verbs jit.approve / jit.deny) while it is pending. The same card replaces
 * every posted copy when the request changes, so everyone sees "Approved by X at 10:42 UTC, access until 11:42 UTC".
 */
import { formatDuration } from "../domain/durations";
import type { JitRequestRecord } from "../domain/jit-record";
import { JIT_APPROVAL_TIMEOUT_MS } from "../domain/jit-request";
import type { RenderedCard } from "../domain/ports";
import type { CardStyle } from "./message";
import type { CardRenderer } from "./render";
import type { TextColor } from "./report";

/** Card action verbs; src/bot/actions routes them. */
export const JIT_APPROVE_VERB = "jit.approve";
export const JIT_DENY_VERB = "jit.deny";

/** What the card needs: the stored request (delivery fields are optional, so a plain JitRequest works too). */
export type JitCardRequest = Omit<JitRequestRecord, "conversationId" | "cards"> & Partial<Pick<JitRequestRecord, "conversationId" | "cards">>;

export interface JitApprovalOptions {
  /** A warning for the person who clicked (e.g. "You cannot approve your own request"), shown above the card. */
  notice?: string;
  /** How many approvers were sent a copy in their own chat (shown while pending). */
  approversNotified?: number;
}

/** `10:42 UTC` */
export function utcTime(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(11, 16)} UTC`;
}

/** `2030-01-01 10:42 UTC` */
export function utcDateTime(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function resourceGroupOf(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1];
}

interface StatusLine {
  status: string;
  style: CardStyle;
  color: TextColor;
}

function statusOf(r: JitCardRequest): StatusLine {
  const by = r.decidedBy?.name ?? "an approver";
  const selfApproved = r.decidedBy !== undefined && r.decidedBy.id === r.requester.id;
  switch (r.status) {
    case "pending": {
      const until = new Date(Date.parse(r.createdAt) + JIT_APPROVAL_TIMEOUT_MS).toISOString();
      return {
        status: `Waiting for an approver. If nobody decides by ${utcTime(until)}, the request expires.`,
        style: "emphasis",
        color: "accent",
      };
    }
    case "approved":
      return {
        status: selfApproved
          ? `Approval not required; opening access since ${utcTime(r.decidedAt)}…`
          : `Approved by ${by} at ${utcTime(r.decidedAt)}; opening access…`,
        style: "emphasis",
        color: "accent",
      };
    case "granted": {
      const opened = selfApproved ? `Opened at ${utcTime(r.decidedAt)} (approval not required)` : `Approved by ${by} at ${utcTime(r.decidedAt)}`;
      if (r.accessEndedAt !== undefined) {
        return { status: `Expired: access ended at ${utcTime(r.grantEndTime)}. ${opened}.`, style: "default", color: "default" };
      }
      return { status: `${opened}, access until ${utcTime(r.grantEndTime)}.`, style: "good", color: "good" };
    }
    case "denied":
      return { status: `Denied by ${by} at ${utcTime(r.decidedAt)}.`, style: "attention", color: "attention" };
    case "expired":
      return {
        status: `Expired: nobody decided within ${formatDuration(JIT_APPROVAL_TIMEOUT_MS)}. Ask again with "jit request" if you still need access.`,
        style: "default",
        color: "default",
      };
    case "failed":
      return {
        status: selfApproved
          ? `Opening access failed.`
          : `Approved by ${by} at ${utcTime(r.decidedAt)}, but opening access failed.`,
        style: "attention",
        color: "attention",
      };
  }
}

function sourcesOf(r: JitCardRequest): string {
  const distinct = [...new Set(r.ports.map((p) => p.source))];
  if (distinct.length === 1 && distinct[0] === r.source) return r.source;
  // The policy's own spelling of a restricted source is what Azure receives; show it next to what was typed.
  return r.ports.map((p) => `${p.number}: ${p.source}`).join("; ") + ` (you typed ${r.source})`;
}

/** Renders the approval card for a request in whatever state it is. */
export function jitApprovalCard(cards: CardRenderer, request: JitCardRequest, options: JitApprovalOptions = {}): RenderedCard {
  const r = request;
  const line = statusOf(r);
  const rg = resourceGroupOf(r.vm.id);
  const facts: { title: string; value: string }[] = [
    { title: "Requested by", value: r.requester.name },
    { title: "VM", value: rg ? `${r.vm.name} (${rg})` : r.vm.name },
    { title: r.ports.length === 1 ? "Port" : "Ports", value: r.ports.map((p) => `${p.number} (${p.protocol === "*" ? "any protocol" : p.protocol})`).join(", ") },
    { title: "From", value: sourcesOf(r) },
    { title: "Duration", value: formatDuration(r.durationMs) },
    { title: "Justification", value: r.justification },
    { title: "Requested", value: utcDateTime(r.createdAt) },
  ];
  if (r.reason !== undefined && r.status !== "expired") {
    facts.push({ title: r.status === "denied" ? "Reason" : r.status === "failed" ? "Error" : "Note", value: r.reason });
  }
  const decidable = r.status === "pending";
  const footer = decidable
    ? `Request ${r.id}. Only an approver other than the requester can decide; or type "jit approve ${r.id}" / "jit deny ${r.id} because ‹reason›".` +
      (options.approversNotified ? ` Sent to ${options.approversNotified} approver${options.approversNotified === 1 ? "" : "s"}.` : "")
    : `Request ${r.id}. Every step is in the audit log.`;
  return cards.render(
    "jit-approval",
    {
      id: r.id,
      title: `JIT access to ${r.vm.name}`,
      status: line.status,
      style: line.style,
      color: line.color,
      notice: options.notice ?? null,
      facts,
      decidable,
      footer,
    },
    `JIT request ${r.id} for ${r.vm.name}: ${line.status}`,
  );
}
