/**
 * Short messages to the requester about their JIT request: decided, access about to end, access ended, expired
 * undecided. Plain message cards (cards/message.json); the request's own card is updated separately.
 */
import { formatDuration } from "../domain/durations";
import { describeJitRequest, portList } from "../domain/jit-record";
import type { JitRequest } from "../domain/jit-request";
import type { RenderedCard } from "../domain/ports";
import { messageCard } from "./message";
import type { CardRenderer } from "./render";
import { utcTime } from "./jit-approval";

export type JitNoticeKind = "granted" | "denied" | "failed" | "expired" | "ending" | "ended" | "interrupted";

function requestAgain(r: JitRequest): string {
  return `jit request ${r.vm.name} port ${portList(r)} from ${r.source} because ‹reason›`;
}

/** The message for one event in a request's life. `now` is used for "in 5 min". */
export function jitNoticeCard(cards: CardRenderer, kind: JitNoticeKind, r: JitRequest, now: Date): RenderedCard {
  const what = `${r.vm.name} (port ${portList(r)})`;
  const footer = `Request ${r.id}: ${describeJitRequest(r)}`;
  switch (kind) {
    case "granted":
      return messageCard(cards, {
        title: `JIT access to ${what} is open`,
        text: `${r.decidedBy && r.decidedBy.id !== r.requester.id ? `${r.decidedBy.name} approved your request. ` : ""}Connect from ${r.source} until ${utcTime(r.grantEndTime)}. I'll remind you before it ends.`,
        style: "good",
        footer,
      });
    case "denied":
      return messageCard(cards, {
        title: `Your JIT request for ${what} was denied`,
        text: `${r.decidedBy?.name ?? "An approver"} denied it${r.reason ? `: ${r.reason}` : "."}`,
        style: "attention",
        footer,
      });
    case "failed":
      return messageCard(cards, {
        title: `JIT access to ${what} could not be opened`,
        text: r.reason ?? "Azure refused the request.",
        style: "attention",
        footer,
      });
    case "interrupted":
      return messageCard(cards, {
        title: `JIT access to ${what} may not have been opened`,
        text: r.reason ?? "The request was interrupted.",
        style: "warning",
        footer,
      });
    case "expired":
      return messageCard(cards, {
        title: `Your JIT request for ${what} expired`,
        text: `Nobody decided it in time. If you still need access, ask again.`,
        style: "warning",
        footer: `${footer}. To ask again: ${requestAgain(r)}`,
      });
    case "ending": {
      const remaining = r.grantEndTime === undefined ? 0 : Math.max(0, Date.parse(r.grantEndTime) - now.getTime());
      return messageCard(cards, {
        title: `JIT access to ${what} ends soon`,
        text: `Access ends at ${utcTime(r.grantEndTime)}, in ${formatDuration(Math.max(1, Math.round(remaining / 60_000)) * 60_000)}. Save your work; if you need longer, request access again.`,
        style: "warning",
        footer,
      });
    }
    case "ended":
      return messageCard(cards, {
        title: `JIT access to ${what} has ended`,
        text: `Access ended at ${utcTime(r.grantEndTime)}; the ports are closed again.`,
        style: "default",
        footer,
      });
  }
}
