/**
 * JIT access end to end (issue 4): the real restify server, the real SDK clients against the simulator, replies and
 * card updates at a local connector, state in SQLite. ALICE is an operator, BOB an approver, CAROL a reader.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALICE, BOB, cardActionInvoke } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";
import { decideJitRequest } from "../../src/bot/jit-workflow";
import type { JitRequestRecord } from "../../src/domain/jit-record";
import type { Clock } from "../../src/domain/ports";

const CAROL = { id: "29:carol", name: "Carol Reader", aadObjectId: "00000000-0000-0000-0000-0000000ca201" };
const ALICE_CHAT = "conv-personal-alice";
const BOB_CHAT = "conv-personal-bob";
const CAROL_CHAT = "conv-personal-carol";
const HOUR = 3_600_000;

const ROLES = {
  ROLE_READERS: CAROL.aadObjectId,
  ROLE_OPERATORS: ALICE.aadObjectId,
  ROLE_APPROVERS: BOB.aadObjectId,
};
const WITH_APPROVAL = { ...ROLES, JIT_REQUIRE_APPROVAL: "true" };

/** Initiate calls the simulator received (POST …/jitNetworkAccessPolicies/{name}/initiate). */
function initiateCalls(bot: TestBot): number {
  return Object.entries(bot.app.simulator!.stats().byRoute)
    .filter(([route]) => route.startsWith("POST") && route.endsWith("/initiate"))
    .reduce((n, [, count]) => n + count, 0);
}

/** The JIT request bodies the simulator recorded for a VM (newest last). */
function recordedRequests(bot: TestBot, vmName: string) {
  return bot.app.simulator!.estate.jitPolicies.flatMap((p) =>
    p.requests.filter((r) => r.virtualMachines.some((v) => v.id.toLowerCase().endsWith(`/virtualmachines/${vmName}`))),
  );
}

async function records(bot: TestBot): Promise<JitRequestRecord[]> {
  return (await bot.app.services.store.listDocuments<JitRequestRecord>("jit-requests")).map((d) => d.value);
}

/** Posts an Action.Execute invoke and returns the card that replaces the clicked one. */
async function click(bot: TestBot, verb: string, data: Record<string, unknown>, from: typeof BOB, conversationId: string) {
  const res = await bot.post(cardActionInvoke(verb, data, bot.opts({ from, conversationId })));
  expect(res.status).toBe(200);
  // The HTTP body is the invoke response: { statusCode, type, value }.
  expect(res.body.statusCode).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  return res.body.value as Record<string, any>;
}

/** Sends `jit request …` as Alice and returns the request id from the approval card. */
async function requestAccess(bot: TestBot, line: string, from = ALICE, conversationId = ALICE_CHAT): Promise<{ id: string; card: Record<string, any> }> {
  const [reply] = await bot.say(line, { from, conversationId });
  const card = cardOf(reply!);
  const approve = (card.actions ?? []).find((a: any) => a.verb === "jit.approve");
  const id = approve?.data?.requestId ?? /Request (J[0-9A-Z]{6})/.exec(cardText(card))?.[1];
  if (!id) throw new Error(`no request id in ${cardText(card)}`);
  return { id, card };
}

