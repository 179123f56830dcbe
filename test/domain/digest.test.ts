import {
  countBySeverity,
  diffRecommendations,
  jitGrantsSince,
  mergeCaptures,
  recommendationRefs,
  topExposures,
} from "../../src/domain/digest";
import type { ExposedVm, ExposureReport } from "../../src/domain/exposure";
import { jitJustification } from "../../src/domain/jit-record";
import type { RecommendationGroup } from "../../src/domain/recommendations";
import { alert, ids, jitGrant, jitPolicy } from "./builders";
import { APPROVER, grantedRecord, REQUESTER } from "./jit-record-builders";

function group(key: string, severity: RecommendationGroup["severity"] = "High"): RecommendationGroup {
  return {
    key,
    displayName: `Recommendation ${key}`,
    severity,
    affectedResourceIds: [ids.vm("vm-1")],
    affectedCount: 1,
    categories: [],
    portalUrl: "https://portal.azure.com/x",
  };
}

describe("diffRecommendations", () => {
  test("when there is no previous digest, then everything open is listed as open and nothing as new", () => {
    const d = diffRecommendations(undefined, [group("a"), group("b"), group("c", "Medium")]);
    expect(d).toMatchObject({ first: true, added: [], resolved: [] });
    expect(d.open.map((g) => g.key)).toEqual(["a", "b"]);
  });

  test("when some are new and some are gone, then they are new and fixed by key, case-insensitively", () => {
    const d = diffRecommendations([{ key: "A", name: "A" }, { key: "gone", name: "Gone" }], [group("a"), group("new")]);
    expect(d.added.map((g) => g.key)).toEqual(["new"]);
    expect(d.resolved).toEqual([{ key: "gone", name: "Gone" }]);
  });

  test("when some subscription could not be read, then nothing is called fixed and the old ones stay remembered", () => {
    const previous = [{ key: "gone", name: "Gone" }];
    expect(diffRecommendations(previous, [group("a")], false).resolved).toEqual([]);
    expect(recommendationRefs([group("a")], previous, false).map((r) => r.key)).toEqual(["a", "gone"]);
    expect(recommendationRefs([group("a"), group("m", "Medium")], previous, true).map((r) => r.key)).toEqual(["a"]);
  });
});

describe("jitGrantsSince", () => {
  const since = new Date("2030-01-01T08:00:00Z");

  test("when grants came through the bot, then the stored request names the requester and the approver", () => {
    const record = grantedRecord({ id: "JABCDEF" });
    const justification = jitJustification(record);
    const policy = jitPolicy({
      grants: [
        jitGrant({ port: 22, justification, requestor: "secops-bot@contoso" }),
        jitGrant({ port: 3389, justification, requestor: "secops-bot@contoso" }),
        jitGrant({ vmId: ids.vm("vm-old"), startTime: "2030-01-01T07:59:59Z" }),
        jitGrant({ vmId: ids.vm("vm-other"), startTime: "2030-01-01T11:00:00Z", requestor: "carol@contoso" }),
      ],
    });
    const entries = jitGrantsSince([policy], since, [record]);
    expect(entries).toEqual([
      expect.objectContaining({ vmName: "vm-other", ports: [22], requester: "carol@contoso", approver: undefined }),
      expect.objectContaining({ vmName: "vm-web-01", ports: [22, 3389], requester: REQUESTER.name, approver: APPROVER.name, requestId: "JABCDEF", justification: "patching" }),
    ]);
  });
});

function exposed(name: string, overrides: Partial<ExposedVm> = {}): ExposedVm {
  return {
    vmId: ids.vm(name), vmName: name, subscriptionId: "s", resourceGroup: "rg", location: "westeurope", nicId: "n", nicName: "n",
    ipConfigurationName: "ipconfig1", publicIpId: "p", noNsg: false, openManagementPorts: [], managementExposed: false, openPorts: [],
    allowingRules: [], jitProtectedPorts: [], unprotectedManagementPorts: [], jitProtected: false, caveats: [], ...overrides,
  };
}

describe("topExposures", () => {
  test("when several VMs are exposed, then management ports without JIT come first, then no NSG, then JIT-covered, then other ports", () => {
    const report = {
      exposedVms: [
        exposed("web-only", { openPorts: [{ protocol: "Tcp", ports: "443" }] }),
        exposed("jit-ok", { managementExposed: true, openManagementPorts: [22], jitProtectedPorts: [22], jitProtected: true }),
        exposed("no-nsg", { noNsg: true }),
        exposed("ssh-rdp", { managementExposed: true, openManagementPorts: [22, 3389], unprotectedManagementPorts: [22, 3389] }),
        exposed("ssh", { managementExposed: true, openManagementPorts: [22], unprotectedManagementPorts: [22] }),
      ],
    } as unknown as ExposureReport;
    expect(topExposures(report, 3).map((e) => e.vmName)).toEqual(["ssh-rdp", "ssh", "no-nsg"]);
    expect(topExposures(report, 10).map((e) => e.vmName)).toEqual(["ssh-rdp", "ssh", "no-nsg", "jit-ok", "web-only"]);
  });
});

describe("countBySeverity and mergeCaptures", () => {
  test("when alerts are counted, then every severity has a count", () => {
    expect(countBySeverity([alert(), alert({ severity: "Low" }), alert()])).toEqual({ High: 2, Medium: 0, Low: 1, Informational: 0 });
  });

  test("when the same capture is reported by its record and the audit log, then it appears once with the record's details first", () => {
    const merged = mergeCaptures(
      [{ name: "pc-1", at: "2030-01-01T10:00:00Z", vmName: "vm-web-01", status: "running" }],
      [{ name: "PC-1", at: "2030-01-01T10:00:01Z", by: "Alice" }, { name: "pc-2", at: "2030-01-01T11:00:00Z" }],
    );
    expect(merged).toEqual([
      { name: "pc-2", at: "2030-01-01T11:00:00Z" },
      { name: "pc-1", at: "2030-01-01T10:00:00Z", vmName: "vm-web-01", status: "running", by: "Alice" },
    ]);
  });
});
