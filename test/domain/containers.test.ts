import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { analyzeContainers, registryImageVulnerabilities, unmanagedContainerHosts, UNKNOWN_IMAGE } from "../../src/domain/containers";
import { assessment, ids, subAssessment } from "./builders";

describe("registryImageVulnerabilities", () => {
  test("when findings belong to two images, then they are grouped by repository and digest, worst image first", () => {
    const images = registryImageVulnerabilities([
      subAssessment({ id: "a1", repositoryName: "shop/api", imageDigest: "sha256:bbb", severity: "Medium", displayName: "zlib", cves: ["CVE-1"] }),
      subAssessment({ id: "w1", repositoryName: "shop/web", imageDigest: "sha256:aaa", severity: "Low", displayName: "bash", cves: ["CVE-2"], patchable: false }),
      subAssessment({ id: "w2", repositoryName: "shop/web", imageDigest: "sha256:aaa", severity: "High", displayName: "openssl", cves: ["CVE-3", "CVE-4"] }),
      subAssessment({ id: "w3", repositoryName: "shop/web", imageDigest: "sha256:aaa", severity: "High", displayName: "curl", cves: ["CVE-5"], patchable: false }),
    ]);
    expect(images.map((i) => `${i.repositoryName}@${i.imageDigest}`)).toEqual(["shop/web@sha256:aaa", "shop/api@sha256:bbb"]);
    const web = images[0];
    // High first; within High the patchable one first.
    expect(web.findings.map((f) => f.displayName)).toEqual(["openssl", "curl", "bash"]);
    expect(web.counts).toEqual({ High: 2, Medium: 0, Low: 1 });
    expect(web).toMatchObject({ cveCount: 4, patchableCount: 1, highestSeverity: "High" });
    expect(images[1].highestSeverity).toBe("Medium");
  });

  test.each([
    { when: "the finding is resolved (Healthy)", overrides: { status: "Healthy" as const } },
    { when: "the finding is about a server, not a registry image", overrides: { kind: "ServerVulnerabilityAssessment" } },
  ])("when $when, then it is not listed", ({ overrides }) => {
    expect(registryImageVulnerabilities([subAssessment(overrides)])).toEqual([]);
  });

  test("when the same image is in two registries, then it is listed once with both registries", () => {
    const images = registryImageVulnerabilities([
      subAssessment({ resourceId: ids.registry("acr1") }),
      subAssessment({ resourceId: ids.registry("acr2"), id: "other", displayName: "glibc", cves: ["CVE-9"] }),
      subAssessment({ resourceId: ids.registry("ACR1") }),
    ]);
    expect(images).toHaveLength(1);
    expect(images[0].registryIds).toEqual([ids.registry("acr1"), ids.registry("acr2")]);
    expect(images[0].findings).toHaveLength(2);
  });

  test("when a finding names no repository or digest, then it is still counted under an unknown image", () => {
    const images = registryImageVulnerabilities([subAssessment({ repositoryName: undefined, imageDigest: undefined, kind: "containerregistryvulnerability" })]);
    expect(images.map((i) => [i.repositoryName, i.imageDigest])).toEqual([[UNKNOWN_IMAGE, UNKNOWN_IMAGE]]);
  });
});

describe("unmanagedContainerHosts", () => {
  test("when hosts have unhealthy unmanaged-container assessments, then each host is listed once, most severe first", () => {
    const key = ASSESSMENT_KEYS.UNMANAGED_CONTAINERS;
    const hosts = unmanagedContainerHosts([
      assessment({ key, resourceId: ids.vm("docker-b"), severity: "Low" }),
      assessment({ key: key.toUpperCase(), resourceId: ids.vm("docker-a"), severity: "High", cause: "Docker daemon exposed" }),
      assessment({ key, resourceId: ids.vm("docker-a").toLowerCase(), severity: "High" }),
      assessment({ key, resourceId: ids.vm("docker-c"), status: "Healthy" }),
      assessment({ resourceId: ids.vm("docker-d") }),
    ]);
    expect(hosts.map((h) => [h.name, h.severity])).toEqual([
      ["docker-a", "High"],
      ["docker-b", "Low"],
    ]);
    expect(hosts[0]).toMatchObject({ resourceGroup: "rg-app", cause: "Docker daemon exposed" });
  });
});

describe("analyzeContainers", () => {
  test("when given both inputs, then both views are filled", () => {
    const report = analyzeContainers({
      subAssessments: [subAssessment()],
      assessments: [assessment({ key: ASSESSMENT_KEYS.UNMANAGED_CONTAINERS })],
    });
    expect(report.images).toHaveLength(1);
    expect(report.unmanagedContainerHosts).toHaveLength(1);
  });
});
