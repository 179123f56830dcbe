/** View model for the plain message card: a title, text, facts and buttons; used for errors and short answers. */
import type { RenderedCard } from "../domain/ports";
import type { CardRenderer } from "./render";

export type CardStyle = "default" | "emphasis" | "good" | "attention" | "warning" | "accent";

/** A button that sends a command as if the person had typed it. */
export interface CommandButton {
  title: string;
  command: string;
}

export interface MessageView {
  title: string;
  text?: string;
  style?: CardStyle;
  facts?: { title: string; value: string }[];
  buttons?: CommandButton[];
  footer?: string;
}

export function messageCard(cards: CardRenderer, view: MessageView): RenderedCard {
  return cards.render(
    "message",
    {
      title: view.title,
      text: view.text ?? null,
      style: view.style ?? "default",
      facts: view.facts ?? [],
      buttons: view.buttons ?? [],
      footer: view.footer ?? null,
    },
    view.text ? `${view.title}: ${view.text}` : view.title,
  );
}

/** The card every failed turn gets: what went wrong in plain words and a reference to find it in the log. */
export function errorCard(cards: CardRenderer, userMessage: string, correlationId: string): RenderedCard {
  return messageCard(cards, {
    title: "Sorry, that did not work",
    text: userMessage,
    style: "attention",
    footer: `Reference: ${correlationId}`,
  });
}
