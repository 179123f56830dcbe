/**
 * Issue 6, secrets and cards (DESIGN §3.6, §3.7): a whole session at LOG_LEVEL=trace with every secret configured —
 * MicrosoftAppPassword (inbound auth on, local OpenID server), ALERT_WEBHOOK_SECRET, AZURE_ARM_TOKEN on an external
 * simulator — and no secret value in any log line, console line, card, HTTP response, audit entry or state file.
 * Then user text that looks like a template, markdown, HTML or a huge token comes out literally (or clearly cut).
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { format } from "node:util";
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { ALICE, BOB, TENANT, messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { loadConfig } from "../../src/config";
import { AppError } from "../../src/domain/errors";
import { createLogger } from "../../src/logger";
import { startSimulator, type Simulator } from "../../src/simulator";
import { authEnv, channelClaims, newSigningKey, signToken, startOpenIdServer, type OpenIdServer } from "./openid-server";

const APP_ID = "9b2d4c1e-7a3f-4e5d-8c6b-1a2b3c4d5e6f";
const secret = (prefix: string) => `${prefix}-${randomBytes(18).toString("hex")}`;
const ARM_TOKEN = secret("arm-token");
const APP_PASSWORD = secret("app-password");
const WEBHOOK_SECRET = secret("webhook-secret");
const CARD_BUDGET = 28 * 1024;

describe("secrets stay out of logs, cards and responses", () => {
  let oidc: OpenIdServer;
  let sim: Simulator;
  let bot: TestBot;
  let inboundToken: string;
  const responses: string[] = [];
  const cards: Record<string, any>[] = [];
  const consoleLines: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    // botbuilder and MSAL write to the console, not to the bot's logger: capture those lines too.
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleLines.push(format(...args))));
    }
    oidc = await startOpenIdServer();
    sim = await startSimulator({ port: 0, token: ARM_TOKEN, seed: 3 });
    bot = await startTestBot({
      ...authEnv(oidc, APP_ID, TENANT),
      MicrosoftAppPassword: APP_PASSWORD,
      AZURE_ARM_ENDPOINT: sim.url,
      AZURE_ARM_TOKEN: ARM_TOKEN,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ROLE_READERS: "*",
      ROLE_OPERATORS: ALICE.aadObjectId,
      ROLE_APPROVERS: `${ALICE.aadObjectId},${BOB.aadObjectId}`,
      LOG_LEVEL: "trace",
    });
    inboundToken = signToken(oidc.key, { claims: channelClaims(APP_ID, bot.connector.url) });
  });
  afterAll(async () => {
    await bot.stop();
    await sim.close();
    await oidc.close();
    for (const spy of spies) spy.mockRestore();
  });

  /** One signed turn whose replies come back in the HTTP response (no outbound token needed). */
  async function ask(text: string, from = ALICE): Promise<Record<string, any>[]> {
    const activity = messageActivity(text, bot.opts({ from, conversationId: `conv-secrets-${from.id}`, deliveryMode: "expectReplies" }));
    const res = await bot.post(activity, { authorization: `Bearer ${inboundToken}` });
    responses.push(JSON.stringify(res.body ?? ""));
    expect(res.status).toBe(200);
    const replies = (res.body.activities ?? []) as Record<string, any>[];
    for (const r of replies) cards.push(cardOf(r));
    return replies;
  }

  async function raw(path: string, init: RequestInit = {}): Promise<number> {
    const res = await fetch(`${bot.url}${path}`, init);
    responses.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
    return res.status;
  }

  test("when a whole session runs with secrets configured, then every step answers", async () => {
    for (const line of ["help", "score", "exposure", "recs high", "alerts", "vm vm-web-01", "jit", "audit", "containers", "hlep", "vm no-such-vm"]) {
      expect(await ask(line)).not.toHaveLength(0);
    }
    // An Azure failure: one subscription forbidden (the SDK's RestError carries the request, Authorization included).
    const [first] = sim.estate.subscriptions;
    sim.faults.set(first!.id, { forbidden: true });
    bot.app.services.azure.invalidate();
    const [partial] = await ask("score");
    const partialText = cardText(cardOf(partial!));
    expect(partialText.includes(first!.id) || partialText.includes(first!.displayName)).toBe(true);
    sim.faults.clear();
    bot.app.services.azure.invalidate();
    // A turn whose reply needs the app password (outbound token): MSAL refuses the local authority; the turn fails.
    const out = await bot.post(messageActivity("help", bot.opts({ conversationId: "conv-secrets-outbound" })), { authorization: `Bearer ${inboundToken}` });
    responses.push(JSON.stringify(out.body ?? ""));
    expect(out.status).toBe(200);
    // Refused requests.
    expect((await bot.post(messageActivity("help", bot.opts()), { authorization: `Bearer ${signToken(newSigningKey(), { claims: channelClaims(APP_ID, bot.connector.url) })}` })).status).toBe(401);
    expect((await bot.post(messageActivity("help", bot.opts()))).status).toBe(401);
    // The alert webhook with a wrong key, with the right key and an unreadable body, and the key in a header.
    const json = { "content-type": "application/json" };
    expect(await raw(`/api/alerts?key=wrong-${WEBHOOK_SECRET.slice(0, 6)}`, { method: "POST", headers: json, body: "{}" })).toBeGreaterThanOrEqual(400);
    await raw(`/api/alerts?key=${WEBHOOK_SECRET}`, { method: "POST", headers: json, body: "{not json" });
    await raw("/api/alerts", { method: "POST", headers: { ...json, "x-alert-key": WEBHOOK_SECRET }, body: JSON.stringify({ schemaId: "nonsense" }) });
    expect(await raw("/healthz")).toBe(200);
    // The error paths whose objects could carry a secret (an SDK RestError, MSAL's error) were really logged.
    expect(bot.logs.some((l) => l.includes('"code":"Forbidden"'))).toBe(true);
    expect(bot.logs.some((l) => l.includes("authority_uri_insecure"))).toBe(true);
  });

  test.each([
    ["the ARM token", () => ARM_TOKEN],
    ["the app password", () => APP_PASSWORD],
    ["the webhook secret", () => WEBHOOK_SECRET],
    ["the inbound bearer token", () => inboundToken],
  ])("when the session is over, then %s appears in no log, console line, card, response, audit entry or state file", async (_name, value) => {
    const needle = value();
    // The random part alone, so a value split or re-encoded around its prefix is still caught.
    const core = needle.includes(".") ? needle.split(".")[2]!.slice(0, 24) : needle.slice(-24);
    const haystacks: [string, string[]][] = [
      ["bot log", bot.logs],
      ["console", consoleLines],
      ["HTTP response", responses],
      ["card", cards.map((c) => JSON.stringify(c))],
      ["connector", bot.connector.calls.map((c) => JSON.stringify(c.activity))],
      ["audit", (await bot.app.services.store.listAudit({ limit: 1000 })).map((e) => JSON.stringify(e))],
      ["state file", readdirSync(bot.stateDir).map((f) => readFileSync(join(bot.stateDir, f)).toString("latin1"))],
    ];
    for (const [where, lines] of haystacks) {
      const hits = lines.filter((l) => l.includes(needle) || l.includes(core));
      expect({ where, hits: hits.map((h) => h.slice(0, 300)) }).toEqual({ where, hits: [] });
    }
  });

  test("when the ARM token is used, then the simulator saw it (the secret was live during the session)", () => {
    expect(sim.stats().total).toBeGreaterThan(10);
    expect(sim.stats().byStatus["401"] ?? 0).toBe(0);
  });

  const payloads: [string, string][] = [
    ["a template expression", "${1+1}"],
    ["a moustache template", "{{user.name}}"],
    ["markdown emphasis", "**bold**"],
    ["a markdown link", "[click](https://evil.example/x)"],
    ["an HTML script tag", "<script>alert(1)</script>"],
    ["an HTML image with a handler", "<img/src=x/onerror=alert(1)>"],
    ["an HTML entity", "&lt;b&gt;"],
    ["a 1,500-character token", "B".repeat(1500)],
    ["a 10,000-character token", "C".repeat(10_000)],
  ];
  const templates = ["P", "vm P", "help P", "recs in P", "alerts P", "jit approve P", "audit last P", "jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because P"];
  const cases = payloads.flatMap(([name, p]) => templates.map((t): [string, string, string] => [name, t.replace("P", "…"), t.replace("P", p)]));

  test.each(cases)("when a person types %s in %s, then it comes out literally or clearly cut, in a card under 28 KB", async (_name, _shape, line) => {
    const payload = line.length > 2000 ? "C".repeat(10_000) : line.split(" ").find((w) => w.length > 0 && line.endsWith(w))!;
    const replies = await ask(line, BOB);
    expect(replies.length).toBeGreaterThanOrEqual(1);
    for (const reply of replies) {
      const card = cardOf(reply);
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(CARD_BUDGET);
      const text = cardText(card).toLowerCase();
      const p = payload.toLowerCase();
      const literal = text.includes(p);
      const cut = p.length > 40 && text.includes(p.slice(0, 40)) && !text.includes(p);
      const refused = /too long|keep it to \d+ or fewer/.test(text);
      expect(literal || cut || refused ? "shown literally, cut or refused" : text.slice(0, 300)).toBe("shown literally, cut or refused");
      // Never evaluated: a template in the input never turns into its value.
      if (payload === "${1+1}") expect(text).not.toMatch(/"2"/);
    }
  });
});

