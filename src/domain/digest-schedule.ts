/**
 * The daily digest's schedule as people type it (`digest on [at HH:MM] [tz <IANA zone>]`) and the local-calendar
 * arithmetic the scheduler needs. Pure: the cron search itself lives in src/digest/schedule.ts (croner).
 */
import { AppError } from "./errors";

/** When a conversation gets its digest: a local wall-clock time in an IANA time zone. */
export interface DigestSchedule {
  /** "HH:MM", 24-hour. */
  time: string;
  /** Canonical IANA zone name, e.g. "Europe/Berlin" or "UTC". */
  timeZone: string;
}

export const DIGEST_ON_USAGE = "digest on [at HH:MM] [tz <IANA zone>]";

/**
 * Reads a time of day: `8:00`, `08:00`, `8am`, `6:30pm`, `18.30` → "HH:MM". Undefined when it is not one.
 * Seconds are not accepted: digests are scheduled by the minute.
 */
export function parseTimeOfDay(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  const h24 = /^(\d{1,2})[:.h](\d{2})$/.exec(t);
  if (h24) return hhmm(Number(h24[1]), Number(h24[2]));
  const ampm = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)$/.exec(t);
  if (ampm) {
    const h = Number(ampm[1]);
    if (h < 1 || h > 12) return undefined;
    return hhmm((h % 12) + (ampm[3] === "pm" ? 12 : 0), Number(ampm[2] ?? "0"));
  }
  return undefined;
}

function hhmm(h: number, m: number): string | undefined {
  if (!Number.isInteger(h) || !Number.isInteger(m) || h < 0 || h > 23 || m < 0 || m > 59) return undefined;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/**
 * The canonical IANA name of a zone typed in any case (`europe/berlin` → `Europe/Berlin`), or undefined when the
 * runtime's time zone database does not know it. Fixed offsets (`+02:00`) are refused on purpose: they do not follow
 * daylight saving time, which is exactly what people forget.
 */
export function canonicalTimeZone(text: string): string | undefined {
  const t = text.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(t) || t.length > 64) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: t }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (resolved.toLowerCase() === t.toLowerCase()) return resolved;
  // ICU may answer with an older alias (Asia/Kolkata → Asia/Calcutta); keep the name people typed, in its usual case.
  if (t !== t.toLowerCase() && t !== t.toUpperCase()) return t;
  return t.length <= 4 ? t.toUpperCase() : t.replace(/[A-Za-z]+/g, (w) => (w.length <= 2 ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()));
}

function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Reads the arguments after `digest on`: `at <time>` and `tz <zone>` (also `timezone`/`in`), in any order, each
 * optional; the defaults fill what is missing.
 *
 * @throws AppError("BadInput") naming what could not be read and showing the usage
 */
export function parseDigestOnArgs(args: readonly string[], defaults: DigestSchedule): DigestSchedule {
  let time: string | undefined;
  let timeZone: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!.toLowerCase();
    const value = args[i + 1];
    if (word === "at") {
      if (value === undefined) throw new AppError("BadInput", `"at" needs a time such as 08:00. Use: ${DIGEST_ON_USAGE}`);
      // "at 8 am": the meridiem as its own word.
      const next = args[i + 2]?.toLowerCase();
      const joined = next === "am" || next === "pm" ? `${value}${next}` : value;
      const parsed = parseTimeOfDay(joined);
      if (parsed === undefined) {
        throw new AppError("BadInput", `"${shown(value)}" is not a time of day. Use 24-hour HH:MM such as 08:00 or 17:30.`);
      }
      if (time !== undefined) throw new AppError("BadInput", `Give one time only. Use: ${DIGEST_ON_USAGE}`);
      time = parsed;
      i += joined === value ? 1 : 2;
    } else if (word === "tz" || word === "timezone" || word === "zone" || word === "in") {
      if (value === undefined) throw new AppError("BadInput", `"${word}" needs a time zone such as Europe/Berlin. Use: ${DIGEST_ON_USAGE}`);
      const zone = canonicalTimeZone(value);
      if (zone === undefined) {
        throw new AppError(
          "BadInput",
          `"${shown(value)}" is not a time zone I know. Use an IANA name such as Europe/Berlin, America/New_York or UTC.`,
        );
      }
      if (timeZone !== undefined) throw new AppError("BadInput", `Give one time zone only. Use: ${DIGEST_ON_USAGE}`);
      timeZone = zone;
      i += 1;
    } else {
      const asTime = parseTimeOfDay(args[i]!);
      if (asTime !== undefined && time === undefined) {
        time = asTime;
        continue;
      }
      throw new AppError("BadInput", `I don't understand "${shown(args[i]!)}". Use: ${DIGEST_ON_USAGE}`);
    }
  }
  return { time: time ?? defaults.time, timeZone: timeZone ?? defaults.timeZone };
}

function parts(instant: Date, timeZone: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
    hourCycle: "h23",
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(instant)) out[p.type] = p.value;
  return out;
}

/** The calendar date of `instant` in `timeZone`, "YYYY-MM-DD". */
export function localDate(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The wall-clock time of `instant` in `timeZone`, "HH:MM". */
export function localTime(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Wed 4 Jun 08:00` in `timeZone`. */
export function localDateTime(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.weekday} ${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.hour}:${p.minute}`;
}

/** `Wednesday 4 June 2025` style heading for a local date "YYYY-MM-DD" (read as a calendar date, no zone). */
export function longDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const instant = new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1, 12));
  const p: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" }).formatToParts(instant)) {
    p[part.type] = part.value;
  }
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}
