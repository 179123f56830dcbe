/**
 * How the bot keeps a JIT request between turns (store collection "jit-requests"): the domain's JitRequest plus
 * where its cards went and which notices were sent, so decisions and expiry can update every copy of the card
 * after a restart. Pure: ids, justifications and "what is due now" are computed here; I/O happens in the callers.
 */
import { formatDuration } from "./durations";
import type { JitRequest } from "./jit-request";
import { JIT_APPROVAL_TIMEOUT_MS } from "./jit-request";
import type { JitGrant } from "./model";

/** Store collection of {@link JitRequestRecord}s, keyed by request id. */
export const JIT_REQUESTS = "jit-requests";

/** A card the bot posted for a request, so it can be replaced when the request changes. */
export interface PostedCard {
  conversationId: string;
  activityId: string;
}

/** A JIT request as stored: the domain value plus delivery bookkeeping. */
export interface JitRequestRecord extends JitRequest {
  /** The conversation the request was made in; the requester's notices go there unless a personal chat is known. */
  conversationId: string;
  /** Every approval card posted for this request (the requester's conversation and approvers' chats). */
  cards: PostedCard[];
  /** ISO 8601: when the initiate call was sent to Azure. */
  initiatedAt?: string;
  /** ISO 8601: when the "access ends soon" notice went out. */
  endingNoticeAt?: string;
  /** ISO 8601: when the bot saw the access end (and said so). */
  accessEndedAt?: string;
}

/** Before the end of access, the requester is told it is about to end. */
export const JIT_ENDING_NOTICE_MS = 5 * 60 * 1000;

/**
 * An approved request whose initiate call has not reported back after this long was interrupted (the bot stopped
 * mid-call); the expiry job marks it failed so it does not stay "opening access" forever.
 */
export const JIT_INITIATE_STUCK_MS = 10 * 60 * 1000;

/** Letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L). */
const ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const ID_PATTERN = /^J[2-9A-HJKMNP-Z]{6}$/;

/**
 * A short request id people can type (`jit approve J7K2MQ`).
 *
 * @param random returns an integer in [0, n); injectable for tests
 */
export function newJitRequestId(random: (n: number) => number): string {
  let id = "J";
  for (let i = 0; i < 6; i++) id += ID_ALPHABET[random(ID_ALPHABET.length)];
  return id;
}

/** The stored key for a typed id (`j7k2mq` → `J7K2MQ`), or undefined when it cannot be a request id. */
export function normalizeJitRequestId(typed: string): string | undefined {
  const id = typed.trim().toUpperCase();
  return ID_PATTERN.test(id) ? id : undefined;
}

const MARKER = /\[SecOps bot request (J[2-9A-HJKMNP-Z]{6})\]/;

/**
 * The justification sent to Azure: who asked, who approved, the request id (so grants listed by Azure, which names
 * the bot's identity as requestor, can be traced back to people), then the requester's words.
 */
export function jitJustification(request: JitRequest): string {
  const approver =
    request.decidedBy === undefined || request.decidedBy.id === request.requester.id
      ? "no approval required"
      : `approved by ${request.decidedBy.name} (${request.decidedBy.id})`;
  return `[SecOps bot request ${request.id}] requested by ${request.requester.name} (${request.requester.id}), ${approver}: ${request.justification}`;
}

/** The request id inside a justification written by {@link jitJustification}. */
export function requestIdInJustification(justification: string | undefined): string | undefined {
  return justification === undefined ? undefined : MARKER.exec(justification)?.[1];
}

/** Azure grants still open at `now`. */
export function activeGrants(grants: readonly JitGrant[], now: Date): JitGrant[] {
  return grants.filter((g) => g.status === "Initiated" && Date.parse(g.endTime) > now.getTime());
}

/** What the expiry job has to do for one record at `now`; at most one step per pass. */
export type ExpiryStep =
  | { kind: "none" }
  /** Undecided for longer than the approval timeout. */
  | { kind: "expire" }
  /** Approved, but the initiate call never reported back. */
  | { kind: "interrupted" }
  /** Access ends within the notice window. */
  | { kind: "ending"; remainingMs: number }
  /** Access has ended. */
  | { kind: "ended" };

/** Decides the next expiry step for a record (pure, so the rules have table tests). */
export function expiryStep(record: JitRequestRecord, now: Date, endingNoticeMs = JIT_ENDING_NOTICE_MS): ExpiryStep {
  const t = now.getTime();
  switch (record.status) {
    case "pending":
      return t - Date.parse(record.createdAt) > JIT_APPROVAL_TIMEOUT_MS ? { kind: "expire" } : { kind: "none" };
    case "approved": {
      const since = Date.parse(record.initiatedAt ?? record.decidedAt ?? record.createdAt);
      return t - since > JIT_INITIATE_STUCK_MS ? { kind: "interrupted" } : { kind: "none" };
    }
    case "granted": {
      if (record.grantEndTime === undefined || record.accessEndedAt !== undefined) return { kind: "none" };
      const remaining = Date.parse(record.grantEndTime) - t;
      if (remaining <= 0) return { kind: "ended" };
      if (remaining <= endingNoticeMs && record.endingNoticeAt === undefined) return { kind: "ending", remainingMs: remaining };
      return { kind: "none" };
    }
    default:
      return { kind: "none" };
  }
}

/** "22, 3389" */
export function portList(request: Pick<JitRequest, "ports">): string {
  return request.ports.map((p) => p.number).join(", ");
}

/** One line for logs and audit details: `vm-web-01 ports 22 from 203.0.113.7 for 1 h`. */
export function describeJitRequest(request: JitRequest): string {
  return `${request.vm.name} port${request.ports.length === 1 ? "" : "s"} ${portList(request)} from ${request.source} for ${formatDuration(request.durationMs)}`;
}