describe("JIT with approval required", () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot(WITH_APPROVAL);
    // Bob has talked to the bot before, so it knows his personal chat and can send him the approval card.
    await bot.say("help", { from: BOB, conversationId: BOB_CHAT });
  });
  afterAll(async () => {
    await bot.stop();
  });

  test("when Alice requests access and Bob approves, then one initiate opens exactly what was asked and every card says so", async () => {
    const before = initiateCalls(bot);
    const { id, card } = await requestAccess(bot, "jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching the ${agent}");

    expect(cardProblems(card)).toEqual([]);
    expect(card.version).toBe("1.5");
    expect(card.actions.map((a: any) => [a.type, a.verb, a.data.requestId])).toEqual([
      ["Action.Execute", "jit.approve", id],
      ["Action.Execute", "jit.deny", id],
    ]);
    const pending = cardText(card);
    expect(pending).toContain("Waiting for an approver");
    expect(pending).toContain("Alice Analyst");
    expect(pending).toContain("vm-api-01");
    expect(pending).toContain("203.0.113.7");
    expect(pending).toContain("1 h");
    expect(pending).toContain("patching the ${agent}"); // user text stays literal
    // A copy went to Bob's personal chat; nothing was opened yet.
    await bot.connector.waitFor(() => bot.connector.sent(BOB_CHAT).some((c) => cardText(cardOf(c.activity)).includes(id)));
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)).toMatchObject({ status: "pending", requester: { id: ALICE.aadObjectId } });

    const requestedBefore = recordedRequests(bot, "vm-api-01").length;
    const decidedAt = Date.now();
    const approved = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
    const approvedText = cardText(approved);
    expect(approvedText).toMatch(/Approved by Bob Approver at \d\d:\d\d UTC, access until \d\d:\d\d UTC/);
    expect(approved.actions ?? []).toEqual([]);
    expect(cardProblems(approved)).toEqual([]);

    expect(initiateCalls(bot)).toBe(before + 1);
    const sent = recordedRequests(bot, "vm-api-01");
    expect(sent).toHaveLength(requestedBefore + 1);
    const body = sent[sent.length - 1]!;
    expect(body.virtualMachines).toHaveLength(1);
    expect(body.virtualMachines[0]!.id).toMatch(/\/virtualMachines\/vm-api-01$/i);
    expect(body.virtualMachines[0]!.ports.map((p) => [p.number, p.allowedSourceAddressPrefix])).toEqual([[3389, "203.0.113.7"]]);
    const end = Date.parse(body.virtualMachines[0]!.ports[0]!.endTimeUtc);
    expect(end).toBeGreaterThanOrEqual(decidedAt + HOUR - 1000);
    expect(end).toBeLessThanOrEqual(Date.now() + HOUR + 1000);
    expect(body.justification).toContain("Alice Analyst");
    expect(body.justification).toContain("Bob Approver");
    expect(body.justification).toContain(id);

    // Both posted copies are replaced in place, and Alice hears about it.
    await bot.connector.waitFor(() =>
      [ALICE_CHAT, BOB_CHAT].every((conv) => bot.connector.updates(conv).some((u) => /Approved by Bob Approver/.test(cardText(cardOf(u.activity))))),
    );
    await bot.connector.waitFor(() => bot.connector.sent(ALICE_CHAT).some((c) => cardText(cardOf(c.activity)).includes("JIT access to vm-api-01 (port 3389) is open")));
    const stored = (await records(bot)).find((r) => r.id === id)!;
    expect(stored).toMatchObject({ status: "granted", decidedBy: { id: BOB.aadObjectId } });
    expect(Date.parse(stored.grantEndTime!)).toBe(end);

    const audit = await bot.app.services.store.listAudit({ limit: 100 });
    const mine = audit.filter((e) => e.target === id);
    expect(mine.find((e) => e.action === "jit:request")).toMatchObject({ actorId: ALICE.aadObjectId, result: "ok" });
    expect(mine.find((e) => e.action === "jit:request")!.detail).toContain("203.0.113.7");
    expect(mine.find((e) => e.action === "jit:approve")).toMatchObject({ actorId: BOB.aadObjectId, result: "ok" });
    expect(mine.find((e) => e.action === "jit:initiate")).toMatchObject({ actorId: BOB.aadObjectId, result: "ok" });
  });

  test("when the approval is clicked twice at once and again later, then Azure is called once and the late click sees who approved", async () => {
    const { id } = await requestAccess(bot, "jit request vm-dev-02 for 30m from 198.51.100.0/24 because incident 4711");
    const before = initiateCalls(bot);
    const [a, b] = await Promise.all([
      click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT),
      click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT),
    ]);
    const late = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
    expect(initiateCalls(bot)).toBe(before + 1);
    for (const card of [a, b, late]) expect(cardText(card)).toContain("Approved by Bob Approver");
    expect(cardText(late)).toContain(`Request ${id} was already approved by Bob Approver`);
    expect(recordedRequests(bot, "vm-dev-02")).toHaveLength(1);
  });

  test("when the requester approves their own request, then it is refused, nothing is opened and it stays pending", async () => {
    // Bob is an approver (and so an operator): he may request, but not approve his own request.
    const { id } = await requestAccess(bot, "jit request vm-web-03 port 22 from 203.0.113.0/24 because deploy", BOB, BOB_CHAT);
    const before = initiateCalls(bot);
    const card = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
    expect(cardText(card)).toContain("You cannot approve your own request");
    expect(card.actions.map((a: any) => a.verb)).toEqual(["jit.approve", "jit.deny"]);
    const [typed] = await bot.say(`jit approve ${id}`, { from: BOB, conversationId: BOB_CHAT });
    expect(cardText(cardOf(typed!))).toContain("You cannot approve your own request");
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)!.status).toBe("pending");
    const audit = await bot.app.services.store.listAudit({ limit: 50 });
    expect(audit.find((e) => e.target === id && e.action === "jit:approve")).toMatchObject({ result: "denied", actorId: BOB.aadObjectId });
  });

  test("when a reader forges an approve invoke, then the role check refuses it and nothing changes", async () => {
    const { id } = await requestAccess(bot, "jit request vm-jump-01 port 22 from 203.0.113.9 because check logs");
    await bot.say("help", { from: CAROL, conversationId: CAROL_CHAT });
    const before = initiateCalls(bot);
    const card = await click(bot, "jit.approve", { requestId: id }, CAROL, CAROL_CHAT);
    expect(cardText(card)).toContain("This needs the approver role");
    // The requester (an operator) is no approver either.
    const own = await click(bot, "jit.approve", { requestId: id }, ALICE, ALICE_CHAT);
    expect(cardText(own)).toContain("This needs the approver role");
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)!.status).toBe("pending");
    const audit = await bot.app.services.store.listAudit({ limit: 50 });
    expect(audit.find((e) => e.action === "action:jit.approve" && e.actorId === CAROL.aadObjectId)).toMatchObject({ result: "denied" });
  });

  test("when Bob denies by text with a reason, then the cards say denied, Alice gets the reason and nothing is opened", async () => {
    const { id } = await requestAccess(bot, "jit request vm-jump-01 port 3389 from 203.0.113.10 because quick look");
    const before = initiateCalls(bot);
    const [reply] = await bot.say(`jit deny ${id.toLowerCase()} because use the bastion host`, { from: BOB, conversationId: BOB_CHAT });
    const text = cardText(cardOf(reply!));
    expect(text).toMatch(/Denied by Bob Approver at \d\d:\d\d UTC/);
    expect(text).toContain("use the bastion host");
    await bot.connector.waitFor(() => bot.connector.sent(ALICE_CHAT).some((c) => cardText(cardOf(c.activity)).includes("use the bastion host")));
    await bot.connector.waitFor(() => bot.connector.updates(ALICE_CHAT).some((u) => cardText(cardOf(u.activity)).includes("Denied by Bob Approver")));
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)).toMatchObject({ status: "denied", reason: "use the bastion host" });
    // The Deny button after the fact answers with the decision, not a second one.
    const late = await click(bot, "jit.deny", { requestId: id }, BOB, BOB_CHAT);
    expect(cardText(late)).toContain("was already denied by Bob Approver");
  });

  test.each([
    ["jit request vm-api-01 port 3389 for 1h from 203.0.113.7", "end the request with \"because <reason>\""],
    ["jit request vm-api-01 port 22 from 203.0.113.7 because x", "Port 22 is not in vm-api-01's JIT policy"],
    ["jit request vm-api-01 port 3389 for 5h from 203.0.113.7 because x", "is too long"],
    ["jit request vm-api-01 port 3389 from * because x", "means anyone on the internet"],
    ["jit request vm-api-01 port 3389 from 0.0.0.0/0 because x", "means anyone on the internet"],
    ["jit request vm-api-01 port 3389 because x", "Say where you will connect from"],
    ["jit request vm-sql-01 port 3389 from 10.2.1.5 because x", "Azure matches the allowed sources exactly"],
    ["jit request vm-web-01 port 22 from 203.0.113.7 because x", "is not enabled for JIT access"],
    ["jit request vm-jump-01 from 203.0.113.7 because x", "say which"],
    ["jit request port 22 from 203.0.113.7 because x", "Name the VM first"],
    ["jit request vm-api-01 port ssh from 203.0.113.7 because x", "is not a port number"],
    ["jit request vm-api-01 port 3389 for soon from 203.0.113.7 because x", "is not a duration"],
  ])("when the request is %j, then the answer explains (%s) and nothing is stored or opened", async (line, expected) => {
    const before = initiateCalls(bot);
    const count = (await records(bot)).length;
    const [reply] = await bot.say(line, { conversationId: "conv-invalid" });
    const card = cardOf(reply!);
    expect(cardText(card)).toContain(expected);
    expect(cardProblems(card)).toEqual([]);
    expect(initiateCalls(bot)).toBe(before);
    expect(await records(bot)).toHaveLength(count);
    const [last] = await bot.app.services.store.listAudit({ limit: 1 });
    expect(last).toMatchObject({ action: "command:jit request", result: "invalid", actorId: ALICE.aadObjectId });
  });

  test("when a reader asks to request access, then the operator role is required and nothing is stored", async () => {
    const count = (await records(bot)).length;
    const [reply] = await bot.say("jit request vm-api-01 port 3389 from 203.0.113.7 because x", { from: CAROL, conversationId: CAROL_CHAT });
    expect(cardText(cardOf(reply!))).toContain("needs the operator role");
    expect(await records(bot)).toHaveLength(count);
  });

  test("when Azure refuses the initiate call, then the request is marked failed and the message is shown", async () => {
    const { id } = await requestAccess(bot, "jit request vm-api-01 port 3389 for 30m from 203.0.113.50 because permission test");
    const subscriptionId = bot.app.simulator!.estate.vms.find((v) => v.name === "vm-api-01")!.subscriptionId;
    bot.app.simulator!.faults.set(subscriptionId, { forbidden: true });
    try {
      const card = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
      const text = cardText(card);
      expect(text).toContain("opening access failed");
      const stored = (await records(bot)).find((r) => r.id === id)!;
      expect(stored.status).toBe("failed");
      expect(text).toContain(stored.reason!);
      expect(stored.reason).not.toMatch(/at .*\.ts:\d+/);
      await bot.connector.waitFor(() => bot.connector.sent(ALICE_CHAT).some((c) => cardText(cardOf(c.activity)).includes("could not be opened")));
      const audit = await bot.app.services.store.listAudit({ limit: 50 });
      expect(audit.find((e) => e.target === id && e.action === "jit:initiate")).toMatchObject({ result: "error" });
    } finally {
      bot.app.simulator!.faults.clear(subscriptionId);
    }
  });

  test("when Azure is slow to answer the approval, then the approver sees 'opening access' at once and every card is updated when it answers", async () => {
    const { id } = await requestAccess(bot, "jit request vm-api-01 port 3389 for 30m from 203.0.113.60 because slow azure");
    const subscriptionId = bot.app.simulator!.estate.vms.find((v) => v.name === "vm-api-01")!.subscriptionId;
    const before = initiateCalls(bot);
    bot.app.simulator!.faults.set(subscriptionId, { latencyMs: 400 });
    try {
      // The same call the Approve button makes, with a short wait instead of the 8 s turn budget.
      const turn = {
        actor: { id: BOB.aadObjectId, name: BOB.name, role: "approver" as const },
        conversation: { id: BOB_CHAT, kind: "personal" as const },
        log: bot.app.services.logger,
        audit: (entry: any) => bot.app.services.store.appendAudit({ at: new Date().toISOString(), actorId: BOB.aadObjectId, ...entry }),
      };
      const answer = await decideJitRequest(bot.app.services, turn, id, "approve", undefined, 20);
      expect(cardText(answer.card.card)).toContain("Approved by Bob Approver");
      expect(cardText(answer.card.card)).toContain("opening access…");
      expect(answer.record.status).toBe("approved");
      await bot.connector.waitFor(() =>
        [ALICE_CHAT, BOB_CHAT].every((conv) => bot.connector.updates(conv).some((u) => cardText(cardOf(u.activity)).includes(`Request ${id}`) && /access until/.test(cardText(cardOf(u.activity))))),
      );
      await bot.connector.waitFor(() => bot.connector.sent(ALICE_CHAT).some((c) => cardText(cardOf(c.activity)).includes(`Request ${id}`) && cardText(cardOf(c.activity)).includes("is open")));
      expect(initiateCalls(bot)).toBe(before + 1);
      expect((await records(bot)).find((r) => r.id === id)!.status).toBe("granted");
    } finally {
      bot.app.simulator!.faults.clear(subscriptionId);
    }
  });

  test("when Alice uses the request form, then a mistake brings the form back and a valid submission posts the approval card", async () => {
    const [reply] = await bot.say("jit request", { conversationId: "conv-form" });
    const form = cardOf(reply!);
    expect(cardProblems(form)).toEqual([]);
    const picker = (form.body as any[]).find((e) => e.id === "vm");
    const vmId = picker.choices.find((c: any) => c.title.startsWith("vm-api-01"))?.value;
    expect(vmId).toMatch(/\/virtualMachines\/vm-api-01$/i);
    const before = initiateCalls(bot);
    const count = (await records(bot)).length;

    const wrong = { form: "jit-request", vm: vmId, ports: "3389", duration: "1h", source: "*", justification: "form test ${x}" };
    const again = await click(bot, "jit.request", wrong, ALICE, "conv-form");
    expect(cardText(again)).toContain("means anyone on the internet");
    expect(JSON.stringify(again)).toContain('"value":"form test ${x}"');
    expect(await records(bot)).toHaveLength(count);

    const sent = await click(bot, "jit.request", { ...wrong, source: "203.0.113.70" }, ALICE, "conv-form");
    const id = /Request (J[0-9A-Z]{6}) sent/.exec(cardText(sent))?.[1];
    expect(id).toBeDefined();
    await bot.connector.waitFor(() =>
      bot.connector.sent("conv-form").some((c) => (cardOf(c.activity).actions ?? []).some((a: any) => a.verb === "jit.approve" && a.data.requestId === id)),
    );
    expect((await records(bot)).find((r) => r.id === id)).toMatchObject({ status: "pending", source: "203.0.113.70", justification: "form test ${x}" });
    expect(initiateCalls(bot)).toBe(before);
  });

  test("when someone lists JIT, then policies, ports, the active grant with who and until when, and unprotected VMs appear", async () => {
    const [reply] = await bot.say("jit list", { from: CAROL, conversationId: CAROL_CHAT });
    const card = cardOf(reply!);
    expect(cardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
    const text = cardText(card);
    for (const vm of ["vm-api-01", "vm-sql-01", "vm-jump-01", "vm-dev-02", "vm-web-03"]) expect(text).toContain(vm);
    expect(text).toContain("only from 10.2.1.0/24");
    expect(text).toContain("up to 3 h");
    expect(text).toMatch(/Alice Analyst, approved by Bob Approver · from 203\.0\.113\.7/);
    expect(text).toMatch(/until \d\d:\d\d UTC/);
    expect(text).toContain("Not protected");
    expect(text).toContain("vm-web-01");
    expect(text).toContain("vm-build-01");
    expect(text).toContain("just-in-time network access control");
  });

  test("when an approver asks for the audit log, then the JIT steps are listed; an operator is refused", async () => {
    const [reply] = await bot.say("audit last 24h", { from: BOB, conversationId: BOB_CHAT });
    const card = cardOf(reply!);
    expect(cardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
    const text = cardText(card);
    expect(text).toContain("Audit log");
    expect(text).toMatch(/jit:(approve|deny|initiate|request)/);
    const [refused] = await bot.say("audit", { from: ALICE, conversationId: ALICE_CHAT });
    expect(cardText(cardOf(refused!))).toContain("needs the approver role");
  });
});

