/**
 * Argument grammars of the posture commands (score, recommendations, alerts, vm, exposure, containers), their
 * canonical command lines (for next-page buttons), and the free-form question helpers their specs use.
 * Every parser throws AppError("BadInput") with the usage when it cannot read what was typed.
 */
import { parseWindow } from "../domain/alerts";
import { formatDuration } from "../domain/durations";
import { AppError } from "../domain/errors";
import type { AlertSeverity, Severity } from "../domain/model";
import { EXPOSURE_PARTS, type ExposurePart } from "../cards/exposure";

export const USAGE = {
  score: "score [page <n>]",
  recommendations: "recommendations [high|medium|low] [in <resource-group|subscription>] [page <n>]",
  alerts: "alerts [high|medium|low] [last <N>h|<N>d] [page <n>] · alerts <number|name>",
  vm: "vm <name> [page <n>]",
  exposure: `exposure [${EXPOSURE_PARTS.join("|")}] [page <n>]`,
  containers: "containers [high|medium|low] [page <n>]",
} as const;

/** Longest page number accepted; far beyond any real list, short enough to stay a number. */
const MAX_PAGE = 9999;

/** Drops question marks and similar from the end of a typed word ("today?" → "today"). */
function bare(word: string): string {
  return word.replace(/[?!]+$/, "");
}

function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Quotes a value that holds spaces so the command line tokenizes back to the same value. */
export function quoteArg(value: string): string {
  return /\s/.test(value) ? `"${value.replace(/"/g, "")}"` : value;
}

/**
 * Takes a trailing `page <n>` (1-based) off the arguments.
 * @returns the other arguments and the 0-based page
 */
export function takePage(args: readonly string[], usage: string): { rest: string[]; page: number } {
  const words = args.map(bare).filter((w) => w !== "");
  const at = words.findIndex((w) => w.toLowerCase() === "page");
  if (at === -1) return { rest: words, page: 0 };
  const value = words[at + 1];
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE) {
    throw new AppError("BadInput", `"page" needs a page number from 1, e.g. "page 2". Use: ${usage}`);
  }
  if (at + 2 !== words.length) {
    throw new AppError("BadInput", `Put "page <n>" last. Use: ${usage}`);
  }
  return { rest: words.slice(0, at), page: Number(value) - 1 };
}

const SEVERITIES: Readonly<Record<string, Severity>> = { high: "High", medium: "Medium", med: "Medium", low: "Low" };

/** `high`, `medium` (`med`), `low`, any case. */
export function parseSeverity(word: string): Severity | undefined {
  return SEVERITIES[word.toLowerCase()];
}

function alertSeverity(word: string): AlertSeverity | undefined {
  const lower = word.toLowerCase();
  return lower === "informational" || lower === "info" ? "Informational" : parseSeverity(lower);
}

function oneSeverity<T>(current: T | undefined, next: T, usage: string): T {
  if (current !== undefined) throw new AppError("BadInput", `Give one severity. Use: ${usage}`);
  return next;
}

function unknownWord(word: string, what: string, usage: string): AppError {
  return new AppError("BadInput", `"${shown(word)}" is not ${what}. Use: ${usage}`);
}

// ------------------------------------------------------------------------------------------------ score

export function parseScoreArgs(args: readonly string[]): { page: number } {
  const { rest, page } = takePage(args, USAGE.score);
  if (rest.length > 0) throw unknownWord(rest.join(" "), "something score takes", USAGE.score);
  return { page };
}

// ------------------------------------------------------------------------------------------------ recommendations

export interface RecommendationsArgs {
  severity?: Severity;
  /** Resource group, subscription id or subscription name, as typed after "in". */
  scope?: string;
  page: number;
}

