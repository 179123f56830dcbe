import { FIX_APPROVE_VERB } from "../../cards/remediation";
import type { CardActionSpec } from "../command-spec";
import { changeIdFrom, decideChange } from "../remediation-workflow";

function note(data: Record<string, unknown>): string | undefined {
  return typeof data.note === "string" && data.note.trim() !== "" ? data.note : undefined;
}

/** The change card's Approve button (Action.Execute): the card is replaced by "approved; applying…", then the outcome. */
export const action: CardActionSpec = {
  verb: FIX_APPROVE_VERB,
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const id = changeIdFrom(inv.data.changeId, "fix approve <change-id>");
    const answer = await decideChange(services, inv, id, "approve", note(inv.data));
    return { card: answer.card, result: answer.changed ? "ok" : "refused", target: id };
  },
};
