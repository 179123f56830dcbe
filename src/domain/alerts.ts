/**
 * Alert selection for the `alerts [high|medium|low] [last <N>h|<N>d]` command and the digest.
 */
import { formatDuration, tryParseDuration } from "./durations";
import { AppError } from "./errors";
import type { AlertSeverity, SecurityAlert } from "./model";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Defender for Cloud keeps alerts for 90 days; a longer window would promise history that does not exist. */
export const MAX_ALERT_WINDOW_MS = 90 * DAY;

/** Filters for {@link selectAlerts}. */
export interface AlertSelection {
  /** Only this severity. */
  severity?: AlertSeverity;
  /** Only alerts generated at or after this time. */
  since?: Date;
  /** The current time; alerts stamped later than this (clock skew) still count as new. */
  now: Date;
}

/** When Defender generated the alert, falling back to when the activity started; NaN when neither parses. */
export function alertTime(alert: SecurityAlert): number {
  const generated = Date.parse(alert.timeGenerated);
  return Number.isNaN(generated) ? Date.parse(alert.startTime) : generated;
}

/**
 * Active alerts matching the filters, newest first. An alert whose times cannot be read is kept only when no
 * `since` is given (there is no telling whether it is recent), and sorts last.
 */
export function selectAlerts(alerts: readonly SecurityAlert[], selection: AlertSelection): SecurityAlert[] {
  const since = selection.since?.getTime();
  return alerts
    .filter((a) => a.status === "Active")
    .filter((a) => selection.severity === undefined || a.severity === selection.severity)
    .filter((a) => {
      if (since === undefined) return true;
      const t = alertTime(a);
      return !Number.isNaN(t) && t >= since;
    })
    .map((a) => ({ a, t: alertTime(a) }))
    .sort((x, y) => (Number.isNaN(y.t) ? -1 : Number.isNaN(x.t) ? 1 : y.t - x.t) || x.a.name.localeCompare(y.a.name))
    .map((x) => x.a);
}

/** The start of a window ending now. */
export function windowStart(now: Date, windowMs: number): Date {
  return new Date(now.getTime() - windowMs);
}

/** Options for {@link parseWindow}. */
export interface WindowOptions {
  /** Longest window accepted; default {@link MAX_ALERT_WINDOW_MS}. */
  maxMs?: number;
}

const WINDOW_FORMS = `24h, 7d or "last 3d"`;

/**
 * Reads a look-back window into milliseconds: `24h`, `7d`, `2w`, `last 3d`, `last 12 hours`, `last 1d12h`
 * (any duration form durations.ts reads, with an optional leading "last").
 *
 * @throws AppError("BadInput") for text that is not a duration, a zero window, or one longer than `maxMs`
 */
export function parseWindow(text: string, options: WindowOptions = {}): number {
  const maxMs = options.maxMs ?? MAX_ALERT_WINDOW_MS;
  const trimmed = text.trim();
  const body = trimmed.replace(/^last\s*/i, "");
  const weeks = /^(\d+)\s*(?:w|wk|wks|weeks?)$/i.exec(body);
  const ms = weeks ? Number(weeks[1]) * 7 * DAY : tryParseDuration(body);
  const shown = trimmed.length > 30 ? `${trimmed.slice(0, 30)}…` : trimmed;
  if (ms === undefined || body === "") {
    throw new AppError("BadInput", `"${shown}" is not a time window. Use something like ${WINDOW_FORMS}.`);
  }
  if (ms <= 0) throw new AppError("BadInput", `A time window must be longer than zero, e.g. ${WINDOW_FORMS}.`);
  if (ms > maxMs) {
    throw new AppError("BadInput", `"${shown}" is too long: the longest window is ${formatDuration(maxMs)}.`);
  }
  return ms;
}
