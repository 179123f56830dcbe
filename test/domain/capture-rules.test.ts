import {
  agentProblem,
  applyCaptureStatus,
  captureFilters,
  captureName,
  captureTargetsOf,
  captureTimeLimit,
  describeFilters,
  missingWatcherMessage,
  parseCaptureStartArgs,
  powerProblem,
  resolveVm,
  stopOutcome,
  vmIdOf,
  watcherFor,
  type CaptureRecord,
} from "../../src/domain/capture-rules";
import { AppError } from "../../src/domain/errors";
import type { IncomingAlert } from "../../src/domain/incoming-alert";
import { SUB, vm, watcher } from "./builders";

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

describe("parseCaptureStartArgs", () => {
  test.each([
    ["vm-web-01", { vmName: "vm-web-01" }],
    ["vm-web-01 for 90s", { vmName: "vm-web-01", durationMs: 90_000 }],
    ["vm-web-01 for 2m tcp port 443 remote 203.0.113.7", { vmName: "vm-web-01", durationMs: 120_000, protocol: "TCP", port: 443, remoteIp: "203.0.113.7" }],
    ["UDP vm-web-01 PORT 53", { vmName: "vm-web-01", protocol: "UDP", port: 53 }],
    ["vm-web-01 for 90 s", { vmName: "vm-web-01", durationMs: 90_000 }],
    ["vm-web-01 for 5 minutes", { vmName: "vm-web-01", durationMs: 300_000 }],
    ["rg-web/vm-web-01 remote 2001:DB8::1", { vmName: "rg-web/vm-web-01", remoteIp: "2001:db8::1" }],
    ['vm-web-01 because odd traffic "${x}"', { vmName: "vm-web-01", reason: 'odd traffic "${x}"' }],
  ])("when the arguments are %p, then they read as %p", (text, expected) => {
    expect(parseCaptureStartArgs(text)).toEqual(expected);
  });

  test.each([
    ["", "Name the VM first"],
    ["vm-web-01 extra", "don't understand \"extra\""],
    ["vm-web-01 port", "one port number"],
    ["vm-web-01 port 0", "one port number"],
    ["vm-web-01 port 70000", "one port number"],
    ["vm-web-01 port 22,3389", "one port number"],
    ["vm-web-01 remote 10.0.0.0/24", "one IP address"],
    ["vm-web-01 remote host.example", "one IP address"],
    ["vm-web-01 for", "needs a duration"],
    ["vm-web-01 for soon", "not a duration"],
    ["vm-web-01 for 0s", "at least 1 second"],
    ["vm-web-01 tcp udp", "appears twice"],
    ["vm-web-01 for 1m for 2m", "appears twice"],
  ])("when the arguments are %p, then the answer says %p", (text, message) => {
    const e = errorOf(() => parseCaptureStartArgs(text));
    expect(e.code).toBe("BadInput");
    expect(e.userMessage).toContain(message);
  });
});

describe("limits, filters and names", () => {
  test.each([
    [undefined, 300, { seconds: 300, capped: false }],
    [60_000, 300, { seconds: 60, capped: false }],
    [1_500, 300, { seconds: 2, capped: false }],
    [3_600_000, 300, { seconds: 300, capped: true }],
    [undefined, 99_999, { seconds: 18_000, capped: false }],
  ])("when %p ms is asked with a maximum of %p s, then the time limit is %p", (requested, max, expected) => {
    expect(captureTimeLimit(requested, max)).toEqual(expected);
  });

  test("when a port is given, then it matches either end of a connection as two filters sharing protocol and remote", () => {
    expect(captureFilters({ protocol: "TCP", port: 443, remoteIp: "203.0.113.7" })).toEqual([
      { protocol: "TCP", remoteIpAddress: "203.0.113.7", localPort: "443" },
      { protocol: "TCP", remoteIpAddress: "203.0.113.7", remotePort: "443" },
    ]);
    expect(describeFilters(captureFilters({ protocol: "TCP", port: 443, remoteIp: "203.0.113.7" }))).toBe("TCP, port 443 (either end), remote 203.0.113.7");
  });

  test.each([
    [{}, [], "all traffic"],
    [{ protocol: "UDP" as const }, [{ protocol: "UDP" }], "UDP"],
    [{ remoteIp: "198.51.100.1" }, [{ remoteIpAddress: "198.51.100.1" }], "any protocol, remote 198.51.100.1"],
  ])("when the options are %p, then the filters are %p (%p)", (input, filters, words) => {
    expect(captureFilters(input)).toEqual(filters);
    expect(describeFilters(captureFilters(input))).toBe(words);
  });

  test("when the name is free, then it is cap-<vm>-<yyyymmdd-hhmm> in UTC; when taken, a suffix is added", () => {
    const now = new Date("2025-03-04T05:06:07Z");
    expect(captureName("vm-web-01", now, new Set())).toBe("cap-vm-web-01-20250304-0506");
    expect(captureName("vm-web-01", now, new Set(["cap-vm-web-01-20250304-0506"]))).toBe("cap-vm-web-01-20250304-0506-2");
    expect(captureName("VM-Web-01", now, new Set(["cap-vm-web-01-20250304-0506", "cap-vm-web-01-20250304-0506-2"]))).toBe("cap-VM-Web-01-20250304-0506-3");
  });

  test("when the VM name is long or has odd characters, then the name stays within Azure's 80 characters and alphabet", () => {
    const name = captureName(`${"x".repeat(70)} y`, new Date("2025-03-04T05:06:07Z"), new Set());
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
  });
});

