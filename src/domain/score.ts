/**
 * Secure score across subscriptions and the controls worth fixing first (the `score` command).
 */
import type { ScoreControl, SecureScore } from "./model";

/** The secure score of every watched subscription together. */
export interface OverallScore {
  /** Sum of the subscriptions' current points. */
  current: number;
  /** Sum of the subscriptions' maximum points. */
  max: number;
  /**
   * 0..1, the way Defender for Cloud aggregates several subscriptions: each subscription's percentage weighted by
   * the `weight` Defender reports for it (the SDK documents it as "used when calculating an aggregated secure
   * score for multiple subscriptions"). When no subscription has a weight, falls back to current / max.
   */
  percentage: number;
  /** 0..1, sum of current points over sum of maximum points, without Defender's weights. */
  pointsPercentage: number;
  subscriptionCount: number;
}

/** Aggregates per-subscription secure scores. An empty list scores 0 of 0. */
export function overallScore(scores: readonly SecureScore[]): OverallScore {
  const current = sum(scores.map((s) => s.current));
  const max = sum(scores.map((s) => s.max));
  const pointsPercentage = max > 0 ? current / max : 0;
  const totalWeight = sum(scores.map((s) => Math.max(0, s.weight)));
  const percentage =
    totalWeight > 0 ? sum(scores.map((s) => percentageOf(s) * Math.max(0, s.weight))) / totalWeight : pointsPercentage;
  return { current, max, percentage, pointsPercentage, subscriptionCount: scores.length };
}

/** A control merged across subscriptions, with what fixing it would gain. */
export interface ControlGain {
  /** Control name (a GUID), shared by every subscription. */
  name: string;
  displayName: string;
  current: number;
  max: number;
  /** max − current, in secure score points. */
  potentialGain: number;
  /** 0..1, current / max. */
  percentage: number;
  healthyResourceCount: number;
  unhealthyResourceCount: number;
  notApplicableResourceCount: number;
  subscriptionIds: string[];
}

/**
 * The `n` controls with the largest potential gain (max − current), merged by control name across subscriptions
 * (points and resource counts summed). Controls with nothing left to gain are left out. Ties go to the control
 * with more unhealthy resources, then by display name.
 */
export function topControls(controls: readonly ScoreControl[], n: number): ControlGain[] {
  const merged = new Map<string, ControlGain>();
  for (const c of controls) {
    const key = c.name.toLowerCase();
    let m = merged.get(key);
    if (!m) {
      m = {
        name: c.name,
        displayName: c.displayName,
        current: 0,
        max: 0,
        potentialGain: 0,
        percentage: 0,
        healthyResourceCount: 0,
        unhealthyResourceCount: 0,
        notApplicableResourceCount: 0,
        subscriptionIds: [],
      };
      merged.set(key, m);
    }
    m.current += c.current;
    m.max += c.max;
    m.healthyResourceCount += c.healthyResourceCount;
    m.unhealthyResourceCount += c.unhealthyResourceCount;
    m.notApplicableResourceCount += c.notApplicableResourceCount;
    if (!m.subscriptionIds.some((s) => s.toLowerCase() === c.subscriptionId.toLowerCase())) {
      m.subscriptionIds.push(c.subscriptionId);
    }
  }
  const all = [...merged.values()].map((m) => ({
    ...m,
    // Rounded so float noise (0.1 + 0.2) does not turn a finished control into a 0.0000001-point gain.
    potentialGain: round(m.max - m.current),
    percentage: m.max > 0 ? m.current / m.max : 0,
  }));
  return all
    .filter((m) => m.potentialGain > 0)
    .sort(
      (a, b) =>
        b.potentialGain - a.potentialGain ||
        b.unhealthyResourceCount - a.unhealthyResourceCount ||
        a.displayName.localeCompare(b.displayName),
    )
    .slice(0, Math.max(0, n));
}

function percentageOf(s: SecureScore): number {
  if (Number.isFinite(s.percentage)) return s.percentage;
  return s.max > 0 ? s.current / s.max : 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
