import { recommendationsView, RECOMMENDATIONS_PAGE_SIZE } from "../../src/cards/recommendations";
import { groupRecommendations } from "../../src/domain/recommendations";
import { assessment, ids, SUB2 } from "../domain/builders";
import { ctx, long, render } from "./support";

const UPDATES = "e1145ab1-eb4f-43d8-911b-36ddf771d13f";
const JIT = "805651bc-6ecd-4c73-9b55-97a19d0582d0";
const STORAGE = "1c5de8e1-f68d-6a17-e0d2-ec259c42768c";

const assessments = [
  ...["vm-web-01", "vm-web-02", "vm-sql-01", "vm-ops-01", "vm-app-01", "vm-jump-01"].map((vm) =>
    assessment({ key: UPDATES, resourceId: ids.vm(vm), displayName: "System updates should be installed", remediation: "Install the updates." }),
  ),
  assessment({ key: JIT, resourceId: ids.vm("vm-build-01", SUB2, "rg-build-dev"), subscriptionId: SUB2, displayName: "Management ports should be protected with JIT", severity: "High" }),
  assessment({ key: STORAGE, resourceId: ids.storage("stlegacy"), displayName: "Secure transfer should be enabled", severity: "Medium", portalUrl: "https://portal.azure.com/#x" }),
  assessment({ key: "healthy-one", resourceId: ids.vm("vm-web-01"), status: "Healthy", displayName: "Healthy thing" }),
];

describe("recommendations view", () => {
  test("when resources are unhealthy, then recommendations are listed by severity and affected count with the first names, fix and link", () => {
    const groups = groupRecommendations(assessments);
    const view = recommendationsView({ groups }, ctx({ command: "recs" }));
    const items = view.sections[0]!.items;
    expect(items.map((i) => [i.badge, i.title, i.value])).toEqual([
      ["HIGH", "System updates should be installed", "6 resources"],
      ["HIGH", "Management ports should be protected with JIT", "1 resource"],
      ["MED", "Secure transfer should be enabled", "1 resource"],
    ]);
    expect(items[0]!.lines).toEqual([
      "Affected: vm-web-01, vm-web-02, vm-sql-01, vm-ops-01 and 2 more",
      "Fix: Install the updates.",
      expect.stringMatching(/^\[Open in Defender for Cloud\]\(https:\/\/portal\.azure\.com\/.*e1145ab1/),
    ]);
    expect(view.facts).toEqual([
      { title: "High", value: "2" },
      { title: "Medium", value: "1" },
      { title: "Low", value: "0" },
    ]);
    const r = render(view);
    expect(r.text).not.toContain("Healthy thing");
    expect(r.commands).toEqual(["recs high", "score"]);
    expect(r.card).toMatchSnapshot();
  });

  test("when filtered by severity and scope, then the title says so and the empty list says nothing to fix", () => {
    const view = recommendationsView({ groups: [], severity: "Low", scope: "rg-web-prod" }, ctx({ command: "recs low in rg-web-prod" }));
    expect(view.title).toBe("Recommendations (Low) in rg-web-prod");
    expect(render(view).text).toContain("No unhealthy low-severity recommendations in rg-web-prod.");
  });

  test("when there are many long recommendations, then one page is shown, the card stays under budget, and the button carries the filter", () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      Array.from({ length: 30 }, (_, j) =>
        assessment({
          key: `key-${i}`,
          resourceId: ids.vm(`${long("vm", 70).replace(/ /g, "-")}-${j}`),
          displayName: `${long("Recommendation", 300)} ${i}`,
          remediation: long("Remediate", 2000),
        }),
      ),
    ).flat();
    const groups = groupRecommendations(many, { severity: "High" });
    const view = recommendationsView({ groups, severity: "High", scope: "Contoso Production" }, ctx({ command: 'recs high in "Contoso Production"', page: 1 }));
    expect(view.sections[0]!.items).toHaveLength(RECOMMENDATIONS_PAGE_SIZE);
    expect(view.sections[0]!.more).toBe(`${40 - 2 * RECOMMENDATIONS_PAGE_SIZE} more: type recs high in "Contoso Production" page 3`);
    expect(render(view).commands).toContain('recs high in "Contoso Production" page 3');
  });
});
