/**
 * Very large estates: posture reads through Azure Resource Graph, against the simulator, through the real SDK
 * clients (arm-security for ARM, the track-1 arm-resourcegraph client for Resource Graph). The same answers both
 * ways, far fewer requests, the quota honoured, and ARM whenever Resource Graph cannot answer.
 */
import { createAzureGateway, type ArmGateway, type AzureAccessOptions } from "../../src/azure/gateway";
import { RESOURCE_GRAPH_QUERIES, ResourceGraphReader } from "../../src/azure/resource-graph";
import type { Gathered } from "../../src/domain/model";
import { startSimulator, type Simulator } from "../../src/simulator";
import { KNOWN_RESOURCE_GRAPH_QUERIES, resourceGraphControl, type ResourceGraphControl } from "../../src/simulator/resource-graph-routes";
import { startTestBot, type TestBot } from "../helpers/test-bot";
import { estateWithManySubscriptions } from "./support/estates";

const TOKEN = "resource-graph-test";
const GRAPH_ROUTE = "POST /providers/Microsoft.ResourceGraph/resources";
/** 30 copies of the seeded estate: 60 subscriptions, 390 VMs. */
const COPIES = 30;

let sim: Simulator;
let graph: ResourceGraphControl;
let subscriptions: string[];

function gateway(resourceGraph: AzureAccessOptions["resourceGraph"], overrides: Partial<AzureAccessOptions> = {}): ArmGateway {
  return createAzureGateway({
    subscriptionIds: subscriptions,
    endpoint: sim.url,
    staticToken: TOKEN,
    retry: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 },
    resourceGraph,
    ...overrides,
  });
}

/** Every posture read the digest and the score/recommendations commands make, in a comparable order. */
async function posture(g: ArmGateway) {
  const [scores, controls, assessments] = await Promise.all([g.secureScores(), g.scoreControls(), g.assessments()]);
  const sorted = <T extends { subscriptionId: string }>(gathered: Gathered<T>, key: (t: T) => string) => ({
    items: [...gathered.items].sort((a, b) => key(a).localeCompare(key(b))),
    failures: [...gathered.failures].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
  });
  return {
    scores: sorted(scores, (s) => s.subscriptionId),
    controls: sorted(controls, (c) => `${c.subscriptionId}|${c.name}`),
    assessments: sorted(assessments, (a) => a.id.toLowerCase()),
  };
}

function graphRequests(): number {
  return sim.stats().byRoute[GRAPH_ROUTE] ?? 0;
}

function armRequests(): number {
  return sim.stats().total - graphRequests();
}

