import { AppError } from "../../src/domain/errors";
import { evaluateWatch, parseWatchScoreArgs, type WatchedSubscription, type WatchRules } from "../../src/domain/score-watch";
import { control, secureScore, SUB, SUB2 } from "./builders";

describe("parseWatchScoreArgs", () => {
  test.each<[string[], WatchRules]>([
    [["below", "60%"], { below: 60 }],
    [["below", "60"], { below: 60 }],
    [["under", "72.5", "%"], { below: 72.5 }],
    [["drop", "3"], { drop: { amount: 3, unit: "points" } }],
    [["drop", "3", "points"], { drop: { amount: 3, unit: "points" } }],
    [["drop", "5%"], { drop: { amount: 5, unit: "percent" } }],
    [["drops", "2.5", "percent"], { drop: { amount: 2.5, unit: "percent" } }],
    [["below", "50%", "drop", "4"], { below: 50, drop: { amount: 4, unit: "points" } }],
  ])("when the arguments are %j, then the rules are %j", (args, rules) => {
    expect(parseWatchScoreArgs(args)).toEqual(rules);
  });

  test.each<[string[], RegExp]>([
    [[], /Say what to watch for/],
    [["below"], /"below" needs a percentage/],
    [["below", "0%"], /"below" needs a percentage/],
    [["below", "150%"], /"below" needs a percentage/],
    [["below", "lots"], /"below" needs a percentage/],
    [["drop"], /"drop" needs an amount/],
    [["drop", "-3"], /"drop" needs an amount/],
    [["drop", "200%"], /more than 100%/],
    [["above", "80%"], /I don't understand "above"/],
  ])("when the arguments are %j, then a BadInput explains", (args, message) => {
    expect(() => parseWatchScoreArgs(args)).toThrow(AppError);
    expect(() => parseWatchScoreArgs(args)).toThrow(message);
  });
});

const controlA = (current: number, subscriptionId = SUB) => control({ subscriptionId, name: "ctl-a", displayName: "Apply system updates", current, max: 6 });
const controlB = (current: number, subscriptionId = SUB) => control({ subscriptionId, name: "ctl-b", displayName: "Enable MFA", current, max: 10 });
const at = (percentage: number, subscriptionId = SUB) => secureScore({ subscriptionId, percentage, current: percentage * 40, max: 40 });

/** Runs checks in order and returns the findings of each. */
function run(rules: WatchRules, readings: { score: number; a: number; b: number }[]): string[][] {
  let state: Record<string, WatchedSubscription> = {};
  return readings.map((r) => {
    const { findings, next } = evaluateWatch(rules, state, [at(r.score)], [controlA(r.a), controlB(r.b)]);
    state = next;
    return findings.map((f) => f.kind);
  });
}

describe("evaluateWatch: below", () => {
  test("when the score goes under the threshold, then it fires once, stays quiet while under, and fires again after a recovery", () => {
    const fired = run({ below: 60 }, [
      { score: 0.7, a: 6, b: 10 },
      { score: 0.55, a: 2, b: 10 },
      { score: 0.5, a: 1, b: 10 },
      { score: 0.65, a: 6, b: 10 },
      { score: 0.58, a: 3, b: 10 },
    ]);
    expect(fired).toEqual([[], ["below"], [], [], ["below"]]);
  });

  test("when the score is exactly at the threshold, then it is not below", () => {
    expect(run({ below: 60 }, [{ score: 0.6, a: 6, b: 10 }])).toEqual([[]]);
  });

  test("when it fires after a previous check, then it names the controls that lost points, most first", () => {
    const first = evaluateWatch({ below: 60 }, {}, [at(0.7)], [controlA(6), controlB(10)]);
    const { findings } = evaluateWatch({ below: 60 }, first.next, [at(0.5)], [controlA(4), controlB(7)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: "below",
      subscriptionId: SUB,
      percentage: 0.5,
      previous: { percentage: 0.7 },
      rule: "below 60%",
      lostControls: [
        { displayName: "Enable MFA", lost: 3 },
        { displayName: "Apply system updates", lost: 2 },
      ],
    });
  });

  test("when a subscription could not be read, then its state is kept (a failed read is not a recovery)", () => {
    const first = evaluateWatch({ below: 60 }, {}, [at(0.5), at(0.5, SUB2)], []);
    expect(first.findings.map((f) => f.subscriptionId)).toEqual([SUB, SUB2]);
    const second = evaluateWatch({ below: 60 }, first.next, [at(0.5)], []);
    expect(second.next[SUB2]?.belowFiring).toBe(true);
    const third = evaluateWatch({ below: 60 }, second.next, [at(0.5), at(0.5, SUB2)], []);
    expect(third.findings).toEqual([]);
  });
});

describe("evaluateWatch: drop", () => {
  test("when the score drops by the amount in points since the last check, then it fires once and again only after recovering", () => {
    const fired = run({ drop: { amount: 3, unit: "points" } }, [
      { score: 0.7, a: 6, b: 10 }, // 28 points: baseline
      { score: 0.6, a: 6, b: 6 }, // 24: dropped 4 → fire
      { score: 0.55, a: 6, b: 4 }, // 22: still down → quiet
      { score: 0.7, a: 6, b: 10 }, // 28: recovered
      { score: 0.62, a: 6, b: 7 }, // 24.8: dropped 3.2 → fire again
    ]);
    expect(fired).toEqual([[], ["drop"], [], [], ["drop"]]);
  });

  test("when the drop is in percentage points, then 5% means five points of the percentage", () => {
    const fired = run({ drop: { amount: 5, unit: "percent" } }, [
      { score: 0.7, a: 6, b: 10 },
      { score: 0.66, a: 6, b: 10 },
      { score: 0.6, a: 6, b: 10 },
    ]);
    // 70 → 66 is 4 points (no); 66 → 60 is 6 (yes).
    expect(fired).toEqual([[], [], ["drop"]]);
  });

  test("when there is no previous check, then a drop cannot be measured", () => {
    expect(run({ drop: { amount: 1, unit: "points" } }, [{ score: 0.1, a: 0, b: 0 }])).toEqual([[]]);
  });
});
