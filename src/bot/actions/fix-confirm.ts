import { FIX_CONFIRM_VERB } from "../../cards/remediation";
import type { CardActionSpec } from "../command-spec";
import { changeIdFrom, decideChange } from "../remediation-workflow";

/** The change card's Apply button when approval is not required: only the proposer may press it. */
export const action: CardActionSpec = {
  verb: FIX_CONFIRM_VERB,
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const id = changeIdFrom(inv.data.changeId, "fix confirm <change-id>");
    const answer = await decideChange(services, inv, id, "confirm");
    return { card: answer.card, result: answer.changed ? "ok" : "refused", target: id };
  },
};
