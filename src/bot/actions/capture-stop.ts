import { CAPTURE_STOP_VERB } from "../../cards/capture";
import { AppError } from "../../domain/errors";
import { stopCaptureByName } from "../../digest/capture-workflow";
import type { CardActionSpec } from "../command-spec";

/** The "Stop capture" button of the stop confirmation (Action.Execute): the card that shows the result replaces it. */
export const action: CardActionSpec = {
  verb: CAPTURE_STOP_VERB,
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const name = inv.data.name;
    if (typeof name !== "string" || !/^[A-Za-z0-9_.-]{1,80}$/.test(name)) {
      throw new AppError("BadInput", 'That button does not name a capture. Type "capture stop <name>".');
    }
    return stopCaptureByName(services, name, { id: inv.actor.id, name: inv.actor.name, tenantId: inv.actor.tenantId }, {
      conversationId: inv.conversation.id,
      correlationId: inv.correlationId,
    });
  },
};
