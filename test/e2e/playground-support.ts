/** Shared by the Agents Playground suites (test/e2e/playground-*.test.ts): reading cards as the page receives them. */
import type { PlaygroundMessage } from "../../scripts/playground-lib";
import { cardText } from "../helpers/cards";

export const ADAPTIVE = "application/vnd.microsoft.card.adaptive";

/** The Adaptive Card of a playground message, or undefined. */
export function cardIn(message: PlaygroundMessage | undefined): Record<string, any> | undefined {
  return message?.attachments?.find((a) => a.contentType === ADAPTIVE)?.content;
}

/** What a person sees in a bot message: its text plus the text of its Adaptive Cards. */
export function visibleText(message: PlaygroundMessage | undefined): string {
  if (!message) return "";
  const cards = (message.attachments ?? []).filter((a) => a.contentType === ADAPTIVE).map((a) => cardText(a.content));
  return [message.text ?? "", ...cards].join("\n");
}

/** Every action of a card (top-level actions and those inside ActionSets), flattened. */
export function actionsOf(card: unknown): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      const o = n as Record<string, unknown>;
      if (typeof o.type === "string" && o.type.startsWith("Action.")) out.push(o as Record<string, any>);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

const TEXT_COLOURS = new Set(["default", "accent", "good", "warning", "attention"]);
const CONTAINER_STYLES = new Set(["default", "emphasis", "good", "attention", "warning", "accent"]);
const ACTION_STYLES = new Set(["default", "positive", "destructive"]);

/**
 * Why a card would look wrong in Teams' dark (or light) theme: a hard-coded colour, an image background, or the
 * "dark"/"light" text colours, which vanish on one of the two backgrounds. Semantic colours and container styles
 * are mapped by each theme's host config, so they are the only ones allowed. Empty = fine in both themes.
 */
export function themeProblems(card: unknown): string[] {
  const problems: string[] = [];
  const walk = (n: unknown, path: string) => {
    if (Array.isArray(n)) n.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (n && typeof n === "object") {
      const o = n as Record<string, unknown>;
      const type = typeof o.type === "string" ? o.type : "";
      if ("backgroundImage" in o) problems.push(`${path}: backgroundImage`);
      if (typeof o.color === "string" && !TEXT_COLOURS.has(o.color.toLowerCase())) problems.push(`${path}: color "${o.color}"`);
      if (typeof o.style === "string") {
        const allowed = type.startsWith("Action.") ? ACTION_STYLES : type === "Container" || type === "Column" || type === "ColumnSet" || type === "TableCell" || type === "Table" ? CONTAINER_STYLES : undefined;
        if (allowed && !allowed.has(o.style.toLowerCase())) problems.push(`${path}: ${type} style "${o.style}"`);
      }
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === "string" && /^#[0-9a-f]{3,8}$/i.test(v.trim())) problems.push(`${path}.${k}: hard-coded colour ${v}`);
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(card, "card");
  return problems;
}
