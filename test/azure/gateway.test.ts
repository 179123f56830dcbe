/**
 * The gateway against the real ARM simulator, through the real SDK clients over loopback http.
 */
import { createAzureGateway, type ArmGateway, type AzureAccessOptions } from "../../src/azure/gateway";
import { startSimulator, type Simulator } from "../../src/simulator";
import { AppError } from "../../src/domain/errors";

const TOKEN = "gateway-test-token";

let sim: Simulator;
let subs: string[];

function gateway(overrides: Partial<AzureAccessOptions> = {}): ArmGateway {
  return createAzureGateway({
    subscriptionIds: subs,
    endpoint: sim.url,
    staticToken: TOKEN,
    retry: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    lroPollIntervalMs: 5,
    ...overrides,
  });
}

function bySub<T extends { subscriptionId: string }>(items: readonly T[], sub: string): T[] {
  return items.filter((i) => i.subscriptionId.toLowerCase() === sub.toLowerCase());
}

function ids(items: readonly { id: string }[]): string[] {
  return items.map((i) => i.id.toLowerCase()).sort();
}

beforeAll(async () => {
  // A small page size makes every list span several pages.
  sim = await startSimulator({ port: 0, token: TOKEN, seed: 7, size: "small", pageSize: 3 });
  subs = sim.estate.subscriptions.map((s) => s.id);
});

afterAll(async () => {
  await sim.close();
});

afterEach(() => {
  sim.faults.clear();
});

