import { EXPOSURE_OVERVIEW_SIZE, EXPOSURE_PART_PAGE_SIZE, exposureView } from "../../src/cards/exposure";
import { analyzeExposure } from "../../src/domain/exposure";
import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { assessment, estate, flowLog, ids, jitPolicy, nic, nicNsg, nsg, publicIp, rule, vm, watcher } from "../domain/builders";
import { ctx, long, render } from "./support";

function seeded() {
  const base = estate({
    nsgs: [
      nicNsg([rule({ name: "Allow-SSH-Internet", priority: 100, sourcePrefixes: ["Internet"], destinationPorts: ["22"] })]),
      nsg({ name: "nsg-wide", rules: [rule({ name: "Allow-All", priority: 300, sourcePrefixes: ["*"], destinationPorts: ["*"] })] }),
    ],
    flowLogs: [flowLog({ targetResourceId: ids.nsg("nsg-nic"), enabled: false })],
    watchers: [watcher({ location: "northeurope" })],
    assessments: [
      assessment({ key: ASSESSMENT_KEYS.STORAGE_SECURE_TRANSFER, resourceId: ids.storage("stlegacy"), displayName: "Secure transfer" }),
      assessment({ key: ASSESSMENT_KEYS.INTERNET_FACING_NSG, status: "Healthy", displayName: "Internet-facing NSG" }),
    ],
  });
  base.nics[0]!.ipForwarding = true;
  return base;
}

describe("exposure view", () => {
  test("when a VM is open on SSH without JIT, then the overview names the VM, the allowing NSG rule and every other finding", () => {
    const report = analyzeExposure(seeded());
    const view = exposureView({ report }, ctx({ command: "exposure" }));
    expect(view.headline).toEqual({ value: "1", label: "exposed without JIT", color: "attention" });
    const vms = view.sections[0]!;
    expect(vms.items[0]).toMatchObject({ title: "vm-web-01 (20.1.2.3)", badge: "NO JIT", value: "port 22" });
    expect(vms.items[0]!.lines).toContain("nsg-nic / Allow-SSH-Internet · priority 100 · Tcp 22 · from Internet (nic)");
    const r = render(view);
    for (const expected of [
      "nsg-wide / Allow-All",
      "vm-web-01-nic",
      "A flow log exists but is disabled.",
      "westeurope",
      "stlegacy",
      "Defender's NSG assessment is Healthy",
    ]) {
      expect(r.text).toContain(expected);
    }
    expect(view.facts).toContainEqual({ title: "VMs open on management ports", value: "1 (1 without JIT)" });
    expect(r.card).toMatchSnapshot();
  });

  test("when JIT lists the open port, then the VM is shown as JIT-protected and not counted as exposed without JIT", () => {
    const report = analyzeExposure({ ...seeded(), jitPolicies: [jitPolicy()] });
    const view = exposureView({ report }, ctx({ command: "exposure" }));
    expect(view.sections[0]!.items[0]).toMatchObject({ badge: "JIT", color: "good" });
    expect(view.headline!.value).toBe("0");
  });

  test("when nothing is exposed, then each part says so", () => {
    const report = analyzeExposure(estate({ vms: [], nics: [], publicIps: [] }));
    const text = render(exposureView({ report }, ctx({ command: "exposure" }))).text;
    expect(text).toContain("No VM is reachable from the internet in the NSG rules read.");
    expect(text).toContain("Every region with VMs has a Network Watcher.");
  });

  test("when hundreds of VMs are exposed, then the overview shows a few per part and one part alone pages by ten, under budget", () => {
    const n = 300;
    const vms = Array.from({ length: n }, (_, i) => vm({ name: `vm-${long("x", 60).replace(/ /g, "")}-${i}` }));
    const nics = vms.map((v, i) =>
      nic({ name: `${v.name}-nic`, vmId: v.id, ipForwarding: true, ipConfigurations: [{ name: "ipconfig1", privateIpAddress: `10.0.${i >> 8}.${i & 255}`, subnetId: ids.subnet(), publicIpId: ids.pip(`pip-${i}`) }] }),
    );
    const pips = vms.map((_, i) => publicIp({ name: `pip-${i}`, ipAddress: `20.0.${i >> 8}.${i & 255}` }));
    const nsgs = Array.from({ length: 50 }, (_, i) =>
      nsg({
        name: `nsg-${long("n", 60).replace(/ /g, "")}-${i}`,
        subnetIds: i === 0 ? [ids.subnet()] : [],
        rules: Array.from({ length: 4 }, (_, j) => rule({ name: `${long("Rule", 60).replace(/ /g, "-")}-${j}`, priority: 100 + j, sourcePrefixes: ["Internet", "*", "0.0.0.0/0"], destinationPorts: ["22", "3389", "1000-2000", "5985-5986"] })),
      }),
    );
    const report = analyzeExposure({ ...estate(), vms, nics, publicIps: pips, nsgs, watchers: [] });
    const overview = exposureView({ report }, ctx({ command: "exposure" }));
    expect(overview.sections[1]!.items).toHaveLength(EXPOSURE_OVERVIEW_SIZE);
    expect(overview.sections[0]!.more).toMatch(/more: type exposure vms$/);
    render(overview);
    render(exposureView({ report }, ctx({ command: "exposure", page: 3 })));
    const part = exposureView({ report, part: "vms" }, ctx({ command: "exposure vms", page: 1 }));
    expect(part.sections).toHaveLength(1);
    expect(part.sections[0]!.items).toHaveLength(EXPOSURE_PART_PAGE_SIZE);
    expect(part.buttons!.slice(0, 2)).toEqual([
      { title: "Next page", command: "exposure vms page 3" },
      { title: "Exposure overview", command: "exposure" },
    ]);
    // Issue 10: the page's VMs without JIT get "Fix…" buttons, as many as Teams' five actions leave room for.
    expect(part.buttons!.slice(2).map((b) => b.command)).toEqual(part.sections[0]!.items.slice(0, 3).map((i) => `fix jit rg-app/${i.title.split(" ")[0]}`));
    render(part);
    const past = exposureView({ report, part: "rules" }, ctx({ command: "exposure rules", page: 500 }));
    expect(render(past).text).toContain("Nothing on page 501");
  });
});
