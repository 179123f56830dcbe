import { startSimulator, type Simulator } from "../../src/simulator";
import { all, computeClient, TOKEN } from "./clients";

describe("Microsoft.Compute through @azure/arm-compute (TypeSpec client)", () => {
  let sim: Simulator;
  let prod: string;
  let dev: string;

  beforeAll(async () => {
    sim = await startSimulator({ token: TOKEN, pageSize: 4, clock: () => new Date("2030-01-15T10:00:00.000Z") });
    prod = sim.estate.subscriptions[0].id;
    dev = sim.estate.subscriptions[1].id;
  });
  afterAll(async () => {
    await sim.close();
  });

  test("when VMs are listed with statusOnly across pages, then every VM comes back with its power state", async () => {
    sim.resetStats();
    const vms = await all(computeClient(sim.url, dev).virtualMachines.listAll({ statusOnly: "true" }));
    const expected = sim.estate.vms.filter((v) => v.subscriptionId === dev);
    expect(vms.map((v) => v.name).sort()).toEqual(expected.map((v) => v.name).sort());
    expect(sim.stats().byRoute["GET /subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines"]).toBe(Math.ceil(expected.length / 4));
    const power = (name: string) => vms.find((v) => v.name === name)?.instanceView?.statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code;
    expect(power("vm-dev-01")).toBe("PowerState/deallocated");
    expect(power("vm-build-01")).toBe("PowerState/running");
  });

  test("when VMs are listed without statusOnly, then no instance view is included but NICs and OS are", async () => {
    const vms = await all(computeClient(sim.url, prod).virtualMachines.list("rg-web-prod"));
    expect(vms.map((v) => v.name).sort()).toEqual(["vm-web-01", "vm-web-02"]);
    expect(vms[0]?.instanceView).toBeUndefined();
    expect(vms[0]?.storageProfile?.osDisk?.osType).toBe("Linux");
    const nicId = vms.find((v) => v.name === "vm-web-01")?.networkProfile?.networkInterfaces?.[0]?.id;
    expect(nicId).toBe(sim.estate.nics.find((n) => n.name === "vm-web-01-nic")?.id);
  });

  test("when one VM is read with $expand=instanceView, then statuses and extension handlers are present", async () => {
    const client = computeClient(sim.url, prod);
    const vm = await client.virtualMachines.get("rg-data-prod", "vm-sql-01", { expand: "instanceView" });
    expect(vm.storageProfile?.osDisk?.osType).toBe("Windows");
    expect(vm.instanceView?.statuses?.map((s) => s.code)).toEqual(["ProvisioningState/succeeded", "PowerState/running"]);
    expect(vm.instanceView?.extensions?.map((e) => e.type)).toContain("Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows");
    const view = await client.virtualMachines.instanceView("rg-data-prod", "vm-sql-01");
    expect(view.statuses?.[1]?.displayStatus).toBe("VM running");
  });

  test("when a VM's extensions are listed, then the Network Watcher agent shows where installed and not elsewhere", async () => {
    const client = computeClient(sim.url, prod);
    const types = async (rg: string, name: string) => ((await client.virtualMachineExtensions.list(rg, name)).value ?? []).map((e) => e.typePropertiesType);
    expect(await types("rg-web-prod", "vm-web-01")).toContain("NetworkWatcherAgentLinux");
    expect(await types("rg-web-prod", "vm-web-02")).not.toContain("NetworkWatcherAgentLinux");
    const ext = await client.virtualMachineExtensions.get("rg-web-prod", "vm-web-01", "AzureNetworkWatcherExtension");
    expect(ext).toMatchObject({ publisher: "Microsoft.Azure.NetworkWatcher", provisioningState: "Succeeded" });
  });

  test("when a test removes the agent from the estate, then the next read no longer shows it", async () => {
    const vm = sim.estate.vms.find((v) => v.name === "vm-app-01")!;
    const saved = [...vm.extensions];
    vm.extensions = vm.extensions.filter((e) => !e.type.startsWith("NetworkWatcherAgent"));
    try {
      const list = await computeClient(sim.url, prod).virtualMachineExtensions.list("rg-app-prod", "vm-app-01");
      expect((list.value ?? []).map((e) => e.typePropertiesType)).not.toContain("NetworkWatcherAgentLinux");
    } finally {
      vm.extensions = saved;
    }
  });

  test("when a VM does not exist, then the client throws a 404 RestError", async () => {
    await expect(computeClient(sim.url, prod).virtualMachines.get("rg-web-prod", "vm-nope")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });
});