describe("VM checks", () => {
  const web = vm({ name: "vm-web-01" });
  const otherGroup = vm({ name: "vm-web-01", resourceGroup: "rg-other" });

  test("when a name matches one VM (by name, group/name or id, any case), then that VM is chosen", () => {
    expect(resolveVm("VM-WEB-01", [web, vm({ name: "vm-app-01" })])).toBe(web);
    expect(resolveVm(`${otherGroup.resourceGroup}/vm-web-01`, [web, otherGroup])).toBe(otherGroup);
    expect(resolveVm(web.id.toLowerCase(), [web, otherGroup])).toBe(web);
  });

  test("when a name matches VMs in two groups, then the answer lists them as group/name with the subscription", () => {
    const e = errorOf(() => resolveVm("vm-web-01", [web, otherGroup], { [SUB]: "Contoso Prod" }));
    expect(e.userMessage).toContain(`matches 2 VMs: ${web.resourceGroup}/vm-web-01 (Contoso Prod), rg-other/vm-web-01 (Contoso Prod)`);
    expect(e.userMessage).toContain("resource-group/name");
  });

  test("when nothing matches, then the closest names are suggested", () => {
    expect(errorOf(() => resolveVm("vm-web-1", [web])).userMessage).toContain('Did you mean "vm-web-01"');
  });

  test("when the VM's region has a watcher in its subscription, then it is found; other regions and subscriptions do not count", () => {
    const w = watcher({ location: "westeurope" });
    expect(watcherFor(web, [watcher({ location: "eastus" }), w])).toBe(w);
    expect(watcherFor(vm({ location: "West Europe" }), [w])).toBe(w);
    expect(watcherFor(web, [watcher({ subscriptionId: "00000000-0000-0000-0000-00000000dead" })])).toBeUndefined();
    expect(missingWatcherMessage(vm({ location: "northeurope" }), "Prod")).toContain(
      "az network watcher configure -g NetworkWatcherRG -l northeurope --enabled true",
    );
  });

  test.each([
    ["running", undefined],
    [undefined, undefined],
    ["deallocated", "is deallocated"],
    ["stopped", "is stopped"],
  ])("when the power state is %p, then the problem is %p", (powerState, problem) => {
    const p = powerProblem(vm({ powerState }));
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });

  test("when the agent is missing, then the problem names the extension for the VM's OS and how to install it", () => {
    expect(agentProblem(vm({ osType: "Linux" }), ["NetworkWatcherAgentLinux"])).toBeUndefined();
    expect(agentProblem(vm({ osType: "Windows" }), ["networkwatcheragentwindows"])).toBeUndefined();
    expect(agentProblem(vm({ osType: "Windows" }), ["MDE.Windows"])).toContain("(NetworkWatcherAgentWindows)");
    expect(agentProblem(vm({ osType: "Linux" }), [])).toContain("--publisher Microsoft.Azure.NetworkWatcher --name NetworkWatcherAgentLinux");
  });
});

function record(overrides: Partial<CaptureRecord> = {}): CaptureRecord {
  return {
    name: "cap-vm-web-01-20250101-1000",
    id: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/packetCaptures/cap-vm-web-01-20250101-1000",
    vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web-01",
    vmName: "vm-web-01",
    resourceGroup: "rg",
    subscriptionId: "s",
    region: "westeurope",
    watcherId: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope",
    requestedBy: { id: "a", name: "Alice" },
    trigger: { kind: "command" },
    cards: [],
    state: "running",
    timeLimitSeconds: 300,
    timeLimitCapped: false,
    totalBytesPerSession: 100 * 1024 * 1024,
    bytesToCapturePerPacket: 1514,
    filters: [],
    storageId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stcaptures",
    createdAt: "2025-01-01T10:00:00.000Z",
    startedAt: "2025-01-01T10:00:00.000Z",
    ...overrides,
  };
}

