/**
 * Issue 6, inbound trust (DESIGN §3.7, reference §6.2): with MicrosoftAppId set, botbuilder validates every request's
 * JWT against OpenID metadata + JWKS, here served by a local server so the real validation runs offline. A refused
 * request gets 401 and runs no turn: no audit line, no connector call, no reply.
 */
import { randomUUID } from "node:crypto";
import { ALICE, TENANT, cardActionInvoke, messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { ConfigError, loadConfig, securityWarnings } from "../../src/config";
import { authEnv, channelClaims, newSigningKey, signToken, startOpenIdServer, type OpenIdServer } from "./openid-server";

const APP_ID = "5f1c1f6e-3c2a-4a8e-9f51-3b0d7c1a9e42";
const OTHER_TENANT = "11111111-1111-1111-1111-111111111111";

describe("inbound JWT validation with MicrosoftAppId set", () => {
  let oidc: OpenIdServer;
  let bot: TestBot;
  /** Published from the start: botbuilder reads the JWKS once and refetches at most hourly. */
  const skypeKey = newSigningKey(["skype"]);
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder console.error()s every refused token; keep the output readable (the bot's own log is pino).
    consoleError = jest.spyOn(console, "error").mockImplementation(() => undefined);
    oidc = await startOpenIdServer();
    oidc.publish(skypeKey);
    bot = await startTestBot(authEnv(oidc, APP_ID, TENANT));
  });
  afterAll(async () => {
    await bot.stop();
    await oidc.close();
    consoleError.mockRestore();
  });

  /** A help message that asks for its replies in the HTTP response, so no outbound token is needed. */
  function helpActivity(conversationId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return messageActivity("help", bot.opts({ conversationId, deliveryMode: "expectReplies", ...extra }));
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const validToken = (extra: Record<string, unknown> = {}) => signToken(oidc.key, { claims: channelClaims(APP_ID, bot.connector.url, extra) });

  async function auditFor(conversationId: string) {
    return (await bot.app.services.store.listAudit({ limit: 500 })).filter((e) => e.conversationId === conversationId);
  }

  test("when the token is valid, then the turn runs and the help card comes back", async () => {
    const res = await bot.post(helpActivity("conv-jwt-valid"), bearer(validToken()));
    expect(res.status).toBe(200);
    const [reply] = res.body.activities as Record<string, any>[];
    expect(cardText(cardOf(reply!))).toContain("help [command]");
    expect(await auditFor("conv-jwt-valid")).toEqual([expect.objectContaining({ action: "command:help", result: "ok", actorId: ALICE.aadObjectId })]);
    // The keys came from the local metadata, never from login.botframework.com.
    expect(oidc.requests).toContain("GET /v1/.well-known/keys");
  });

  const refusals: [string, () => Record<string, string>][] = [
    ["no Authorization header", () => ({})],
    ["an empty bearer", () => ({ authorization: "Bearer " })],
    ["a scheme other than Bearer", () => ({ authorization: `Basic ${validToken()}` })],
    ["a token that is not a JWT", () => bearer("not.a.jwt")],
    ["a token signed by a key the JWKS does not publish", () => bearer(signToken(oidc.key, { claims: channelClaims(APP_ID, bot.connector.url), signWith: newSigningKey().privateKey }))],
    ["a token whose signature was cut off", () => bearer(validToken().replace(/\.[^.]+$/, "."))],
    ["a token with a kid the JWKS does not know", () => bearer(signToken(oidc.key, { claims: channelClaims(APP_ID, bot.connector.url), kid: "unknown-kid" }))],
    ["a token with alg none", () => bearer(`${Buffer.from(JSON.stringify({ alg: "none", kid: oidc.key.kid })).toString("base64url")}.${Buffer.from(JSON.stringify(channelClaims(APP_ID, bot.connector.url, { exp: Math.floor(Date.now() / 1000) + 600 }))).toString("base64url")}.`)],
    ["a token for another bot (wrong audience)", () => bearer(validToken({ aud: "00000000-0000-0000-0000-0000000000aa" }))],
    ["a token from another issuer", () => bearer(validToken({ iss: "https://evil.example" }))],
    ["an expired token (beyond the 5-minute clock tolerance)", () => bearer(validToken({ iat: Math.floor(Date.now() / 1000) - 7200, nbf: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }))],
    ["a token not valid before tomorrow", () => bearer(validToken({ nbf: Math.floor(Date.now() / 1000) + 86_400 }))],
    ["a token whose serviceurl claim is another service", () => bearer(validToken({ serviceurl: "https://smba.trafficmanager.net/emea/" }))],
    ["a token without a serviceurl claim", () => bearer(signToken(oidc.key, { claims: { iss: "https://api.botframework.com", aud: APP_ID } }))],
  ];

  test.each(refusals)("when the request carries %s, then it is refused with 401 and no turn runs", async (_name, headers) => {
    const conversationId = `conv-jwt-${randomUUID()}`;
    const calls = bot.connector.calls.length;
    const res = await bot.post(helpActivity(conversationId), headers());
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body ?? "")).not.toMatch(/\s{4}at |\.(?:ts|js):\d+/);
    expect(await auditFor(conversationId)).toEqual([]);
    expect(await bot.app.services.store.getConversation(conversationId)).toBeUndefined();
    expect(bot.connector.calls.length).toBe(calls);
  });

  test("when a key endorsed only for another channel signs a Teams activity, then it is refused with 401", async () => {
    const conversationId = "conv-jwt-endorsement";
    const res = await bot.post(helpActivity(conversationId), bearer(signToken(skypeKey, { claims: channelClaims(APP_ID, bot.connector.url) })));
    expect(res.status).toBe(401);
    expect(await auditFor(conversationId)).toEqual([]);
    // The same key is accepted for the channel it is endorsed for, so the endorsement is what refused the Teams activity.
    const skype = await bot.post(helpActivity("conv-jwt-endorsement-skype", { channelId: "skype" }), bearer(signToken(skypeKey, { claims: channelClaims(APP_ID, bot.connector.url) })));
    expect(skype.status).toBe(200);
  });

  test("when a valid token was issued for one serviceUrl and the activity names another, then it is refused with 401", async () => {
    const conversationId = "conv-jwt-serviceurl";
    const activity = helpActivity(conversationId, { serviceUrl: "http://127.0.0.1:1/" });
    const res = await bot.post(activity, bearer(validToken()));
    expect(res.status).toBe(401);
    expect(await auditFor(conversationId)).toEqual([]);
  });

  test("when a forged card action arrives without a valid token, then it is refused with 401 and the action handler never runs", async () => {
    const conversationId = "conv-jwt-invoke";
    const invoke = cardActionInvoke("jit.approve", { requestId: "J000001" }, bot.opts({ conversationId }));
    const res = await bot.post(invoke, bearer(validToken({ aud: "someone-else" })));
    expect(res.status).toBe(401);
    expect(await auditFor(conversationId)).toEqual([]);
  });

  test("when a validly signed activity comes from a tenant not in ALLOWED_TENANT_IDS, then it gets no answer but an audit entry", async () => {
    const conversationId = "conv-jwt-foreign-tenant";
    const activity = messageActivity("help", bot.opts({ conversationId, tenantId: OTHER_TENANT, deliveryMode: "expectReplies" }));
    const res = await bot.post(activity, bearer(validToken()));
    expect(res.status).toBe(200);
    expect(res.body?.activities ?? []).toEqual([]);
    expect(await auditFor(conversationId)).toEqual([expect.objectContaining({ action: "tenant:refused", result: "denied", tenantId: OTHER_TENANT })]);
    expect(bot.connector.sent(conversationId)).toHaveLength(0);
  });

  test("when a validly signed card action comes from a tenant not in ALLOWED_TENANT_IDS, then it is refused and audited", async () => {
    const conversationId = "conv-jwt-foreign-invoke";
    const invoke = cardActionInvoke("jit.approve", { requestId: "J000001" }, bot.opts({ conversationId, tenantId: OTHER_TENANT }));
    const res = await bot.post(invoke, bearer(validToken()));
    expect(res.body?.statusCode).toBe(403);
    expect(await auditFor(conversationId)).toEqual([expect.objectContaining({ action: "tenant:refused", result: "denied" })]);
  });

  test("when a valid turn must reply through the connector but no bot token can be had, then nothing unsigned is sent and nothing leaves the machine", async () => {
    const conversationId = "conv-jwt-outbound";
    const res = await bot.post(messageActivity("help", bot.opts({ conversationId })), bearer(validToken()));
    expect(res.status).toBe(200);
    // The turn ran (audited) but its reply needed a bot token from ToChannelFromBotLoginUrl, which MSAL refused locally.
    expect(await auditFor(conversationId)).toEqual([expect.objectContaining({ action: "command:help", result: "error" })]);
    expect(bot.logs.some((l) => l.includes("authority_uri_insecure"))).toBe(true);
    expect(bot.connector.calls.filter((c) => c.conversationId === conversationId)).toEqual([]);
  });

  test("when the bot ran every refused request, then it never asked a remote token service for anything", () => {
    expect(oidc.requests.every((r) => r.startsWith("GET /v1/.well-known/"))).toBe(true);
  });
});

