/**
 * View model for the JIT request form (cards/jit-request-form.json), shown for a bare `jit request`: a VM picker of
 * the JIT-enabled VMs, ports, duration, source and justification, sent with Action.Execute (verb jit.request). After
 * a mistake the form comes back with the problem on top and what was typed still filled in.
 */
import type { RenderedCard } from "../domain/ports";
import type { CardRenderer } from "./render";

export const JIT_REQUEST_VERB = "jit.request";
/** VMs offered in the picker; a larger estate names the VM in the text command instead. */
export const FORM_MAX_VMS = 100;

export interface JitRequestFormValues {
  vm?: string;
  ports?: string;
  duration?: string;
  source?: string;
  justification?: string;
}

export interface JitRequestFormView {
  vms: { title: string; value: string }[];
  values?: JitRequestFormValues;
  /** What was wrong with the last submission. */
  error?: string;
}

const DURATIONS = [
  { title: "15 minutes", value: "15m" },
  { title: "30 minutes", value: "30m" },
  { title: "1 hour", value: "1h" },
  { title: "2 hours", value: "2h" },
  { title: "3 hours", value: "3h" },
];

export function jitRequestForm(cards: CardRenderer, view: JitRequestFormView): RenderedCard {
  const v = view.values ?? {};
  const shown = view.vms.slice(0, FORM_MAX_VMS);
  const more =
    view.vms.length > shown.length
      ? `Showing ${shown.length} of ${view.vms.length} JIT-enabled VMs. For another one, type jit request ‹vm› port ‹n› from ‹address› because ‹reason›.`
      : view.vms.length === 0
        ? 'I see no JIT-enabled VM. Type "jit list" to see what is exposed without JIT.'
        : null;
  return cards.render(
    "jit-request-form",
    {
      error: view.error ?? null,
      intro: "Access starts when an approver other than you approves it (or at once where approval is not required), and ends by itself.",
      vms: shown,
      durations: DURATIONS,
      values: {
        vm: v.vm ?? "",
        ports: v.ports ?? "",
        duration: v.duration && DURATIONS.some((d) => d.value === v.duration) ? v.duration : "1h",
        source: v.source ?? "",
        justification: v.justification ?? "",
      },
      more,
    },
    view.error ? `JIT request form: ${view.error}` : "JIT request form",
  );
}
