/**
 * A JIT request's life (STYLE rule 6: propose → approve → execute), as a pure state machine over immutable
 * values. The store keeps the values; the bot turns decisions into cards; src/azure opens the ports.
 *
 * ```
 * pending ──approve──▶ approved ──markGranted──▶ granted
 *    │                    └──────markFailed───▶ failed
 *    ├──deny────▶ denied
 *    └──(30 min)─▶ expired
 * ```
 */
import { AppError } from "./errors";
import { formatDuration } from "./durations";
import { endTimeFor, type ValidatedJitPort, type ValidatedJitRequest } from "./jit-rules";
import type { JitInitiation } from "./model";

/** Where a request stands. `granted` means Azure accepted the initiate call; the access itself ends at `grantEndTime`. */
export type JitRequestStatus = "pending" | "approved" | "denied" | "expired" | "failed" | "granted";

/** Someone in Teams: Entra object id (or channel user id) and display name. */
export interface JitPerson {
  id: string;
  name: string;
}

/** A JIT access request and its decision. Never mutated: each transition returns a new object. */
export interface JitRequest {
  /** Short id people type in `jit approve <id>`; chosen by the caller. */
  id: string;
  requester: JitPerson;
  vm: { id: string; name: string };
  policyId: string;
  /** Ports with their protocol and the source to send for each (the policy's spelling when it restricts sources). */
  ports: ValidatedJitPort[];
  /** The source as the requester typed it. */
  source: string;
  durationMs: number;
  /** Exactly as typed (trimmed); user text, never a template. */
  justification: string;
  /** ISO 8601 */
  createdAt: string;
  status: JitRequestStatus;
  decidedBy?: JitPerson;
  /** ISO 8601 */
  decidedAt?: string;
  /** The approver's or denier's note, the reason for expiry, or why the grant failed. */
  reason?: string;
  /** ISO 8601; when the granted access ends. */
  grantEndTime?: string;
}

/** A request nobody decided within this time expires: access asked for half an hour ago is likely no longer needed. */
export const JIT_APPROVAL_TIMEOUT_MS = 30 * 60 * 1000;

/** Starts a request from a validated one; it waits for approval. */
export function newJitRequest(args: {
  id: string;
  requester: JitPerson;
  validated: ValidatedJitRequest;
  now: Date;
}): JitRequest {
  const v = args.validated;
  return {
    id: args.id,
    requester: { ...args.requester },
    vm: { id: v.vmId, name: v.vmName },
    policyId: v.policyId,
    ports: v.ports.map((p) => ({ ...p })),
    source: v.source,
    durationMs: v.durationMs,
    justification: v.justification,
    createdAt: args.now.toISOString(),
    status: "pending",
  };
}

/** True when a pending request has waited longer than {@link JIT_APPROVAL_TIMEOUT_MS}. */
export function isStale(request: JitRequest, now: Date): boolean {
  return request.status === "pending" && now.getTime() - Date.parse(request.createdAt) > JIT_APPROVAL_TIMEOUT_MS;
}

/** The expired request when it is stale, else the same object (so callers can tell whether to save). */
export function expireIfStale(request: JitRequest, now: Date): JitRequest {
  if (!isStale(request, now)) return request;
  return {
    ...request,
    status: "expired",
    decidedAt: now.toISOString(),
    reason: `No one decided within ${formatDuration(JIT_APPROVAL_TIMEOUT_MS)}.`,
  };
}

/** An approver's decision on a request, e.g. from `jit approve <id>` or the card's Approve button. */
export interface JitDecisionInput {
  decision: "approve" | "deny";
  approverId: string;
  /** Shown on the updated card ("Approved by Alex at 10:42"); defaults to the id. */
  approverName?: string;
  now: Date;
  reason?: string;
}

/**
 * What {@link decide} did. `approved`/`denied`: save `request`. `expired`: save `request` (it expired just now)
 * and show `error`. `refused`: `request` is unchanged; show `error`.
 */
export type JitDecisionResult =
  | { outcome: "approved" | "denied"; request: JitRequest }
  | { outcome: "expired"; request: JitRequest; error: AppError }
  | { outcome: "refused"; request: JitRequest; error: AppError };

function hhmm(iso: string | undefined): string {
  return iso === undefined ? "" : ` at ${iso.slice(11, 16)} UTC`;
}