beforeAll(async () => {
  sim = await startSimulator({ token: TOKEN, estate: estateWithManySubscriptions(COPIES), pageSize: 50 });
  graph = resourceGraphControl(sim.estate);
  subscriptions = sim.estate.subscriptions.map((s) => s.id);
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

afterEach(() => {
  graph.reset();
  sim.faults.clear();
});

describe("a tenant with 60 subscriptions", () => {
  let viaArm: Awaited<ReturnType<typeof posture>>;
  let armCount: number;

  beforeAll(async () => {
    sim.resetStats();
    viaArm = await posture(gateway({ mode: "never" }));
    armCount = sim.stats().total;
  });

  it("when the estate is above the subscription threshold, then Resource Graph gives the same answers for a small fraction of the requests", async () => {
    const g = gateway({ mode: "auto", minSubscriptions: 50 });
    expect(g.usesResourceGraph()).toBe(true);
    sim.resetStats();
    const viaGraph = await posture(g);

    expect(viaGraph).toEqual(viaArm);
    expect(viaGraph.assessments.items.length).toBe(sim.estate.assessments.length);
    expect(viaGraph.scores.items).toHaveLength(subscriptions.length);
    expect(viaGraph.scores.failures).toEqual([]);
    // Resource Graph only: one query per kind and page of 1000 rows, no per-subscription ARM list at all.
    const pages = Math.ceil(sim.estate.assessments.length / 1000) + 1 + Math.ceil((subscriptions.length * sim.estate.scoreControls.length) / 1000);
    expect(graphRequests()).toBe(pages);
    expect(armRequests()).toBe(0);
    expect(g.requestCount()).toBe(pages);
    // ARM: at least one list per subscription and kind (more for assessments' pages).
    expect(armCount).toBeGreaterThanOrEqual(3 * subscriptions.length);
    expect(graphRequests() * 20).toBeLessThan(armCount);
    expect(graph.stats().byKind).toEqual({ assessments: Math.ceil(sim.estate.assessments.length / 1000), secureScores: 1, scoreControls: 1 });
  });

  it("when the thresholds are not reached, then everything is read from ARM and Resource Graph is not asked", async () => {
    const g = gateway({ mode: "auto", minSubscriptions: 100, minVms: 100_000 });
    sim.resetStats();
    expect(await posture(g)).toEqual(viaArm);
    expect(graphRequests()).toBe(0);
    expect(g.usesResourceGraph()).toBe(false);
  });

  it("when a VM read finds at least the VM threshold, then the following posture reads go through Resource Graph", async () => {
    const g = gateway({ mode: "auto", minSubscriptions: 100, minVms: sim.estate.vms.length });
    expect(g.usesResourceGraph()).toBe(false);
    const vms = await g.virtualMachines();
    expect(vms.items).toHaveLength(sim.estate.vms.length);
    expect(g.usesResourceGraph()).toBe(true);
    sim.resetStats();
    expect((await g.assessments()).items).toHaveLength(sim.estate.assessments.length);
    expect(armRequests()).toBe(0);
    expect(graphRequests()).toBeGreaterThan(0);
  });

  it("when the quota runs out mid-read, then the gateway waits for its reset instead of being throttled or falling back", async () => {
    // 3 queries per second; the read needs more than that.
    graph.setQuota(3, 1);
    const g = gateway({ mode: "always" });
    sim.resetStats();
    expect(await posture(g)).toEqual(viaArm);
    expect(graphRequests()).toBeGreaterThan(3);
    expect(graph.stats().throttled).toBe(0);
    expect(armRequests()).toBe(0);
    expect(g.usesResourceGraph()).toBe(true);
  });

  it("when Resource Graph answers 429 with Retry-After, then the query is sent again after it and the answer still comes from Resource Graph", async () => {
    graph.failNext(1, 429, 1);
    const g = gateway({ mode: "always" });
    sim.resetStats();
    const scores = await g.secureScores();
    expect(scores.items).toEqual(expect.arrayContaining(viaArm.scores.items));
    expect(scores.items).toHaveLength(subscriptions.length);
    expect(graphRequests()).toBe(2);
    expect(armRequests()).toBe(0);
  });

  it("when Resource Graph fails, then the same answer comes from ARM and Resource Graph rests before it is tried again", async () => {
    graph.failNext(1, 500);
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_o: object, msg?: string) => void warnings.push(msg ?? "") };
    const g = gateway({ mode: "always" }, { logger });
    sim.resetStats();
    const result = await g.assessments();
    expect([...result.items].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()))).toEqual(viaArm.assessments.items);
    expect(graphRequests()).toBe(1);
    expect(armRequests()).toBeGreaterThanOrEqual(subscriptions.length);
    expect(warnings).toContain("Resource Graph read failed; reading ARM per subscription instead");
    expect(g.usesResourceGraph()).toBe(false);
  });

  it("when Resource Graph leaves a subscription out, then that one is read from ARM, and a failure there is named", async () => {
    const [hidden, denied] = [subscriptions[3]!, subscriptions[4]!];
    graph.hideSubscriptions([hidden, denied]);
    sim.faults.set(denied, { forbidden: true });
    const g = gateway({ mode: "always" });
    sim.resetStats();
    const scores = await g.secureScores();
    expect(scores.items.map((s) => s.subscriptionId).sort()).toEqual(subscriptions.filter((s) => s !== denied).sort());
    expect(scores.failures).toEqual([expect.objectContaining({ subscriptionId: denied, code: "Forbidden" })]);
    expect(graphRequests()).toBe(1);
    expect(armRequests()).toBe(2);
  });

  it("when subscriptions come in batches and rows in small pages, then the reader follows every $skipToken of every batch", async () => {
    graph.setQuota(100, 5); // this test is about paging, not the quota
    const reader = new ResourceGraphReader({ endpoint: sim.url, staticToken: TOKEN, batchSize: 7, pageSize: 250 });
    sim.resetStats();
    const rows = await reader.read("assessments", subscriptions);
    expect(rows).toHaveLength(sim.estate.assessments.length);
    expect(new Set(rows.map((r) => r.id.toLowerCase())).size).toBe(rows.length);
    const batches = Math.ceil(subscriptions.length / 7);
    expect(graphRequests()).toBeGreaterThan(batches);
  });
});

describe("the simulated Resource Graph", () => {
  it("when the bot's query texts are compared with the simulator's table, then they are the same", () => {
    expect(KNOWN_RESOURCE_GRAPH_QUERIES).toEqual(RESOURCE_GRAPH_QUERIES);
  });

  it("when a query it does not know is sent, then it answers 400 InvalidQuery with the quota headers", async () => {
    const res = await fetch(`${sim.url}/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ subscriptions, query: "resources | take 5" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("InvalidQuery");
    expect(Number(res.headers.get("x-ms-user-quota-remaining"))).toBeGreaterThanOrEqual(0);
  });
});

describe("the bot with RESOURCE_GRAPH=always", () => {
  let bot: TestBot;
  let small: Simulator;
  beforeAll(async () => {
    small = await startSimulator({ token: TOKEN, seed: 3 });
    bot = await startTestBot({ AZURE_ARM_ENDPOINT: small.url, AZURE_ARM_TOKEN: TOKEN, RESOURCE_GRAPH: "always" });
  });
  afterAll(async () => {
    await bot?.stop();
    await small?.close();
  });

  it("when someone asks for the score, then the configuration reaches the gateway and Resource Graph answers", async () => {
    small.resetStats();
    const [reply] = await bot.say("score");
    expect(JSON.stringify(reply)).toContain("Secure score");
    expect(small.stats().byRoute[GRAPH_ROUTE]).toBeGreaterThanOrEqual(1);
    expect(Object.keys(small.stats().byRoute).filter((r) => /secureScores$/i.test(r))).toEqual([]);
  });
});