export function parseRecommendationsArgs(args: readonly string[]): RecommendationsArgs {
  const usage = USAGE.recommendations;
  const { rest, page } = takePage(args, usage);
  const inAt = rest.findIndex((w) => w.toLowerCase() === "in");
  const before = inAt === -1 ? rest : rest.slice(0, inAt);
  let scope: string | undefined;
  if (inAt !== -1) {
    scope = rest.slice(inAt + 1).join(" ").trim();
    if (scope === "") throw new AppError("BadInput", `Name a resource group or subscription after "in", e.g. "recs in rg-web-prod". Use: ${usage}`);
  }
  let severity: Severity | undefined;
  for (const word of before) {
    const s = parseSeverity(word);
    if (s === undefined) throw unknownWord(word, "a severity (high, medium or low)", usage);
    severity = oneSeverity(severity, s, usage);
  }
  return { severity, scope, page };
}

/** `recs high in "Contoso Production"` (without the page). */
export function recommendationsCommand(a: Omit<RecommendationsArgs, "page">): string {
  return ["recs", a.severity?.toLowerCase(), ...(a.scope !== undefined ? ["in", quoteArg(a.scope)] : [])].filter((x) => x !== undefined).join(" ");
}

// ------------------------------------------------------------------------------------------------ alerts

export interface AlertsArgs {
  severity?: AlertSeverity;
  windowMs?: number;
  /** The window for people and for the command line, e.g. "24h". */
  windowText?: string;
  /** `alerts 3` or `alerts <alert name>`: one alert. */
  target?: { number: number } | { name: string };
  page: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WINDOW_TOKEN = /^\d+(?:\.\d+)?(?:h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?|m|mins?|minutes?)$/i;
const UNIT_WORD = /^(?:h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?|mins?|minutes?)$/i;

/** A window as people and the next-page button read it: `24h`, `7d`, `36h`, `1d12h`. */
function windowText(ms: number): string {
  if (ms % DAY_MS === 0 && ms >= 2 * DAY_MS) return `${ms / DAY_MS}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  return formatDuration(ms).replace(/\s+/g, "");
}

export function parseAlertsArgs(args: readonly string[]): AlertsArgs {
  const usage = USAGE.alerts;
  const { rest, page } = takePage(args, usage);
  const out: AlertsArgs = { page };
  const leftover: string[] = [];
  const setWindow = (text: string, ms?: number): void => {
    if (out.windowMs !== undefined) throw new AppError("BadInput", `Give one time window. Use: ${usage}`);
    out.windowMs = ms ?? parseWindow(text);
    out.windowText = windowText(out.windowMs);
  };
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    const lower = word.toLowerCase();
    const severity = alertSeverity(lower);
    if (severity !== undefined) {
      out.severity = oneSeverity(out.severity, severity, usage);
    } else if (lower === "last" || lower === "past") {
      const next = rest[i + 1];
      if (next === undefined) throw new AppError("BadInput", `"last" needs a window after it, e.g. "last 24h" or "last 7d". Use: ${usage}`);
      // "last 12 hours" comes as two words.
      if (/^\d+$/.test(next) && rest[i + 2] !== undefined && UNIT_WORD.test(rest[i + 2]!)) {
        setWindow(`${next} ${rest[i + 2]!}`);
        i += 2;
      } else {
        setWindow(next);
        i += 1;
      }
    } else if (lower === "today") {
      setWindow("24h", DAY_MS);
    } else if (lower === "week" || lower === "this-week") {
      setWindow("7d", 7 * DAY_MS);
    } else if (WINDOW_TOKEN.test(word) || /^\d+[a-z]+$/i.test(word)) {
      // Anything shaped like "5y" is meant as a window; parseWindow says what is wrong with it.
      setWindow(word);
    } else {
      leftover.push(word);
    }
  }
  if (leftover.length > 0) {
    if (out.severity !== undefined || out.windowMs !== undefined) {
      throw unknownWord(leftover.join(" "), "a severity (high, medium, low) or a window (last 24h, last 7d)", usage);
    }
    const joined = leftover.join(" ");
    out.target = /^#?\d+$/.test(joined) ? { number: Number(joined.replace("#", "")) } : { name: joined };
    if ("number" in out.target && out.target.number < 1) throw new AppError("BadInput", `Alerts are numbered from 1. Use: ${usage}`);
  }
  return out;
}

/** `alerts high last 24h` (without the page). */
export function alertsCommand(a: Pick<AlertsArgs, "severity" | "windowText">): string {
  return ["alerts", a.severity?.toLowerCase(), ...(a.windowText ? ["last", a.windowText] : [])].filter((x) => x !== undefined).join(" ");
}

// ------------------------------------------------------------------------------------------------ vm

export function parseVmArgs(args: readonly string[]): { name: string; page: number } {
  const usage = USAGE.vm;
  const { rest, page } = takePage(args, usage);
  if (rest.length === 0) throw new AppError("BadInput", `Name the VM, e.g. "vm vm-web-01". Use: ${usage}`);
  if (rest.length > 1) {
    throw new AppError("BadInput", `VM names have no spaces; I read "${shown(rest[0]!)}" and don't understand "${shown(rest.slice(1).join(" "))}". Use: ${usage}`);
  }
  return { name: rest[0]!, page };
}

