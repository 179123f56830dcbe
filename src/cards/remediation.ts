/**
 * View models for remediation (issue 10): the change card (cards/remediation.json) shows a proposed fix in whatever
 * state it is — the exact resource, each changed ARM property with its current and proposed value, who can approve,
 * the rollback, and later who approved, what Azure read back, or why nothing was written — with Approve / Deny
 * (Action.Execute) while it waits. The same card replaces every posted copy as the change moves on. The alert form
 * (cards/remediation-alert.json) asks what to do with an alert and why.
 */
import { propertyChanges, type PropertyChange } from "../domain/remediation";
import { FIX_APPROVAL_TIMEOUT_MS, UNDO_WINDOW_MS, type RemediationRecord } from "../domain/remediation-record";
import { nameOf } from "../domain/resource-ids";
import type { RenderedCard } from "../domain/ports";
import type { CardStyle } from "./message";
import type { CardRenderer } from "./render";
import type { TextColor } from "./report";

/** Card action verbs; src/bot/actions routes them. */
export const FIX_APPROVE_VERB = "fix.approve";
export const FIX_DENY_VERB = "fix.deny";
export const FIX_CONFIRM_VERB = "fix.confirm";
export const FIX_ALERT_VERB = "fix.alert";

/** Values longer than this are clipped on the card (the audit log and the store keep them whole). */
const VALUE_CHARS = 300;

export interface RemediationCardOptions {
  /** A warning for the person who clicked ("You cannot approve your own change"), shown above the card. */
  notice?: string;
  /** Who may approve, e.g. "any approver other than Alice (2 in ROLE_APPROVERS)". */
  approvers?: string;
  /** How many approvers were sent a copy in their own chat (shown while pending). */
  approversNotified?: number;
  /** The time, for "undo available until"; defaults to the record's own times. */
  now?: Date;
}