describe("JIT without approval required", () => {
  test("when an operator makes a valid request, then access opens at once with one initiate call", async () => {
    const bot = await startTestBot({ ...ROLES, JIT_REQUIRE_APPROVAL: "false" });
    try {
      const before = initiateCalls(bot);
      const [reply] = await bot.say("jit request vm-api-01 port 3389 for 2h from 203.0.113.7 because hotfix");
      const card = cardOf(reply!);
      expect(cardProblems(card)).toEqual([]);
      expect(cardText(card)).toMatch(/Opened at \d\d:\d\d UTC \(approval not required\), access until \d\d:\d\d UTC/);
      expect(card.actions ?? []).toEqual([]);
      expect(initiateCalls(bot)).toBe(before + 1);
      const body = recordedRequests(bot, "vm-api-01").at(-1)!;
      expect(body.justification).toContain("no approval required");
      const end = Date.parse(body.virtualMachines[0]!.ports[0]!.endTimeUtc);
      expect(end).toBeLessThanOrEqual(Date.now() + 2 * HOUR + 1000);
      expect(end).toBeGreaterThan(Date.now() + 2 * HOUR - 60_000);
      expect((await records(bot))[0]).toMatchObject({ status: "granted" });
    } finally {
      await bot.stop();
    }
  });
});

