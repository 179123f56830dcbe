import { scoreView, SCORE_CONTROLS_PAGE_SIZE } from "../../src/cards/score";
import { overallScore, topControls } from "../../src/domain/score";
import { control, secureScore, SUB, SUB2 } from "../domain/builders";
import { ctx, long, render } from "./support";

const scores = [
  secureScore({ subscriptionId: SUB, current: 24.9, max: 37, percentage: 24.9 / 37, weight: 30 }),
  secureScore({ subscriptionId: SUB2, current: 26.7, max: 35, percentage: 26.7 / 35, weight: 10 }),
];
const controls = [
  control({ subscriptionId: SUB, name: "c-updates", displayName: "Apply system updates", current: 3, max: 6, unhealthyResourceCount: 3, healthyResourceCount: 3 }),
  control({ subscriptionId: SUB2, name: "c-updates", displayName: "Apply system updates", current: 3, max: 6, unhealthyResourceCount: 3, healthyResourceCount: 3 }),
  control({ subscriptionId: SUB, name: "c-mfa", displayName: "Enable MFA", current: 10, max: 10, unhealthyResourceCount: 0, healthyResourceCount: 2 }),
  control({ subscriptionId: SUB, name: "c-enc", displayName: "Enable encryption at rest", current: 4.6, max: 8, unhealthyResourceCount: 5, healthyResourceCount: 8 }),
];

function build(overrides: Partial<Parameters<typeof ctx>[0]> = {}, input = { scores, controls }) {
  return scoreView(
    { overall: overallScore(input.scores), scores: input.scores, controls: topControls(input.controls, input.controls.length) },
    ctx({ command: "score", ...overrides }),
  );
}

describe("score view", () => {
  test("when two subscriptions are scored, then the card shows each and the weighted overall percentage", () => {
    const view = build();
    // Weighted 3:1 as Defender reports the weights: 70%, where points alone would give 72%.
    expect(view.headline).toEqual({ value: "70%", label: "overall", color: "good" });
    expect(view.facts).toEqual([
      { title: "Contoso Production", value: "24.9 / 37 (67%)" },
      { title: "Contoso Dev", value: "26.7 / 35 (76%)" },
    ]);
    const { text, card } = render(view);
    expect(text).toContain("51.6 / 72 points");
    expect(card).toMatchSnapshot();
  });

  test("when controls differ in potential gain, then they are listed largest gain first with unhealthy counts, full controls left out", () => {
    const items = build().sections[0]!.items;
    expect(items.map((i) => i.title)).toEqual(["Apply system updates", "Enable encryption at rest"]);
    expect(items[0]).toMatchObject({ value: "+6", badge: "FIX" });
    expect(items[0]!.lines![0]).toContain("6 unhealthy resources of 12");
  });

  test("when a subscription could not be read, then a warning names it by display name", () => {
    const view = build({ failures: [{ subscriptionId: SUB2, code: "Forbidden", message: "Access denied in subscription x." }] }, { scores: [scores[0]!], controls });
    expect(view.warnings).toHaveLength(1);
    expect(view.warnings![0]).toContain("Contoso Dev");
    expect(render(view).text).toContain("Could not read Contoso Dev");
  });

  test("when the command came from a question, then the footer says what was asked and what ran", () => {
    const view = build({ question: "what's our secure score?" });
    expect(view.footer).toBe('You asked: "what\'s our secure score?" — I ran: score');
  });

  test("when there are more controls than a page, then the card says how many more and offers the next page", () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      control({ name: `c-${i}`, displayName: `${long("Control", 150)} ${i}`, current: 0, max: 30 - i, unhealthyResourceCount: i }),
    );
    const first = build({}, { scores, controls: many });
    expect(first.sections[0]!.items).toHaveLength(SCORE_CONTROLS_PAGE_SIZE);
    expect(first.sections[0]!.more).toBe(`${30 - SCORE_CONTROLS_PAGE_SIZE} more: type score page 2`);
    expect(render(first).commands).toContain("score page 2");
    const last = build({ page: 3 }, { scores, controls: many });
    expect(last.sections[0]!.items).toHaveLength(30 - 3 * SCORE_CONTROLS_PAGE_SIZE);
    expect(last.sections[0]!.more).toBeUndefined();
  });

  test("when no score could be read, then the card says so instead of showing 0%", () => {
    const view = build({}, { scores: [], controls: [] });
    expect(view.headline).toBeUndefined();
    expect(render(view).text).toContain("No secure score could be read.");
  });
});
