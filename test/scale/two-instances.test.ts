/**
 * Two bot PROCESSES (src/index.ts, each with its own Node runtime) behind one "load balancer" (the test picks the
 * instance per request), sharing one Azurite (STATE_STORE=azure) and one external ARM simulator, replying to one
 * local connector:
 * - a JIT request made through A and approved through B (and, at the same moment, through A) opens access once;
 * - both run the scheduler, one holds the lease, and a due digest is posted once;
 * - kill -9 the lease holder: the other takes the lease and posts the next due digest.
 */
import { randomBytes } from "node:crypto";
import type { JitRequestRecord } from "../../src/domain/jit-record";
import { startSimulator, type Simulator } from "../../src/simulator";
import { openAzureTableStore, type AzureTableStore } from "../../src/azure/azure-table-store";
import { ALICE, BOB, BOT, TENANT, cardActionInvoke, messageActivity } from "../helpers/activities";
import { startAzurite, type Azurite } from "../helpers/azurite";
import { cardOf, cardText } from "../helpers/cards";
import { startConnector, type Connector } from "../helpers/connector";
import { spawnBot, type BotProcess } from "./support/bot-process";

const TOKEN = "two-instances";
const LEASE_SECONDS = 15;
const ALICE_CHAT = "conv-personal-alice";
const BOB_CHAT = "conv-personal-bob";
const DIGEST_CHANNEL = "19:digest-first@thread.tacv2";
const TAKEOVER_CHANNEL = "19:digest-after-crash@thread.tacv2";
const LEASE_ACQUIRED = "scheduler lease acquired";

let azurite: Azurite;
let sim: Simulator;
let connector: Connector;
let store: AzureTableStore;
let a: BotProcess;
let b: BotProcess;

/** Initiate calls the simulator received. */
function initiateCalls(): number {
  return Object.entries(sim.stats().byRoute)
    .filter(([route]) => route.startsWith("POST") && route.endsWith("/initiate"))
    .reduce((n, [, count]) => n + count, 0);
}

/** A channel the bot was added to, with a digest due now (00:00 UTC, subscribed yesterday). */
async function subscribeChannel(conversationId: string): Promise<void> {
  const yesterday = new Date(Date.now() - 24 * 3_600_000).toISOString();
  await store.saveConversation({
    id: conversationId,
    kind: "channel",
    tenantId: TENANT,
    reference: {
      activityId: "seed",
      user: { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId },
      bot: BOT,
      conversation: { id: conversationId, conversationType: "channel", tenantId: TENANT, isGroup: true },
      channelId: "msteams",
      locale: "en-US",
      serviceUrl: connector.url,
    },
    updatedAt: yesterday,
  });
  await store.putDocument("digest-subscriptions", conversationId, {
    conversationId,
    conversationKind: "channel",
    tenantId: TENANT,
    time: "00:00",
    timeZone: "UTC",
    createdBy: { id: ALICE.aadObjectId, name: ALICE.name },
    createdAt: yesterday,
    activeFrom: yesterday,
  });
}

/** The local date a subscription last posted, once the post's record has landed (the post comes first). */
async function postedDate(conversationId: string, timeoutMs = 10_000): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const sub = await store.getDocument<{ lastPostedLocalDate?: string }>("digest-subscriptions", conversationId);
    if (sub?.value.lastPostedLocalDate !== undefined || Date.now() > until) return sub?.value.lastPostedLocalDate;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function posts(conversationId: string): number {
  return connector.sent(conversationId).length;
}

beforeAll(async () => {
  [azurite, sim, connector] = await Promise.all([startAzurite(), startSimulator({ token: TOKEN, port: 0 }), startConnector()]);
  const prefix = `two${randomBytes(4).toString("hex")}`;
  store = await openAzureTableStore({ connectionString: azurite.connectionString, prefix });
  // Due before either instance starts: whichever takes the lease posts it in its first pass.
  await subscribeChannel(DIGEST_CHANNEL);
  const env = {
    STATE_STORE: "azure",
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    AZURE_STORAGE_PREFIX: prefix,
    SCHEDULER_LEASE_SECONDS: String(LEASE_SECONDS),
    AZURE_ARM_ENDPOINT: sim.url,
    AZURE_ARM_TOKEN: TOKEN,
    ROLE_READERS: "*",
    ROLE_OPERATORS: ALICE.aadObjectId,
    ROLE_APPROVERS: BOB.aadObjectId,
    JIT_REQUIRE_APPROVAL: "true",
  };
  [a, b] = await Promise.all([spawnBot("A", env), spawnBot("B", env)]);
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await store?.close();
  await Promise.allSettled([connector?.close(), sim?.close()]);
  await azurite?.stop();
}, 30_000);

