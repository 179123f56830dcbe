import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { buildVmReport, type VmEstate } from "../../src/domain/vm-report";
import { alert, assessment, estate, ids, jitGrant, jitPolicy, nic, nicNsg, rule, SUB2, vm } from "./builders";

const now = new Date("2030-01-01T10:00:00Z");

function vmEstate(overrides: Partial<VmEstate> = {}): VmEstate {
  return { ...estate({ nsgs: [nicNsg([rule({ name: "AllowSsh" }), rule({ name: "AllowRdp", priority: 110, destinationPorts: ["3389"] })])] }), alerts: [], ...overrides };
}

describe("buildVmReport: unknown names", () => {
  test("when no VM has the name, then there are no matches and the three closest names are suggested", () => {
    const base = vmEstate();
    const report = buildVmReport("vm-web-1", { ...base, vms: ["vm-web-01", "vm-web-02", "vm-db-01", "jumpbox"].map((name) => vm({ name })) }, now);
    expect(report.matches).toEqual([]);
    expect(report.suggestions).toEqual(["vm-web-01", "vm-web-02", "vm-db-01"]);
  });

  test("when there are no VMs at all, then there are no suggestions", () => {
    expect(buildVmReport("anything", vmEstate({ vms: [] }), now)).toEqual({ query: "anything", matches: [], suggestions: [] });
  });
});

describe("buildVmReport: one VM", () => {
  const vmId = ids.vm("vm-web-01");
  const report = buildVmReport(
    "VM-WEB-01",
    vmEstate({
      assessments: [
        assessment({ key: ASSESSMENT_KEYS.SYSTEM_UPDATES, displayName: "Updates", severity: "Medium" }),
        assessment({ key: ASSESSMENT_KEYS.ENDPOINT_PROTECTION.toUpperCase(), displayName: "EDR", resourceId: vmId.toUpperCase() }),
        assessment({ key: ASSESSMENT_KEYS.VULNERABILITY_ASSESSMENT, displayName: "VA" }),
        assessment({ key: ASSESSMENT_KEYS.DISK_ENCRYPTION, displayName: "Disk encryption", severity: "High" }),
        assessment({ key: ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS, displayName: "JIT" }),
        assessment({ key: ASSESSMENT_KEYS.DISK_ENCRYPTION_LINUX, displayName: "Healthy one", status: "Healthy" }),
        assessment({ key: ASSESSMENT_KEYS.SYSTEM_UPDATES, displayName: "Someone else's", resourceId: ids.vm("vm-other") }),
      ],
      jitPolicies: [
        jitPolicy({
          grants: [
            jitGrant({ port: 22, endTime: "2030-01-01T11:00:00Z" }),
            jitGrant({ port: 3389, endTime: "2030-01-01T09:59:59Z" }),
            jitGrant({ port: 22, status: "Revoked", endTime: "2030-01-01T12:00:00Z" }),
            jitGrant({ port: 22, vmId: ids.vm("vm-other"), endTime: "2030-01-01T12:00:00Z" }),
          ],
        }),
      ],
      alerts: [
        alert({ name: "by-id", resourceIds: [vmId.toLowerCase()], timeGenerated: "2030-01-01T08:00:00Z" }),
        alert({ name: "by-entity", resourceIds: [], compromisedEntity: "vm-web-01", timeGenerated: "2030-01-01T09:00:00Z" }),
        alert({ name: "resolved", status: "Resolved", timeGenerated: "2030-01-01T09:30:00Z" }),
        alert({ name: "other-sub", resourceIds: [], compromisedEntity: "vm-web-01", subscriptionId: SUB2 }),
        alert({ name: "other-vm", resourceIds: [ids.vm("vm-other")] }),
      ],
    }),
    now,
  );
  const entry = report.matches[0];

  test("when the name matches in another case, then there is exactly one entry for that VM", () => {
    expect(report.matches).toHaveLength(1);
    expect(entry.vm.id).toBe(vmId);
    expect(report.suggestions).toEqual([]);
  });

  test("when its assessments are grouped, then each lands in its topic and healthy or foreign ones are left out", () => {
    const names = Object.fromEntries(Object.entries(entry.findings).map(([topic, fs]) => [topic, fs.map((f) => f.displayName)]));
    expect(names).toEqual({
      updates: ["Updates"],
      endpointProtection: ["EDR"],
      vulnerabilityAssessment: ["VA"],
      diskEncryption: ["Disk encryption"],
      other: ["JIT"],
    });
    expect(entry.findingCount).toBe(5);
  });

  test("when its NICs are shown, then private and public addresses and IP forwarding are there", () => {
    expect(entry.nics).toEqual([
      { id: ids.nic("vm-web-01-nic"), name: "vm-web-01-nic", ipForwarding: false, nsgId: undefined, privateIps: ["10.0.0.4"], publicIps: [{ id: ids.pip("pip-1"), address: "20.1.2.3" }] },
    ]);
  });

  test("when its exposure is shown, then the internet-exposing rules and JIT coverage come from the exposure analysis", () => {
    expect(entry.exposure).toHaveLength(1);
    expect(entry.exposure[0].openManagementPorts).toEqual([22, 3389]);
    expect(entry.exposure[0].unprotectedManagementPorts).toEqual([3389]);
    expect(entry.internetExposingRules.map((r) => r.ruleName)).toEqual(["AllowSsh", "AllowRdp"]);
  });

  test("when its JIT state is shown, then policy ports and only unexpired initiated grants of this VM appear", () => {
    expect(entry.jit.enabled).toBe(true);
    expect(entry.jit.ports.map((p) => p.number)).toEqual([22]);
    expect(entry.jit.activeGrants.map((g) => [g.port, g.endTime])).toEqual([[22, "2030-01-01T11:00:00Z"]]);
  });

  test("when its alerts are shown, then alerts about it come active first, newest first", () => {
    expect(entry.alerts.map((a) => a.name)).toEqual(["by-entity", "by-id", "resolved"]);
  });
});

describe("buildVmReport: the same name in two subscriptions", () => {
  test("when two VMs share the name, then each gets its own entry with its own NICs", () => {
    const base = vmEstate();
    const twin = vm({ subscriptionId: SUB2 });
    const twinNic = nic({ subscriptionId: SUB2, vmId: twin.id, ipForwarding: true });
    const report = buildVmReport("vm-web-01", { ...base, vms: [...base.vms, twin], nics: [...base.nics, twinNic] }, now);
    expect(report.matches.map((m) => m.vm.subscriptionId)).toEqual([base.vms[0].subscriptionId, SUB2]);
    expect(report.matches[1].nics.map((n) => [n.id, n.ipForwarding])).toEqual([[twinNic.id, true]]);
    expect(report.matches[1].exposure).toEqual([]);
    expect(report.matches[1].jit.enabled).toBe(false);
  });
});
