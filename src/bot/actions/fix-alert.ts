import { messageCard } from "../../cards/message";
import { alertFixForm, FIX_ALERT_VERB } from "../../cards/remediation";
import { AppError, isAppError } from "../../domain/errors";
import { ALERT_ACTIONS, type AlertAction } from "../../domain/remediation";
import { nameOf } from "../../domain/resource-ids";
import type { CardActionSpec } from "../command-spec";
import { planFix, proposeFix } from "../remediation-workflow";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The alert form's Preview button: the change card is posted into the conversation (so it can be updated later) and
 * the form is replaced by a short confirmation. A problem brings the form back with the answer and what was typed.
 */
export const action: CardActionSpec = {
  verb: FIX_ALERT_VERB,
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const alertId = text(inv.data.alertId);
    if (alertId === undefined) throw new AppError("BadInput", `That form names no alert; type "fix alert <number>" again.`);
    const chosen = text(inv.data.action);
    const reason = text(inv.data.reason);
    try {
      if (chosen === undefined || !Object.keys(ALERT_ACTIONS).includes(chosen)) throw new AppError("BadInput", "Choose dismiss, resolve or reactivate.");
      if (reason === undefined) throw new AppError("BadInput", "Say why: the reason goes to the audit log and the approval card.");
      const proposal = await planFix(services, { kind: "alert", alert: alertId, action: chosen as AlertAction, reason });
      const record = await proposeFix(services, inv, proposal, (card) => services.notifier.post(inv.conversation.id, card));
      return messageCard(services.cards, {
        title: `Change ${record.id} proposed`,
        text: `${record.title}: its preview is below${record.approvalRequired ? " and waits for an approver" : "; press Apply on it to make the change"}.`,
        style: "good",
      });
    } catch (err) {
      if (!isAppError(err) || err.code !== "BadInput") throw err;
      await inv.audit({ action: "fix:propose", target: nameOf(alertId), result: "invalid", detail: err.userMessage.slice(0, 300) });
      const alert = (await services.azure.alerts()).items.find((a) => a.id.toLowerCase() === alertId.toLowerCase());
      return alertFixForm(services.cards, {
        alertId,
        alertName: alert?.name ?? nameOf(alertId),
        displayName: alert?.displayName ?? nameOf(alertId),
        status: alert?.status ?? "?",
        resource: alert?.resourceIds[0] ? nameOf(alert.resourceIds[0]) : alert?.compromisedEntity ?? "?",
        values: { action: chosen, reason },
        error: err.userMessage,
      });
    }
  },
};
