import { vmView, VM_FINDINGS_PAGE_SIZE } from "../../src/cards/vm";
import { buildVmReport, type VmEstate } from "../../src/domain/vm-report";
import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { alert, assessment, estate, jitGrant, jitPolicy, nicNsg, rule, SUB2, vm } from "../domain/builders";
import { ctx, long, NOW, render } from "./support";

function vmEstate(overrides: Partial<VmEstate> = {}): VmEstate {
  return {
    ...estate({
      nsgs: [nicNsg([rule({ name: "Allow-SSH-Internet", priority: 100, sourcePrefixes: ["Internet"], destinationPorts: ["22"] })])],
      assessments: [
        assessment({ key: ASSESSMENT_KEYS.SYSTEM_UPDATES, displayName: "System updates should be installed", remediation: "Install the updates." }),
        assessment({ key: ASSESSMENT_KEYS.DISK_ENCRYPTION, displayName: "Disks should be encrypted", severity: "Medium" }),
        assessment({ key: ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS, displayName: "JIT should protect management ports" }),
      ],
    }),
    alerts: [alert({ displayName: "Suspicious SSH login", timeGenerated: "2030-01-01T10:00:00Z" })],
    ...overrides,
  };
}

describe("vm view", () => {
  test("when a VM has findings, exposure and alerts, then the card shows health by topic, the allowing rule, JIT state, NICs and alerts", () => {
    const report = buildVmReport("VM-WEB-01", vmEstate(), NOW);
    const view = vmView(report, ctx({ command: "vm VM-WEB-01" }));
    expect(view.title).toBe("vm-web-01");
    expect(view.headline).toEqual({ value: "3", label: "unhealthy findings", color: "attention" });
    const r = render(view);
    expect(r.text).toContain("System updates: 1 unhealthy finding (worst High)");
    expect(r.text).toContain("Endpoint protection: nothing unhealthy");
    expect(r.text).toContain("Management ports without JIT: 22");
    expect(r.text).toContain("nsg-nic / Allow-SSH-Internet · priority 100 · Tcp 22 · from Internet (nic NSG)");
    expect(r.text).toContain("No JIT policy covers this VM.");
    expect(r.text).toContain("vm-web-01-nic: private 10.0.0.4 · public 20.1.2.3");
    expect(r.text).toContain("Suspicious SSH login");
    expect(view.sections.map((s) => s.title)).toEqual([
      "vm-web-01 · Contoso Production / rg-app",
      "System updates",
      "Disk encryption",
      "Other findings",
      "Alerts (1)",
    ]);
    expect(r.commands).toContain("jit");
    expect(r.card).toMatchSnapshot();
  });

  test("when JIT covers the VM and a grant is open, then the ports and the grant with its expiry are shown", () => {
    const report = buildVmReport(
      "vm-web-01",
      vmEstate({ jitPolicies: [jitPolicy({ grants: [jitGrant({ endTime: "2030-01-01T13:00:00Z", source: "203.0.113.7" })] })] }),
      NOW,
    );
    const text = render(vmView(report, ctx({ command: "vm vm-web-01" }))).text;
    expect(text).toContain("Port 22 TCP · up to 3 h · from any source you name");
    expect(text).toContain("Open now: port 22 from 203.0.113.7 until 2030-01-01 13:00 UTC (in 1h)");
    expect(text).toContain("Management ports 22 are covered by JIT");
  });

  test("when the name is unknown, then the card says no VM by that name and offers close names as buttons", () => {
    const report = buildVmReport("vm-web-1", vmEstate({ vms: [vm(), vm({ name: "vm-web-02" }), vm({ name: "db-01" })] }), NOW);
    const view = vmView(report, ctx({ command: "vm vm-web-1" }));
    const r = render(view);
    expect(view.title).toBe('No VM named "vm-web-1"');
    expect(r.commands).toEqual(["vm vm-web-01", "vm vm-web-02", "vm db-01"]);
    expect(r.card).toMatchSnapshot();
  });

  test("when the name is unknown and a subscription failed, then the card says the VM may be in it", () => {
    const report = buildVmReport("vm-x", vmEstate(), NOW);
    const view = vmView(report, ctx({ command: "vm vm-x", failures: [{ subscriptionId: SUB2, code: "Forbidden", message: "Access denied." }] }));
    expect(view.warnings).toEqual([expect.stringContaining("Contoso Dev"), "The VM may be in a subscription I could not read."]);
  });

  test("when two subscriptions have a VM of that name, then both are shown, each labelled with its subscription", () => {
    const dev = vm({ subscriptionId: SUB2, resourceGroup: "rg-dev" });
    const report = buildVmReport("vm-web-01", vmEstate({ vms: [vm(), dev] }), NOW);
    const view = vmView(report, ctx({ command: "vm vm-web-01" }));
    expect(view.title).toBe("2 VMs named vm-web-01");
    const titles = view.sections.map((s) => s.title);
    expect(titles).toContain("vm-web-01 · Contoso Production / rg-app");
    expect(titles).toContain("vm-web-01 · Contoso Dev / rg-dev");
    expect(titles).toContain("vm-web-01 (Contoso Dev): Alerts (0)");
    render(view);
  });

  test("when a VM has many long findings and alerts, then they are paged, the card stays under budget and page 2 continues", () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      assessment({ key: `k-${i}`, displayName: long(`Finding ${i}`, 300), remediation: long("Fix", 1500), cause: long("Cause", 500) }),
    );
    const alerts = Array.from({ length: 12 }, (_, i) => alert({ name: `al-${i}`, displayName: long("Alert", 400), intent: long("Intent", 300) }));
    const e = vmEstate({ assessments: many, alerts });
    const three = [vm(), vm({ subscriptionId: SUB2 }), vm({ resourceGroup: "rg-other" }), vm({ resourceGroup: "rg-fourth" })];
    for (const vms of [[vm()], three]) {
      const report = buildVmReport("vm-web-01", { ...e, vms }, NOW);
      const first = vmView(report, ctx({ command: "vm vm-web-01" }));
      render(first);
      expect(first.buttons).toContainEqual({ title: "Next page", command: "vm vm-web-01 page 2" });
      const second = vmView(report, ctx({ command: "vm vm-web-01", page: 1 }));
      render(second);
      expect(second.sections.every((s) => !s.title.includes("·"))).toBe(true);
    }
    const single = vmView(buildVmReport("vm-web-01", e, NOW), ctx({ command: "vm vm-web-01" }));
    const findingItems = single.sections.slice(1, -1).flatMap((s) => s.items);
    expect(findingItems).toHaveLength(VM_FINDINGS_PAGE_SIZE);
    const fourNames = vmView(buildVmReport("vm-web-01", { ...e, vms: three }, NOW), ctx({ command: "vm vm-web-01" }));
    expect(fourNames.warnings).toContain("1 more VM is named vm-web-01; showing the first 3.");
  });
});
