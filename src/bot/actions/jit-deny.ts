import { JIT_DENY_VERB } from "../../cards/jit-approval";
import type { CardActionSpec } from "../command-spec";
import { decideJitRequest, requestIdFrom } from "../jit-workflow";

/** The approval card's Deny button (Action.Execute); the card's note field is the reason. */
export const action: CardActionSpec = {
  verb: JIT_DENY_VERB,
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const id = requestIdFrom(inv.data.requestId, "jit deny <request-id>");
    const reason = typeof inv.data.reason === "string" && inv.data.reason.trim() !== "" ? inv.data.reason : undefined;
    const answer = await decideJitRequest(services, inv, id, "deny", reason);
    return { card: answer.card, result: answer.changed ? "ok" : "refused", target: id };
  },
};
