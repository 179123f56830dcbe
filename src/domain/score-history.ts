/**
 * Secure score history for the digest's trend and "change since" figures: one point per subscription per UTC day
 * (store collection "score-history", keyed by lower-case subscription id; the last reading of a day wins), and the
 * pure arithmetic over it: deltas, the last 14 days, a text sparkline.
 */
import type { SecureScore } from "./model";

/** Store collection of {@link ScoreHistory} documents, keyed by lower-case subscription id. */
export const SCORE_HISTORY = "score-history";

/** Days of points kept per subscription; a little over the longest trend shown. */
export const HISTORY_DAYS_KEPT = 35;

/** Days the digest's trend covers. */
export const TREND_DAYS = 14;

/** A score as remembered: enough to compute a change later. */
export interface ScoreSnapshot {
  current: number;
  max: number;
  /** 0..1 */
  percentage: number;
}

/** One day's reading for one subscription. */
export interface ScorePoint extends ScoreSnapshot {
  /** UTC calendar date, "YYYY-MM-DD". */
  date: string;
  /** ISO 8601 of the reading. */
  at: string;
}

export interface ScoreHistory {
  subscriptionId: string;
  /** Oldest first, at most one per date. */
  points: ScorePoint[];
}

/** The UTC calendar date of an instant. */
export function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

function daysBefore(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) - days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function snapshotOf(score: ScoreSnapshot): ScoreSnapshot {
  return { current: score.current, max: score.max, percentage: score.percentage };
}

/**
 * The history with `score` recorded as today's point (replacing an earlier reading of the same day), sorted, and
 * trimmed to {@link HISTORY_DAYS_KEPT} days.
 */
export function withReading(history: ScoreHistory | undefined, score: SecureScore, now: Date): ScoreHistory {
  const date = utcDate(now);
  const oldest = daysBefore(date, HISTORY_DAYS_KEPT - 1);
  const others = (history?.points ?? []).filter((p) => p.date !== date && p.date >= oldest && p.date <= date);
  const points = [...others, { date, at: now.toISOString(), ...snapshotOf(score) }].sort((a, b) => a.date.localeCompare(b.date));
  return { subscriptionId: history?.subscriptionId ?? score.subscriptionId, points };
}

/** The last point from a day before today (UTC): what "since yesterday" compares with. */
export function previousDayPoint(history: ScoreHistory | undefined, now: Date): ScorePoint | undefined {
  const today = utcDate(now);
  const earlier = (history?.points ?? []).filter((p) => p.date < today);
  return earlier[earlier.length - 1];
}

/** Percentages (0..1) of the last `days` days up to today, oldest first; days without a reading are left out. */
export function trendValues(history: ScoreHistory | undefined, now: Date, days = TREND_DAYS): number[] {
  const today = utcDate(now);
  const from = daysBefore(today, days - 1);
  return (history?.points ?? []).filter((p) => p.date >= from && p.date <= today).map((p) => p.percentage);
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A text sparkline (▁▂▃▅▇) of `values`. The scale spans at least `minSpan` (default 5 percentage points) so that
 * float noise or a 0.1-point wobble does not look like a cliff; a flat series is a flat line.
 */
export function sparkline(values: readonly number[], minSpan = 0.05): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return "";
  const lo = Math.min(...finite);
  const hi = Math.max(Math.max(...finite), lo + minSpan);
  return finite.map((v) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))))]).join("");
}

/** How a score moved between two readings. */
export interface ScoreChange {
  /** Secure score points, current − previous. */
  points: number;
  /** Percentage points (0..100 scale), current − previous. */
  percentagePoints: number;
}

export function scoreChange(current: ScoreSnapshot, previous: ScoreSnapshot | undefined): ScoreChange | undefined {
  if (previous === undefined) return undefined;
  return {
    points: round(current.current - previous.current, 2),
    percentagePoints: round((current.percentage - previous.percentage) * 100, 1),
  };
}

/** `▲ +2.1% (+0.8 points)`, `▼ -1.5% (-0.6 points)`, `no change`; percentages are percentage points. */
export function formatChange(change: ScoreChange | undefined): string | undefined {
  if (change === undefined) return undefined;
  const pp = change.percentagePoints;
  if (Math.abs(pp) < 0.05 && Math.abs(change.points) < 0.005) return "no change";
  const arrow = pp > 0 || (pp === 0 && change.points > 0) ? "▲" : "▼";
  const sign = (x: number) => (x > 0 ? `+${x}` : `${x}`);
  return `${arrow} ${sign(pp)}% (${sign(change.points)} points)`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
