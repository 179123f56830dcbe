"use strict";
/**
 * A what-if, measured by the benchmark (never used by the bot): src/cards/render.ts with one change, the parsed
 * `Template` kept per template name instead of built on every render. Building a Template parses every `${…}`
 * expression of the card with adaptive-expressions' ANTLR parser, which is most of a warm turn's CPU. The library
 * documents a Template as reusable ("can be bound to different data objects in a loop"), and `expand()` is synchronous
 * and starts from a fresh EvaluationContext each call, so nothing can leak between conversations.
 */
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { Template } = require("adaptivecards-templating");
const { AppError } = require("../../dist/domain/errors");
const { DEFAULT_TEMPLATE_DIR, CARD_BUDGET_BYTES } = require("../../dist/cards/render");

function createCachedCardRenderer({ dir = DEFAULT_TEMPLATE_DIR, budgetBytes = CARD_BUDGET_BYTES } = {}) {
  const templates = new Map();
  function load(name) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new AppError("Internal", "That card is not available.", `bad template name ${name}`);
    let template = templates.get(name);
    if (template === undefined) {
      template = new Template(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")));
      templates.set(name, template);
    }
    return template;
  }
  return {
    render(name, data, summary) {
      const expanded = load(name).expand({ $root: data });
      const bytes = Buffer.byteLength(JSON.stringify(expanded), "utf8");
      if (bytes > budgetBytes) {
        throw new AppError("Internal", "That answer is too large to show as one card; try a narrower filter.", `card ${name} is ${bytes} bytes, over the ${budgetBytes}-byte budget`);
      }
      return { card: expanded, summary };
    },
  };
}

module.exports = { createCachedCardRenderer };
