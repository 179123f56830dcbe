/**
 * Score watches (`watch score below <N>%`, `watch score drop <N>[%]`): rules a conversation sets, and the pure
 * evaluation the hourly check runs. A watch fires once when a subscription's score goes under the threshold (or drops
 * by the amount since the previous check) and fires again for that subscription only after it recovered.
 *
 * Store collection "score-watches", keyed by conversation id.
 */
import { AppError } from "./errors";
import type { ScoreControl, SecureScore } from "./model";
import { normalizeId } from "./resource-ids";

export const SCORE_WATCHES = "score-watches";

export const WATCH_USAGE = "watch score below <N>% | watch score drop <N>[%] | watch off";

/** A drop is measured in secure score points, or in percentage points of the score's percentage. */
export interface DropRule {
  amount: number;
  unit: "points" | "percent";
}

export interface WatchRules {
  /** Percentage (0..100): fire when a subscription's score is under it. */
  below?: number;
  drop?: DropRule;
}

/** A control's points at the previous check, to name what lost points. */
export interface ControlPoints {
  name: string;
  displayName: string;
  current: number;
  max: number;
}

/** What the watch remembers about one subscription between checks. */
export interface WatchedSubscription {
  subscriptionId: string;
  current: number;
  max: number;
  /** 0..1 */
  percentage: number;
  controls: ControlPoints[];
  /** The below rule has fired and the score has not recovered yet. */
  belowFiring: boolean;
  /** The drop rule has fired: the value (in the rule's unit) the score dropped from; cleared on recovery. */
  droppedFrom?: number;
}

export interface ScoreWatch {
  conversationId: string;
  rules: WatchRules;
  createdBy: { id: string; name: string };
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601 of the last rule change. */
  updatedAt: string;
  /** ISO 8601: the hourly check looks at this watch once this time has passed. */
  nextCheckAt: string;
  /** ISO 8601 */
  lastCheckAt?: string;
  /** By lower-case subscription id. */
  subscriptions: Record<string, WatchedSubscription>;
}

/** A control that lost points since the previous check. */
export interface LostControl {
  displayName: string;
  lost: number;
  current: number;
  max: number;
}

/** Something a check found worth posting. */
export interface WatchFinding {
  kind: "below" | "drop";
  subscriptionId: string;
  /** 0..1 */
  percentage: number;
  current: number;
  max: number;
  /** The previous check's reading, when there was one. */
  previous?: { current: number; percentage: number };
  /** The rule as people read it: "below 60%", "a drop of 3 points". */
  rule: string;
  /** Controls that lost points since the previous check, most first; empty on a first check. */
  lostControls: LostControl[];
}

function shown(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

function readNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Reads the arguments after `watch score`: `below <N>%` (or `below <N>`) and `drop <N>` (points), `drop <N>%` or
 * `drop <N> points`; one or both.
 *
 * @throws AppError("BadInput") with the usage
 */
export function parseWatchScoreArgs(args: readonly string[]): WatchRules {
  const rules: WatchRules = {};
  if (args.length === 0) throw new AppError("BadInput", `Say what to watch for. Use: ${WATCH_USAGE}`);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!.toLowerCase();
    if (word === "below" || word === "under") {
      const raw = args[i + 1];
      const m = raw === undefined ? null : /^(\d+(?:\.\d+)?)(%?)$/.exec(raw);
      let percent = m ? Number(m[1]) : undefined;
      if (m && m[2] === "" && (args[i + 2] === "%" || args[i + 2]?.toLowerCase() === "percent")) i += 1;
      if (percent === undefined || percent <= 0 || percent > 100) {
        throw new AppError("BadInput", `"below" needs a percentage from 1 to 100, e.g. "below 60%". Use: ${WATCH_USAGE}`);
      }
      percent = Math.round(percent * 10) / 10;
      rules.below = percent;
      i += 1;
    } else if (word === "drop" || word === "drops" || word === "falls") {
      const raw = args[i + 1] ?? "";
      const m = /^(\d+(?:\.\d+)?)(%|pts?|points?)?$/i.exec(raw);
      const amount = m ? readNumber(m[1]) : undefined;
      if (amount === undefined || amount <= 0) {
        throw new AppError("BadInput", `"drop" needs an amount, e.g. "drop 3" (points) or "drop 5%". Use: ${WATCH_USAGE}`);
      }
      let unit: DropRule["unit"] = m?.[2] === "%" ? "percent" : "points";
      const after = args[i + 2]?.toLowerCase();
      if (m?.[2] === undefined && (after === "%" || after === "percent")) {
        unit = "percent";
        i += 1;
      } else if (m?.[2] === undefined && (after === "points" || after === "point" || after === "pts")) {
        i += 1;
      }
      if (unit === "percent" && amount > 100) throw new AppError("BadInput", `A drop of more than 100% cannot happen. Use: ${WATCH_USAGE}`);
      rules.drop = { amount, unit };
      i += 1;
    } else {
      throw new AppError("BadInput", `I don't understand "${shown(args[i]!)}". Use: ${WATCH_USAGE}`);
    }
  }
  return rules;
}

