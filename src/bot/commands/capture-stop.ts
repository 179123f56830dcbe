import { AppError } from "../../domain/errors";
import { isActive } from "../../domain/capture-rules";
import { captureCard } from "../../cards/capture";
import { cardFor, externalView, findCapture, notFoundCapture, stopCaptureByName } from "../../digest/capture-workflow";
import type { CommandSpec } from "../command-spec";

const USAGE = "capture stop <name> [confirm]";

/**
 * `capture stop <name>`: shows the capture with a "Stop capture" button (Action.Execute capture.stop) to confirm;
 * `capture stop <name> confirm` stops it at once.
 */
export const spec: CommandSpec = {
  name: "capture stop",
  usage: USAGE,
  summary: "Stop a running packet capture (asks to confirm)",
  description:
    'Ends a capture before its time limit; the file keeps what was captured so far. Without "confirm" you get the capture\'s card with a Stop button.',
  examples: ["capture stop cap-vm-web-01-20250101-0942", "capture stop cap-vm-web-01-20250101-0942 confirm"],
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const [name, confirm, ...extra] = inv.args;
    if (name === undefined || extra.length > 0 || (confirm !== undefined && confirm.toLowerCase() !== "confirm")) {
      throw new AppError("BadInput", `Use: ${USAGE}. "capture list" shows the capture names.`);
    }
    if (confirm !== undefined) {
      await inv.reply(
        await stopCaptureByName(services, name, { id: inv.actor.id, name: inv.actor.name, tenantId: inv.actor.tenantId }, { conversationId: inv.conversation.id, correlationId: inv.correlationId }),
      );
      return;
    }
    const found = await findCapture(services, name);
    if (found === undefined) throw notFoundCapture(name);
    if (found.kind === "record") {
      const r = found.record;
      const notice =
        r.state === "starting" ? "The capture is still starting; stop it once it runs." : !isActive(r) ? "Nothing to stop: this capture has already ended." : undefined;
      await inv.reply(cardFor(services, r, notice ? { notice } : { confirmStop: true }));
      return;
    }
    const status = await services.azure.captureStatus(found.capture.id);
    const view = externalView(found.capture, status, services.clock.now());
    await inv.reply(
      captureCard(services.cards, view, view.state === "running" ? { confirmStop: true } : { notice: "Nothing to stop: this capture is not running." }),
    );
  },
};