describe("reading a capture's status", () => {
  const during = new Date("2025-01-01T10:02:00Z");
  const after = new Date("2025-01-01T10:06:00Z");

  test.each([
    ["TimeExceeded", during, "time limit reached (5 min)"],
    ["SessionMaxBytesExceeded", during, "byte limit reached (100 MB)"],
    ["ManualStop", during, "stopped manually (outside the bot)"],
    [undefined, during, "byte limit reached (100 MB)"],
    ["", after, "time limit reached (5 min)"],
    ["SomethingNew", during, "SomethingNew"],
  ])("when Azure says %p at %p, then the outcome reads %p", (reason, now, expected) => {
    expect(stopOutcome(reason, record(), now)).toBe(expected);
  });

  test("when the bot stopped it, then the outcome names who did", () => {
    expect(stopOutcome("ManualStop", record({ stoppedBy: { id: "b", name: "Bob" } }), during)).toBe("stopped by Bob");
  });

  test("when a starting capture runs, then it becomes running; a running one that stopped records how", () => {
    expect(applyCaptureStatus(record({ state: "starting", startedAt: undefined }), { name: "x", state: "Running", startTime: "2025-01-01T10:00:05Z", errors: [] }, during)).toMatchObject({
      state: "running",
      startedAt: "2025-01-01T10:00:05Z",
    });
    expect(applyCaptureStatus(record(), { name: "x", state: "Running", errors: [] }, during)).toBeUndefined();
    expect(applyCaptureStatus(record(), { name: "x", state: "Stopped", stopReason: "TimeExceeded", errors: [] }, after)).toMatchObject({
      state: "stopped",
      outcome: "time limit reached (5 min)",
      endedAt: after.toISOString(),
    });
    expect(applyCaptureStatus(record({ stopping: { id: "b", name: "Bob", at: during.toISOString() } }), { name: "x", state: "Stopped", stopReason: "ManualStop", errors: [] }, during)).toMatchObject({
      state: "stopped",
      outcome: "stopped by Bob",
      stoppedBy: { id: "b", name: "Bob" },
    });
    expect(applyCaptureStatus(record({ state: "stopped" }), { name: "x", state: "Stopped", errors: [] }, after)).toBeUndefined();
  });

  test("when the agent could not upload, then the failure says the VM cannot reach the storage account", () => {
    const failed = applyCaptureStatus(record(), { name: "x", state: "Error", errors: ["StorageFailed"] }, during);
    expect(failed?.state).toBe("failed");
    expect(failed?.error).toContain("could not write the file to stcaptures");
    expect(failed?.error).toContain("outbound HTTPS");
  });
});

describe("which alerts start a capture", () => {
  const vmId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web-01";
  const alert = (overrides: Partial<IncomingAlert> = {}): IncomingAlert => ({
    id: "a1",
    source: "defender",
    name: "Anomalous outgoing traffic",
    alertType: "Network_AnomalousOutgoingTcpSegments",
    severity: "Medium",
    resourceIds: [vmId],
    firedAt: "2025-01-01T10:00:00Z",
    remediationSteps: [],
    ...overrides,
  });

  test.each([
    [[], alert(), []],
    [["*"], alert(), [vmId]],
    [["network_anomalousoutgoingtcpsegments"], alert(), [vmId]],
    [["Anomalous outgoing traffic"], alert(), [vmId]],
    [["Something else"], alert(), []],
    [["*"], alert({ resourceIds: ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"] }), []],
    [["*"], alert({ condition: "Resolved" }), []],
    [["*"], alert({ resourceIds: [`${vmId}/extensions/MDE.Linux`, vmId.toUpperCase()] }), [vmId]],
  ])("when CAPTURE_ON_ALERT is %p, then the alert starts captures on %p", (onAlert, a, expected) => {
    expect(captureTargetsOf(a, onAlert).map((id) => id.toLowerCase())).toEqual(expected.map((id) => id.toLowerCase()));
  });

  test("when an id is below a VM, then the VM is what is captured", () => {
    expect(vmIdOf(`${vmId}/extensions/x`)).toBe(vmId);
    expect(vmIdOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n")).toBeUndefined();
  });
});
