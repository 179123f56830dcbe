/**
 * The walking skeleton end to end: the real restify server on port 0, the real SDK clients against the in-process
 * simulator, replies arriving at a local connector.
 */
import { ALICE, BOB, BOT, TENANT, cardActionInvoke, membersAddedActivity, mentionActivity, messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";

describe("foundation: demo mode end to end", () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot.stop();
  });

  test("when the bot is up, then /healthz answers ok in demo mode with the package version", async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ status: "ok", mode: "demo", version: require("../../package.json").version });
  });

  test("when demo mode starts, then the bot's SDK clients point at its own loopback simulator", () => {
    expect(bot.app.simulator).toBeDefined();
    expect(bot.app.config.armEndpoint).toBe(bot.app.simulator!.url);
    expect(bot.app.simulator!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bot.app.config.subscriptionIds.length).toBeGreaterThanOrEqual(2);
  });

  test("when a person says help, then a valid help card listing the commands arrives at the serviceUrl", async () => {
    const [reply] = await bot.say("help");
    const card = cardOf(reply!);
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain("SecOps bot");
    expect(text).toContain("help [command]");
    expect(text).toContain("Demo mode");
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
  });

  test("when help is @mentioned in a channel, then the mention is removed and the command still matches", async () => {
    const activity = mentionActivity("HELP", bot.opts());
    const res = await bot.post(activity);
    expect(res.status).toBe(200);
    await bot.connector.waitFor(() => bot.connector.sent("19:channel@thread.tacv2").length >= 1);
    const reply = bot.connector.sent("19:channel@thread.tacv2")[0]!.activity;
    expect(cardText(cardOf(reply))).toContain("help [command]");
  });

  test("when the input is unknown, then the answer says did you mean and shows the help card", async () => {
    const [reply] = await bot.say("hlep");
    const text = cardText(cardOf(reply!));
    expect(text).toContain('Did you mean "help"');
    expect(text).toContain("help [command]");
  });

  test("when a word only starts like a command, then it does not run that command", async () => {
    const [reply] = await bot.say("helpful tips please");
    expect(cardText(cardOf(reply!))).toContain("I don't know");
  });

  test("when a user types a template expression, then it comes out literally", async () => {
    const [reply] = await bot.say("${1+1}");
    expect(cardText(cardOf(reply!))).toContain('"${1+1}"');
  });

  test("when the bot is added to a conversation, then it posts a welcome card with first questions", async () => {
    const res = await bot.post(membersAddedActivity(bot.opts({ conversationId: "conv-new" })));
    expect(res.status).toBe(200);
    await bot.connector.waitFor(() => bot.connector.sent("conv-new").length === 1);
    const card = cardOf(bot.connector.sent("conv-new")[0]!.activity);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain("Hello! I'm the SecOps bot");
    expect((card.actions as any[]).map((a) => a.data.command)).toContain("score");
    expect(await bot.app.services.store.getConversation("conv-new")).toMatchObject({ id: "conv-new", kind: "personal", tenantId: TENANT });
  });

  test("when a help button is clicked (messageBack with no text), then the command in its value runs", async () => {
    const activity = messageActivity("", bot.opts({ conversationId: "conv-button", value: { command: "help" } }));
    await bot.post(activity);
    await bot.connector.waitFor(() => bot.connector.sent("conv-button").length === 1);
    expect(cardText(cardOf(bot.connector.sent("conv-button")[0]!.activity))).toContain("help [command]");
  });

  test("when a command runs, then the audit log records who ran what with the result", async () => {
    await bot.say("help", { from: BOB, conversationId: "conv-audit" });
    const entries = await bot.app.services.store.listAudit({ limit: 50 });
    const mine = entries.find((e) => e.conversationId === "conv-audit");
    expect(mine).toMatchObject({ actorId: BOB.aadObjectId, actorName: BOB.name, action: "command:help", result: "ok", tenantId: TENANT });
  });

  test("when the body is not JSON, then the bot answers 400 without running a turn", async () => {
    const res = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  test("when the body is too large, then the bot refuses it with 413", async () => {
    const big = messageActivity("x".repeat(300 * 1024), bot.opts());
    const res = await bot.post(big);
    expect(res.status).toBe(413);
  });

  test("when an activity lacks a type, then the adapter answers 400", async () => {
    const res = await bot.post({ text: "help", serviceUrl: bot.connector.url });
    expect(res.status).toBe(400);
  });

  test("when a card button's verb is unknown, then the invoke answers with a card instead of failing", async () => {
    const res = await bot.post(cardActionInvoke("no-such-verb", {}, bot.opts()));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(cardText(res.body.value)).toContain("no longer supported");
  });

  test("when the message is from the bot's own test users, then the identities are distinct", () => {
    expect(new Set([ALICE.id, BOB.id, BOT.id]).size).toBe(3);
  });
});

