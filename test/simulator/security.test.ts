import type { RestError } from "@azure/core-rest-pipeline";
import { SEEDED_ASSESSMENT_KEYS as K, startSimulator, type Simulator } from "../../src/simulator";
import { all, securityClient, TOKEN } from "./clients";

const START = new Date("2030-01-15T10:00:00.000Z");

describe("Microsoft.Security through @azure/arm-security", () => {
  let sim: Simulator;
  let prod: string;
  let dev: string;
  const vmId = (name: string): string => {
    const vm = sim.estate.vms.find((v) => v.name === name);
    if (!vm) throw new Error(name);
    return vm.id;
  };

  beforeAll(async () => {
    sim = await startSimulator({ token: TOKEN, pageSize: 7, clock: () => START });
    prod = sim.estate.subscriptions[0].id;
    dev = sim.estate.subscriptions[1].id;
  });
  afterAll(async () => {
    await sim.close();
  });

  test("when the secure score is read, then it is consistent with the sum of its controls", async () => {
    const client = securityClient(sim.url, prod);
    const scores = await all(client.secureScores.list());
    const score = await client.secureScores.get("ascScore");
    const controls = await all(client.secureScoreControls.list({ expand: "definition" }));
    expect(scores).toHaveLength(1);
    expect(score.max).toBe(controls.reduce((s, c) => s + (c.max ?? 0), 0));
    expect(score.current).toBeCloseTo(controls.reduce((s, c) => s + (c.current ?? 0), 0), 1);
    expect(score.percentage).toBeGreaterThan(0);
    expect(score.percentage).toBeLessThan(1);
    expect(controls.length).toBeGreaterThanOrEqual(10);
    const network = controls.find((c) => c.displayName === "Restrict unauthorized network access");
    expect(network?.unhealthyResourceCount).toBeGreaterThan(0);
    expect(network?.definition?.assessmentDefinitions?.map((d) => d.id)).toContain(`/providers/Microsoft.Security/assessmentMetadata/${K.jit}`);
  });

  test("when an unhealthy assessment turns healthy in the estate, then the score goes up", async () => {
    const client = securityClient(sim.url, dev);
    const before = await client.secureScores.get("ascScore");
    const changed = sim.estate.assessments.filter((a) => a.subscriptionId === dev && a.key === K.systemUpdates && a.status === "Unhealthy");
    changed.forEach((a) => (a.status = "Healthy"));
    try {
      const after = await client.secureScores.get("ascScore");
      expect(after.current ?? 0).toBeGreaterThan(before.current ?? 0);
    } finally {
      changed.forEach((a) => (a.status = "Unhealthy"));
    }
  });

  test("when assessments are listed at subscription scope, then every page is followed and items carry metadata", async () => {
    sim.resetStats();
    const client = securityClient(sim.url, prod);
    const items = await all(client.assessments.list(`/subscriptions/${prod}`));
    const expected = sim.estate.assessments.filter((a) => a.subscriptionId === prod).length;
    expect(items).toHaveLength(expected);
    expect(sim.stats().byRoute["GET {scope}/providers/Microsoft.Security/assessments"]).toBe(Math.ceil(expected / 7));
    const jit = items.find((a) => a.name === K.jit && a.resourceDetails && (a.resourceDetails as { id?: string }).id === vmId("vm-web-01"));
    expect(jit?.status?.code).toBe("Unhealthy");
    expect(jit?.metadata).toMatchObject({ severity: "High", displayName: expect.stringContaining("just-in-time") });
  });

  test("when assessments are listed at a resource group scope, then only that group's resources come back", async () => {
    const client = securityClient(sim.url, prod);
    const items = await all(client.assessments.list(`subscriptions/${prod}/resourceGroups/rg-web-prod`));
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.id?.toLowerCase().includes("/resourcegroups/rg-web-prod/"))).toBe(true);
  });

  test("when one assessment is read with $expand=metadata or links, then only the expanded part is added", async () => {
    const client = securityClient(sim.url, prod);
    const withMetadata = await client.assessments.get(vmId("vm-web-01"), K.systemUpdates, { expand: "metadata" });
    const withLinks = await client.assessments.get(vmId("vm-web-01"), K.systemUpdates, { expand: "links" });
    expect(withMetadata.status?.code).toBe("Unhealthy");
    expect(withMetadata.metadata?.remediationDescription).toBeTruthy();
    expect(withMetadata.links).toBeUndefined();
    expect(withLinks.links?.azurePortalUri).toContain(K.systemUpdates);
    expect(withLinks.metadata).toBeUndefined();
  });

  test("when an assessment does not exist, then the SDK throws a 404 RestError", async () => {
    const client = securityClient(sim.url, prod);
    await expect(client.assessments.get(vmId("vm-web-01"), "00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ statusCode: 404, code: "NotFound" });
  });

  test("when sub-assessments are listed for the subscription and per assessment, then CVE findings come back", async () => {
    const client = securityClient(sim.url, prod);
    const every = await all(client.subAssessments.listAll(`/subscriptions/${prod}`));
    const registry = sim.estate.resources.find((r) => r.name === "acrcontosoprod")!.id;
    const perAssessment = await all(client.subAssessments.list(registry, K.registryVulnerabilities));
    expect(every.length).toBe(sim.estate.subAssessments.length);
    expect(perAssessment).toHaveLength(every.length);
    const log4shell = every.find((s) => s.idPropertiesId === "CVE-2021-44228");
    expect(log4shell?.status?.severity).toBe("High");
    expect(log4shell?.additionalData).toMatchObject({ assessedResourceType: "ContainerRegistryVulnerability", repositoryName: "api/orders", patchable: true });
    const one = await client.subAssessments.get(registry, K.registryVulnerabilities, log4shell!.name!);
    expect(one.displayName).toContain("Log4j");
  });

  test("when alerts are listed by subscription, resource group and location, then each scope filters", async () => {
    const client = securityClient(sim.url, prod);
    const bySub = await all(client.alerts.list());
    const byRg = await all(client.alerts.listByResourceGroup("rg-web-prod"));
    const byRegion = await all(client.alerts.listSubscriptionLevelByRegion("westeurope"));
    expect(bySub.length).toBe(sim.estate.alerts.filter((a) => a.subscriptionId === prod).length);
    expect(byRg.length).toBeGreaterThan(0);
    expect(byRg.every((a) => a.resourceIdentifiers?.some((r) => (r as { azureResourceId?: string }).azureResourceId?.includes("/rg-web-prod/")))).toBe(true);
    expect(byRegion.length).toBe(bySub.length);
    expect(await all(client.alerts.listSubscriptionLevelByRegion("eastus"))).toHaveLength(0);
  });

  test("when an alert is dismissed, resolved and re-activated, then get reports each status", async () => {
    const client = securityClient(sim.url, prod);
    const alert = (await all(client.alerts.list())).find((a) => a.status === "Active" && a.id?.includes("/resourceGroups/"))!;
    const location = /\/locations\/([^/]+)\//.exec(alert.id!)![1];
    const rg = /\/resourceGroups\/([^/]+)\//.exec(alert.id!)![1];
    await client.alerts.updateSubscriptionLevelStateToDismiss(location, alert.name!);
    expect((await client.alerts.getSubscriptionLevel(location, alert.name!)).status).toBe("Dismissed");
    await client.alerts.updateResourceGroupLevelStateToResolve(location, alert.name!, rg);
    expect((await client.alerts.getResourceGroupLevel(location, alert.name!, rg)).status).toBe("Resolved");
    await client.alerts.updateSubscriptionLevelStateToActivate(location, alert.name!);
    expect((await client.alerts.getSubscriptionLevel(location, alert.name!)).status).toBe("Active");
  });

  test("when locations are read, then the subscription's Defender location comes back", async () => {
    const client = securityClient(sim.url, dev);
    const locations = await all(client.locations.list());
    expect(locations.map((l) => l.name)).toEqual(["centralus"]);
    expect((await client.locations.get("centralus")).name).toBe("centralus");
  });

  test("when JIT policies are listed by subscription, region and group, then each filter applies", async () => {
    const client = securityClient(sim.url, prod);
    const bySub = await all(client.jitNetworkAccessPolicies.list());
    const byRegion = await all(client.jitNetworkAccessPolicies.listByRegion("northeurope"));
    const byRg = await all(client.jitNetworkAccessPolicies.listByResourceGroup("rg-data-prod"));
    const byBoth = await all(client.jitNetworkAccessPolicies.listByResourceGroupAndRegion("rg-data-prod", "westeurope"));
    expect(bySub.length).toBe(sim.estate.jitPolicies.filter((p) => p.subscriptionId === prod).length);
    expect(byRegion.map((p) => p.virtualMachines[0]?.id)).toEqual([vmId("vm-jump-01")]);
    expect(byRg).toHaveLength(1);
    expect(byBoth[0]?.virtualMachines[0]?.ports[0]).toMatchObject({ number: 3389, allowedSourceAddressPrefix: "10.2.1.0/24", maxRequestAccessDuration: "PT3H" });
  });

  test("when the old grant on the jump box is read, then it is reported Revoked with reason Expired", async () => {
    const client = securityClient(sim.url, prod);
    const policy = await client.jitNetworkAccessPolicies.get("rg-mgmt-prod", "northeurope", "default");
    expect(policy.requests?.[0]?.virtualMachines[0]?.ports[0]).toMatchObject({ number: 3389, status: "Revoked", statusReason: "Expired" });
  });

  test("when JIT access is initiated within the policy, then 202 returns the grant and the policy and NSG show it until it expires", async () => {
    const client = securityClient(sim.url, prod);
    const end = new Date(sim.now().getTime() + 3_600_000);
    const result = await client.jitNetworkAccessPolicies.initiate("rg-mgmt-prod", "northeurope", "default", {
      virtualMachines: [{ id: vmId("vm-jump-01"), ports: [{ number: 22, allowedSourceAddressPrefix: "203.0.113.7", endTimeUtc: end }] }],
      justification: "investigate alert",
    });
    expect(result.virtualMachines[0]?.ports[0]).toMatchObject({ number: 22, allowedSourceAddressPrefix: "203.0.113.7", status: "Initiated", statusReason: "UserRequested" });
    expect(result.virtualMachines[0]?.ports[0]?.endTimeUtc.toISOString()).toBe(end.toISOString());
    const policy = await client.jitNetworkAccessPolicies.get("rg-mgmt-prod", "northeurope", "default");
    const last = policy.requests?.[policy.requests.length - 1];
    expect(last?.justification).toBe("investigate alert");
    expect(last?.virtualMachines[0]?.ports[0]?.status).toBe("Initiated");
    const nsg = sim.estate.nsgs.find((n) => n.name === "nsg-mgmt-prod")!;
    expect(nsg.rules.some((r) => r.access === "Allow" && r.sourceAddressPrefixes.includes("203.0.113.7") && r.destinationPortRanges.includes("22"))).toBe(true);

    sim.advance(2 * 3600);
    const later = await client.jitNetworkAccessPolicies.get("rg-mgmt-prod", "northeurope", "default");
    const expired = later.requests?.[later.requests.length - 1]?.virtualMachines[0]?.ports[0];
    expect(expired).toMatchObject({ status: "Revoked", statusReason: "Expired" });
  });

  test("when JIT access asks for a port, source or duration the policy does not allow, then 400 explains which", async () => {
    const client = securityClient(sim.url, prod);
    const now = sim.now().getTime();
    const initiate = (port: number, source: string | undefined, minutes: number) =>
      client.jitNetworkAccessPolicies.initiate("rg-data-prod", "westeurope", "default", {
        virtualMachines: [{ id: vmId("vm-sql-01"), ports: [{ number: port, allowedSourceAddressPrefix: source, endTimeUtc: new Date(now + minutes * 60_000) }] }],
      });
    await expect(initiate(22, "10.2.1.0/24", 60)).rejects.toMatchObject({ statusCode: 400, code: "JitPortNotInPolicy" });
    await expect(initiate(3389, "10.2.1.9", 60)).rejects.toMatchObject({ statusCode: 400, code: "JitSourceAddressNotAllowed" });
    await expect(initiate(3389, "10.2.1.0/24", 4 * 60)).rejects.toMatchObject({ statusCode: 400, code: "JitRequestExceedsMaxDuration" });
    await expect(initiate(3389, "10.2.1.0/24", -5)).rejects.toMatchObject({ statusCode: 400, code: "JitInvalidEndTime" });
    await expect(
      client.jitNetworkAccessPolicies.initiate("rg-data-prod", "westeurope", "default", {
        virtualMachines: [{ id: vmId("vm-web-01"), ports: [{ number: 22, endTimeUtc: new Date(now + 60_000) }] }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "JitVirtualMachineNotInPolicy" });
    const ok = await initiate(3389, "10.2.1.0/24", 60);
    expect(ok.virtualMachines[0]?.ports[0]?.status).toBe("Initiated");
  });

  test("when a second grant is initiated for the same port, then the first is revoked as NewerRequestInitiated", async () => {
    const client = securityClient(sim.url, dev);
    const end = new Date(sim.now().getTime() + 30 * 60_000);
    const ask = () =>
      client.jitNetworkAccessPolicies.initiate("rg-dev", "eastus", "default", {
        virtualMachines: [{ id: vmId("vm-dev-02"), ports: [{ number: 22, allowedSourceAddressPrefix: "198.51.100.4", endTimeUtc: end }] }],
      });
    await ask();
    await ask();
    const policy = await client.jitNetworkAccessPolicies.get("rg-dev", "eastus", "default");
    const statuses = policy.requests!.slice(-2).map((r) => r.virtualMachines[0]?.ports[0]?.statusReason);
    expect(statuses).toEqual(["NewerRequestInitiated", "UserRequested"]);
  });

  test("when a JIT policy is created, read and deleted, then the NSG gains and loses its deny rule", async () => {
    const client = securityClient(sim.url, dev);
    const vm = vmId("vm-test-01");
    const created = await client.jitNetworkAccessPolicies.createOrUpdate("rg-dev", "eastus", "test-policy", {
      kind: "Basic",
      virtualMachines: [{ id: vm, ports: [{ number: 22, protocol: "TCP", allowedSourceAddressPrefix: "*", maxRequestAccessDuration: "PT1H" }] }],
    });
    expect(created.virtualMachines[0]?.ports[0]?.maxRequestAccessDuration).toBe("PT1H");
    const nsg = sim.estate.nsgs.find((n) => n.name === "nsg-dev")!;
    const denyFor = () => nsg.rules.filter((r) => r.access === "Deny" && r.name.startsWith("SecurityCenter-JITRule") && r.destinationPortRanges.includes("22") && r.destinationAddressPrefixes.includes(sim.estate.nics.find((n) => n.vmId === vm)!.ipConfigurations[0].privateIpAddress));
    expect(denyFor()).toHaveLength(1);
    expect((await client.jitNetworkAccessPolicies.get("rg-dev", "eastus", "test-policy")).name).toBe("test-policy");
    await client.jitNetworkAccessPolicies.delete("rg-dev", "eastus", "test-policy");
    expect(denyFor()).toHaveLength(0);
    await expect(client.jitNetworkAccessPolicies.get("rg-dev", "eastus", "test-policy")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("when a JIT policy names a VM behind a Basic public IP, then it is refused", async () => {
    const client = securityClient(sim.url, prod);
    const error = await client.jitNetworkAccessPolicies
      .createOrUpdate("rg-web-prod", "westeurope", "default", {
        virtualMachines: [{ id: vmId("vm-web-02"), ports: [{ number: 22, protocol: "*", allowedSourceAddressPrefix: "*", maxRequestAccessDuration: "PT3H" }] }],
      })
      .catch((e: unknown) => e as RestError);
    expect(error).toMatchObject({ statusCode: 400, code: "JitUnsupportedPublicIpSku" });
  });
});