describe("reads", () => {
  it("when there are several subscriptions, then the estate has at least two to fan out over", () => {
    expect(subs.length).toBeGreaterThanOrEqual(2);
  });

  it("when virtual machines are read, then every VM of every subscription comes back with power state, NICs and extensions", async () => {
    const result = await gateway().virtualMachines();
    expect(result.failures).toEqual([]);
    expect(ids(result.items)).toEqual(ids(sim.estate.vms));
    for (const simVm of sim.estate.vms) {
      const vm = result.items.find((v) => v.id.toLowerCase() === simVm.id.toLowerCase())!;
      expect(vm).toMatchObject({ name: simVm.name, powerState: simVm.powerState, osType: simVm.osType, subscriptionId: simVm.subscriptionId });
      expect(vm.extensionTypes.sort()).toEqual(simVm.extensions.map((e) => e.type).sort());
      const simNics = sim.estate.nics.filter((n) => n.vmId?.toLowerCase() === simVm.id.toLowerCase());
      expect(vm.nicIds.map((id) => id.toLowerCase()).sort()).toEqual(ids(simNics));
    }
  });

  it("when network resources are read, then NICs, public IPs, NSGs, watchers and flow logs match the estate", async () => {
    const g = gateway();
    const [nics, pips, nsgs, watchers, flowLogs] = await Promise.all([
      g.networkInterfaces(),
      g.publicIpAddresses(),
      g.networkSecurityGroups(),
      g.networkWatchers(),
      g.flowLogs(),
    ]);
    for (const result of [nics, pips, nsgs, watchers, flowLogs]) expect(result.failures).toEqual([]);
    expect(ids(nics.items)).toEqual(ids(sim.estate.nics));
    expect(ids(pips.items)).toEqual(ids(sim.estate.publicIps));
    expect(ids(nsgs.items)).toEqual(ids(sim.estate.nsgs));
    expect(ids(watchers.items)).toEqual(ids(sim.estate.networkWatchers));
    expect(ids(flowLogs.items)).toEqual(ids(sim.estate.flowLogs));
    const forwarding = sim.estate.nics.filter((n) => n.enableIPForwarding).map((n) => n.id.toLowerCase()).sort();
    expect(nics.items.filter((n) => n.ipForwarding).map((n) => n.id.toLowerCase()).sort()).toEqual(forwarding);
    const simNsg = sim.estate.nsgs.find((n) => n.rules.length > 0)!;
    const nsg = nsgs.items.find((n) => n.id.toLowerCase() === simNsg.id.toLowerCase())!;
    expect(nsg.rules.filter((r) => !r.isDefault).map((r) => r.name).sort()).toEqual(simNsg.rules.map((r) => r.name).sort());
    expect(nsg.rules.some((r) => r.isDefault && r.name === "DenyAllInBound")).toBe(true);
  });

  it("when Defender data is read, then scores, controls, assessments, sub-assessments, alerts and JIT policies come back for every subscription", async () => {
    const g = gateway();
    const [scores, controls, assessments, subAssessments, alerts, jit] = await Promise.all([
      g.secureScores(),
      g.scoreControls(),
      g.assessments(),
      g.subAssessments(),
      g.alerts(),
      g.jitPolicies(),
    ]);
    for (const result of [scores, controls, assessments, subAssessments, alerts, jit]) expect(result.failures).toEqual([]);
    expect(scores.items.map((s) => s.subscriptionId.toLowerCase()).sort()).toEqual(subs.map((s) => s.toLowerCase()).sort());
    for (const score of scores.items) {
      expect(score.max).toBeGreaterThan(0);
      expect(score.current).toBeLessThanOrEqual(score.max);
    }
    expect(controls.items.length).toBeGreaterThan(0);
    expect(assessments.items).toHaveLength(sim.estate.assessments.length);
    expect(subAssessments.items).toHaveLength(sim.estate.subAssessments.length);
    expect(alerts.items).toHaveLength(sim.estate.alerts.length);
    expect(ids(jit.items)).toEqual(ids(sim.estate.jitPolicies));

    // Severity comes from assessment metadata, looked up by key.
    for (const simAssessment of sim.estate.assessments) {
      const meta = sim.estate.assessmentMetadata.find((m) => m.key.toLowerCase() === simAssessment.key.toLowerCase())!;
      const found = assessments.items.find(
        (a) => a.key.toLowerCase() === simAssessment.key.toLowerCase() && a.resourceId.toLowerCase() === simAssessment.resourceId.toLowerCase(),
      );
      expect(found).toMatchObject({ severity: meta.severity, status: simAssessment.status });
    }
    for (const simAlert of sim.estate.alerts) {
      const alert = alerts.items.find((a) => a.name === simAlert.name)!;
      expect(alert).toMatchObject({ location: simAlert.ascLocation, severity: simAlert.severity, status: simAlert.status });
    }
  });

  it("when lists span many pages, then every page is followed", async () => {
    const g = gateway();
    sim.resetStats();
    const result = await g.assessments();
    const perSub = subs.map((s) => bySub(sim.estate.assessments, s).length);
    expect(Math.max(...perSub)).toBeGreaterThan(3);
    expect(result.items).toHaveLength(sim.estate.assessments.length);
    const listCalls = Object.entries(sim.stats().byRoute)
      .filter(([route]) => route.startsWith("GET") && route.toLowerCase().endsWith("/assessments"))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(listCalls).toBe(perSub.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / 3)), 0));
  });

  it("when a VM's extensions are asked for, then its extension types come back", async () => {
    const simVm = sim.estate.vms.find((v) => v.extensions.length > 0)!;
    const types = await gateway().vmExtensionTypes(simVm.id);
    expect(types.sort()).toEqual(simVm.extensions.map((e) => e.type).sort());
  });
});

