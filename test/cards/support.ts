/** Renders posture views the way the commands do, for card tests. */
import { postureCard, postureContext, type PostureContext } from "../../src/cards/posture";
import { createCardRenderer, CARD_BUDGET_BYTES } from "../../src/cards/render";
import type { ReportView } from "../../src/cards/report";
import { cardText } from "../helpers/cards";
import { cardProblems } from "../helpers/validate-card";
import { SUB, SUB2 } from "../domain/builders";

export const cards = createCardRenderer();

/** The time the builders' alerts and grants are relative to. */
export const NOW = new Date("2030-01-01T12:00:00Z");

export const NAMES = { [SUB]: "Contoso Production", [SUB2]: "Contoso Dev" };

export function ctx(overrides: Partial<PostureContext> & { command: string }): PostureContext {
  return postureContext({ subscriptionNames: NAMES, now: NOW, ...overrides });
}

export interface Rendered {
  card: Record<string, any>;
  text: string;
  bytes: number;
  summary: string;
  /** The commands of the card's Action.Submit buttons. */
  commands: string[];
}

/** Renders a view with the report template; fails the test if the card is invalid. */
export function render(view: ReportView): Rendered {
  const { card, summary } = postureCard(cards, view);
  expect(cardProblems(card)).toEqual([]);
  const bytes = Buffer.byteLength(JSON.stringify(card));
  expect(bytes).toBeLessThan(CARD_BUDGET_BYTES);
  const actions = (card.actions ?? []) as { type: string; data?: { command?: string } }[];
  return {
    card,
    text: cardText(card),
    bytes,
    summary,
    commands: actions.filter((a) => a.type === "Action.Submit").map((a) => a.data!.command!),
  };
}

/** A long string, to push views towards the size budget. */
export function long(word: string, n = 600): string {
  return `${word} `.repeat(Math.ceil(n / (word.length + 1))).slice(0, n);
}
