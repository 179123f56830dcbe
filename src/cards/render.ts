/**
 * Renders Adaptive Card templates (cards/<name>.json, adaptivecards-templating) with typed data.
 * User-supplied text only ever travels as data, so a `${...}` typed by a user comes out literally (DESIGN §3.6).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Template } from "adaptivecards-templating";
import { AppError } from "../domain/errors";
import type { RenderedCard } from "../domain/ports";

/** Teams renders up to about 28 KB comfortably (reference §6.6); every card must stay below. */
export const CARD_BUDGET_BYTES = 28 * 1024;

/** Where the templates live: the repository's /cards, both from src/cards (tests) and dist/cards (built). */
export const DEFAULT_TEMPLATE_DIR = resolve(__dirname, "..", "..", "cards");

export interface CardRenderer {
  /** Expands cards/<template>.json with `data`; throws AppError("Internal") if the result exceeds the budget. */
  render(template: string, data: object, summary: string): RenderedCard;
}

export function createCardRenderer(options: { dir?: string; budgetBytes?: number } = {}): CardRenderer {
  const dir = options.dir ?? DEFAULT_TEMPLATE_DIR;
  const budget = options.budgetBytes ?? CARD_BUDGET_BYTES;
  const cache = new Map<string, Template>();

  function load(name: string): Template {
    if (!/^[a-z0-9-]+$/.test(name)) throw new AppError("Internal", "That card is not available.", `bad template name ${name}`);
    let template = cache.get(name);
    if (template === undefined) {
      // Parsing a template's ${...} expressions is most of a warm turn's CPU (bench/); a Template is reusable
      // because expand() starts from a fresh evaluation context each call.
      template = new Template(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as unknown);
      cache.set(name, template);
    }
    return template;
  }

  return {
    render(template, data, summary) {
      const expanded = load(template).expand({ $root: data }) as Record<string, unknown>;
      const bytes = Buffer.byteLength(JSON.stringify(expanded), "utf8");
      if (bytes > budget) {
        throw new AppError(
          "Internal",
          "That answer is too large to show as one card; try a narrower filter.",
          `card ${template} is ${bytes} bytes, over the ${budget}-byte budget`,
        );
      }
      return { card: expanded, summary };
    },
  };
}

/** Pages a list for a card: the first `size` items plus how many more there are. */
export function page<T>(items: readonly T[], size: number, pageIndex = 0): { shown: T[]; more: number; nextPage?: number } {
  const start = pageIndex * size;
  const shown = items.slice(start, start + size);
  const more = Math.max(0, items.length - start - shown.length);
  return { shown, more, nextPage: more > 0 ? pageIndex + 1 : undefined };
}
