import {
  formatChange,
  HISTORY_DAYS_KEPT,
  previousDayPoint,
  scoreChange,
  sparkline,
  trendValues,
  withReading,
  type ScoreHistory,
} from "../../src/domain/score-history";
import { secureScore, SUB } from "./builders";

const day = (d: string, percentage: number, current = percentage * 40): ScoreHistory["points"][number] => ({
  date: d,
  at: `${d}T08:00:00.000Z`,
  current,
  max: 40,
  percentage,
});

describe("withReading", () => {
  test("when the first reading arrives, then the history has one point for today (UTC)", () => {
    const h = withReading(undefined, secureScore({ current: 20, max: 40, percentage: 0.5 }), new Date("2025-06-04T23:30:00Z"));
    expect(h).toEqual({ subscriptionId: SUB, points: [{ date: "2025-06-04", at: "2025-06-04T23:30:00.000Z", current: 20, max: 40, percentage: 0.5 }] });
  });

  test("when a second reading arrives the same day, then it replaces the first (one point per day)", () => {
    const first = withReading(undefined, secureScore({ percentage: 0.5 }), new Date("2025-06-04T08:00:00Z"));
    const second = withReading(first, secureScore({ percentage: 0.6 }), new Date("2025-06-04T09:00:00Z"));
    expect(second.points).toHaveLength(1);
    expect(second.points[0]!.percentage).toBe(0.6);
  });

  test("when readings span more days than are kept, then the oldest are dropped and the order is by date", () => {
    let h: ScoreHistory | undefined;
    for (let i = 0; i < 50; i++) h = withReading(h, secureScore({ percentage: i / 100 }), new Date(Date.UTC(2025, 4, 1 + i, 8)));
    expect(h!.points).toHaveLength(HISTORY_DAYS_KEPT);
    expect(h!.points[0]!.date < h!.points[1]!.date).toBe(true);
    expect(h!.points.at(-1)!.percentage).toBe(0.49);
  });
});

describe("trend and change", () => {
  const history: ScoreHistory = {
    subscriptionId: SUB,
    points: [day("2025-05-01", 0.1), day("2025-05-22", 0.4), day("2025-05-30", 0.5), day("2025-06-03", 0.55), day("2025-06-04", 0.6)],
  };
  const now = new Date("2025-06-04T10:00:00Z");

  test("when the trend is read, then only the last 14 days count, oldest first", () => {
    expect(trendValues(history, now)).toEqual([0.4, 0.5, 0.55, 0.6]);
  });

  test("when yesterday's point is asked for, then the latest point before today is returned", () => {
    expect(previousDayPoint(history, now)?.date).toBe("2025-06-03");
    expect(previousDayPoint({ subscriptionId: SUB, points: [day("2025-06-04", 0.6)] }, now)).toBeUndefined();
  });

  test("when the score moved, then the change is in points and percentage points with an arrow", () => {
    const change = scoreChange({ current: 24, max: 40, percentage: 0.6 }, { current: 22, max: 40, percentage: 0.55 });
    expect(change).toEqual({ points: 2, percentagePoints: 5 });
    expect(formatChange(change)).toBe("▲ +5% (+2 points)");
    expect(formatChange(scoreChange({ current: 20, max: 40, percentage: 0.5 }, { current: 22, max: 40, percentage: 0.55 }))).toBe("▼ -5% (-2 points)");
    expect(formatChange(scoreChange({ current: 20, max: 40, percentage: 0.5 }, { current: 20, max: 40, percentage: 0.5 }))).toBe("no change");
    expect(formatChange(scoreChange({ current: 20, max: 40, percentage: 0.5 }, undefined))).toBeUndefined();
  });
});

describe("sparkline", () => {
  test.each<[number[], string]>([
    [[], ""],
    [[0.5], "▁"],
    [[0.5, 0.5, 0.5], "▁▁▁"],
    [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], "▁▂▃▄▅▆▇█"],
    [[0.8, 0.1], "█▁"],
    // A 1-point wobble on a 5-point minimum scale is a small bump, not a cliff.
    [[0.6, 0.61, 0.6], "▁▂▁"],
  ])("when the values are %j, then the sparkline is %s", (values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });

  test("when values include NaN, then they are left out", () => {
    expect(sparkline([0.1, Number.NaN, 0.9])).toBe("▁█");
  });
});
