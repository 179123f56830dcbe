/**
 * The JIT expiry job against a real SQLite store and the real card renderer; the notifier is a small recording fake
 * (the e2e suite covers the real one through the connector).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCardRenderer } from "../../src/cards/render";
import { INTERRUPTED_REASON, JitExpiryJob } from "../../src/digest/jit-expiry";
import { AppError } from "../../src/domain/errors";
import { JIT_REQUESTS, type JitRequestRecord } from "../../src/domain/jit-record";
import type { Notifier, RenderedCard } from "../../src/domain/ports";
import { createLogger } from "../../src/logger";
import { openSqliteStore } from "../../src/store/sqlite-store";
import type { Store } from "../../src/store/store";
import { cardText } from "../helpers/cards";
import { at, grantedRecord, jitRecord, REQUESTER } from "../domain/jit-record-builders";

class RecordingNotifier implements Notifier {
  posts: { conversationId: string; text: string }[] = [];
  updates: { conversationId: string; activityId: string; text: string }[] = [];
  failing = new Set<string>();

  post(conversationId: string, card: RenderedCard): Promise<string | undefined> {
    if (this.failing.has(conversationId)) return Promise.reject(new AppError("NotFound", "gone"));
    this.posts.push({ conversationId, text: cardText(card.card) });
    return Promise.resolve(`posted-${this.posts.length}`);
  }

  update(conversationId: string, activityId: string, card: RenderedCard): Promise<void> {
    if (this.failing.has(conversationId)) return Promise.reject(new AppError("NotFound", "gone"));
    this.updates.push({ conversationId, activityId, text: cardText(card.card) });
    return Promise.resolve();
  }
}

const cards = createCardRenderer();
const logger = createLogger("silent");
const CARDS = [
  { conversationId: "conv-alice", activityId: "a-1" },
  { conversationId: "conv-bob", activityId: "b-1" },
];

function job(store: Store, notifier: Notifier): JitExpiryJob {
  return new JitExpiryJob({ store, cards, notifier, clock: { now: () => at(0) }, logger });
}

async function put(store: Store, record: JitRequestRecord): Promise<void> {
  await store.putDocument(JIT_REQUESTS, record.id, record);
}

async function get(store: Store, id: string): Promise<JitRequestRecord> {
  return (await store.getDocument<JitRequestRecord>(JIT_REQUESTS, id))!.value;
}

describe("JIT expiry job", () => {
  let store: Store;
  let notifier: RecordingNotifier;
  beforeEach(() => {
    store = openSqliteStore({ dir: ":memory:" });
    notifier = new RecordingNotifier();
  });
  afterEach(async () => {
    await store.close();
  });

  test("when a pending request waited over 30 minutes, then it expires, every card says so, the requester is told and it is audited", async () => {
    await put(store, jitRecord({ cards: CARDS }));
    const result = await job(store, notifier).tick(at(31));
    expect(result.expired).toEqual(["JABCDEF"]);
    expect((await get(store, "JABCDEF")).status).toBe("expired");
    expect(notifier.updates.map((u) => [u.conversationId, u.activityId])).toEqual([["conv-alice", "a-1"], ["conv-bob", "b-1"]]);
    expect(notifier.updates.every((u) => u.text.includes("Expired: nobody decided"))).toBe(true);
    expect(notifier.posts).toEqual([expect.objectContaining({ conversationId: "conv-alice", text: expect.stringContaining("expired") })]);
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: "jit:expire", target: "JABCDEF", result: "expired", actorId: "secops-bot" });
  });

  test("when the requester has a personal chat with the bot, then notices go there rather than to the channel they asked in", async () => {
    await store.saveConversation({ id: "conv-personal-alice", kind: "personal", reference: { user: { id: "29:alice", aadObjectId: REQUESTER.id } }, updatedAt: at(0).toISOString() });
    await put(store, grantedRecord({ conversationId: "19:channel" }));
    await job(store, notifier).tick(at(61));
    expect(notifier.posts.map((p) => p.conversationId)).toEqual(["conv-personal-alice"]);
  });

  test("when access is about to end and then ends, then there is one notice for each, and the cards show expired", async () => {
    await put(store, grantedRecord({ cards: CARDS }));
    const j = job(store, notifier);
    expect((await j.tick(at(50))).endingNotices).toEqual([]);
    expect((await j.tick(at(61))).endingNotices).toEqual(["JABCDEF"]);
    expect((await j.tick(at(62))).endingNotices).toEqual([]);
    expect(notifier.posts.map((p) => p.text)).toEqual([expect.stringContaining("ends at 11:05 UTC, in 4 min")]);
    expect(notifier.updates).toEqual([]);

    expect((await j.tick(at(66))).ended).toEqual(["JABCDEF"]);
    expect((await j.tick(at(90))).ended).toEqual([]);
    expect(notifier.posts).toHaveLength(2);
    expect(notifier.posts[1]!.text).toContain("has ended");
    expect(notifier.updates.map((u) => u.text)).toEqual([expect.stringContaining("Expired: access ended at 11:05 UTC"), expect.stringContaining("Expired: access ended")]);
    const stored = await get(store, "JABCDEF");
    expect(stored).toMatchObject({ status: "granted", endingNoticeAt: at(61).toISOString(), accessEndedAt: at(66).toISOString() });
  });

  test("when a pass first runs after the end, then only the ended notice is sent", async () => {
    await put(store, grantedRecord());
    const result = await job(store, notifier).tick(at(120));
    expect(result).toMatchObject({ endingNotices: [], ended: ["JABCDEF"] });
    expect(notifier.posts).toHaveLength(1);
  });

  test("when an approved request never got Azure's answer, then it is marked failed with a reason that says to check Azure", async () => {
    await put(store, jitRecord({ status: "approved", decidedBy: { id: "b", name: "Bob" }, decidedAt: at(0).toISOString(), cards: CARDS }));
    expect((await job(store, notifier).tick(at(5))).interrupted).toEqual([]);
    expect((await job(store, notifier).tick(at(11))).interrupted).toEqual(["JABCDEF"]);
    expect(await get(store, "JABCDEF")).toMatchObject({ status: "failed", reason: INTERRUPTED_REASON });
    expect(notifier.updates.every((u) => u.text.includes("opening access failed"))).toBe(true);
  });

  test("when the requester's chat is gone, then the pass still records the step and handles the other requests", async () => {
    notifier.failing.add("conv-gone");
    await put(store, grantedRecord({ id: "JAAAAAA", conversationId: "conv-gone", cards: [{ conversationId: "conv-gone", activityId: "x" }] }));
    await put(store, grantedRecord({ id: "JBBBBBB" }));
    const result = await job(store, notifier).tick(at(70));
    expect(result.ended.sort()).toEqual(["JAAAAAA", "JBBBBBB"]);
    expect((await get(store, "JAAAAAA")).accessEndedAt).toBeDefined();
    expect(notifier.posts.map((p) => p.conversationId)).toEqual(["conv-alice"]);
  });

  test("when requests are decided, denied or failed, then the job leaves them alone", async () => {
    await put(store, jitRecord({ id: "JAAAAAA", status: "denied" }));
    await put(store, jitRecord({ id: "JBBBBBB", status: "failed" }));
    await put(store, jitRecord({ id: "JCCCCCC", status: "expired" }));
    const result = await job(store, notifier).tick(at(600));
    expect(result).toEqual({ expired: [], interrupted: [], endingNotices: [], ended: [] });
    expect(notifier.posts).toEqual([]);
  });

  test("when started, then stop() ends the timer and waits for a running pass", async () => {
    await put(store, jitRecord());
    const j = new JitExpiryJob({ store, cards, notifier, clock: { now: () => at(40) }, logger, intervalMs: 5 });
    j.start();
    const tick = j.tick();
    await j.stop();
    expect((await tick).expired).toEqual(["JABCDEF"]);
    expect((await get(store, "JABCDEF")).status).toBe("expired");
  });
});

describe("JIT expiry with two bot instances on one state file", () => {
  test("when both run a pass at the same moment, then each notice is sent exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "secops-jit-expiry-"));
    const a = openSqliteStore({ dir });
    const b = openSqliteStore({ dir });
    try {
      for (const id of ["JAAAAAA", "JBBBBBB", "JCCCCCC", "JDDDDDD"]) await put(a, grantedRecord({ id }));
      await put(a, jitRecord({ id: "JEEEEEE" }));
      const notifier = new RecordingNotifier();
      const [ra, rb] = await Promise.all([job(a, notifier).tick(at(61)), job(b, notifier).tick(at(61))]);
      expect([...ra.endingNotices, ...rb.endingNotices].sort()).toEqual(["JAAAAAA", "JBBBBBB", "JCCCCCC", "JDDDDDD"]);
      expect([...ra.expired, ...rb.expired]).toEqual(["JEEEEEE"]);
      expect(notifier.posts).toHaveLength(5);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