describe("the logger scrubs secrets however they are handed to it", () => {
  const SECRET = secret("logged");
  function capture(): { log: ReturnType<typeof createLogger>; lines: string[] } {
    const lines: string[] = [];
    const log = createLogger("trace", new Writable({ write: (chunk: Buffer, _enc, cb) => void (lines.push(chunk.toString("utf8")), cb()) }));
    return { log, lines };
  }

  test.each<[string, (log: ReturnType<typeof createLogger>) => void]>([
    ["an SDK error that carries the request", (log) => {
      const request = createPipelineRequest({ url: "http://127.0.0.1:1/subscriptions/x", headers: createHttpHeaders({ Authorization: `Bearer ${SECRET}` }) });
      log.error({ err: new RestError("denied", { statusCode: 403, request }) }, "ARM refused");
    }],
    ["an AppError caused by an SDK error", (log) => {
      const request = createPipelineRequest({ url: "http://127.0.0.1:1/x", headers: createHttpHeaders({ authorization: `Bearer ${SECRET}` }) });
      log.warn({ err: new AppError("Forbidden", "Access denied.", new RestError("denied", { statusCode: 403, request })) }, "command failed");
    }],
    ["request headers in any case", (log) => log.info({ req: { headers: { Authorization: `Bearer ${SECRET}`, "x-alert-key": SECRET } } }, "request")],
    ["a webhook URL in a field", (log) => log.info({ url: `/api/alerts?key=${SECRET}&x=1` }, "alert received")],
    ["a webhook URL in the message", (log) => log.info(`POST /api/alerts?key=${SECRET}`)],
    ["a webhook URL inside an error message", (log) => log.error({ err: new Error(`fetch http://127.0.0.1/api/alerts?key=${SECRET} failed`) }, "post failed")],
    ["the whole config", (log) => log.info({ config: loadConfig({ AZURE_ARM_ENDPOINT: "http://127.0.0.1:9", AZURE_ARM_TOKEN: SECRET, ALERT_WEBHOOK_SECRET: SECRET, MicrosoftAppId: "x", MicrosoftAppPassword: SECRET, ALLOWED_TENANT_IDS: TENANT, ROLE_READERS: "*" }) }, "config")],
  ])("when %s is logged, then the line keeps the context but not the secret", (_name, write) => {
    const { log, lines } = capture();
    write(log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toMatch(/"msg":"[^"]+"/);
  });

  test("when a webhook URL is logged, then what is left still says which route and which parameter", () => {
    const { log, lines } = capture();
    log.info({ url: `/api/alerts?key=${SECRET}&x=1` }, "alert received");
    expect(lines[0]).toContain("/api/alerts?key=[redacted]&x=1");
  });
});
