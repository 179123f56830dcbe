/** View model for the help card (generated from the command specs) and the welcome card. */
import type { RenderedCard } from "../domain/ports";
import type { CommandButton } from "./message";
import type { CardRenderer } from "./render";

export interface HelpEntry {
  usage: string;
  summary: string;
  /** Shown as a tag next to the command; omitted for commands everyone (reader) may use. */
  role?: string;
}

/** Commands under one heading ("Packet capture"); a group without a title is a plain list. */
export interface HelpGroup {
  title?: string;
  commands: HelpEntry[];
}

/** One thing the bot does, in a sentence (the welcome card). */
export interface HelpTopic {
  title: string;
  text: string;
}

export interface HelpView {
  title: string;
  intro: string;
  demo: boolean;
  /** What the bot does, in plain words (the welcome card); none on the help card. */
  topics?: HelpTopic[];
  groups: HelpGroup[];
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
      topics: view.topics ?? [],
      groups: view.groups.map((g) => ({
        title: g.title ?? null,
        commands: g.commands.map((c) => ({ usage: c.usage, summary: c.summary, role: c.role ?? null })),
      })),
      didYouMean: view.didYouMean ?? null,
      notice: view.notice ?? null,
      footer: view.footer ?? null,
    },
    view.didYouMean ?? view.title,
  );
}