describe("foundation: roles and restarts", () => {
  test("when a reader's role is missing, then the command is refused with the role named and the refusal is audited", async () => {
    const bot = await startTestBot({ ROLE_READERS: BOB.aadObjectId, ROLE_OPERATORS: BOB.aadObjectId, ROLE_APPROVERS: BOB.aadObjectId });
    try {
      const [reply] = await bot.say("help");
      expect(cardText(cardOf(reply!))).toContain("needs the reader role");
      const [audit] = await bot.app.services.store.listAudit({ limit: 1 });
      expect(audit).toMatchObject({ action: "command:help", result: "denied", actorId: ALICE.aadObjectId });
      const [ok] = await bot.say("help", { from: BOB, conversationId: "conv-bob" });
      expect(cardText(cardOf(ok!))).toContain("help [command]");
    } finally {
      await bot.stop();
    }
  });

  test("when the bot restarts on the same STATE_DIR, then the audit log and conversations survive", async () => {
    const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "secops-restart-"));
    try {
      const first = await startTestBot({ STATE_DIR: dir });
      await first.say("help", { conversationId: "conv-persist" });
      await first.stop();
      const second = await startTestBot({ STATE_DIR: dir });
      try {
        const audit = await second.app.services.store.listAudit({ limit: 10 });
        expect(audit.some((e) => e.conversationId === "conv-persist" && e.action === "command:help")).toBe(true);
        expect(await second.app.services.store.getConversation("conv-persist")).toBeDefined();
      } finally {
        await second.stop();
      }
    } finally {
      require("node:fs").rmSync(dir, { recursive: true, force: true });
    }
  });

  test("when ALLOWED_TENANT_IDS excludes the sender's tenant, then no answer is sent and the refusal is audited", async () => {
    const bot = await startTestBot({ ALLOWED_TENANT_IDS: "11111111-1111-1111-1111-111111111111" });
    try {
      const res = await bot.post(messageActivity("help", bot.opts({ conversationId: "conv-foreign" })));
      expect(res.status).toBe(200);
      const audit = await bot.app.services.store.listAudit({ limit: 5 });
      expect(audit[0]).toMatchObject({ action: "tenant:refused", result: "denied", tenantId: TENANT });
      expect(bot.connector.sent("conv-foreign")).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });
});

describe("foundation: Teams' 15-second turn", () => {
  test("when Azure is slow, then a progress card answers at once and the answer replaces it in place", async () => {
    const bot = await startTestBot({}, { progressAfterMs: 100 });
    try {
      bot.app.simulator!.faults.set("*", { latencyMs: 400 });
      const res = await bot.post(messageActivity("score", bot.opts({ conversationId: "conv-slow" })));
      expect(res.status).toBe(200);
      // The turn ended with the progress card only.
      const sent = bot.connector.sent("conv-slow");
      expect(sent).toHaveLength(1);
      expect(cardText(cardOf(sent[0]!.activity))).toContain("Working on it: score");
      // Then the same activity is updated with the answer.
      await bot.connector.waitFor(() => bot.connector.updates("conv-slow").length >= 1, 20_000);
      const update = bot.connector.updates("conv-slow")[0]!;
      expect(update.activityId).toBe(sent[0]!.id);
      expect(cardText(cardOf(update.activity))).toMatch(/secure score/i);
      expect(bot.connector.sent("conv-slow")).toHaveLength(1);
      // The audit line is written right after the answer; give the background task a moment to finish.
      let entry;
      for (let i = 0; i < 100 && !entry; i++) {
        entry = (await bot.app.services.store.listAudit({ limit: 5 })).find((e) => e.conversationId === "conv-slow" && e.action === "command:score");
        if (!entry) await new Promise((r) => setTimeout(r, 20));
      }
      expect(entry).toMatchObject({ result: "ok" });
    } finally {
      await bot.stop();
    }
  });

  test("when a command is quick, then no progress card is sent", async () => {
    const bot = await startTestBot({}, { progressAfterMs: 10_000 });
    try {
      const replies = await bot.say("help", { conversationId: "conv-quick" });
      expect(cardText(cardOf(replies[0]!))).not.toContain("Working on it");
      expect(bot.connector.updates("conv-quick")).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });
});
