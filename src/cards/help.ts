/** View model for the help card (generated from the command specs) and the welcome card. */
import type { RenderedCard } from "../domain/ports";
import type { CommandButton } from "./message";
import type { CardRenderer } from "./render";

export interface HelpEntry {
  usage: string;
  summary: string;
  role: string;
}

export interface HelpView {
  title: string;
  intro: string;
  demo: boolean;
  commands: HelpEntry[];
  buttons: CommandButton[];
  /** e.g. "Did you mean score?" */
  didYouMean?: string;
  /** A warning shown at the top (e.g. inbound authentication is off). */
  notice?: string;
  footer?: string;
}

export function helpCard(cards: CardRenderer, view: HelpView): RenderedCard {
  return cards.render(
    "help",
    {
      ...view,
      didYouMean: view.didYouMean ?? null,
      notice: view.notice ?? null,
      footer: view.footer ?? null,
    },
    view.didYouMean ?? view.title,
  );
}
