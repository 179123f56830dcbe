import { ASSESSMENT_KEYS } from "../../src/domain/assessment-keys";
import { analyzeExposure, overPermissiveReasons } from "../../src/domain/exposure";
import type { NetworkInterface, SecurityRule } from "../../src/domain/model";
import {
  assessment,
  estate,
  flowLog,
  ids,
  jitPolicy,
  nic,
  nicNsg,
  nsg,
  publicIp,
  rule,
  SUB,
  SUB2,
  subnetNsg,
  vm,
  watcher,
} from "./builders";

/** The estate's NIC without its public IP. */
function privateOnlyNic(): NetworkInterface {
  return nic({ vmId: ids.vm("vm-web-01") });
}

describe("analyzeExposure: exposed VMs", () => {
  test("when a NIC has a public IP and no NSG anywhere, then the VM is fully exposed", () => {
    const report = analyzeExposure(estate());
    expect(report.exposedVms).toHaveLength(1);
    const e = report.exposedVms[0];
    expect(e).toMatchObject({
      vmName: "vm-web-01",
      publicIpAddress: "20.1.2.3",
      noNsg: true,
      openManagementPorts: [22, 3389, 5985, 5986],
      managementExposed: true,
      allowingRules: [],
      jitProtected: false,
    });
    expect(e.openPorts).toEqual([
      { protocol: "Tcp", ports: "*" },
      { protocol: "Udp", ports: "*" },
    ]);
    expect(e.caveats.join(" ")).toMatch(/Standard SKU/);
  });

  test.each<{ when: string; nsgs: ReturnType<typeof nsg>[]; mgmt: number[]; open: string[]; rules: string[] }>([
    {
      when: "the NIC NSG allows SSH from *",
      nsgs: [nicNsg([rule({ name: "AllowSsh" })])],
      mgmt: [22],
      open: ["Tcp/22"],
      rules: ["nsg-nic/AllowSsh"],
    },
    {
      when: "the subnet NSG alone allows RDP from Internet",
      nsgs: [subnetNsg([rule({ name: "AllowRdp", destinationPorts: ["3389"], sourcePrefixes: ["Internet"] })])],
      mgmt: [3389],
      open: ["Tcp/3389"],
      rules: ["nsg-subnet/AllowRdp"],
    },
    {
      when: "subnet and NIC NSGs both allow WinRM",
      nsgs: [
        subnetNsg([rule({ name: "SubnetWinRm", destinationPorts: ["5985-5986"] })]),
        nicNsg([rule({ name: "NicWinRm", destinationPorts: ["5986"] })]),
      ],
      mgmt: [5986],
      open: ["Tcp/5986"],
      rules: ["nsg-subnet/SubnetWinRm", "nsg-nic/NicWinRm"],
    },
    {
      when: "only HTTPS is open to the internet",
      nsgs: [nicNsg([rule({ name: "AllowHttps", destinationPorts: ["443"] })])],
      mgmt: [],
      open: ["Tcp/443"],
      rules: ["nsg-nic/AllowHttps"],
    },
    {
      when: "a UDP range is open besides SSH",
      nsgs: [nicNsg([rule({ name: "AllowSsh" }), rule({ name: "AllowGame", priority: 110, protocol: "Udp", destinationPorts: ["27015-27030"] })])],
      mgmt: [22],
      open: ["Tcp/22", "Udp/27015-27030"],
      rules: ["nsg-nic/AllowSsh", "nsg-nic/AllowGame"],
    },
  ])("when $when, then management ports $mgmt and ports $open are open via $rules", ({ nsgs, mgmt, open, rules }) => {
    const report = analyzeExposure(estate({ nsgs }));
    expect(report.exposedVms).toHaveLength(1);
    const e = report.exposedVms[0];
    expect(e.noNsg).toBe(false);
    expect(e.openManagementPorts).toEqual(mgmt);
    expect(e.managementExposed).toBe(mgmt.length > 0);
    expect(e.openPorts.map((p) => `${p.protocol}/${p.ports}`)).toEqual(open);
    expect(e.allowingRules.map((r) => `${r.nsgName}/${r.ruleName}`)).toEqual(rules);
  });

  test.each([
    { when: "the subnet allows SSH but the NIC NSG denies it", nsgs: [subnetNsg([rule()]), nicNsg([rule({ access: "Deny", name: "DenySsh" })])] },
    { when: "the NIC NSG allows SSH only from the corporate range", nsgs: [nicNsg([rule({ sourcePrefixes: ["10.0.0.0/8"] })])] },
    { when: "the NIC NSG allows SSH only from one partner address", nsgs: [nicNsg([rule({ sourcePrefixes: ["203.0.113.9"] })])] },
    { when: "the NIC NSG has only Azure's default rules", nsgs: [nicNsg([])] },
  ])("when $when, then the VM is not exposed", ({ nsgs }) => {
    expect(analyzeExposure(estate({ nsgs })).exposedVms).toEqual([]);
  });

  test("when the NIC has no public IP, then even an allow-all NSG does not expose the VM", () => {
    const report = analyzeExposure(estate({ nics: [privateOnlyNic()], nsgs: [nicNsg([rule({ destinationPorts: ["*"] })])] }));
    expect(report.exposedVms).toEqual([]);
  });

  test("when the public IP points back at the IP configuration in another case, then the VM is still found exposed", () => {
    const pip = publicIp({ ipConfigurationId: `${ids.nic("vm-web-01-nic")}/ipConfigurations/ipconfig1`.toUpperCase() });
    const report = analyzeExposure(estate({ nics: [privateOnlyNic()], publicIps: [pip], nsgs: [nicNsg([rule()])] }));
    expect(report.exposedVms.map((e) => e.publicIpId)).toEqual([pip.id]);
  });

  test("when VM, NIC and NSG ids differ only in case, then they still join up", () => {
    const upperVm = vm({ nicIds: [ids.nic("vm-web-01-nic").toUpperCase()] });
    const theNic = nic({ vmId: undefined });
    theNic.ipConfigurations[0].publicIpId = ids.pip("pip-1").toLowerCase();
    theNic.ipConfigurations[0].subnetId = ids.subnet().toUpperCase();
    const sNsg = subnetNsg([rule({ name: "SubnetSsh" })], { subnetIds: [ids.subnet().toLowerCase()] });
    const nNsg = nicNsg([rule({ name: "NicSsh" })], { nicIds: [ids.nic("vm-web-01-nic").toLowerCase()] });
    const report = analyzeExposure(estate({ vms: [upperVm], nics: [theNic], nsgs: [sNsg, nNsg] }));
    expect(report.exposedVms).toHaveLength(1);
    expect(report.exposedVms[0].allowingRules.map((r) => r.ruleName)).toEqual(["SubnetSsh", "NicSsh"]);
    expect(report.exposedVms[0].publicIpAddress).toBe("20.1.2.3");
  });

  test("when the NIC names its NSG only through nic.nsgId, then that NSG is evaluated", () => {
    const theNic = nic({ vmId: ids.vm("vm-web-01"), nsgId: ids.nsg("nsg-nic").toUpperCase() });
    theNic.ipConfigurations[0].publicIpId = ids.pip("pip-1");
    const report = analyzeExposure(estate({ nics: [theNic], nsgs: [nicNsg([rule({ access: "Deny", name: "DenySsh" }), rule({ name: "Web", priority: 200, destinationPorts: ["443"] })], { nicIds: [] })] }));
    expect(report.exposedVms[0].openPorts).toEqual([{ protocol: "Tcp", ports: "443" }]);
  });

  test("when the NIC's NSG was not read, then the VM is not guessed at and a note says so", () => {
    const theNic = nic({ vmId: ids.vm("vm-web-01"), nsgId: ids.nsg("nsg-missing") });
    theNic.ipConfigurations[0].publicIpId = ids.pip("pip-1");
    const report = analyzeExposure(estate({ nics: [theNic] }));
    expect(report.exposedVms).toEqual([]);
    expect(report.notes.join(" ")).toMatch(/nsg-missing/);
  });

  test.each([
    { when: "a JIT policy lists every open management port", open: ["22"], jit: [22], protectedPorts: [22], unprotected: [], jitProtected: true },
    { when: "JIT covers SSH but RDP is open too", open: ["22", "3389"], jit: [22], protectedPorts: [22], unprotected: [3389], jitProtected: false },
    { when: "no JIT policy lists the VM", open: ["22"], jit: [], protectedPorts: [], unprotected: [22], jitProtected: false },
  ])("when $when, then protected $protectedPorts and unprotected $unprotected", ({ open, jit, protectedPorts, unprotected, jitProtected }) => {
    const policy = jitPolicy({
      virtualMachines: [
        {
          vmId: ids.vm("vm-web-01").toUpperCase(),
          ports: jit.map((number) => ({ number, protocol: "TCP" as const, allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT3H" })),
        },
      ],
    });
    const report = analyzeExposure(estate({ nsgs: [nicNsg([rule({ destinationPorts: open })])], jitPolicies: jit.length ? [policy] : [] }));
    const e = report.exposedVms[0];
    expect(e.jitProtectedPorts).toEqual(protectedPorts);
    expect(e.unprotectedManagementPorts).toEqual(unprotected);
    expect(e.jitProtected).toBe(jitProtected);
  });

  test("when several VMs are exposed, then management-exposed ones come first", () => {
    const web = estate({ nsgs: [nicNsg([rule({ destinationPorts: ["443"] })])] });
    const dbVm = vm({ name: "vm-a-db" });
    const dbNic = nic({ name: "vm-a-db-nic", vmId: dbVm.id });
    dbNic.ipConfigurations[0].publicIpId = ids.pip("pip-db");
    const report = analyzeExposure({
      ...web,
      vms: [...web.vms, dbVm],
      nics: [...web.nics, dbNic],
      publicIps: [...web.publicIps, publicIp({ name: "pip-db", ipAddress: "20.9.9.9" })],
      nsgs: [...web.nsgs, nicNsg([rule()], { name: "nsg-db", nicIds: [dbNic.id] })],
    });
    expect(report.exposedVms.map((e) => [e.vmName, e.managementExposed])).toEqual([
      ["vm-a-db", true],
      ["vm-web-01", false],
    ]);
  });
});

describe("overPermissiveReasons", () => {
  test.each<[string, Partial<SecurityRule>, string[], number[]]>([
    ["SSH from *", {}, ["managementPort"], [22]],
    ["every port from Internet", { destinationPorts: ["*"], sourcePrefixes: ["Internet"] }, ["managementPort", "allPorts"], [22, 3389, 5985, 5986]],
    ["1000-2000 from 0.0.0.0/0", { destinationPorts: ["1000-2000"], sourcePrefixes: ["0.0.0.0/0"] }, ["wideRange"], []],
    ["101 ports (8000-8100)", { destinationPorts: ["8000-8100"] }, ["wideRange"], []],
    ["exactly 100 ports (8000-8099)", { destinationPorts: ["8000-8099"] }, [], []],
    ["HTTPS from *", { destinationPorts: ["443"] }, [], []],
    ["SSH from the corporate range", { sourcePrefixes: ["10.0.0.0/8"] }, [], []],
    ["a deny for everything", { access: "Deny", destinationPorts: ["*"] }, [], []],
    ["ICMP from *", { protocol: "Icmp", destinationPorts: ["*"] }, [], []],
    ["RDP port over UDP only", { protocol: "Udp", destinationPorts: ["3389"] }, [], []],
    ["an outbound allow-all", { direction: "Outbound", destinationPorts: ["*"] }, [], []],
    ["SSH from ::/0 over any protocol", { protocol: "*", sourcePrefixes: ["::/0"] }, ["managementPort"], [22]],
  ])("when the rule allows %s, then reasons are %j", (_label, overrides, reasons, mgmt) => {
    const result = overPermissiveReasons(rule(overrides));
    expect(result.reasons).toEqual(reasons);
    expect(result.managementPorts).toEqual(mgmt);
  });
});

describe("analyzeExposure: NSG-wide findings", () => {
  test("when an NSG attached to nothing has an allow-all rule, then it is listed as unattached after attached ones", () => {
    const attached = nicNsg([rule({ name: "Ssh" })]);
    const loose = nsg({ name: "nsg-spare", rules: [rule({ name: "Everything", destinationPorts: ["*"] })] });
    const report = analyzeExposure(estate({ nsgs: [loose, attached] }));
    expect(report.overPermissiveRules.map((r) => [r.nsgName, r.ruleName, r.unattached])).toEqual([
      ["nsg-nic", "Ssh", false],
      ["nsg-spare", "Everything", true],
    ]);
    expect(report.overPermissiveRules[1]).toMatchObject({ priority: 100, ports: ["*"], sources: ["*"], portCount: 65536 });
  });

  test("when an NSG is attached only through a NIC's nsgId, then it is not called unattached", () => {
    const theNic = nic({ nsgId: ids.nsg("nsg-x") });
    const x = nsg({ name: "nsg-x", rules: [rule()] });
    const report = analyzeExposure(estate({ nics: [theNic], nsgs: [x] }));
    expect(report.overPermissiveRules[0].unattached).toBe(false);
  });

  test("when NICs have IP forwarding, then exactly those are listed with their VM", () => {
    const fwd = nic({ name: "nva-nic", ipForwarding: true, vmId: ids.vm("vm-web-01").toUpperCase() });
    const report = analyzeExposure(estate({ nics: [...estate().nics, fwd] }));
    expect(report.ipForwardingNics).toEqual([{ nicId: fwd.id, nicName: "nva-nic", subscriptionId: SUB, vmId: ids.vm("vm-web-01"), vmName: "vm-web-01" }]);
  });

  test.each([
    { when: "an enabled flow log targets it (in another case)", flowLogs: [flowLog({ targetResourceId: ids.nsg("nsg-1").toUpperCase() })], nsgOverrides: {}, listed: false },
    { when: "its only flow log is disabled", flowLogs: [flowLog({ enabled: false })], nsgOverrides: {}, listed: true },
    { when: "it has no flow log", flowLogs: [], nsgOverrides: {}, listed: true },
    { when: "it lists a flow log that was not read", flowLogs: [], nsgOverrides: { flowLogIds: ["/subscriptions/x/flowLogs/unknown"] }, listed: false },
    {
      when: "a VNet flow log covers the subnet it is attached to",
      flowLogs: [flowLog({ targetResourceId: ids.vnet() })],
      nsgOverrides: { subnetIds: [ids.subnet()] },
      listed: false,
    },
    {
      when: "a VNet flow log covers a different VNet",
      flowLogs: [flowLog({ targetResourceId: ids.vnet("vnet-other") })],
      nsgOverrides: { subnetIds: [ids.subnet()] },
      listed: true,
    },
  ])("when $when, then the NSG is listed without flow logs: $listed", ({ flowLogs, nsgOverrides, listed }) => {
    const report = analyzeExposure(estate({ nsgs: [nsg(nsgOverrides)], flowLogs }));
    expect(report.nsgsWithoutFlowLogs.map((n) => n.nsgName)).toEqual(listed ? ["nsg-1"] : []);
  });

  test("when a flow log is disabled, then the listing names it", () => {
    const fl = flowLog({ enabled: false });
    const report = analyzeExposure(estate({ nsgs: [nsg()], flowLogs: [fl] }));
    expect(report.nsgsWithoutFlowLogs[0].disabledFlowLogIds).toEqual([fl.id]);
  });

  test.each([
    { when: "the region's watcher is written with spaces and capitals", watchers: [watcher({ location: "West Europe" })], missing: [] as string[] },
    { when: "there is no watcher", watchers: [], missing: [`${SUB}|westeurope`] },
    { when: "the only watcher is in another subscription", watchers: [watcher({ subscriptionId: SUB2 })], missing: [`${SUB}|westeurope`] },
    { when: "the only watcher is in another region", watchers: [watcher({ location: "eastus" })], missing: [`${SUB}|westeurope`] },
  ])("when $when, then regions without Network Watcher are $missing", ({ watchers, missing }) => {
    const report = analyzeExposure(estate({ watchers }));
    expect(report.regionsWithoutNetworkWatcher.map((r) => `${r.subscriptionId}|${r.location}`)).toEqual(missing);
  });

  test("when a region lacks a watcher, then its VMs and NICs are counted", () => {
    const report = analyzeExposure(estate({ watchers: [] }));
    expect(report.regionsWithoutNetworkWatcher[0]).toMatchObject({ vmCount: 1, nicCount: 1 });
  });
});

describe("analyzeExposure: assessment-based findings", () => {
  const storageId = ids.storage("stlogs01");
  test("when storage and gateways have unhealthy secure-transfer and WAF assessments, then each resource is listed once", () => {
    const report = analyzeExposure(
      estate({
        assessments: [
          assessment({ key: ASSESSMENT_KEYS.STORAGE_SECURE_TRANSFER.toUpperCase(), resourceId: storageId }),
          assessment({ key: ASSESSMENT_KEYS.STORAGE_SECURE_TRANSFER, resourceId: storageId.toLowerCase() }),
          assessment({ key: ASSESSMENT_KEYS.STORAGE_SECURE_TRANSFER, resourceId: ids.storage("sthealthy"), status: "Healthy" }),
          assessment({ key: ASSESSMENT_KEYS.WAF_APPLICATION_GATEWAY, resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/agw-1" }),
        ],
      }),
    );
    expect(report.storageWithoutSecureTransfer.map((r) => r.name)).toEqual(["stlogs01"]);
    expect(report.storageWithoutSecureTransfer[0].resourceGroup).toBe("rg-app");
    expect(report.appsWithoutWaf.map((r) => r.name)).toEqual(["agw-1"]);
  });

  const nsgKey = ASSESSMENT_KEYS.INTERNET_FACING_NSG;
  const jitKey = ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS;
  const otherVmId = ids.vm("vm-other");
  test.each([
    {
      when: "Defender flags the NSG but the VM has no public IP",
      exposed: false,
      assessments: [assessment({ key: nsgKey })],
      expected: [[nsgKey, "Unhealthy", "notExposed"]],
    },
    {
      when: "the VM is exposed but Defender's NSG assessment is healthy (id in upper case)",
      exposed: true,
      assessments: [assessment({ key: nsgKey, status: "Healthy", resourceId: ids.vm("vm-web-01").toUpperCase() })],
      expected: [[nsgKey, "Healthy", "exposed"]],
    },
    {
      when: "the VM is exposed and Defender agrees",
      exposed: true,
      assessments: [assessment({ key: nsgKey }), assessment({ key: jitKey })],
      expected: [],
    },
    {
      when: "SSH is open without JIT and the JIT assessment exists only for another VM in the subscription",
      exposed: true,
      assessments: [assessment({ key: jitKey, resourceId: otherVmId })],
      expected: [[jitKey, "Missing", "managementPortsOpenWithoutJit"]],
    },
    {
      when: "Defender wants JIT but no management port is open",
      exposed: false,
      assessments: [assessment({ key: jitKey })],
      expected: [[jitKey, "Unhealthy", "noUnprotectedManagementPorts"]],
    },
    {
      when: "Defender evaluates neither recommendation",
      exposed: true,
      assessments: [],
      expected: [],
    },
  ])("when $when, then disagreements are $expected", ({ exposed, assessments, expected }) => {
    const base = exposed ? estate({ nsgs: [nicNsg([rule()])] }) : estate({ nics: [privateOnlyNic()] });
    const report = analyzeExposure({ ...base, assessments });
    expect(report.assessmentDisagreements.map((d) => [d.assessmentKey, d.assessmentStatus, d.networkFinding])).toEqual(expected);
    for (const d of report.assessmentDisagreements) expect(d.message).toContain("vm-web-01");
  });
});
