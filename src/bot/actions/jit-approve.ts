import { JIT_APPROVE_VERB } from "../../cards/jit-approval";
import type { CardActionSpec } from "../command-spec";
import { decideJitRequest, requestIdFrom } from "../jit-workflow";

function note(data: Record<string, unknown>): string | undefined {
  return typeof data.reason === "string" && data.reason.trim() !== "" ? data.reason : undefined;
}

/** The approval card's Approve button (Action.Execute): the updated card replaces the one clicked. */
export const action: CardActionSpec = {
  verb: JIT_APPROVE_VERB,
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const id = requestIdFrom(inv.data.requestId, "jit approve <request-id>");
    const answer = await decideJitRequest(services, inv, id, "approve", note(inv.data));
    return { card: answer.card, result: answer.changed ? "ok" : "refused", target: id };
  },
};
