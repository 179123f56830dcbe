/**
 * The command tokenizer every command uses (DESIGN §3.1): whitespace-separated words, quoted phrases kept
 * together, and a keyword splitter for grammars like
 * `jit request <vm> [port <n>[,<n>]] [for <duration>] [from <ip|cidr>] because <justification>`.
 */
import { AppError } from "./errors";

/** One token and where it came from in the original text. */
export interface Token {
  /** The token's text, with the surrounding quotes removed when it was quoted. */
  text: string;
  /** Offset of the token's first character in the original text (the opening quote when quoted). */
  start: number;
  /** Offset just past the token (past the closing quote when quoted). */
  end: number;
  /** True for a quoted phrase; a quoted token is always a value, never a keyword. */
  quoted: boolean;
}

/**
 * Opening quote → the characters that close it. Teams clients (iOS and macOS especially) turn straight quotes
 * into typographic ones, so those count too.
 */
const QUOTES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\u201c": "\u201d\u201c",
  "\u2018": "\u2019",
};

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/**
 * A closing quote must be followed by whitespace or the end of the text, so apostrophes inside a quoted phrase
 * (`'it's broken'`) do not end it early.
 */
function findClosingQuote(text: string, from: number, closers: string): number {
  for (let k = from; k < text.length; k++) {
    if (closers.includes(text[k]) && (k + 1 === text.length || isSpace(text[k + 1]))) return k;
  }
  return -1;
}

/**
 * Splits text into tokens with their offsets. Never throws.
 *
 * - Whitespace (any Unicode space, including the non-breaking spaces Teams inserts) separates tokens.
 * - A quote (`"`, `'`, `“`, `‘`) at the start of a token opens a phrase that runs to the matching closing quote
 *   followed by whitespace or the end; the quotes are removed. A quote inside a word (`don't`) is just a character.
 * - An unbalanced opening quote makes the rest of the text one token (trailing whitespace trimmed); an
 *   unbalanced quote with nothing after it yields no token.
 */
export function tokenizeWithSpans(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text[i];
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const closers = QUOTES[ch];
    if (closers !== undefined) {
      const close = findClosingQuote(text, i + 1, closers);
      if (close === -1) {
        const rest = text.slice(i + 1).trimEnd();
        if (rest !== "") tokens.push({ text: rest, start: i, end: i + 1 + rest.length, quoted: true });
        break;
      }
      tokens.push({ text: text.slice(i + 1, close), start: i, end: close + 1, quoted: true });
      i = close + 1;
      continue;
    }
    let j = i + 1;
    while (j < n && !isSpace(text[j])) j++;
    tokens.push({ text: text.slice(i, j), start: i, end: j, quoted: false });
    i = j;
  }
  return tokens;
}

/** Splits text into tokens (see {@link tokenizeWithSpans} for the quoting rules). Never throws. */
export function tokenize(text: string): string[] {
  return tokenizeWithSpans(text).map((t) => t.text);
}

/** What {@link takeKeywordArgs} found. */
export interface KeywordArgs<K extends string> {
  /** Tokens before the first keyword, e.g. the VM name. */
  positional: string[];
  /** For each keyword that appeared (as given in `keywords`), the tokens after it up to the next keyword. */
  keywords: Partial<Record<K, string[]>>;
  /**
   * The original text after the rest keyword (`because` by default), trimmed but otherwise exactly as typed:
   * quotes, `${...}` and line breaks included. Undefined when the keyword is absent; "" when nothing follows it.
   */
  rest?: string;
}

/** Options for {@link takeKeywordArgs}. */
export interface KeywordOptions {
  /** The keyword that takes the rest of the message verbatim. Default `because`. */
  rest?: string;
  /** Leading tokens to ignore, e.g. 2 for the command words `jit request`. Default 0. */
  skip?: number;
}

/**
 * Splits a command's argument text into positional tokens, keyword sections and a verbatim rest.
 *
 * `vm-web-01 port 22,3389 for 2h from 10.1.2.3 because need to patch "x"` with keywords `port, for, from` gives
 * positional `[vm-web-01]`, `port: [22,3389]`, `for: [2h]`, `from: [10.1.2.3]` and rest `need to patch "x"`.
 *
 * Keywords match whole unquoted tokens, case-insensitively; quote a value that is also a keyword (`"port"`).
 * The rest keyword takes everything after it, to the end of the message (a justification typed over several
 * lines stays whole); it is sliced from the original text rather than re-joined from tokens so it reaches the
 * audit log and Azure exactly as typed.
 *
 * @param text the text after the command words (or the whole text with `skip`)
 * @param keywords keyword names; results are keyed by these exact strings
 * @throws AppError("BadInput") when a keyword is given twice or has no value after it
 */
export function takeKeywordArgs<K extends string>(
  text: string,
  keywords: readonly K[],
  options: KeywordOptions = {},
): KeywordArgs<K> {
  const restKeyword = (options.rest ?? "because").toLowerCase();
  const byLower = new Map<string, K>(keywords.map((k) => [k.toLowerCase(), k]));
  const tokens = tokenizeWithSpans(text).slice(options.skip ?? 0);

  const result: KeywordArgs<K> = { positional: [], keywords: {} };
  let current: K | undefined;
  for (const token of tokens) {
    const lower = token.text.toLowerCase();
    if (!token.quoted && lower === restKeyword) {
      result.rest = text.slice(token.end).trim();
      break;
    }
    const keyword = token.quoted ? undefined : byLower.get(lower);
    if (keyword !== undefined) {
      if (current !== undefined) requireValue(current, result.keywords[current]);
      if (result.keywords[keyword] !== undefined) {
        throw new AppError("BadInput", `"${keyword}" appears twice; give it once.`);
      }
      result.keywords[keyword] = [];
      current = keyword;
    } else if (current === undefined) {
      result.positional.push(token.text);
    } else {
      result.keywords[current]!.push(token.text);
    }
  }
  if (current !== undefined) requireValue(current, result.keywords[current]);
  return result;
}

function requireValue(keyword: string, values: string[] | undefined): void {
  if (values === undefined || values.length === 0) {
    throw new AppError("BadInput", `"${keyword}" needs a value after it.`);
  }
}