function notPendingMessage(r: JitRequest): string {
  const by = r.decidedBy ? ` by ${r.decidedBy.name}` : "";
  switch (r.status) {
    case "approved":
    case "granted":
      return `Request ${r.id} was already approved${by}${hhmm(r.decidedAt)}.`;
    case "denied":
      return `Request ${r.id} was already denied${by}${hhmm(r.decidedAt)}.`;
    case "expired":
      return `Request ${r.id} expired without a decision. The requester can ask again with "jit request".`;
    case "failed":
      return `Request ${r.id} was approved but opening access failed${r.reason ? `: ${r.reason}` : ""}.`;
    case "pending":
      return `Request ${r.id} is still pending.`;
  }
}

/**
 * Applies an approver's decision. Only a pending request can be decided; one that waited more than 30 minutes
 * expires instead (whoever clicks); nobody decides their own request (ids compared case-insensitively, as Entra
 * object ids are GUIDs). A retried click on an already-decided request is refused with who decided it and when,
 * so the caller can answer it idempotently.
 */
export function decide(request: JitRequest, input: JitDecisionInput): JitDecisionResult {
  if (request.status !== "pending") {
    return { outcome: "refused", request, error: new AppError("Conflict", notPendingMessage(request)) };
  }
  const expired = expireIfStale(request, input.now);
  if (expired !== request) {
    const waited = formatDuration(input.now.getTime() - Date.parse(request.createdAt));
    return {
      outcome: "expired",
      request: expired,
      error: new AppError(
        "Conflict",
        `Request ${request.id} expired: it waited ${waited}, longer than the ${formatDuration(JIT_APPROVAL_TIMEOUT_MS)} allowed for a decision. The requester can ask again with "jit request".`,
      ),
    };
  }
  if (input.approverId.trim().toLowerCase() === request.requester.id.trim().toLowerCase()) {
    return {
      outcome: "refused",
      request,
      error: new AppError("Forbidden", `You cannot ${input.decision} your own request; another approver has to decide it.`),
    };
  }
  const reason = input.reason?.trim();
  const decided: JitRequest = {
    ...request,
    status: input.decision === "approve" ? "approved" : "denied",
    decidedBy: { id: input.approverId, name: input.approverName ?? input.approverId },
    decidedAt: input.now.toISOString(),
    ...(reason ? { reason } : {}),
  };
  return { outcome: input.decision === "approve" ? "approved" : "denied", request: decided };
}

/**
 * Approves a pending request with nobody else deciding, for JIT_REQUIRE_APPROVAL=false. The caller decides when
 * that applies; the requester is recorded as the decider so the audit trail says so.
 *
 * @throws AppError("Conflict") when the request is not pending
 */
export function approveWithoutReview(request: JitRequest, now: Date): JitRequest {
  if (request.status !== "pending") throw new AppError("Conflict", notPendingMessage(request));
  return {
    ...request,
    status: "approved",
    decidedBy: { ...request.requester },
    decidedAt: now.toISOString(),
    reason: "Approval not required (JIT_REQUIRE_APPROVAL=false).",
  };
}

/** The initiate call for an approved request; access runs for `durationMs` from `now`, the moment it is opened. */
export function initiationFor(request: JitRequest, now: Date): JitInitiation {
  const endTime = endTimeFor(now, request.durationMs);
  return {
    policyId: request.policyId,
    vmId: request.vm.id,
    ports: request.ports.map((p) => ({ number: p.number, source: p.source, endTime })),
    justification: request.justification,
  };
}

/**
 * Records that Azure accepted the initiate call.
 *
 * @throws AppError("Conflict") unless the request is approved (a retried invoke must not grant twice)
 */
export function markGranted(request: JitRequest, grantEndTime: Date): JitRequest {
  if (request.status !== "approved") throw new AppError("Conflict", notPendingMessage(request));
  return { ...request, status: "granted", grantEndTime: grantEndTime.toISOString() };
}

/**
 * Records that opening access failed after approval; `reason` is shown to people, so no ids of secrets.
 *
 * @throws AppError("Conflict") unless the request is approved
 */
export function markFailed(request: JitRequest, reason: string): JitRequest {
  if (request.status !== "approved") throw new AppError("Conflict", notPendingMessage(request));
  return { ...request, status: "failed", reason };
}
