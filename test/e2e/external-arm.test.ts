/**
 * DESIGN §3.2: AZURE_ARM_ENDPOINT=http://127.0.0.1:<port> with AZURE_ARM_TOKEN makes the bot talk to any
 * ARM-compatible server instead of its own simulator (this is how outside acceptance tests run it).
 */
import { startSimulator, type Simulator } from "../../src/simulator";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";

describe("an external ARM-compatible server", () => {
  let sim: Simulator;
  let bot: TestBot;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, token: "outside-token", seed: 7 });
    bot = await startTestBot({ AZURE_ARM_ENDPOINT: sim.url, AZURE_ARM_TOKEN: "outside-token" });
  });
  afterAll(async () => {
    await bot.stop();
    await sim.close();
  });

  test("when no subscriptions are configured, then the bot watches the ones the server lists and starts no simulator", async () => {
    expect(bot.app.simulator).toBeUndefined();
    expect([...bot.app.config.subscriptionIds].sort()).toEqual(sim.estate.subscriptions.map((s) => s.id).sort());
    expect(sim.stats().byRoute["GET /subscriptions"]).toBeGreaterThanOrEqual(1);
    const health = await (await fetch(`${bot.url}/healthz`)).json();
    expect(health).toMatchObject({ status: "ok", mode: "azure" });
  });

  test("when the bot reads Azure, then its requests reach that server with the static token", async () => {
    const before = sim.stats().total;
    const names = await bot.app.services.azure.subscriptionNames();
    expect(Object.values(names).sort()).toEqual(sim.estate.subscriptions.map((s) => s.displayName).sort());
    const scores = await bot.app.services.azure.secureScores();
    expect(scores.failures).toEqual([]);
    expect(scores.items).toHaveLength(sim.estate.subscriptions.length);
    expect(sim.stats().total).toBeGreaterThan(before);
  });

  test("when a person asks for help, then the help card does not claim demo mode", async () => {
    const [reply] = await bot.say("help");
    const text = cardText(cardOf(reply!));
    expect(text).toContain("help [command]");
    expect(text).not.toContain("Demo mode");
  });
});

test("when the token is wrong, then start-up fails with a clear error instead of a half-working bot", async () => {
  const sim = await startSimulator({ port: 0, token: "right" });
  try {
    await expect(startTestBot({ AZURE_ARM_ENDPOINT: sim.url, AZURE_ARM_TOKEN: "wrong" })).rejects.toThrow(/401|denied|not authorized|Unauthorized|sign/i);
  } finally {
    await sim.close();
  }
});