describe("cache", () => {
  it("when ten callers ask for assessments at once, then ARM sees one set of reads", async () => {
    const single = gateway();
    await single.assessments();
    const oneSet = single.requestCount();

    const shared = gateway();
    sim.resetStats();
    const results = await Promise.all(Array.from({ length: 10 }, () => shared.assessments()));
    expect(shared.requestCount()).toBe(oneSet);
    expect(sim.stats().total).toBe(oneSet);
    for (const result of results) expect(result.items).toHaveLength(sim.estate.assessments.length);
  });

  it("when asked again within the TTL, then nothing is read; after invalidate(), it is read again", async () => {
    const g = gateway();
    await g.alerts();
    const afterFirst = g.requestCount();
    await g.alerts();
    expect(g.requestCount()).toBe(afterFirst);
    g.invalidate();
    await g.alerts();
    expect(g.requestCount()).toBe(afterFirst * 2);
  });

  it("when the TTL has passed on the injected clock, then data is read again and reflects estate changes", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const g = gateway({ cacheTtlMs: 60_000, clock: () => now });
    const simVm = sim.estate.vms.find((v) => v.powerState === "running")!;
    const before = await g.virtualMachines();
    expect(before.items.find((v) => v.id === simVm.id)?.powerState).toBe("running");
    simVm.powerState = "deallocated";
    try {
      const cached = await g.virtualMachines();
      expect(cached.items.find((v) => v.id === simVm.id)?.powerState).toBe("running");
      now = new Date(now.getTime() + 60_000);
      const fresh = await g.virtualMachines();
      expect(fresh.items.find((v) => v.id === simVm.id)?.powerState).toBe("deallocated");
    } finally {
      simVm.powerState = "running";
    }
  });
});

describe("partial failures and retries", () => {
  it("when one subscription is forbidden, then the others' items return and a failure names it", async () => {
    const [denied, ...others] = subs as [string, ...string[]];
    sim.faults.set(denied, { forbidden: true });
    const result = await gateway().virtualMachines();
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ subscriptionId: denied, code: "Forbidden" });
    expect(result.failures[0].message).toContain(denied);
    const expected = sim.estate.vms.filter((v) => others.some((s) => s.toLowerCase() === v.subscriptionId.toLowerCase()));
    expect(ids(result.items)).toEqual(ids(expected));
  });

  it("when a subscription fails and recovers, then the next ask retries only it and returns everything", async () => {
    const [denied] = subs as [string, ...string[]];
    const g = gateway();
    sim.faults.set(denied, { forbidden: true });
    const first = await g.networkInterfaces();
    expect(first.failures.map((f) => f.subscriptionId)).toEqual([denied]);
    sim.faults.clear(denied);
    sim.resetStats();
    const second = await g.networkInterfaces();
    expect(second.failures).toEqual([]);
    expect(ids(second.items)).toEqual(ids(sim.estate.nics));
    // Only the recovered subscription was read again; the other one came from the cache.
    const paths = Object.keys(sim.stats().byRoute);
    expect(paths.length).toBeGreaterThan(0);
    expect(sim.stats().total).toBe(Math.max(1, Math.ceil(bySub(sim.estate.nics, denied).length / 3)));
  });

  it("when a subscription is throttled once with Retry-After 1, then the SDK waits it out and the answer is complete", async () => {
    const [throttled] = subs as [string, ...string[]];
    const g = gateway();
    sim.faults.set(throttled, { throttle: { count: 1, retryAfterSeconds: 1 } });
    sim.resetStats();
    const result = await g.publicIpAddresses();
    expect(result.failures).toEqual([]);
    expect(ids(result.items)).toEqual(ids(sim.estate.publicIps));
    expect(sim.stats().byStatus["429"]).toBe(1);
  });

  it("when a subscription keeps answering 500, then it becomes AzureUnavailable after the retries", async () => {
    const [broken] = subs as [string, ...string[]];
    sim.faults.set(broken, { serverErrors: 100 });
    const result = await gateway({ retry: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 5 } }).networkWatchers();
    expect(result.failures).toEqual([expect.objectContaining({ subscriptionId: broken, code: "AzureUnavailable" })]);
    expect(result.items.length).toBe(sim.estate.networkWatchers.filter((w) => w.subscriptionId.toLowerCase() !== broken.toLowerCase()).length);
  });
});

