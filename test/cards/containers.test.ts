import { CONTAINER_FINDINGS_PAGE_SIZE, containersView } from "../../src/cards/containers";
import { analyzeContainers } from "../../src/domain/containers";
import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { assessment, ids, subAssessment } from "../domain/builders";
import { ctx, long, render } from "./support";

const subs = [
  subAssessment({ id: "s1", displayName: "CVE-2021-44228: Log4Shell", cves: ["CVE-2021-44228"], severity: "High", patchable: true, repositoryName: "api/orders", imageDigest: "sha256:6da3a95f7ce9aaaaaaaaaaaa" }),
  subAssessment({ id: "s2", displayName: "CVE-2019-1010022: glibc stack guard bypass", cves: ["CVE-2019-1010022"], severity: "Low", patchable: false, repositoryName: "web/frontend", imageDigest: "sha256:191a4055bc8bbbbbbbbb" }),
  subAssessment({ id: "s3", displayName: "CVE-2023-44487: HTTP/2 Rapid Reset", cves: ["CVE-2023-44487"], severity: "High", patchable: false, repositoryName: "web/frontend", imageDigest: "sha256:191a4055bc8bbbbbbbbb" }),
  subAssessment({ id: "s4", displayName: "CVE-2023-2650: OpenSSL ASN.1", cves: ["CVE-2023-2650"], severity: "Medium", patchable: true, repositoryName: "api/orders", imageDigest: "sha256:6da3a95f7ce9aaaaaaaaaaaa" }),
];
const hosts = [assessment({ key: ASSESSMENT_KEYS.UNMANAGED_CONTAINERS, resourceId: ids.vm("vm-app-01"), displayName: "Container hosts should be configured securely", remediation: "Move to AKS." })];

describe("containers view", () => {
  test("when images have vulnerabilities, then findings are listed most severe first, patchable first, with image, CVE and fix state", () => {
    const view = containersView({ report: analyzeContainers({ subAssessments: subs, assessments: hosts }) }, ctx({ command: "containers" }));
    const items = view.sections[0]!.items;
    expect(items.map((i) => [i.badge, i.title, i.value])).toEqual([
      ["HIGH", "CVE-2021-44228: Log4Shell", "patchable"],
      ["HIGH", "CVE-2023-44487: HTTP/2 Rapid Reset", "no fix yet"],
      ["MED", "CVE-2023-2650: OpenSSL ASN.1", "patchable"],
      ["LOW", "CVE-2019-1010022: glibc stack guard bypass", "no fix yet"],
    ]);
    expect(items[0]!.lines![0]).toBe("api/orders@sha256:6da3a95f7ce9 in acr1");
    expect(view.facts).toContainEqual({ title: "Patchable", value: "2 of 4" });
    const r = render(view);
    expect(r.text).toContain("vm-app-01");
    expect(r.text).toContain("Fix: Move to AKS.");
    expect(r.commands).toEqual(["containers high"]);
    expect(r.card).toMatchSnapshot();
  });

  test("when filtered by severity, then only that severity is listed", () => {
    const view = containersView({ report: analyzeContainers({ subAssessments: subs, assessments: [] }), severity: "High" }, ctx({ command: "containers high" }));
    expect(view.sections[0]!.items.map((i) => i.badge)).toEqual(["HIGH", "HIGH"]);
    expect(render(view).text).toContain("No host runs unmanaged containers.");
  });

  test("when registries hold hundreds of long findings, then one page shows, under budget, with the next page offered", () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      subAssessment({ id: `m${i}`, displayName: long(`CVE-2024-${i}: finding`, 400), cves: Array.from({ length: 9 }, (_, j) => `CVE-2024-${i}${j}`), remediation: long("Upgrade", 900), repositoryName: long("repo", 200), imageDigest: `sha256:${"f".repeat(64)}${i % 7}` }),
    );
    const manyHosts = Array.from({ length: 50 }, (_, i) => assessment({ key: ASSESSMENT_KEYS.UNMANAGED_CONTAINERS, resourceId: ids.vm(`h-${i}`), cause: long("Cause", 600), remediation: long("Fix", 900) }));
    const view = containersView({ report: analyzeContainers({ subAssessments: many, assessments: manyHosts }) }, ctx({ command: "containers", page: 2 }));
    expect(view.sections[0]!.items).toHaveLength(CONTAINER_FINDINGS_PAGE_SIZE);
    expect(render(view).commands).toContain("containers page 4");
  });
});
