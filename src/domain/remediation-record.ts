/**
 * A proposed fix as the bot keeps it between turns (store collection "remediations"), and its life as a pure state
 * machine (STYLE rule 6: propose → approve → execute; undo goes through the same steps):
 *
 * ```
 * pending ──approve / confirm──▶ approved ──(resource as previewed)──▶ applied ──undo (24 h)──▶ a new pending change
 *    │                              ├──(resource changed since the preview)──▶ stale   (nothing written)
 *    ├──deny──▶ denied              └──(Azure refused)──▶ failed
 *    └──(1 h)──▶ expired
 * ```
 */
import { AppError } from "./errors";
import type { PostedCard } from "./jit-record";
import type { RemediationProposal, RemediationState } from "./remediation";

/** Store collection of {@link RemediationRecord}s, keyed by change id. */
export const REMEDIATIONS = "remediations";

/** A proposal nobody decided within this time expires: the preview it showed is likely out of date by then. */
export const FIX_APPROVAL_TIMEOUT_MS = 60 * 60 * 1000;
/** An applied change can be undone for this long. */
export const UNDO_WINDOW_MS = 24 * 60 * 60 * 1000;
/** An approved change whose outcome was never recorded after this long was interrupted (the bot stopped mid-call). */
export const FIX_APPLY_STUCK_MS = 15 * 60 * 1000;

export type RemediationStatus = "pending" | "approved" | "applied" | "failed" | "stale" | "denied" | "expired";

export interface FixPerson {
  id: string;
  name: string;
}

/** A fix (or an undo) and everything that happened to it. */
export interface RemediationRecord extends RemediationProposal {
  /** Short id people type (`fix approve C7K2MQ`, `undo C7K2MQ`). */
  id: string;
  requester: FixPerson;
  /** ISO 8601 */
  createdAt: string;
  status: RemediationStatus;
  /** False when REMEDIATION_REQUIRE_APPROVAL is off: the proposer confirms their own change. */
  approvalRequired: boolean;
  decidedBy?: FixPerson;
  /** ISO 8601 */
  decidedAt?: string;
  /** The approver's note or the reason for a denial. */
  note?: string;
  /** ISO 8601: when Azure accepted the change (or refused it). */
  appliedAt?: string;
  /** What Azure reported after the change. */
  readBack?: RemediationState;
  /** Why it failed or was not applied, in plain words. */
  error?: string;
  /** For an undo: the change it undoes. */
  undoOf?: string;
  /** The latest undo proposed for this change. */
  undoneBy?: string;
  /** ISO 8601: when that undo was applied. */
  undoneAt?: string;
  /** The conversation the change was proposed in. */
  conversationId: string;
  /** Every card posted for the change, so each copy can be updated. */
  cards: PostedCard[];
}

const ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const ID_PATTERN = /^C[2-9A-HJKMNP-Z]{6}$/;

/** A short change id people can type (`C7K2MQ`); `random` returns an integer in [0, n). */
export function newChangeId(random: (n: number) => number): string {
  let id = "C";
  for (let i = 0; i < 6; i++) id += ID_ALPHABET[random(ID_ALPHABET.length)];
  return id;
}

/** The stored key for a typed id (`c7k2mq` → `C7K2MQ`), or undefined when it cannot be a change id. */
export function normalizeChangeId(typed: string): string | undefined {
  const id = typed.trim().toUpperCase();
  return ID_PATTERN.test(id) ? id : undefined;
}

/** "fix" or "undo", the prefix of the record's audit actions. */
export function auditPrefix(record: Pick<RemediationRecord, "undoOf">): "fix" | "undo" {
  return record.undoOf === undefined ? "fix" : "undo";
}

function hhmm(iso: string | undefined): string {
  return iso === undefined ? "" : ` at ${iso.slice(11, 16)} UTC`;
}

/** Why a change is no longer waiting for a decision, for the person who clicked. */
export function notPendingMessage(r: RemediationRecord): string {
  const by = r.decidedBy ? ` by ${r.decidedBy.name}` : "";
  switch (r.status) {
    case "approved":
      return `Change ${r.id} was already approved${by}${hhmm(r.decidedAt)} and is being applied.`;
    case "applied":
      return `Change ${r.id} was already approved${by}${hhmm(r.decidedAt)} and applied${hhmm(r.appliedAt)}.`;
    case "failed":
      return `Change ${r.id} was approved${by}${hhmm(r.decidedAt)}, but Azure refused it${r.error ? `: ${r.error}` : "."}`;
    case "stale":
      return `Change ${r.id} was approved${by}${hhmm(r.decidedAt)}, but the resource had changed since the preview, so nothing was written.`;
    case "denied":
      return `Change ${r.id} was already denied${by}${hhmm(r.decidedAt)}.`;
    case "expired":
      return `Change ${r.id} expired without a decision; propose it again to see the current values.`;
    case "pending":
      return `Change ${r.id} is still waiting for a decision.`;
  }
}

