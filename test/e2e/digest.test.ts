/**
 * Daily digests end to end: the real restify server, real SDK clients against the simulator, a local connector
 * receiving the posts, and a controllable clock that the scheduler's tick(now) and the simulator share.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDigestData } from "../../src/digest/digest-data";
import { DigestScheduler } from "../../src/digest/scheduler";
import { DIGEST_DISABLED, DIGEST_SUBSCRIPTIONS, type DigestSubscription, type DisabledDigest } from "../../src/digest/subscriptions";
import { AppError } from "../../src/domain/errors";
import type { Notifier } from "../../src/domain/ports";
import { ALICE, BOB, messageActivity } from "../helpers/activities";
import { startConnector, type Connector } from "../helpers/connector";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";

/** A clock tests move by hand; the bot, its gateway cache and the simulator all read it. */
class TestClock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): Date {
    this.t = new Date(iso);
    return this.now();
  }
}

/** Wednesday 4 June 2025, 07:00 in Berlin. The digests below are at 08:30 Europe/Berlin = 06:30 UTC. */
const START = "2025-06-04T05:00:00Z";

function boot(clock: TestClock, env: Record<string, string> = {}): Promise<TestBot> {
  return startTestBot(env, { clock, simulator: { clock: () => clock.now() } });
}

/** Sends a message in `conversationId` with replies going to `connector` (which may outlive the bot). */
async function sayVia(bot: TestBot, connector: Connector, text: string, conversationId: string, from = ALICE): Promise<Record<string, any>[]> {
  const before = connector.sent(conversationId).length;
  const res = await bot.post(messageActivity(text, { serviceUrl: connector.url, conversationId, conversationType: "channel", from }));
  expect(res.status).toBeLessThan(300);
  await connector.waitFor(() => connector.sent(conversationId).length > before);
  return connector.sent(conversationId).slice(before).map((c) => c.activity);
}