test("when Alice asks through A and Bob approves through B while a retried click reaches A, then access is opened once", async () => {
  // Bob talks to B; A can then send him the approval card: conversation references are shared.
  expect((await b.post(messageActivity("help", { serviceUrl: connector.url, from: BOB, conversationId: BOB_CHAT }))).status).toBeLessThan(300);
  await connector.waitFor(() => posts(BOB_CHAT) >= 1);

  const request = messageActivity("jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching KB5034441", {
    serviceUrl: connector.url,
    from: ALICE,
    conversationId: ALICE_CHAT,
  });
  expect((await a.post(request)).status).toBeLessThan(300);
  await connector.waitFor(() => posts(ALICE_CHAT) >= 1);
  const card = cardOf(connector.sent(ALICE_CHAT)[0]!.activity);
  const id = (card.actions ?? []).find((x: any) => x.verb === "jit.approve")?.data?.requestId as string;
  expect(id).toMatch(/^J[0-9A-Z]{6}$/);
  await connector.waitFor(() => connector.sent(BOB_CHAT).some((c) => cardText(cardOf(c.activity)).includes(id)));

  const before = initiateCalls();
  const click = (via: BotProcess) => via.post(cardActionInvoke("jit.approve", { requestId: id }, { serviceUrl: connector.url, from: BOB, conversationId: BOB_CHAT }));
  const answers = await Promise.all([click(b), click(a)]);
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(cardText(answer.body.value)).toContain("Approved by Bob Approver");
  }
  await connector.waitFor(() => connector.sent(ALICE_CHAT).some((c) => cardText(cardOf(c.activity)).includes("JIT access to vm-api-01 (port 3389) is open")));

  expect(initiateCalls()).toBe(before + 1);
  const grants = sim.estate.jitPolicies.flatMap((p) => p.requests).filter((r) => r.justification?.includes(id));
  expect(grants).toHaveLength(1);
  const stored = await store.getDocument<JitRequestRecord>("jit-requests", id);
  expect(stored?.value).toMatchObject({ status: "granted", requester: { id: ALICE.aadObjectId }, decidedBy: { id: BOB.aadObjectId } });
  const audit = (await store.listAudit({ limit: 200 })).filter((e) => e.target === id);
  expect(audit.filter((e) => e.action === "jit:initiate")).toEqual([expect.objectContaining({ result: "ok", actorId: BOB.aadObjectId })]);
  expect(audit.filter((e) => e.action === "jit:approve" && e.result === "ok")).toHaveLength(1);
  // Both instances wrote to the one audit log.
  expect(audit.find((e) => e.action === "jit:request")).toMatchObject({ actorId: ALICE.aadObjectId });
}, 60_000);

test("when both instances run the scheduler, then one holds the lease and a due digest is posted once", async () => {
  await connector.waitFor(() => posts(DIGEST_CHANNEL) >= 1, 30_000);
  const holders = [a, b].filter((bot) => bot.logged(LEASE_ACQUIRED));
  expect(holders).toHaveLength(1);
  // Only the holder ran digest passes; the subscription records the post, so nobody owes it any more.
  expect([a, b].filter((bot) => bot.logged("digest pass"))).toEqual(holders);
  expect(await postedDate(DIGEST_CHANNEL)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(posts(DIGEST_CHANNEL)).toBe(1);
  expect(cardText(cardOf(connector.sent(DIGEST_CHANNEL)[0]!.activity))).toMatch(/secure score/i);
}, 60_000);

test("when the lease holder is killed, then the other instance takes the lease and posts the next due digest once", async () => {
  const holder = a.logged(LEASE_ACQUIRED) ? a : b;
  const survivor = holder === a ? b : a;
  expect(survivor.logged(LEASE_ACQUIRED)).toBe(false);

  await holder.crash();
  await subscribeChannel(TAKEOVER_CHANNEL);

  // The dead holder's lease runs out (at most LEASE_SECONDS after its last renewal); the survivor tries every 5 s.
  await survivor.waitForLog(LEASE_ACQUIRED, (LEASE_SECONDS + 15) * 1000);
  await connector.waitFor(() => posts(TAKEOVER_CHANNEL) >= 1, 20_000);
  expect(posts(TAKEOVER_CHANNEL)).toBe(1);
  expect(posts(DIGEST_CHANNEL)).toBe(1);
  expect(await postedDate(TAKEOVER_CHANNEL)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  // The survivor still answers people.
  const res = await survivor.post(messageActivity("help", { serviceUrl: connector.url, from: ALICE, conversationId: "conv-after-crash" }));
  expect(res.status).toBeLessThan(300);
  await connector.waitFor(() => posts("conv-after-crash") >= 1);
}, 60_000);
