import { generateEstate, startSimulator, type Simulator } from "../../src/simulator";
import { parseArgs } from "../../src/simulator/main";
import { all, computeClient, networkClient, securityClient, TOKEN } from "./clients";

describe("simulator server: auth, errors, faults, admin API", () => {
  let sim: Simulator;
  let prod: string;
  let dev: string;

  beforeAll(async () => {
    sim = await startSimulator({ token: TOKEN });
    prod = sim.estate.subscriptions[0].id;
    dev = sim.estate.subscriptions[1].id;
  });
  afterEach(() => sim.faults.clear());
  afterAll(async () => {
    await sim.close();
  });

  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) } });

  test("when the url is read, then it is a loopback http URL with the bound port", () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.port).toBeGreaterThan(0);
  });

  test("when a client sends the wrong token, then the SDK surfaces 401", async () => {
    await expect(securityClient(sim.url, prod, "wrong").secureScores.get("ascScore")).rejects.toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
    const missing = await fetch(`${sim.url}/subscriptions/${prod}/providers/Microsoft.Security/alerts?api-version=2021-11-01`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "AuthenticationFailed" } });
  });

  test("when a request uses the wrong or no api-version, then 400 InvalidApiVersionParameter / MissingApiVersionParameter", async () => {
    const wrong = await raw(`/subscriptions/${prod}/providers/Microsoft.Security/alerts?api-version=2019-01-01`);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { code: "InvalidApiVersionParameter", message: expect.stringContaining("2021-11-01") } });
    const none = await raw(`/subscriptions/${prod}/providers/Microsoft.Security/alerts`);
    expect(await none.json()).toMatchObject({ error: { code: "MissingApiVersionParameter" } });
  });

  test("when a path is unknown or names an unknown subscription, then 404 with an ARM error body", async () => {
    const unknown = await raw(`/subscriptions/${prod}/providers/Microsoft.Nothing/things?api-version=1`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NotFound" } });
    await expect(securityClient(sim.url, "11111111-1111-4111-8111-111111111111").secureScores.get("ascScore")).rejects.toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
  });

  test("when a path has repeated slashes, then they are collapsed", async () => {
    const res = await raw(`//subscriptions/${prod}//providers/Microsoft.Security/secureScores/ascScore?api-version=2020-01-01`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "ascScore" });
  });

  test("when a subscription is throttled, then the SDK honours Retry-After, retries and succeeds", async () => {
    sim.resetStats();
    sim.faults.set(prod, { throttle: { count: 2, retryAfterSeconds: 0 } });
    const alerts = await all(securityClient(sim.url, prod).alerts.list());
    expect(alerts.length).toBeGreaterThan(0);
    expect(sim.stats().byStatus).toMatchObject({ "429": 2, "200": 1 });
  });

  test("when a 429 carries Retry-After, then the header and the ARM code are on the response", async () => {
    sim.faults.set(prod, { throttle: { count: 1, retryAfterSeconds: 17 } });
    const res = await raw(`/subscriptions/${prod}/providers/Microsoft.Security/alerts?api-version=2021-11-01`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("17");
    expect(await res.json()).toMatchObject({ error: { code: "SubscriptionRequestsThrottled" } });
  });

  test("when a subscription is forbidden, then its calls fail with 403 AuthorizationFailed and the other subscription still answers", async () => {
    sim.faults.set(dev, { forbidden: true });
    await expect(networkClient(sim.url, dev).networkWatchers.get("NetworkWatcherRG", "NetworkWatcher_eastus")).rejects.toMatchObject({
      name: "RestError",
      statusCode: 403,
      code: "AuthorizationFailed",
      message: expect.stringContaining("Microsoft.Network/networkWatchers/read"),
    });
    expect((await securityClient(sim.url, prod).secureScores.get("ascScore")).name).toBe("ascScore");
    sim.faults.clear(dev);
    expect((await securityClient(sim.url, dev).secureScores.get("ascScore")).name).toBe("ascScore");
  });

  test("when the next request fails with 500, then the SDK retries it and succeeds", async () => {
    sim.resetStats();
    sim.faults.set("*", { serverErrors: 1 });
    const vms = await all(computeClient(sim.url, prod).virtualMachines.listAll());
    expect(vms.length).toBeGreaterThan(0);
    expect(sim.stats().byStatus["500"]).toBe(1);
  });

  test("when a burst of 503s carries Retry-After, then the SDK waits it out, retries and succeeds", async () => {
    sim.resetStats();
    sim.faults.set(prod, { serverErrors: { count: 2, status: 503, retryAfterSeconds: 0 } });
    const alerts = await all(securityClient(sim.url, prod).alerts.list());
    expect(alerts.length).toBeGreaterThan(0);
    expect(sim.stats().byStatus).toMatchObject({ "503": 2, "200": 1 });
    expect(sim.faults.get(prod)?.serverErrors).toEqual({ count: 0, status: 503, retryAfterSeconds: 0 });
  });

  test("when a 503 is served, then it has the ARM code and the Retry-After header", async () => {
    sim.faults.set(prod, { serverErrors: { count: 1, status: 503, retryAfterSeconds: 9 } });
    const res = await raw(`/subscriptions/${prod}/providers/Microsoft.Security/alerts?api-version=2021-11-01`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("9");
    expect(await res.json()).toMatchObject({ error: { code: "ServiceUnavailable" } });
  });

  test("when the next response is malformed, then it is a 200 with invalid JSON and the SDK call fails instead of returning data", async () => {
    sim.faults.set(prod, { malformed: 1 });
    const res = await raw(`/subscriptions/${prod}/providers/Microsoft.Security/secureScores/ascScore?api-version=2020-01-01`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text) as unknown).toThrow();

    sim.resetStats();
    sim.faults.set(prod, { malformed: 1 });
    await expect(securityClient(sim.url, prod).secureScores.get("ascScore")).rejects.toMatchObject({ name: "RestError", code: "PARSE_ERROR" });
    // Not retried: one request served, and the counter is spent so the next call succeeds.
    expect(sim.stats().total).toBe(1);
    expect((await securityClient(sim.url, prod).secureScores.get("ascScore")).name).toBe("ascScore");
  });

  test("when the next requests have their connection reset, then the SDK's exponential policy retries and succeeds", async () => {
    sim.resetStats();
    sim.faults.set(prod, { resets: 2 });
    const alerts = await all(securityClient(sim.url, prod).alerts.list());
    expect(alerts.length).toBeGreaterThan(0);
    expect(sim.stats().byStatus).toMatchObject({ reset: 2, "200": 1 });
  });

  test("when every request is reset, then the SDK gives up after its retries with a connection error", async () => {
    sim.resetStats();
    sim.faults.set(prod, { resets: 100 });
    await expect(securityClient(sim.url, prod).secureScores.get("ascScore")).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|REQUEST_SEND_ERROR/) });
    expect(sim.stats().byStatus["reset"]).toBe(4);
  });

  test("when the admin API sets a 503 burst, malformed bodies and resets, then they are stored as given", async () => {
    const set = await fetch(`${sim.url}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ subscriptionId: dev, serverErrors: { count: 2, status: 503, retryAfterSeconds: 1 }, malformed: 1, resets: 3 }),
    });
    expect(set.status).toBe(200);
    expect(sim.faults.get(dev)).toEqual({ serverErrors: { count: 2, status: 503, retryAfterSeconds: 1 }, malformed: 1, resets: 3 });
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ subscriptionId: dev, serverErrors: { count: 1, status: 502 } }) });
    expect(bad.status).toBe(400);
  });

  test("when latency is set, then requests still succeed and the fault is readable", async () => {
    sim.faults.set(prod, { latencyMs: 5 });
    expect(sim.faults.get(prod)).toMatchObject({ latencyMs: 5 });
    expect((await securityClient(sim.url, prod).secureScores.get("ascScore")).name).toBe("ascScore");
  });

  test("when the admin API sets faults, advances the clock and reads stats, then the simulator follows", async () => {
    const set = await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ subscriptionId: prod, serverErrors: 1 }) });
    expect(set.status).toBe(200);
    expect(sim.faults.get(prod)).toMatchObject({ serverErrors: 1 });
    const reset = await fetch(`${sim.url}/_sim/reset-faults`, { method: "POST" });
    expect(reset.status).toBe(204);
    expect(sim.faults.get(prod)).toBeUndefined();

    const before = sim.now().getTime();
    const advanced = await fetch(`${sim.url}/_sim/advance`, { method: "POST", body: JSON.stringify({ seconds: 600 }) });
    const { now } = (await advanced.json()) as { now: string };
    expect(Date.parse(now) - before).toBeGreaterThanOrEqual(600_000);

    sim.resetStats();
    await raw(`/subscriptions/${prod}/providers/Microsoft.Security/secureScores?api-version=2020-01-01`);
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { total: number; byRoute: Record<string, number> };
    expect(stats.total).toBe(1);
    expect(stats.byRoute).toEqual({ "GET /subscriptions/{subscriptionId}/providers/Microsoft.Security/secureScores": 1 });
    const estate = (await (await fetch(`${sim.url}/_sim/estate`)).json()) as { subscriptions: { id: string }[] };
    expect(estate.subscriptions.map((s) => s.id)).toEqual([prod, dev]);
  });

  test("when a JSON body is malformed, then 400 InvalidRequestContent", async () => {
    const res = await raw(`/subscriptions/${prod}/resourceGroups/rg-dev/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/default/initiate?api-version=2020-01-01`, {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "InvalidRequestContent" } });
  });
});

describe("simulator options", () => {
  test("when no token is configured, then requests without Authorization are served", async () => {
    const sim = await startSimulator();
    try {
      const sub = sim.estate.subscriptions[0].id;
      const res = await fetch(`${sim.url}/subscriptions/${sub}/providers/Microsoft.Security/secureScores/ascScore?api-version=2020-01-01`);
      expect(res.status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  test("when given an estate, a size and a seed, then it serves that estate or generates accordingly", async () => {
    const estate = generateEstate({ seed: 3 });
    const given = await startSimulator({ estate });
    const sized = await startSimulator({ size: "medium", seed: 3 });
    try {
      expect(given.estate).toBe(estate);
      expect(sized.estate.vms).toHaveLength(200);
      expect(sized.estate.subscriptions[0]?.id).toBe(estate.subscriptions[0]?.id);
    } finally {
      await Promise.all([given.close(), sized.close()]);
    }
  });

  test("when main's flags are parsed, then port, seed, vms, token and page size are read and bad flags are named", () => {
    expect(parseArgs(["--port", "7070", "--seed", "4", "--vms", "40", "--token", "t", "--page-size", "10"])).toEqual({ port: 7070, seed: 4, size: 40, token: "t", pageSize: 10 });
    expect(() => parseArgs(["--vms", "many"])).toThrow(/--vms/);
    expect(() => parseArgs(["--colour", "blue"])).toThrow(/unknown flag '--colour'/);
  });
});