// ------------------------------------------------------------------------------------------------ exposure

const PART_ALIASES: Readonly<Record<string, ExposurePart>> = {
  vms: "vms", vm: "vms", machines: "vms", exposed: "vms",
  rules: "rules", rule: "rules", nsg: "rules", nsgs: "rules",
  forwarding: "forwarding", "ip-forwarding": "forwarding", ipforwarding: "forwarding", nics: "forwarding",
  flowlogs: "flowlogs", "flow-logs": "flowlogs", flowlog: "flowlogs", logs: "flowlogs",
  watchers: "watchers", watcher: "watchers", "network-watcher": "watchers", networkwatcher: "watchers",
  storage: "storage",
  waf: "waf", gateways: "waf", apps: "waf",
  disagreements: "disagreements", disagreement: "disagreements",
};

export function parseExposureArgs(args: readonly string[]): { part?: ExposurePart; page: number } {
  const usage = USAGE.exposure;
  const { rest, page } = takePage(args, usage);
  if (rest.length === 0) return { page };
  const part = rest.length === 1 ? PART_ALIASES[rest[0]!.toLowerCase()] : undefined;
  if (part === undefined) throw unknownWord(rest.join(" "), `a part of the exposure answer (${EXPOSURE_PARTS.join(", ")})`, usage);
  return { part, page };
}

// ------------------------------------------------------------------------------------------------ containers

export function parseContainersArgs(args: readonly string[]): { severity?: Severity; page: number } {
  const usage = USAGE.containers;
  const { rest, page } = takePage(args, usage);
  let severity: Severity | undefined;
  for (const word of rest) {
    const s = parseSeverity(word);
    if (s === undefined) throw unknownWord(word, "a severity (high, medium or low)", usage);
    severity = oneSeverity(severity, s, usage);
  }
  return { severity, page };
}

// ------------------------------------------------------------------------------------------------ free-form questions

/** The first severity word of a question ("any high alerts" → ["high"]). */
export function severityFromQuestion(words: readonly string[]): string[] {
  const w = words.find((x) => parseSeverity(x) !== undefined && x !== "med");
  return w ? [w] : [];
}

const NOT_NAMES = new Set(["24h", "7d", "1h", "48h", "30d"]);

/** The first word of a question that looks like a resource name: letters with a digit, hyphen, dot or underscore. */
export function resourceNameFromQuestion(words: readonly string[]): string | undefined {
  return words.find((w) => /[a-z]/.test(w) && /[\d._-]/.test(w) && !NOT_NAMES.has(w) && !/^\d+[a-z]$/.test(w) && !/'/.test(w));
}

// ------------------------------------------------------------------------------------------------ reads

export { failuresOf } from "../domain/estate-reads";
