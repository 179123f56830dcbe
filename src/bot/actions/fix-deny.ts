import { FIX_DENY_VERB } from "../../cards/remediation";
import type { CardActionSpec } from "../command-spec";
import { changeIdFrom, decideChange } from "../remediation-workflow";

/** The change card's Deny button (Action.Execute); the card's note field is the reason. */
export const action: CardActionSpec = {
  verb: FIX_DENY_VERB,
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const id = changeIdFrom(inv.data.changeId, "fix deny <change-id>");
    const reason = typeof inv.data.note === "string" && inv.data.note.trim() !== "" ? inv.data.note : undefined;
    const answer = await decideChange(services, inv, id, "deny", reason);
    return { card: answer.card, result: answer.changed ? "ok" : "refused", target: id };
  },
};