/** `below 60%`, `a drop of 3 points`, `a drop of 5% (percentage points)`. */
export function describeRules(rules: WatchRules): string[] {
  const out: string[] = [];
  if (rules.below !== undefined) out.push(`below ${rules.below}%`);
  if (rules.drop !== undefined) out.push(describeDrop(rules.drop));
  return out;
}

export function describeDrop(drop: DropRule): string {
  return drop.unit === "points"
    ? `a drop of ${drop.amount} point${drop.amount === 1 ? "" : "s"} between hourly checks`
    : `a drop of ${drop.amount} percentage point${drop.amount === 1 ? "" : "s"} between hourly checks`;
}

function valueIn(unit: DropRule["unit"], s: { current: number; percentage: number }): number {
  return unit === "points" ? s.current : s.percentage * 100;
}

const EPSILON = 1e-6;

function lostControls(previous: readonly ControlPoints[] | undefined, now: readonly ScoreControl[]): LostControl[] {
  if (previous === undefined) return [];
  const before = new Map(previous.map((c) => [c.name.toLowerCase(), c]));
  const lost: LostControl[] = [];
  for (const c of now) {
    const p = before.get(c.name.toLowerCase());
    if (p === undefined) continue;
    const diff = p.current - c.current;
    if (diff > 0.005) lost.push({ displayName: c.displayName, lost: Math.round(diff * 100) / 100, current: c.current, max: c.max });
  }
  return lost.sort((a, b) => b.lost - a.lost || a.displayName.localeCompare(b.displayName));
}

/**
 * One check: compares every readable subscription's score with the rules and with the previous check.
 * Subscriptions that could not be read keep their remembered state (a failed read is not a recovery).
 *
 * - below: fires when the percentage is under the threshold and was not already firing; recovers at or above it.
 * - drop: fires when the value fell by at least the amount since the previous check; recovers once the value is
 *   back within the amount of where it dropped from (then the next drop fires again).
 */
export function evaluateWatch(
  rules: WatchRules,
  previous: Readonly<Record<string, WatchedSubscription>>,
  scores: readonly SecureScore[],
  controls: readonly ScoreControl[],
): { findings: WatchFinding[]; next: Record<string, WatchedSubscription> } {
  const next: Record<string, WatchedSubscription> = { ...previous };
  const findings: WatchFinding[] = [];
  for (const s of scores) {
    const key = normalizeId(s.subscriptionId);
    const before = previous[key];
    const mine = controls.filter((c) => normalizeId(c.subscriptionId) === key);
    const reading = { current: s.current, max: s.max, percentage: s.percentage };
    const finding = (kind: WatchFinding["kind"], rule: string): WatchFinding => ({
      kind,
      subscriptionId: s.subscriptionId,
      ...reading,
      previous: before ? { current: before.current, percentage: before.percentage } : undefined,
      rule,
      lostControls: lostControls(before?.controls, mine),
    });

    let belowFiring = false;
    if (rules.below !== undefined) {
      const isBelow = s.percentage * 100 < rules.below - EPSILON;
      if (isBelow && !(before?.belowFiring ?? false)) findings.push(finding("below", `below ${rules.below}%`));
      belowFiring = isBelow;
    }

    let droppedFrom: number | undefined;
    if (rules.drop !== undefined) {
      const { amount, unit } = rules.drop;
      const value = valueIn(unit, s);
      if (before?.droppedFrom !== undefined) {
        // Still down by the amount from where it dropped from: stay quiet; otherwise it recovered.
        droppedFrom = before.droppedFrom - value >= amount - EPSILON ? before.droppedFrom : undefined;
      } else if (before !== undefined) {
        const from = valueIn(unit, before);
        if (from - value >= amount - EPSILON) {
          findings.push(finding("drop", unit === "points" ? `a drop of ${amount} points` : `a drop of ${amount}%`));
          droppedFrom = from;
        }
      }
    }

    next[key] = {
      subscriptionId: s.subscriptionId,
      ...reading,
      controls: mine.map((c) => ({ name: c.name, displayName: c.displayName, current: c.current, max: c.max })),
      belowFiring,
      droppedFrom,
    };
  }
  return { findings, next };
}
