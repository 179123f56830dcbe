/**
 * Durations as people type them in chat ("1h30m", "90 minutes") and as Azure writes them (ISO 8601 "PT3H"),
 * read into milliseconds and written back for cards and for Azure.
 */
import { AppError } from "./errors";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** What the error messages offer, so every caller names the same accepted forms. */
export const DURATION_FORMS = "1h, 90m, 1h30m, 45s, 2 hours, 1 day, or ISO 8601 such as PT1H30M or P1D";

/** Long inputs cannot be durations; cutting them off keeps error messages short. */
const MAX_INPUT = 64;

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;
/** ISO 8601 without years and months: P[nW][nD][T[nH][nM][nS]]. */
const ISO = new RegExp(`^P(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`, "i");
/** Years or months before the T: valid ISO 8601, but of no fixed length. */
const ISO_CALENDAR = /^P[^T]*[YM]/i;

/** One `<number> <unit>` part of a human duration; "m" is minutes (months make no sense for access). */
const HUMAN_PART = /(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/y;
const HUMAN_SEPARATOR = /\s*(?:,|\band\b)?\s*/y;

function unitMs(unit: string): number {
  if (unit.startsWith("d")) return DAY;
  if (unit.startsWith("h")) return HOUR;
  if (unit.startsWith("m")) return MINUTE;
  return SECOND;
}

function badDuration(text: string, why?: string): AppError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return new AppError("BadInput", `"${shown}" is not a duration I can read${why ? ` (${why})` : ""}. Use ${DURATION_FORMS}.`);
}

function isoNumber(part: string | undefined): number {
  return part === undefined ? 0 : Number(part.replace(",", "."));
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1);
  // "P" and "PT" alone match the pattern but name no amount.
  if (parts.every((p) => p === undefined)) return undefined;
  const [w, d, h, min, s] = parts.map(isoNumber) as [number, number, number, number, number];
  return w * WEEK + d * DAY + h * HOUR + min * MINUTE + s * SECOND;
}

function parseHuman(text: string): number | undefined {
  const seen = new Set<number>();
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    if (pos > 0) {
      HUMAN_SEPARATOR.lastIndex = pos;
      HUMAN_SEPARATOR.exec(text);
      pos = HUMAN_SEPARATOR.lastIndex;
    }
    HUMAN_PART.lastIndex = pos;
    const m = HUMAN_PART.exec(text);
    if (!m) return undefined;
    const unit = unitMs(m[2]);
    // "1h 1h" is more likely a typo than a request for two hours.
    if (seen.has(unit)) return undefined;
    seen.add(unit);
    total += Number(m[1]) * unit;
    pos = HUMAN_PART.lastIndex;
  }
  return seen.size > 0 ? total : undefined;
}

/**
 * Reads a duration into milliseconds.
 *
 * Accepts ISO 8601 (`PT3H`, `PT30M`, `PT1H30M`, `P1D`, `P1DT2H`, `PT0.5H`; case-insensitive; weeks allowed, years
 * and months refused because they have no fixed length) and human forms (`1h`, `90m`, `1h30m`, `45s`, `2 hours`,
 * `1 hour 30 minutes`, `1.5h`, `1 d`; `m` means minutes). Each unit may appear once. Zero is returned as 0
 * (callers decide whether it is allowed); negative amounts are not durations.
 *
 * @throws AppError("BadInput") naming the accepted forms
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length > MAX_INPUT) throw badDuration(trimmed);
  if (/^p/i.test(trimmed)) {
    if (ISO_CALENDAR.test(trimmed)) {
      throw badDuration(trimmed, "years and months have no fixed length; use days, e.g. P30D");
    }
    const ms = parseIso(trimmed);
    if (ms === undefined) throw badDuration(trimmed);
    return checkRange(trimmed, ms);
  }
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) throw badDuration(trimmed, "add a unit, e.g. 30m or 2h");
  const ms = parseHuman(trimmed.toLowerCase());
  if (ms === undefined) throw badDuration(trimmed);
  return checkRange(trimmed, ms);
}

function checkRange(text: string, ms: number): number {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) throw badDuration(text, "far too long");
  return rounded;
}

/** Like {@link parseDuration} but returns undefined instead of throwing. */
export function tryParseDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/**
 * Writes a duration for people: `1 h 30 min`, `45 s`, `1 d 2 h`, `0 s`. Rounded to whole seconds, zero parts
 * left out. The output reads back through {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let seconds = Math.round(Math.abs(ms) / SECOND);
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", DAY / SECOND],
    ["h", HOUR / SECOND],
    ["min", MINUTE / SECOND],
  ] as const) {
    const n = Math.floor(seconds / size);
    if (n > 0) parts.push(`${n} ${unit}`);
    seconds -= n * size;
  }
  if (seconds > 0 || parts.length === 0) parts.push(`${seconds} s`);
  return sign + parts.join(" ");
}

/**
 * Writes a non-negative duration as ISO 8601 in the style Azure uses for JIT (`PT3H`, `PT1H30M`, `PT0S`):
 * hours rather than days, milliseconds as a decimal fraction of seconds.
 */
export function toIsoDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const s = rest / SECOND;
  let out = "PT";
  if (h > 0) out += `${h}H`;
  if (m > 0) out += `${m}M`;
  if (s > 0 || out === "PT") out += `${s}S`;
  return out;
}
