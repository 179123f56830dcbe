import type { PacketCapture } from "@azure/arm-network";
import { startSimulator, type Simulator } from "../../src/simulator";
import { all, networkClient, TOKEN } from "./clients";

const START = new Date("2030-01-15T10:00:00.000Z");
const FAST = { updateIntervalInMs: 1 };

describe("Microsoft.Network through @azure/arm-network", () => {
  let sim: Simulator;
  let prod: string;
  let dev: string;
  const vmId = (name: string): string => sim.estate.vms.find((v) => v.name === name)!.id;
  const capture = (vm: string, seconds = 60): PacketCapture => ({
    target: vmId(vm),
    timeLimitInSeconds: seconds,
    storageLocation: { storageId: sim.estate.captureStorageAccountId },
    filters: [{ protocol: "TCP", localPort: "443" }],
  });

  beforeAll(async () => {
    sim = await startSimulator({ token: TOKEN, pageSize: 3, clock: () => START });
    prod = sim.estate.subscriptions[0].id;
    dev = sim.estate.subscriptions[1].id;
  });
  afterAll(async () => {
    await sim.close();
  });

  test("when NSGs are listed across pages, then nextLinks (which must carry api-version) are followed to the end", async () => {
    sim.resetStats();
    const client = networkClient(sim.url, prod);
    const nsgs = await all(client.networkSecurityGroups.listAll());
    const expected = sim.estate.nsgs.filter((n) => n.subscriptionId === prod);
    expect(nsgs.map((n) => n.name).sort()).toEqual(expected.map((n) => n.name).sort());
    expect(sim.stats().byRoute["GET /subscriptions/{subscriptionId}/providers/Microsoft.Network/networkSecurityGroups"]).toBe(Math.ceil(expected.length / 3));
  });

  test("when an NSG is read, then rules render single values in singular fields, defaults and NIC links are present", async () => {
    const client = networkClient(sim.url, prod);
    const nsg = await client.networkSecurityGroups.get("rg-web-prod", "nsg-web-prod");
    const ssh = nsg.securityRules?.find((r) => r.name === "Allow-SSH-Internet");
    expect(ssh).toMatchObject({ sourceAddressPrefix: "Internet", destinationPortRange: "22", access: "Allow", direction: "Inbound", priority: 100 });
    expect(nsg.defaultSecurityRules?.map((r) => r.name)).toContain("DenyAllInBound");
    expect(nsg.networkInterfaces?.map((n) => n.id)).toContain(sim.estate.nics.find((n) => n.name === "vm-web-01-nic")!.id);
    expect(nsg.flowLogs?.length).toBe(1);
    const byRg = await all(client.networkSecurityGroups.list("rg-web-prod"));
    expect(byRg.map((n) => n.name).sort()).toEqual(["nsg-web-02", "nsg-web-prod"]);
  });

  test("when an NSG is updated with a PUT, then the LRO completes and the new rule is served", async () => {
    sim.resetStats();
    const client = networkClient(sim.url, dev);
    const nsg = await client.networkSecurityGroups.get("rg-build-dev", "nsg-build-dev");
    const rules = (nsg.securityRules ?? []).filter((r) => r.name !== "Allow-SSH-Any");
    rules.push({ name: "Allow-SSH-Office", protocol: "Tcp", sourceAddressPrefix: "203.0.113.0/24", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22", access: "Allow", priority: 100, direction: "Inbound" });
    const updated = await client.networkSecurityGroups.beginCreateOrUpdateAndWait("rg-build-dev", "nsg-build-dev", { location: nsg.location, securityRules: rules }, FAST);
    expect(updated.provisioningState).toBe("Succeeded");
    expect(updated.securityRules?.map((r) => r.name)).toContain("Allow-SSH-Office");
    expect(updated.securityRules?.map((r) => r.name)).not.toContain("Allow-SSH-Any");
    const status = sim.stats().byRoute["GET /subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operations/{operationId}"];
    expect(status).toBeGreaterThanOrEqual(2);
  });

  test("when NSG rules share a priority, then the PUT is refused with 400", async () => {
    const client = networkClient(sim.url, dev);
    const rule = { protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80", access: "Allow", priority: 200, direction: "Inbound" } as const;
    await expect(
      client.networkSecurityGroups.beginCreateOrUpdateAndWait("rg-dev", "nsg-dev", { location: "eastus", securityRules: [{ name: "a", ...rule }, { name: "b", ...rule }] }, FAST),
    ).rejects.toMatchObject({ statusCode: 400, code: "SecurityRuleConflict" });
  });

  test("when NICs and public IPs are listed, then IP forwarding, NSG, VM and SKU links are consistent", async () => {
    const client = networkClient(sim.url, prod);
    const nics = await all(client.networkInterfaces.listAll());
    const pips = await all(client.publicIPAddresses.listAll());
    const nva = nics.find((n) => n.name === "vm-nva-01-nic");
    expect(nva?.enableIPForwarding).toBe(true);
    expect(nva?.virtualMachine?.id).toBe(vmId("vm-nva-01"));
    const web02 = await client.networkInterfaces.get("rg-web-prod", "vm-web-02-nic");
    const pipId = web02.ipConfigurations?.[0]?.publicIPAddress?.id;
    const pip = pips.find((p) => p.id === pipId);
    expect(pip?.sku?.name).toBe("Basic");
    expect(pip?.ipConfiguration?.id).toBe(web02.ipConfigurations?.[0]?.id);
    expect(nics.filter((n) => n.enableIPForwarding === false).length).toBeGreaterThan(3);
  });

  test("when Network Watchers are listed, then the production subscription has none in northeurope", async () => {
    const client = networkClient(sim.url, prod);
    const watchers = await all(client.networkWatchers.listAll());
    expect(watchers.map((w) => w.location)).toEqual(["westeurope"]);
    expect((await client.networkWatchers.get("NetworkWatcherRG", "NetworkWatcher_westeurope")).provisioningState).toBe("Succeeded");
    await expect(client.networkWatchers.get("NetworkWatcherRG", "NetworkWatcher_northeurope")).rejects.toMatchObject({ statusCode: 404 });
    expect((await all(networkClient(sim.url, dev).networkWatchers.list("NetworkWatcherRG"))).length).toBe(2);
  });

  test("when flow logs are listed, read and created, then the NSG reports its new flow log", async () => {
    const client = networkClient(sim.url, prod);
    const logs = await all(client.flowLogs.list("NetworkWatcherRG", "NetworkWatcher_westeurope"));
    expect(logs.map((l) => l.name).sort()).toEqual(["fl-nsg-data-prod", "fl-nsg-web-prod"]);
    const one = await client.flowLogs.get("NetworkWatcherRG", "NetworkWatcher_westeurope", "fl-nsg-web-prod");
    expect(one).toMatchObject({ enabled: true, retentionPolicy: { days: 30, enabled: true } });
    const nsgId = sim.estate.nsgs.find((n) => n.name === "nsg-app-prod")!.id;
    const created = await client.flowLogs.beginCreateOrUpdateAndWait(
      "NetworkWatcherRG",
      "NetworkWatcher_westeurope",
      "fl-nsg-app-prod",
      { location: "westeurope", targetResourceId: nsgId, storageId: sim.estate.captureStorageAccountId, enabled: true, retentionPolicy: { days: 7, enabled: true } },
      FAST,
    );
    expect(created.provisioningState).toBe("Succeeded");
    const nsg = await client.networkSecurityGroups.get("rg-app-prod", "nsg-app-prod");
    expect(nsg.flowLogs?.map((f) => f.id)).toEqual([created.id]);
    await client.flowLogs.beginDeleteAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "fl-nsg-app-prod", FAST);
    expect((await client.networkSecurityGroups.get("rg-app-prod", "nsg-app-prod")).flowLogs).toEqual([]);
  });

  test("when a capture is created on a VM with the agent, then it runs until its time limit passes on the clock", async () => {
    const client = networkClient(sim.url, prod);
    const created = await client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-run", capture("vm-web-01", 120), FAST);
    expect(created.provisioningState).toBe("Succeeded");
    expect(created.storageLocation?.storagePath).toMatch(
      /^https:\/\/stcontosocaptures\.blob\.core\.windows\.net\/network-watcher-logs\/subscriptions\/[0-9a-f-]+\/resourcegroups\/rg-web-prod\/providers\/microsoft\.compute\/virtualmachines\/vm-web-01\/2030\/01\/15\/packetcapture_\d{2}_\d{2}_\d{2}_\d{3}\.cap$/,
    );
    const running = await client.packetCaptures.beginGetStatusAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-run", FAST);
    expect(running).toMatchObject({ packetCaptureStatus: "Running", name: "pc-run" });
    sim.advance(121);
    const stopped = await client.packetCaptures.beginGetStatusAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-run", FAST);
    expect(stopped).toMatchObject({ packetCaptureStatus: "Stopped", stopReason: "TimeExceeded" });
    const listed = await all(client.packetCaptures.list("NetworkWatcherRG", "NetworkWatcher_westeurope"));
    expect(listed.map((c) => c.name)).toContain("pc-run");
  });

  test("when a running capture is stopped and then deleted, then it reports ManualStop and disappears", async () => {
    const client = networkClient(sim.url, prod);
    await client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-stop", capture("vm-app-01", 300), FAST);
    await client.packetCaptures.beginStopAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-stop", FAST);
    const status = await client.packetCaptures.beginGetStatusAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-stop", FAST);
    expect(status).toMatchObject({ packetCaptureStatus: "Stopped", stopReason: "ManualStop" });
    await client.packetCaptures.beginDeleteAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-stop", FAST);
    await expect(client.packetCaptures.get("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-stop")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("when a capture targets a VM without the Network Watcher agent, then the operation fails and the capture is Failed", async () => {
    const client = networkClient(sim.url, prod);
    const error = await client.packetCaptures
      .beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-noagent", capture("vm-web-02"), FAST)
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain("NetworkWatcherAgentNotInstalled");
    const pc = await client.packetCaptures.get("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-noagent");
    expect(pc.provisioningState).toBe("Failed");
    const status = await client.packetCaptures.beginGetStatusAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-noagent", FAST);
    expect(status).toMatchObject({ packetCaptureStatus: "Error", packetCaptureError: ["CaptureFailed"] });
  });

  test("when a capture targets a deallocated VM, then the operation fails with VirtualMachineNotRunning", async () => {
    const client = networkClient(sim.url, dev);
    await expect(client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_eastus", "pc-off", capture("vm-dev-01"), FAST)).rejects.toThrow(
      /VirtualMachineNotRunning/,
    );
  });

  test("when a capture targets a VM in another region than the watcher, then 400 says so", async () => {
    const client = networkClient(sim.url, prod);
    await expect(client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-neu", capture("vm-jump-01"), FAST)).rejects.toMatchObject({
      statusCode: 400,
      code: "TargetResourceNotInWatcherRegion",
    });
  });

  test("when the running-capture limit of a region is reached, then the next capture is refused with 409", async () => {
    const client = networkClient(sim.url, dev);
    sim.estate.limits.maxRunningCapturesPerRegion = 2;
    try {
      await client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_eastus", "pc-l1", capture("vm-dev-02"), FAST);
      await client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_eastus", "pc-l2", capture("vm-dev-02"), FAST);
      await expect(client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_eastus", "pc-l3", capture("vm-dev-02"), FAST)).rejects.toMatchObject({
        statusCode: 409,
        code: "PacketCaptureSessionLimitReached",
      });
      await expect(client.packetCaptures.beginCreateAndWait("NetworkWatcherRG", "NetworkWatcher_eastus", "pc-l1", capture("vm-dev-02"), FAST)).rejects.toMatchObject({
        statusCode: 409,
        code: "PacketCaptureAlreadyExists",
      });
    } finally {
      sim.estate.limits.maxRunningCapturesPerRegion = 10;
    }
  });

  test("when the seeded capture from yesterday is read, then it has already stopped by time limit", async () => {
    const client = networkClient(sim.url, prod);
    const status = await client.packetCaptures.beginGetStatusAndWait("NetworkWatcherRG", "NetworkWatcher_westeurope", "pc-vm-web-01-baseline", FAST);
    expect(status).toMatchObject({ packetCaptureStatus: "Stopped", stopReason: "TimeExceeded" });
  });
});
