/**
 * Maps a free-form question to a command by keywords ("which VMs are exposed to the internet?" → exposure).
 * Deliberately simple and predictable: whole words only, the best-scoring command wins, ties mean "not sure".
 */
import type { CommandSpec } from "./command-spec";

export interface IntentMatch {
  spec: CommandSpec;
  /** The command line the question maps to, e.g. "vm vm-web-01". */
  commandLine: string;
}

/** Lower-case words of a question, punctuation trimmed (hyphens and dots inside names kept). */
export function questionWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, ""))
    .filter((w) => w.length > 0);
}

export function matchIntent(text: string, specs: readonly CommandSpec[]): IntentMatch | undefined {
  const words = questionWords(text);
  if (words.length < 2) return undefined;
  const set = new Set(words);
  let best: { spec: CommandSpec; score: number } | undefined;
  let tie = false;
  for (const spec of specs) {
    const score = (spec.keywords ?? []).reduce((n, k) => n + (k.includes(" ") ? (text.toLowerCase().includes(k) ? 2 : 0) : set.has(k) ? 1 : 0), 0);
    if (score === 0) continue;
    if (best === undefined || score > best.score) {
      best = { spec, score };
      tie = false;
    } else if (score === best.score) tie = true;
  }
  if (best === undefined || tie) return undefined;
  const args = best.spec.questionArgs?.(words) ?? [];
  return { spec: best.spec, commandLine: [best.spec.name, ...args].join(" ") };
}