function hhmm(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(11, 16)} UTC`;
}

function clipped(text: string): string {
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}

function vmNameOf(r: RemediationRecord): string {
  return r.target.kind === "jit" ? nameOf(r.target.vmId) : nameOf(r.resourceId);
}

interface StatusLine {
  status: string;
  style: CardStyle;
  color: TextColor;
}

function statusOf(r: RemediationRecord): StatusLine {
  const by = r.decidedBy?.name ?? "an approver";
  const decided = r.approvalRequired ? `Approved by ${by} at ${hhmm(r.decidedAt)}` : `Confirmed by ${by} at ${hhmm(r.decidedAt)} (approval not required)`;
  switch (r.status) {
    case "pending": {
      const until = new Date(Date.parse(r.createdAt) + FIX_APPROVAL_TIMEOUT_MS).toISOString();
      return r.approvalRequired
        ? { status: `Preview, waiting for an approver. Nothing changes until someone approves; this expires at ${hhmm(until)}.`, style: "emphasis", color: "accent" }
        : { status: `Preview. Nothing changes until ${r.requester.name} presses Apply (approval not required); this expires at ${hhmm(until)}.`, style: "emphasis", color: "accent" };
    }
    case "approved":
      return { status: `${decided}; applying the change…`, style: "emphasis", color: "accent" };
    case "applied": {
      const undone = r.undoneAt !== undefined ? ` Undone by ${r.undoneBy ?? "an undo"} at ${hhmm(r.undoneAt)}.` : "";
      return { status: `Applied at ${hhmm(r.appliedAt)}. ${decided}.${undone}`, style: r.undoneAt ? "default" : "good", color: r.undoneAt ? "default" : "good" };
    }
    case "failed":
      return { status: `${decided}, but Azure refused the change; nothing was changed.`, style: "attention", color: "attention" };
    case "stale":
      return {
        status: `${decided}, but ${r.resourceName} changed after the preview, so nothing was written. Propose the fix again to see the current values.`,
        style: "warning",
        color: "warning",
      };
    case "denied":
      return { status: `Denied by ${by} at ${hhmm(r.decidedAt)}. Nothing was changed.`, style: "attention", color: "attention" };
    case "expired":
      return { status: `Expired: nobody decided within 1 h, so nothing was changed. Propose the fix again to see the current values.`, style: "default", color: "default" };
  }
}

function readBackView(r: RemediationRecord): { title: string; color: TextColor; facts: { title: string; value: string }[] } | null {
  if (r.readBack === undefined) return null;
  const vm = vmNameOf(r);
  if (r.status === "stale") {
    const found = propertyChanges(r.before, r.readBack, vm);
    return {
      title: "What Azure has now (it differs from the preview)",
      color: "warning",
      facts: found.length > 0 ? found.map((c) => ({ title: c.property, value: clipped(c.proposed) })) : [{ title: "Resource", value: "changed in a way this card cannot show" }],
    };
  }
  if (r.status !== "applied") return null;
  const differs = propertyChanges(r.after, r.readBack, vm);
  const now = propertyChanges(r.before, r.readBack, vm);
  return {
    title: differs.length === 0 ? "Read back from Azure: as proposed" : "Read back from Azure: differs from the proposal",
    color: differs.length === 0 ? "good" : "warning",
    facts: (differs.length === 0 ? now : differs).map((c) => ({ title: c.property, value: clipped(c.proposed) })),
  };
}

/** Renders the change card for a record in whatever state it is. */
export function remediationCard(cards: CardRenderer, r: RemediationRecord, options: RemediationCardOptions = {}): RenderedCard {
  const line = statusOf(r);
  const changes: PropertyChange[] = propertyChanges(r.before, r.after, vmNameOf(r)).map((c) => ({
    property: c.property,
    current: clipped(c.current),
    proposed: clipped(c.proposed),
  }));
  const undoUntil = r.appliedAt ? new Date(Date.parse(r.appliedAt) + UNDO_WINDOW_MS) : undefined;
  const now = options.now ?? new Date(r.appliedAt ?? r.createdAt);
  const undoable = r.status === "applied" && r.undoOf === undefined && r.undoneAt === undefined && undoUntil !== undefined && undoUntil > now;
  const facts: { title: string; value: string }[] = [
    { title: "Change", value: r.undoOf ? `${r.id} (undoes ${r.undoOf})` : r.id },
    { title: "Resource", value: clipped(r.resourceName) },
    { title: "Resource id", value: r.resourceId },
    { title: "Finding", value: clipped(r.finding) },
    { title: "Proposed by", value: `${r.requester.name} at ${hhmm(r.createdAt)}` },
    { title: "Approval", value: r.approvalRequired ? options.approvers ?? "an approver other than the proposer" : "not required (REMEDIATION_REQUIRE_APPROVAL=false)" },
    {
      title: "Rollback",
      value: r.undoOf
        ? `This restores what was there before ${r.undoOf}; an undo cannot itself be undone (propose a fix instead).`
        : `"undo ${r.id}" within 24 h after it is applied restores the current values, through the same approval.`,
    },
  ];
  if (r.reason !== undefined) facts.push({ title: "Reason", value: clipped(r.reason) });
  if (r.note !== undefined) facts.push({ title: r.status === "denied" ? "Reason for denial" : "Note", value: clipped(r.note) });
  if (r.error !== undefined) facts.push({ title: r.status === "failed" ? "Azure said" : "Why", value: clipped(r.error) });
  const decidable = r.status === "pending" && r.approvalRequired;
  const confirmable = r.status === "pending" && !r.approvalRequired;
  const footer = decidable
    ? `Change ${r.id}. Only an approver other than ${r.requester.name} can decide; or type "fix approve ${r.id}" / "fix deny ${r.id} because <reason>".` +
      (options.approversNotified ? ` Sent to ${options.approversNotified} approver${options.approversNotified === 1 ? "" : "s"}.` : "")
    : confirmable
      ? `Change ${r.id}. Press Apply (or type "fix confirm ${r.id}") to make it.`
      : undoable
        ? `Change ${r.id}. Undo is available until ${hhmm(undoUntil!.toISOString())} on ${undoUntil!.toISOString().slice(0, 10)}. Every step is in the audit log.`
        : `Change ${r.id}. Every step is in the audit log.`;
  return cards.render(
    "remediation",
    {
      id: r.id,
      title: r.title,
      status: line.status,
      style: line.style,
      color: line.color,
      notice: options.notice ?? null,
      facts,
      warning: r.status === "pending" || r.status === "approved" ? r.warning ?? null : null,
      changesTitle: r.status === "applied" ? "Changed (before → after)" : "Proposed change (current → proposed)",
      changes,
      readBack: readBackView(r),
      decidable,
      confirmable,
      undoCommand: undoable ? `undo ${r.id}` : null,
      footer,
    },
    `Change ${r.id}, ${r.title}: ${line.status}`,
  );
}

/** What the alert form needs: the alert and, after a mistake, what was typed and the answer. */
export interface AlertFixFormInput {
  alertId: string;
  alertName: string;
  displayName: string;
  status: string;
  resource: string;
  values?: { action?: string; reason?: string };
  error?: string;
}

/** The form behind an alert's "Fix…" button: dismiss, resolve or reactivate, and why. */
export function alertFixForm(cards: CardRenderer, input: AlertFixFormInput): RenderedCard {
  const choices = [
    { title: "Dismiss (a false positive or accepted risk)", value: "dismiss" },
    { title: "Resolve (handled)", value: "resolve" },
    { title: "Reactivate", value: "activate" },
  ];
  return cards.render(
    "remediation-alert",
    {
      title: `Change the state of alert: ${clipped(input.displayName)}`,
      facts: [
        { title: "Alert", value: input.alertName },
        { title: "Status", value: input.status },
        { title: "Resource", value: clipped(input.resource) },
      ],
      error: input.error ?? null,
      choices,
      action: input.values?.action ?? (input.status === "Active" ? "dismiss" : "activate"),
      reason: input.values?.reason ?? "",
      alertId: input.alertId,
    },
    `Change the state of alert ${input.alertName}`,
  );
}
