import { jitRequestForm, JIT_REQUEST_VERB, type JitRequestFormValues } from "../../cards/jit-request-form";
import { messageCard } from "../../cards/message";
import { isAppError } from "../../domain/errors";
import type { CardActionSpec } from "../command-spec";
import { parsePorts } from "../commands/jit-request";
import { requestableVms, submitJitRequest, validateForAzure } from "../jit-workflow";

function text(data: Record<string, unknown>, key: keyof JitRequestFormValues): string | undefined {
  const value = data[key];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * The JIT request form's submit button. A valid request is handled exactly like the text command (the approval card
 * is posted into the conversation); the form is replaced by a short confirmation. A problem brings the form back
 * with the answer on top and what was typed kept.
 */
export const action: CardActionSpec = {
  verb: JIT_REQUEST_VERB,
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const values: JitRequestFormValues = {
      vm: text(inv.data, "vm"),
      ports: text(inv.data, "ports"),
      duration: text(inv.data, "duration"),
      source: text(inv.data, "source"),
      justification: text(inv.data, "justification"),
    };
    try {
      const validated = await validateForAzure(services, {
        vmName: values.vm ?? "",
        ports: values.ports === undefined ? undefined : parsePorts([values.ports]),
        duration: values.duration,
        source: values.source,
        justification: values.justification,
      });
      const record = await submitJitRequest(services, inv, validated, (card) => services.notifier.post(inv.conversation.id, card));
      return messageCard(services.cards, {
        title: `Request ${record.id} sent`,
        text:
          record.status === "pending"
            ? `Your request for ${record.vm.name} is waiting for an approver; its card is below.`
            : `Your request for ${record.vm.name} is ${record.status === "granted" ? "open" : record.status}; its card is below.`,
        style: "good",
      });
    } catch (err) {
      if (!isAppError(err) || err.code !== "BadInput") throw err;
      await inv.audit({ action: "jit:request", result: "invalid", detail: err.userMessage.slice(0, 300) });
      return jitRequestForm(services.cards, { vms: await requestableVms(services), values, error: err.userMessage });
    }
  },
};
