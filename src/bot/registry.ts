/**
 * Finds command specs (src/bot/commands/*) and card actions (src/bot/actions/*) by file, so a new command is one new
 * file and nothing else changes. Matching is by whole tokens, case-insensitive, longest name first (never substring).
 */
import { existsSync, readdirSync } from "node:fs";
import { extname, join } from "node:path";
import type { CardActionSpec, CommandSpec } from "./command-spec";

function moduleFiles(dir: string): string[] {
  // Load the same kind of file as this one: .ts under jest, .js once built.
  const ext = extname(__filename);
  // A folder with no specs yet may not exist in a fresh clone (git keeps no empty folders).
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(".d.ts") && !f.includes(".test.") && !f.startsWith("index."))
    .sort()
    .map((f) => join(dir, f));
}

function isCommandSpec(x: unknown): x is CommandSpec {
  if (typeof x !== "object" || x === null) return false;
  const s = x as Partial<CommandSpec>;
  return typeof s.name === "string" && typeof s.handler === "function" && typeof s.role === "string";
}

function isActionSpec(x: unknown): x is CardActionSpec {
  if (typeof x !== "object" || x === null) return false;
  const s = x as Partial<CardActionSpec>;
  return typeof s.verb === "string" && typeof s.handler === "function" && typeof s.role === "string";
}

/** Loads every `spec` exported by the files of `dir`. */
export function discoverCommands(dir = join(__dirname, "commands")): CommandSpec[] {
  const specs: CommandSpec[] = [];
  for (const file of moduleFiles(dir)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (isCommandSpec(value)) specs.push(value);
  }
  return specs;
}

/** Loads every `action` exported by the files of `dir`. */
export function discoverActions(dir = join(__dirname, "actions")): CardActionSpec[] {
  const specs: CardActionSpec[] = [];
  for (const file of moduleFiles(dir)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (isActionSpec(value)) specs.push(value);
  }
  return specs;
}

export interface CommandMatch {
  spec: CommandSpec;
  /** How many tokens the command words took. */
  consumed: number;
}

export class CommandRegistry {
  private readonly byWords: { words: string[]; spec: CommandSpec }[] = [];

  constructor(readonly specs: readonly CommandSpec[]) {
    const seen = new Map<string, string>();
    for (const spec of specs) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        const key = name.trim().toLowerCase();
        const owner = seen.get(key);
        if (owner !== undefined) throw new Error(`Command name "${key}" is used by both "${owner}" and "${spec.name}"`);
        seen.set(key, spec.name);
        this.byWords.push({ words: key.split(/\s+/), spec });
      }
    }
    // Longest names first so "jit request" wins over "jit".
    this.byWords.sort((a, b) => b.words.length - a.words.length);
  }

  /** The command the tokens start with, if any. */
  match(tokens: readonly string[]): CommandMatch | undefined {
    const lower = tokens.map((t) => t.toLowerCase());
    for (const { words, spec } of this.byWords) {
      if (words.length <= lower.length && words.every((w, i) => lower[i] === w)) return { spec, consumed: words.length };
    }
    return undefined;
  }

  get(name: string): CommandSpec | undefined {
    return this.match(name.trim().split(/\s+/))?.spec;
  }

  /** Every name and alias, for "did you mean". */
  names(): string[] {
    return this.byWords.map((x) => x.words.join(" "));
  }
}

export class ActionRegistry {
  private readonly byVerb = new Map<string, CardActionSpec>();

  constructor(specs: readonly CardActionSpec[]) {
    for (const spec of specs) {
      const key = spec.verb.toLowerCase();
      if (this.byVerb.has(key)) throw new Error(`Card action verb "${key}" is defined twice`);
      this.byVerb.set(key, spec);
    }
  }

  get(verb: string): CardActionSpec | undefined {
    return this.byVerb.get(verb.toLowerCase());
  }
}