describe("writes", () => {
  it("when JIT access is initiated, then grants come back and the next policy read shows them", async () => {
    const g = gateway();
    // A port whose policy lets the requester name any source.
    const policy = sim.estate.jitPolicies.find((p) => p.virtualMachines.some((v) => v.ports.some((pt) => pt.allowedSourceAddressPrefix === "*")))!;
    const vm = policy.virtualMachines.find((v) => v.ports.some((pt) => pt.allowedSourceAddressPrefix === "*"))!;
    const port = vm.ports.find((pt) => pt.allowedSourceAddressPrefix === "*")!.number;
    await g.jitPolicies(); // cached now; the write must invalidate it
    const endTime = new Date(sim.now().getTime() + 3_600_000);
    const grants = await g.initiateJit({
      policyId: policy.id,
      vmId: vm.id,
      ports: [{ number: port, source: "203.0.113.10", endTime }],
      justification: "gateway test",
    });
    expect(grants).toEqual([
      expect.objectContaining({ vmId: expect.stringMatching(new RegExp(`^${vm.id}$`, "i")), port, source: "203.0.113.10", status: "Initiated" }),
    ]);
    expect(new Date(grants[0].endTime).getTime()).toBe(endTime.getTime());
    const after = await g.jitPolicies();
    const mapped = after.items.find((p) => p.id.toLowerCase() === policy.id.toLowerCase())!;
    expect(mapped.grants.some((gr) => gr.port === port && gr.source === "203.0.113.10" && gr.justification === "gateway test")).toBe(true);
  });

  it("when JIT is asked for a subscription the bot does not watch, then it is refused without calling Azure", async () => {
    const g = gateway({ subscriptionIds: [subs[0]] });
    const foreign = sim.estate.jitPolicies.find((p) => p.subscriptionId.toLowerCase() !== subs[0].toLowerCase());
    expect(foreign).toBeDefined();
    await expect(
      g.initiateJit({ policyId: foreign!.id, vmId: foreign!.virtualMachines[0].id, ports: [{ number: 22, source: "203.0.113.10", endTime: new Date() }], justification: "x" }),
    ).rejects.toMatchObject({ code: "BadInput" });
    expect(g.requestCount()).toBe(0);
  });

  it("when a capture is created, queried, listed and stopped, then each step maps and the list reflects it", async () => {
    const g = gateway();
    const simVm = sim.estate.vms.find((v) => v.powerState === "running" && v.extensions.some((e) => e.type.startsWith("NetworkWatcherAgent")))!;
    const watcher = sim.estate.networkWatchers.find(
      (w) => w.subscriptionId.toLowerCase() === simVm.subscriptionId.toLowerCase() && w.location.toLowerCase() === simVm.location.toLowerCase(),
    )!;
    const name = `gw-test-${Date.now()}`;
    await g.listCaptures(); // cached now; the write must invalidate it
    const capture = await g.createCapture({
      watcherId: watcher.id,
      name,
      targetVmId: simVm.id,
      timeLimitSeconds: 60,
      totalBytesPerSession: 1_048_576,
      bytesToCapturePerPacket: 0,
      storageId: sim.estate.captureStorageAccountId,
      filters: [{ protocol: "TCP", localPort: "22" }],
    });
    expect(capture).toMatchObject({
      name,
      targetVmId: expect.stringMatching(new RegExp(`^${simVm.id}$`, "i")),
      provisioningState: "Succeeded",
      timeLimitSeconds: 60,
      filters: [{ protocol: "TCP", localPort: "22" }],
    });
    expect(capture.watcherId.toLowerCase()).toBe(watcher.id.toLowerCase());

    const running = await g.captureStatus(capture.id);
    expect(running).toMatchObject({ name, state: "Running" });

    const listed = await g.listCaptures();
    expect(listed.failures).toEqual([]);
    expect(listed.items.map((c) => c.name)).toContain(name);

    await g.stopCapture(capture.id);
    const stopped = await g.captureStatus(capture.id);
    expect(stopped.state).toBe("Stopped");
  });

  it("when the capture does not exist, then its status is NotFound", async () => {
    const watcher = sim.estate.networkWatchers[0];
    const error: unknown = await gateway()
      .captureStatus(`${watcher.id}/packetCaptures/does-not-exist`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("NotFound");
  });
});
