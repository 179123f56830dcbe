import { overallScore, topControls } from "../../src/domain/score";
import { control, secureScore, SUB, SUB2 } from "./builders";

describe("overallScore", () => {
  test.each([
    {
      when: "there is one subscription",
      scores: [secureScore({ current: 30, max: 60, percentage: 0.5, weight: 10 })],
      expected: { current: 30, max: 60, percentage: 0.5, pointsPercentage: 0.5, subscriptionCount: 1 },
    },
    {
      when: "two subscriptions have different weights",
      scores: [
        secureScore({ current: 10, max: 20, percentage: 0.5, weight: 30 }),
        secureScore({ subscriptionId: SUB2, current: 45, max: 50, percentage: 0.9, weight: 10 }),
      ],
      // Weighted: (0.5·30 + 0.9·10) / 40 = 0.6; points: 55 / 70.
      expected: { current: 55, max: 70, percentage: 0.6, pointsPercentage: 55 / 70, subscriptionCount: 2 },
    },
    {
      when: "no subscription reports a weight",
      scores: [secureScore({ current: 10, max: 40, percentage: 0.25, weight: 0 }), secureScore({ subscriptionId: SUB2, current: 30, max: 40, percentage: 0.75, weight: 0 })],
      expected: { current: 40, max: 80, percentage: 0.5, pointsPercentage: 0.5, subscriptionCount: 2 },
    },
    {
      when: "there are no subscriptions",
      scores: [],
      expected: { current: 0, max: 0, percentage: 0, pointsPercentage: 0, subscriptionCount: 0 },
    },
  ])("when $when, then the overall score is $expected", ({ scores, expected }) => {
    const result = overallScore(scores);
    expect(result.current).toBeCloseTo(expected.current);
    expect(result.max).toBeCloseTo(expected.max);
    expect(result.percentage).toBeCloseTo(expected.percentage);
    expect(result.pointsPercentage).toBeCloseTo(expected.pointsPercentage);
    expect(result.subscriptionCount).toBe(expected.subscriptionCount);
  });
});

describe("topControls", () => {
  const mfa = "1195afff-c881-495e-9bc5-1486211ae03f";
  const ports = "2ec0d8da-a3bb-4e54-94a5-8e7d8a2b0c3b";
  const updates = "9d2a2d4c-8d43-4e1c-9a2e-5d5d6a1a7b1f";

  test("when a control appears in two subscriptions (name in different case), then points and counts are summed", () => {
    const result = topControls(
      [
        control({ name: mfa, current: 2, max: 10, unhealthyResourceCount: 3, healthyResourceCount: 1 }),
        control({ subscriptionId: SUB2, name: mfa.toUpperCase(), current: 4, max: 10, unhealthyResourceCount: 2, healthyResourceCount: 5 }),
      ],
      5,
    );
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      name: mfa,
      current: 6,
      max: 20,
      potentialGain: 14,
      unhealthyResourceCount: 5,
      healthyResourceCount: 6,
      subscriptionIds: [SUB, SUB2],
    });
    expect(result[0].percentage).toBeCloseTo(0.3);
  });

  test.each([
    { when: "gains differ", n: 3, expected: ["Secure management ports", "Enable MFA", "Apply system updates"] },
    { when: "only the top two are asked for", n: 2, expected: ["Secure management ports", "Enable MFA"] },
    { when: "zero are asked for", n: 0, expected: [] },
  ])("when $when, then the order is $expected", ({ n, expected }) => {
    const controls = [
      control({ name: mfa, displayName: "Enable MFA", current: 5, max: 10 }),
      control({ name: ports, displayName: "Secure management ports", current: 0, max: 8 }),
      control({ name: updates, displayName: "Apply system updates", current: 4, max: 6 }),
    ];
    expect(topControls(controls, n).map((c) => c.displayName)).toEqual(expected);
  });

  test("when two controls gain the same, then the one with more unhealthy resources comes first", () => {
    const result = topControls(
      [
        control({ name: mfa, displayName: "A", current: 0, max: 4, unhealthyResourceCount: 1 }),
        control({ name: ports, displayName: "B", current: 0, max: 4, unhealthyResourceCount: 9 }),
      ],
      2,
    );
    expect(result.map((c) => c.displayName)).toEqual(["B", "A"]);
  });

  test("when a control is complete (including float noise), then it is left out", () => {
    const result = topControls(
      [control({ name: mfa, current: 0.1 + 0.2, max: 0.3 }), control({ name: ports, displayName: "Ports", current: 1, max: 2 })],
      5,
    );
    expect(result.map((c) => c.displayName)).toEqual(["Ports"]);
  });
});