describe("start-up with inbound authentication in mind", () => {
  const SUB = "11111111-2222-3333-4444-555555555555";

  test.each([
    ["ALLOWED_TENANT_IDS missing", {}],
    ["ALLOWED_TENANT_IDS only separators", { ALLOWED_TENANT_IDS: " , ," }],
  ])("when MicrosoftAppId is set with %s, then start-up stops naming ALLOWED_TENANT_IDS", (_name, extra) => {
    expect(() => loadConfig({ MicrosoftAppId: APP_ID, ...extra })).toThrow(ConfigError);
    expect(() => loadConfig({ MicrosoftAppId: APP_ID, ...extra })).toThrow(/ALLOWED_TENANT_IDS/);
  });

  test("when MicrosoftAppId is empty and the bot listens on every interface against Azure, then a loud warning names the risk and the fix", () => {
    const warnings = securityWarnings(loadConfig({ AZURE_SUBSCRIPTION_IDS: SUB, ROLE_READERS: "*" }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/MicrosoftAppId is empty: inbound authentication is OFF while listening on 0\.0\.0\.0/);
    expect(warnings[0]).toMatch(/any user, with any role/);
    expect(warnings[0]).toMatch(/ALLOWED_TENANT_IDS|HOST=127\.0\.0\.1/);
  });

  test("when MicrosoftAppId is empty against a loopback ARM simulator on every interface, then the warning is there too", () => {
    expect(securityWarnings(loadConfig({ AZURE_ARM_ENDPOINT: "http://127.0.0.1:9", AZURE_ARM_TOKEN: "t" }))).toHaveLength(1);
  });

  test.each([
    ["demo mode (loopback only)", {}],
    ["HOST=127.0.0.1", { AZURE_SUBSCRIPTION_IDS: SUB, ROLE_READERS: "*", HOST: "127.0.0.1" }],
    ["MicrosoftAppId set", { AZURE_SUBSCRIPTION_IDS: SUB, ROLE_READERS: "*", MicrosoftAppId: APP_ID, ALLOWED_TENANT_IDS: TENANT }],
  ])("when the bot runs in %s, then there is no warning", (_name, env) => {
    expect(securityWarnings(loadConfig(env as NodeJS.ProcessEnv))).toEqual([]);
  });
});