/** Polls `read` until it yields a value (background work finishing); fails after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function textOf(activity: Record<string, any> | undefined): string {
  return cardText(cardOf(activity!));
}

function digestsIn(connector: Connector, conversationId: string): Record<string, any>[] {
  return connector
    .sent(conversationId)
    .map((c) => c.activity)
    .filter((a) => String(a.summary ?? "").startsWith("Daily security digest"));
}

describe("digest commands", () => {
  const clock = new TestClock(new Date(START));
  let bot: TestBot;
  beforeAll(async () => {
    bot = await boot(clock);
  });
  afterAll(async () => {
    await bot.stop();
  });

  test("when the time or the zone cannot be read, then the answer says what is wrong and nothing is stored", async () => {
    const [badTime] = await bot.say("digest on at 25:00", { conversationId: "conv-bad" });
    expect(textOf(badTime)).toContain('"25:00" is not a time of day');
    const [badZone] = await bot.say("digest on at 08:00 tz Mars/Olympus", { conversationId: "conv-bad" });
    expect(textOf(badZone)).toContain('"Mars/Olympus" is not a time zone I know');
    const [stray] = await bot.say("digest on tomorrow", { conversationId: "conv-bad" });
    expect(textOf(stray)).toContain('I don\'t understand "tomorrow"');
    const [unknown] = await bot.say("digest sometimes", { conversationId: "conv-bad" });
    expect(textOf(unknown)).toContain('I don\'t know "digest sometimes"');
    expect(await bot.app.services.store.getDocument(DIGEST_SUBSCRIPTIONS, "conv-bad")).toBeUndefined();
    const audit = await bot.app.services.store.listAudit({ limit: 10 });
    expect(audit.find((e) => e.conversationId === "conv-bad" && e.action === "command:digest on")?.result).toBe("invalid");
  });

  test("when digest on is given a time and zone, then the schedule is stored under the conversation id and digest shows it", async () => {
    const [on] = await bot.say("digest on at 08:30 tz europe/berlin", { conversationId: "conv-on", conversationType: "channel" });
    expect(textOf(on)).toContain("every day at 08:30 Europe/Berlin");
    expect(textOf(on)).toContain("Wed 4 Jun 08:30 (06:30 UTC)");
    const doc = await bot.app.services.store.getDocument<DigestSubscription>(DIGEST_SUBSCRIPTIONS, "conv-on");
    expect(doc?.value).toMatchObject({
      conversationId: "conv-on",
      conversationKind: "channel",
      time: "08:30",
      timeZone: "Europe/Berlin",
      createdBy: { id: ALICE.aadObjectId, name: ALICE.name },
    });
    const [show] = await bot.say("digest", { conversationId: "conv-on" });
    expect(textOf(show)).toContain("every day at 08:30 Europe/Berlin");
    expect(textOf(show)).toContain("not yet");

    const [changed] = await bot.say("digest on at 6pm", { conversationId: "conv-on" });
    expect(textOf(changed)).toContain("Digest time changed");
    expect(textOf(changed)).toContain("every day at 18:00 UTC");
    expect((await bot.app.services.store.listDocuments(DIGEST_SUBSCRIPTIONS)).filter((d) => d.key === "conv-on")).toHaveLength(1);
  });

  test("when digest on has no time, then the configured default applies", async () => {
    const [on] = await bot.say("digest on", { conversationId: "conv-default" });
    expect(textOf(on)).toContain("every day at 08:00 UTC");
  });

  test("when digest off, then the subscription is removed and digest says there is none", async () => {
    await bot.say("digest on", { conversationId: "conv-off" });
    const [off] = await bot.say("digest off", { conversationId: "conv-off" });
    expect(textOf(off)).toContain("Daily digest off");
    expect(await bot.app.services.store.getDocument(DIGEST_SUBSCRIPTIONS, "conv-off")).toBeUndefined();
    const [show] = await bot.say("digest", { conversationId: "conv-off" });
    expect(textOf(show)).toContain("No daily digest here");
    const [again] = await bot.say("digest off", { conversationId: "conv-off" });
    expect(textOf(again)).toContain("There was no daily digest here");
  });

  test("when digest now is asked, then a valid digest card under 28 KB with buttons to the full views arrives", async () => {
    const [reply] = await bot.say("digest now", { conversationId: "conv-now" });
    const card = cardOf(reply!);
    expect(cardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
    const text = cardText(card);
    for (const part of [
      "Daily security digest",
      "Contoso Production",
      "High-severity recommendations",
      "Alerts in the last 24 hours",
      "JIT access granted in the last 24 hours",
      "Packet captures in the last 24 hours",
      "Top exposures",
      "vm-app-01",
    ]) {
      expect(text).toContain(part);
    }
    expect((card.actions as any[]).map((a) => a.data?.command)).toEqual(["recommendations high", "alerts", "exposure"]);
    expect(card).toMatchSnapshot();
  });
});

describe("digest content from the day's activity", () => {
  test("when JIT access was granted and a capture ran, then the digest names who, which VM and when", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      const [jit] = await bot.say("jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because hotfix", { conversationId: "conv-day" });
      expect(textOf(jit)).toContain("approval not required");
      await bot.say("capture start vm-api-01 for 60s", { conversationId: "conv-day" });
      await eventually(async () => {
        const docs = await bot.app.services.store.listDocuments<{ state: string }>("captures");
        return docs.find((d) => d.value.state === "running");
      });
      clock.set("2025-06-04T05:10:00Z");
      const [digest] = await bot.say("digest now", { conversationId: "conv-day" });
      const card = cardOf(digest!);
      expect(cardProblems(card)).toEqual([]);
      const text = cardText(card);
      expect(text).toMatch(/JIT access granted in the last 24 hours[\s\S]*vm-api-01 · port 3389[\s\S]*by Alice Analyst[\s\S]*05:00–06:00 from 203\.0\.113\.7/);
      expect(text).toMatch(/Packet captures in the last 24 hours[\s\S]*on vm-api-01 · started by Alice Analyst · running[\s\S]*10m ago/);
    } finally {
      await bot.stop();
    }
  });
});

describe("digest roles", () => {
  test("when a reader turns the digest on, then it is refused naming the operator role, while digest now works", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock, { ROLE_READERS: ALICE.aadObjectId, ROLE_OPERATORS: BOB.aadObjectId, ROLE_APPROVERS: BOB.aadObjectId });
    try {
      const [refused] = await bot.say("digest on", { conversationId: "conv-roles" });
      expect(textOf(refused)).toContain("needs the operator role");
      const [now] = await bot.say("digest now", { conversationId: "conv-roles" });
      expect(textOf(now)).toContain("Daily security digest");
      const [show] = await bot.say("digest", { conversationId: "conv-roles" });
      expect(textOf(show)).toContain("No daily digest here");
      const [ok] = await bot.say("digest on", { conversationId: "conv-roles", from: BOB });
      expect(textOf(ok)).toContain("Daily digest on");
      const [off] = await bot.say("digest off", { conversationId: "conv-roles" });
      expect(textOf(off)).toContain("needs the operator role");
    } finally {
      await bot.stop();
    }
  });
});

describe("scheduled digests", () => {
  test("when the scheduled minute comes, then exactly one digest is posted that day and the next day's compares with it", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-daily", conversationType: "channel" });
      expect((await bot.app.digest.tick(clock.set("2025-06-04T06:29:59Z"))).posted).toEqual([]);
      expect((await bot.app.digest.tick(clock.set("2025-06-04T06:30:00Z"))).posted).toEqual(["conv-daily"]);
      expect((await bot.app.digest.tick(clock.set("2025-06-04T06:45:00Z"))).posted).toEqual([]);
      expect((await bot.app.digest.tick(clock.set("2025-06-04T21:59:00Z"))).posted).toEqual([]);
      expect(digestsIn(bot.connector, "conv-daily")).toHaveLength(1);
      expect(textOf(digestsIn(bot.connector, "conv-daily")[0])).toContain("the first digest here");

      expect((await bot.app.digest.tick(clock.set("2025-06-05T06:29:00Z"))).posted).toEqual([]);
      expect((await bot.app.digest.tick(clock.set("2025-06-05T06:30:10Z"))).posted).toEqual(["conv-daily"]);
      const second = textOf(digestsIn(bot.connector, "conv-daily")[1]);
      expect(second).toContain("Since the last digest: 0 new, 0 fixed");
      expect(second).toContain("no change since the last digest");
      expect(second).toMatch(/14 days [▁-█]{2}/);

      const posts = (await bot.app.services.store.listAudit({ limit: 50 })).filter((e) => e.action === "digest:post");
      expect(posts.map((e) => [e.result, e.detail])).toEqual([
        ["ok", "2025-06-05 (08:30 Europe/Berlin)"],
        ["ok", "2025-06-04 (08:30 Europe/Berlin)"],
      ]);
    } finally {
      await bot.stop();
    }
  });

  test("when a recommendation is fixed and another appears, then the next digest says so", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-diff" });
      await bot.app.digest.tick(clock.set("2025-06-04T06:30:00Z"));
      const estate = bot.app.simulator!.estate;
      const waf = estate.assessmentMetadata.find((m) => /web application firewall|WAF/i.test(m.displayName))!;
      const updates = estate.assessmentMetadata.find((m) => /system updates/i.test(m.displayName))!;
      for (const a of estate.assessments) if (a.key === updates.key && a.status === "Unhealthy") a.status = "Healthy";
      waf.severity = "High";
      await bot.app.digest.tick(clock.set("2025-06-05T06:30:00Z"));
      const text = textOf(digestsIn(bot.connector, "conv-diff")[1]);
      expect(text).toMatch(/Since the last digest: 1 new, 1 fixed/);
      expect(text).toContain(waf.displayName);
      expect(text).toContain(updates.displayName);
    } finally {
      await bot.stop();
    }
  });

  describe("restarts", () => {
    let dir: string;
    let connector: Connector;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "secops-digest-"));
      connector = await startConnector();
    });
    afterEach(async () => {
      await connector.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test("when the bot restarts before and after the scheduled minute, then the day's digest is posted once", async () => {
      const clock = new TestClock(new Date(START));
      let bot = await boot(clock, { STATE_DIR: dir });
      await sayVia(bot, connector, "digest on at 08:30 tz Europe/Berlin", "conv-restart");
      await bot.stop();

      clock.set("2025-06-04T06:10:00Z"); // restart before the minute
      bot = await boot(clock, { STATE_DIR: dir });
      await bot.app.digest.tick();
      expect(digestsIn(connector, "conv-restart")).toHaveLength(0);
      await bot.app.digest.tick(clock.set("2025-06-04T06:30:00Z"));
      expect(digestsIn(connector, "conv-restart")).toHaveLength(1);
      await bot.stop();

      clock.set("2025-06-04T06:40:00Z"); // restart after the minute, same day: already posted
      bot = await boot(clock, { STATE_DIR: dir });
      await bot.app.digest.tick();
      await bot.app.digest.tick(clock.set("2025-06-04T07:40:00Z"));
      expect(digestsIn(connector, "conv-restart")).toHaveLength(1);
      await bot.app.digest.tick(clock.set("2025-06-05T06:30:00Z"));
      expect(digestsIn(connector, "conv-restart")).toHaveLength(2);
      await bot.stop();
    });

    test("when the bot was down at the scheduled minute, then the digest is posted once on start the same day, and not late the next day", async () => {
      const clock = new TestClock(new Date(START));
      let bot = await boot(clock, { STATE_DIR: dir });
      await sayVia(bot, connector, "digest on at 08:30 tz Europe/Berlin", "conv-missed");
      await bot.stop();

      clock.set("2025-06-04T09:15:00Z"); // down from 07:00 to 11:15 Berlin time
      bot = await boot(clock, { STATE_DIR: dir });
      await bot.app.digest.tick(); // waits for the pass start() ran
      expect(digestsIn(connector, "conv-missed")).toHaveLength(1);
      await bot.stop();

      clock.set("2025-06-04T09:20:00Z");
      bot = await boot(clock, { STATE_DIR: dir });
      await bot.app.digest.tick();
      expect(digestsIn(connector, "conv-missed")).toHaveLength(1);
      await bot.stop();

      clock.set("2025-06-06T05:00:00Z"); // down for all of the 5th: the 5th's digest is not owed any more
      bot = await boot(clock, { STATE_DIR: dir });
      await bot.app.digest.tick();
      expect(digestsIn(connector, "conv-missed")).toHaveLength(1);
      await bot.app.digest.tick(clock.set("2025-06-06T06:30:00Z"));
      expect(digestsIn(connector, "conv-missed")).toHaveLength(2);
      await bot.stop();
    });

    test("when an instance died while posting, then its claim blocks others until the lease ends, and the digest is then posted once", async () => {
      const clock = new TestClock(new Date(START));
      const bot = await boot(clock, { STATE_DIR: dir });
      try {
        await sayVia(bot, connector, "digest on at 08:30 tz Europe/Berlin", "conv-crash");
        const store = bot.app.services.store;
        const doc = (await store.getDocument<DigestSubscription>(DIGEST_SUBSCRIPTIONS, "conv-crash"))!;
        // What a crashed instance leaves behind: a claim written at 08:30, no result.
        await store.putDocument(DIGEST_SUBSCRIPTIONS, "conv-crash", { ...doc.value, claim: { localDate: "2025-06-04", at: "2025-06-04T06:30:00.000Z", by: "dead" } });
        expect((await bot.app.digest.tick(clock.set("2025-06-04T06:32:00Z"))).posted).toEqual([]);
        expect((await bot.app.digest.tick(clock.set("2025-06-04T06:35:00Z"))).posted).toEqual(["conv-crash"]);
        expect((await bot.app.digest.tick(clock.set("2025-06-04T06:41:00Z"))).posted).toEqual([]);
        expect(digestsIn(connector, "conv-crash")).toHaveLength(1);
        const after = (await store.getDocument<DigestSubscription>(DIGEST_SUBSCRIPTIONS, "conv-crash"))!.value;
        expect(after.lastPostedLocalDate).toBe("2025-06-04");
        expect(after.claim).toBeUndefined();
      } finally {
        await bot.stop();
      }
    });
  });

  test("when two schedulers tick at the same moment on the same store, then each conversation gets one digest", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      const conversations = Array.from({ length: 6 }, (_, i) => `conv-race-${i}`);
      for (const id of conversations) await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: id });
      const s = bot.app.services;
      const other = new DigestScheduler({ store: s.store, azure: s.azure, cards: s.cards, notifier: s.notifier, clock, logger: s.logger });
      const at = clock.set("2025-06-04T06:30:00Z");
      const [a, b] = await Promise.all([bot.app.digest.tick(at), other.tick(at)]);
      expect([...a.posted, ...b.posted].sort()).toEqual(conversations);
      for (const id of conversations) expect(digestsIn(bot.connector, id)).toHaveLength(1);
    } finally {
      await bot.stop();
    }
  });

  test("when the bot was removed from a conversation (403), then its subscription is disabled with an audit entry", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-gone" });
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-stays" });
      bot.connector.failConversation("conv-gone", 403);
      const result = await bot.app.digest.tick(clock.set("2025-06-04T06:30:00Z"));
      expect(result.disabled).toEqual(["conv-gone"]);
      expect(result.posted).toEqual(["conv-stays"]);
      const store = bot.app.services.store;
      expect(await store.getDocument(DIGEST_SUBSCRIPTIONS, "conv-gone")).toBeUndefined();
      expect((await store.getDocument<DisabledDigest>(DIGEST_DISABLED, "conv-gone"))?.value).toMatchObject({
        conversationId: "conv-gone",
        schedule: { time: "08:30", timeZone: "Europe/Berlin" },
      });
      const audit = (await store.listAudit({ limit: 20 })).find((e) => e.action === "digest:disable");
      expect(audit).toMatchObject({ target: "conv-gone", result: "disabled", actorId: "secops-bot" });
      expect((await bot.app.digest.tick(clock.set("2025-06-05T06:30:00Z"))).posted).toEqual(["conv-stays"]);
    } finally {
      await bot.stop();
    }
  });

  test("when posting fails for a while, then it is retried with backoff on later ticks and posted once it works", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-flaky" });
      const s = bot.app.services;
      let failuresLeft = 2;
      const flaky: Notifier = {
        post: async (id, card) => {
          if (failuresLeft-- > 0) throw new AppError("AzureUnavailable", "Teams did not accept the message; it will be retried.");
          return s.notifier.post(id, card);
        },
        update: (id, activityId, card) => s.notifier.update(id, activityId, card),
      };
      const scheduler = new DigestScheduler({ store: s.store, azure: s.azure, cards: s.cards, notifier: flaky, clock, logger: s.logger, retryBaseMs: 60_000 });
      expect((await scheduler.tick(clock.set("2025-06-04T06:30:00Z"))).retrying).toEqual(["conv-flaky"]);
      expect(await scheduler.tick(clock.set("2025-06-04T06:30:30Z"))).toMatchObject({ posted: [], retrying: [] });
      expect((await scheduler.tick(clock.set("2025-06-04T06:31:00Z"))).retrying).toEqual(["conv-flaky"]);
      expect(await scheduler.tick(clock.set("2025-06-04T06:32:30Z"))).toMatchObject({ posted: [], retrying: [] });
      expect((await scheduler.tick(clock.set("2025-06-04T06:33:00Z"))).posted).toEqual(["conv-flaky"]);
      expect((await scheduler.tick(clock.set("2025-06-04T06:40:00Z"))).posted).toEqual([]);
      expect(digestsIn(bot.connector, "conv-flaky")).toHaveLength(1);
    } finally {
      await bot.stop();
    }
  });

  test("when posting keeps failing, then the day is given up after the last attempt with an audit entry, and the next day is tried again", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: "conv-down" });
      const s = bot.app.services;
      const down: Notifier = {
        post: async () => {
          throw new AppError("AzureUnavailable", "Teams did not accept the message; it will be retried.");
        },
        update: async () => undefined,
      };
      const scheduler = new DigestScheduler({ store: s.store, azure: s.azure, cards: s.cards, notifier: down, clock, logger: s.logger, maxAttempts: 2, retryBaseMs: 1000 });
      expect((await scheduler.tick(clock.set("2025-06-04T06:30:00Z"))).retrying).toEqual(["conv-down"]);
      expect((await scheduler.tick(clock.set("2025-06-04T06:31:00Z"))).gaveUp).toEqual(["conv-down"]);
      expect(await scheduler.tick(clock.set("2025-06-04T07:31:00Z"))).toMatchObject({ posted: [], retrying: [], gaveUp: [] });
      const audit = (await s.store.listAudit({ limit: 20 })).find((e) => e.action === "digest:post");
      expect(audit).toMatchObject({ result: "error", target: "conv-down" });
      expect(audit?.detail).toContain("gave up on 2025-06-04 after 2 attempts");
      expect((await scheduler.tick(clock.set("2025-06-05T06:30:00Z"))).retrying).toEqual(["conv-down"]);
    } finally {
      await bot.stop();
    }
  });

  test("when 200 conversations are due at once, then the run costs one set of ARM reads", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock);
    try {
      const conversations = Array.from({ length: 200 }, (_, i) => `conv-many-${String(i).padStart(3, "0")}`);
      // One real subscription, then 199 more conversations the bot knows, subscribed the same way (as 199 turns would).
      await bot.say("digest on at 08:30 tz Europe/Berlin", { conversationId: conversations[0], conversationType: "channel" });
      const store = bot.app.services.store;
      const conversation = (await store.getConversation(conversations[0]!))!;
      const subscription = (await store.getDocument<DigestSubscription>(DIGEST_SUBSCRIPTIONS, conversations[0]!))!.value;
      for (const id of conversations.slice(1)) {
        const reference = { ...conversation.reference, conversation: { ...(conversation.reference.conversation as object), id } };
        await store.saveConversation({ ...conversation, id, reference });
        await store.putDocument(DIGEST_SUBSCRIPTIONS, id, { ...subscription, conversationId: id });
      }
      const sim = bot.app.simulator!;
      const azure = bot.app.services.azure;

      azure.invalidate();
      sim.resetStats();
      const result = await bot.app.digest.tick(clock.set("2025-06-04T06:30:00Z"));
      const run = sim.stats();
      expect(result.posted).toHaveLength(200);
      expect(new Set(bot.connector.sent().filter((c) => c.conversationId.startsWith("conv-many-") && String(c.activity.summary).startsWith("Daily security digest")).map((c) => c.conversationId)).size).toBe(200);

      // What building one digest's data costs from a cold cache.
      const later = clock.set("2025-06-04T06:35:00Z");
      azure.invalidate();
      sim.resetStats();
      await readDigestData({ azure, store: bot.app.services.store, logger: bot.app.services.logger }, later);
      const once = sim.stats();

      expect(run.total).toBeGreaterThan(0);
      expect(run.byRoute).toEqual(once.byRoute);
      const scoreRoutes = Object.entries(run.byRoute).filter(([route]) => /secureScores$/.test(route));
      expect(scoreRoutes.map(([, n]) => n)).toEqual([bot.app.config.subscriptionIds.length]);
    } finally {
      await bot.stop();
    }
  });
});

describe("alert push through the webhook", () => {
  test("when an alert arrives on /api/alerts, then every conversation with a digest gets the alert card, and others do not", async () => {
    const clock = new TestClock(new Date(START));
    const bot = await boot(clock, { ALERT_WEBHOOK_SECRET: "s3cret-for-tests" });
    try {
      await bot.say("digest on", { conversationId: "conv-alert-1", conversationType: "channel" });
      await bot.say("digest on at 09:00 tz Europe/Berlin", { conversationId: "conv-alert-2", conversationType: "groupChat" });
      await bot.say("help", { conversationId: "conv-alert-none" });
      const before = bot.connector.sent("conv-alert-none").length;
      const vm = bot.app.simulator!.estate.vms.find((v) => v.name === "vm-web-01")!;
      const res = await fetch(`${bot.url}/api/alerts?key=s3cret-for-tests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          properties: {
            systemAlertId: "2517000000000000000_digest-e2e",
            alertDisplayName: "Communication with suspicious domain identified by threat intelligence",
            alertType: "VM_ThreatIntelSuspectDomain",
            severity: "High",
            description: "Analysis of DNS transactions from vm-web-01 detected communication with a suspicious domain.",
            remediationSteps: ["Isolate the machine", "Review the processes that contacted the domain"],
            resourceIdentifiers: [{ type: "AzureResource", azureResourceId: vm.id }],
            alertUri: "https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/digest-e2e",
            startTimeUtc: "2025-06-04T04:55:00Z",
            status: "Active",
          },
        }),
      });
      expect(res.status).toBe(202);
      const isAlert = (a: Record<string, any>) => String(a.summary ?? "").startsWith("High alert:");
      await bot.connector.waitFor(() => ["conv-alert-1", "conv-alert-2"].every((id) => bot.connector.sent(id).some((c) => isAlert(c.activity))));
      for (const id of ["conv-alert-1", "conv-alert-2"]) {
        const posted = bot.connector.sent(id).filter((c) => isAlert(c.activity));
        expect(posted).toHaveLength(1);
        const card = cardOf(posted[0]!.activity);
        expect(cardProblems(card)).toEqual([]);
        const text = cardText(card);
        expect(text).toContain("Communication with suspicious domain");
        expect(text).toContain("vm-web-01 (rg-web-prod)");
        expect(text).toContain("1. Isolate the machine");
        expect((card.actions as any[]).some((a) => a.type === "Action.OpenUrl" && a.url.startsWith("https://portal.azure.com/"))).toBe(true);
      }
      // The fan-out is audited once it has finished; then nothing else can arrive.
      const fanOut = await eventually(async () => (await bot.app.services.store.listAudit({ limit: 20 })).find((e) => e.action === "alert:post"));
      expect(fanOut.detail).toContain("posted to 2 of 2 conversations");
      expect(bot.connector.sent("conv-alert-none")).toHaveLength(before);
    } finally {
      await bot.stop();
    }
  });
});