describe("JIT state across a restart", () => {
  test("when the bot restarts between request and approval, then the approval still opens access once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "secops-jit-restart-"));
    try {
      const first = await startTestBot({ ...WITH_APPROVAL, STATE_DIR: dir });
      let id: string;
      try {
        ({ id } = await requestAccess(first, "jit request vm-dev-02 port 22 for 45m from 203.0.113.77 because restart test"));
        expect(initiateCalls(first)).toBe(0);
      } finally {
        await first.stop();
      }
      const second = await startTestBot({ ...WITH_APPROVAL, STATE_DIR: dir });
      try {
        // In Teams the serviceUrl survives a restart; here each run has its own connector, so Alice says hello first.
        await second.say("help", { conversationId: ALICE_CHAT });
        const card = await click(second, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
        expect(cardText(card)).toMatch(/Approved by Bob Approver at \d\d:\d\d UTC, access until/);
        expect(initiateCalls(second)).toBe(1);
        expect(recordedRequests(second, "vm-dev-02").at(-1)!.virtualMachines[0]!.ports[0]!.allowedSourceAddressPrefix).toBe("203.0.113.77");
        // The card posted before the restart (its activity id was stored) is updated in place.
        await second.connector.waitFor(() => second.connector.updates(ALICE_CHAT).some((u) => cardText(cardOf(u.activity)).includes("Approved by Bob Approver")));
        const again = await click(second, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
        expect(cardText(again)).toContain("already approved");
        expect(initiateCalls(second)).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("JIT expiry", () => {
  let bot: TestBot;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  beforeAll(async () => {
    bot = await startTestBot(WITH_APPROVAL, { clock });
    await bot.say("help", { from: BOB, conversationId: BOB_CHAT });
  });
  afterAll(async () => {
    await bot.stop();
  });
  beforeEach(() => {
    offsetMs = 0;
  });

  const aliceGot = (text: string) => bot.connector.sent(ALICE_CHAT).filter((c) => cardText(cardOf(c.activity)).includes(text)).length;

  test("when access nears its end and then ends, then Alice is told once each and the card shows expired", async () => {
    const { id } = await requestAccess(bot, "jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because expiry test");
    await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);

    offsetMs = 30 * 60_000;
    expect(await bot.app.jitExpiry.tick()).toMatchObject({ endingNotices: [], ended: [] });

    offsetMs = 56 * 60_000;
    expect((await bot.app.jitExpiry.tick()).endingNotices).toEqual([id]);
    expect((await bot.app.jitExpiry.tick()).endingNotices).toEqual([]);
    await bot.connector.waitFor(() => aliceGot("ends soon") === 1);

    offsetMs = 61 * 60_000;
    expect((await bot.app.jitExpiry.tick()).ended).toEqual([id]);
    expect((await bot.app.jitExpiry.tick()).ended).toEqual([]);
    await bot.connector.waitFor(() => aliceGot("has ended") === 1);
    await bot.connector.waitFor(() =>
      [ALICE_CHAT, BOB_CHAT].every((conv) => bot.connector.updates(conv).some((u) => cardText(cardOf(u.activity)).includes("Expired: access ended"))),
    );
    expect(aliceGot("ends soon")).toBe(1);
    const audit = await bot.app.services.store.listAudit({ limit: 50 });
    expect(audit.find((e) => e.target === id && e.action === "jit:access-ended")).toBeDefined();
  });

  test("when an approver clicks after 30 minutes before the job ran, then the click expires the request instead of opening it", async () => {
    const { id } = await requestAccess(bot, "jit request vm-dev-02 port 22 from 203.0.113.9 because too late");
    const before = initiateCalls(bot);
    offsetMs = 40 * 60_000;
    const card = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
    expect(cardText(card)).toMatch(/Request J[0-9A-Z]{6} expired: it waited 40 min/);
    expect(cardText(card)).toContain("Expired: nobody decided");
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)!.status).toBe("expired");
    expect((await bot.app.jitExpiry.tick()).expired).not.toContain(id);
  });

  test("when nobody decides within 30 minutes, then the request expires, the cards say so and a late approval opens nothing", async () => {
    const { id } = await requestAccess(bot, "jit request vm-dev-02 port 22 from 203.0.113.8 because nobody home");
    const before = initiateCalls(bot);
    offsetMs = 31 * 60_000;
    expect((await bot.app.jitExpiry.tick()).expired).toEqual([id]);
    await bot.connector.waitFor(() => bot.connector.updates(BOB_CHAT).some((u) => cardText(cardOf(u.activity)).includes("Expired: nobody decided")));
    await bot.connector.waitFor(() => aliceGot("expired") >= 1);
    const late = await click(bot, "jit.approve", { requestId: id }, BOB, BOB_CHAT);
    expect(cardText(late)).toContain("expired without a decision");
    expect(initiateCalls(bot)).toBe(before);
    expect((await records(bot)).find((r) => r.id === id)!.status).toBe("expired");
  });
});
