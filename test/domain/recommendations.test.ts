import { groupRecommendations, recommendationPortalUrl } from "../../src/domain/recommendations";
import type { Assessment } from "../../src/domain/model";
import { assessment, ids, SUB, SUB2 } from "./builders";

const UPDATES = "e1145ab1-eb4f-43d8-911b-36ddf771d13f";
const JIT = "805651bc-6ecd-4c73-9b55-97a19d0582d0";
const TLS = "1c5de8e1-f68d-6a17-e0d2-ec259c42768c";
const TAGS = "aaaaaaaa-0000-0000-0000-000000000001";

function estateAssessments(): Assessment[] {
  return [
    assessment({ key: UPDATES, displayName: "System updates", severity: "Medium", resourceId: ids.vm("vm-1"), remediation: "Install updates" }),
    assessment({ key: UPDATES.toUpperCase(), displayName: "System updates", severity: "Medium", resourceId: ids.vm("vm-2") }),
    assessment({ key: UPDATES, displayName: "System updates", severity: "Medium", resourceId: ids.vm("vm-2").toUpperCase() }),
    assessment({ key: UPDATES, displayName: "System updates", severity: "Medium", resourceId: ids.vm("vm-3", SUB2, "RG-DATA"), subscriptionId: SUB2 }),
    assessment({ key: JIT, displayName: "JIT on management ports", severity: "High", resourceId: ids.vm("vm-1"), portalUrl: "https://portal.azure.com/x" }),
    assessment({ key: TLS, displayName: "Secure transfer", severity: "High", resourceId: ids.storage("st1"), status: "Healthy" }),
    assessment({ key: TAGS, displayName: "A low one", severity: "Low", resourceId: ids.vm("vm-1") }),
    assessment({ key: TAGS.replace("1", "2"), displayName: "Another low one", severity: "Low", resourceId: ids.vm("vm-1"), status: "NotApplicable" }),
  ];
}

describe("groupRecommendations", () => {
  test("when nothing filters, then unhealthy assessments group by key, ordered by severity then affected count", () => {
    const groups = groupRecommendations(estateAssessments());
    expect(groups.map((g) => [g.displayName, g.severity, g.affectedCount])).toEqual([
      ["JIT on management ports", "High", 1],
      ["System updates", "Medium", 3],
      ["A low one", "Low", 1],
    ]);
    expect(groups[1]).toMatchObject({ key: UPDATES, remediation: "Install updates" });
    expect(groups[1].affectedResourceIds).toEqual([ids.vm("vm-1"), ids.vm("vm-2"), ids.vm("vm-3", SUB2, "RG-DATA")]);
  });

  test("when severities and counts tie, then groups are ordered by name", () => {
    const groups = groupRecommendations([
      assessment({ key: "k-b", displayName: "Bravo", severity: "Low" }),
      assessment({ key: "k-a", displayName: "Alpha", severity: "Low" }),
    ]);
    expect(groups.map((g) => g.displayName)).toEqual(["Alpha", "Bravo"]);
  });

  test.each([
    { when: "filtering by High", filter: { severity: "High" as const }, expected: ["JIT on management ports"] },
    { when: "filtering by Low", filter: { severity: "Low" as const }, expected: ["A low one"] },
    { when: "scoping to resource group rg-data in another case", filter: { scope: { resourceGroup: "rg-data" } }, expected: ["System updates"] },
    { when: "scoping to resource group rg-app", filter: { scope: { resourceGroup: "RG-APP" } }, expected: ["JIT on management ports", "System updates", "A low one"] },
    { when: "scoping to subscription 2 by id", filter: { scope: { subscriptionId: SUB2 } }, expected: ["System updates"] },
    { when: "scoping to subscription 2 by display name", filter: { scope: { subscriptionId: "data platform" } }, expected: ["System updates"] },
    { when: "scoping by free text that is a subscription name", filter: { scope: { text: "Data Platform" } }, expected: ["System updates"] },
    { when: "scoping by free text that is a resource group", filter: { scope: { text: "rg-app" } }, expected: ["JIT on management ports", "System updates", "A low one"] },
    { when: "scoping to something that does not exist", filter: { scope: { text: "nope" } }, expected: [] },
    { when: "High in subscription 2", filter: { severity: "High" as const, scope: { subscriptionId: SUB2 } }, expected: [] },
  ])("when $when, then the groups are $expected", ({ filter, expected }) => {
    const groups = groupRecommendations(estateAssessments(), filter, { [SUB]: "Production", [SUB2]: "Data Platform" });
    expect(groups.map((g) => g.displayName)).toEqual(expected);
  });

  test("when scoped to a resource group, then only that group's resources are counted", () => {
    const groups = groupRecommendations(estateAssessments(), { scope: { resourceGroup: "rg-app" } });
    expect(groups.find((g) => g.key === UPDATES)!.affectedCount).toBe(2);
  });

  test.each([
    { when: "the assessment has its own link", key: JIT, url: "https://portal.azure.com/x" },
    { when: "the assessment has no link", key: UPDATES, url: recommendationPortalUrl(UPDATES) },
  ])("when $when, then the portal URL is $url", ({ key, url }) => {
    expect(groupRecommendations(estateAssessments()).find((g) => g.key === key)!.portalUrl).toBe(url);
  });
});