export interface FixDecisionInput {
  decision: "approve" | "deny" | "confirm";
  person: FixPerson;
  now: Date;
  note?: string;
}

export type FixDecisionResult =
  | { outcome: "approved" | "denied"; record: RemediationRecord }
  | { outcome: "expired"; record: RemediationRecord; error: AppError }
  | { outcome: "refused"; record: RemediationRecord; error: AppError };

function samePerson(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * A decision on a pending change. With approval required, an approver other than the proposer approves or denies;
 * without it, the proposer confirms (or denies, i.e. withdraws) their own change. A proposal older than
 * {@link FIX_APPROVAL_TIMEOUT_MS} expires instead. Anything not pending is refused with what happened to it, so a
 * retried click is answered idempotently.
 */
export function decideFix(record: RemediationRecord, input: FixDecisionInput): FixDecisionResult {
  if (record.status !== "pending") return { outcome: "refused", record, error: new AppError("Conflict", notPendingMessage(record)) };
  if (input.now.getTime() - Date.parse(record.createdAt) > FIX_APPROVAL_TIMEOUT_MS) {
    return {
      outcome: "expired",
      record: { ...record, status: "expired", decidedAt: input.now.toISOString(), note: "No one decided within 1 h." },
      error: new AppError("Conflict", `Change ${record.id} expired: a preview older than 1 h may no longer match Azure. Propose it again to see the current values.`),
    };
  }
  const own = samePerson(input.person.id, record.requester.id);
  if (input.decision === "confirm") {
    if (record.approvalRequired) {
      return { outcome: "refused", record, error: new AppError("Forbidden", `Change ${record.id} needs an approver other than ${record.requester.name}.`) };
    }
    if (!own) return { outcome: "refused", record, error: new AppError("Forbidden", `Only ${record.requester.name}, who proposed change ${record.id}, can confirm it.`) };
  } else if (own && record.approvalRequired) {
    return {
      outcome: "refused",
      record,
      error: new AppError("Forbidden", `You cannot ${input.decision} your own change; another approver has to decide it.`),
    };
  }
  const note = input.note?.trim().slice(0, 300);
  const approved = input.decision !== "deny";
  return {
    outcome: approved ? "approved" : "denied",
    record: {
      ...record,
      status: approved ? "approved" : "denied",
      decidedBy: { ...input.person },
      decidedAt: input.now.toISOString(),
      ...(note ? { note } : {}),
    },
  };
}

/** Why `record` cannot be undone now, or undefined when it can. `undo` is the latest undo proposed for it, if any. */
export function undoProblem(record: RemediationRecord, now: Date, undo?: RemediationRecord): string | undefined {
  if (record.undoOf !== undefined) return `${record.id} is itself an undo (of ${record.undoOf}); to change the resource again, propose a fix.`;
  if (record.status !== "applied" || record.appliedAt === undefined) {
    return `Change ${record.id} was not applied (it is ${record.status}), so there is nothing to undo.`;
  }
  if (undo !== undefined && ["pending", "approved", "applied"].includes(undo.status)) {
    return undo.status === "applied"
      ? `Change ${record.id} was already undone by ${undo.id}${hhmm(undo.appliedAt)}.`
      : `Undo ${undo.id} of change ${record.id} is already ${undo.status === "pending" ? "waiting for a decision" : "being applied"}.`;
  }
  if (now.getTime() - Date.parse(record.appliedAt) > UNDO_WINDOW_MS) {
    return `Change ${record.id} was applied${hhmm(record.appliedAt)} on ${record.appliedAt.slice(0, 10)}, more than 24 h ago; undo is only offered for 24 h. Propose a new change instead.`;
  }
  return undefined;
}

/** The proposal that undoes an applied change: from what the change wrote (as read back) to what was there before. */
export function undoProposal(record: RemediationRecord): RemediationProposal {
  return {
    kind: record.kind,
    target: record.target,
    resourceId: record.resourceId,
    resourceName: record.resourceName,
    title: `Undo ${record.id}: ${record.title.charAt(0).toLowerCase()}${record.title.slice(1)}`,
    finding: `Restores ${record.resourceName} to what it was before change ${record.id}.`,
    before: record.readBack ?? record.after,
    after: record.before,
    warning: "Restoring the previous value brings back the finding the change fixed.",
  };
}

/** True when an approved change has waited too long for Azure's answer (the bot stopped while applying it). */
export function isStuck(record: RemediationRecord, now: Date): boolean {
  return record.status === "approved" && now.getTime() - Date.parse(record.decidedAt ?? record.createdAt) > FIX_APPLY_STUCK_MS;
}
