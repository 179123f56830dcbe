/**
 * The behaviour every Store implementation must show (SQLite today, Azure Table Storage later).
 * Run it from an implementation's test file:
 *
 *   describeStoreContract("SqliteStore", () => open(), (closed) => reopenSameDir(closed));
 *
 * `open` returns a fresh, empty store for each test. `reopen`, when given, is called with a store
 * the suite has just closed and must return a new store over the same backing storage; the
 * persistence tests run only then. The suite closes every store it gets; removing backing storage
 * (temporary directories, tables) is the caller's job, e.g. in an afterEach around this call.
 */
import { AppError } from "../../src/domain/errors";
import type { AuditEntry, Store, StoredConversation } from "../../src/store/store";

/** Given a store the suite has closed, opens a new one over the same backing storage. */
export type ReopenStore = (closed: Store) => Promise<Store>;

/** Builds a conversation with overridable defaults. */
export function aConversation(overrides: Partial<StoredConversation> = {}): StoredConversation {
  return {
    id: "19:channel-a@thread.tacv2",
    kind: "channel",
    tenantId: "11111111-2222-3333-4444-555555555555",
    reference: {
      conversation: { id: "19:channel-a@thread.tacv2", conversationType: "channel" },
      serviceUrl: "https://smba.trafficmanager.net/emea/",
      bot: { id: "28:bot", name: "SecOps" },
    },
    updatedAt: "2024-05-01T08:00:00.000Z",
    ...overrides,
  };
}

/** Builds an audit entry with overridable defaults. */
export function anAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: "2024-05-01T08:00:00.000Z",
    actorId: "aaaaaaaa-0000-0000-0000-000000000001",
    action: "command:score",
    result: "ok",
    ...overrides,
  };
}

/** `base` plus `minutes`, as ISO 8601. */
function minutesAfter(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}

async function expectAppError(promise: Promise<unknown>, code: AppError["code"]): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

/** Registers the Store contract tests under `describe(name)`. */
export function describeStoreContract(name: string, open: () => Promise<Store>, reopen?: ReopenStore): void {
  describe(`${name} (Store contract)`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    async function closeAndReopen(): Promise<void> {
      if (reopen === undefined) throw new Error("reopen is not available");
      await store.close();
      store = await reopen(store);
    }

    describe("conversations", () => {
      it("when a conversation is saved, then get returns it unchanged", async () => {
        const conversation = aConversation();
        await store.saveConversation(conversation);
        expect(await store.getConversation(conversation.id)).toStrictEqual(conversation);
      });

      it("when a conversation has no tenant, then it comes back without a tenantId key", async () => {
        const { tenantId: _omitted, ...personal } = aConversation({ id: "a:personal-1", kind: "personal" });
        await store.saveConversation(personal);
        const got = await store.getConversation("a:personal-1");
        expect(got).toStrictEqual(personal);
        expect(got !== undefined && "tenantId" in got).toBe(false);
      });

      it("when the same id is saved twice, then the second replaces the first", async () => {
        await store.saveConversation(aConversation({ kind: "channel" }));
        const second = aConversation({ kind: "groupChat", reference: { v: 2 }, updatedAt: "2024-05-02T08:00:00.000Z" });
        await store.saveConversation(second);
        expect(await store.getConversation(second.id)).toStrictEqual(second);
        expect(await store.listConversations()).toHaveLength(1);
      });

      it("when an unknown id is read, then get returns undefined", async () => {
        expect(await store.getConversation("never-saved")).toBeUndefined();
      });

      it("when several are saved, then list returns exactly those", async () => {
        const ids = ["c-3", "c-1", "c-2"];
        for (const id of ids) await store.saveConversation(aConversation({ id }));
        const listed = await store.listConversations();
        expect(listed.map((c) => c.id).sort()).toEqual(["c-1", "c-2", "c-3"]);
      });

      it("when a reference holds nested and non-ASCII data, then it round-trips exactly", async () => {
        const reference = {
          user: { name: "Zoë Ångström 東京 🚀", aadObjectId: "x" },
          list: [1, "two", null, true, { deep: [[]] }],
          text: 'quotes " and \\ backslashes\nnew line ${not.a.template}',
        };
        await store.saveConversation(aConversation({ reference }));
        expect((await store.getConversation(aConversation().id))?.reference).toStrictEqual(reference);
      });

      it("when a conversation is deleted, then get and list no longer return it", async () => {
        await store.saveConversation(aConversation({ id: "keep" }));
        await store.saveConversation(aConversation({ id: "drop" }));
        await store.deleteConversation("drop");
        expect(await store.getConversation("drop")).toBeUndefined();
        expect((await store.listConversations()).map((c) => c.id)).toEqual(["keep"]);
      });

      it("when an unknown id is deleted, then nothing happens", async () => {
        await store.saveConversation(aConversation({ id: "keep" }));
        await expect(store.deleteConversation("missing")).resolves.toBeUndefined();
        expect(await store.listConversations()).toHaveLength(1);
      });
    });

    describe("audit log", () => {
      const t0 = "2024-05-01T08:00:00.000Z";

      it("when entries are appended out of time order, then list returns newest first", async () => {
        for (const minutes of [10, 0, 30, 20]) {
          await store.appendAudit(anAuditEntry({ at: minutesAfter(t0, minutes), target: `m${minutes}` }));
        }
        expect((await store.listAudit()).map((e) => e.target)).toEqual(["m30", "m20", "m10", "m0"]);
      });

      it("when two entries share a time, then the later append comes first", async () => {
        await store.appendAudit(anAuditEntry({ at: t0, action: "first" }));
        await store.appendAudit(anAuditEntry({ at: t0, action: "second" }));
        expect((await store.listAudit()).map((e) => e.action)).toEqual(["second", "first"]);
      });

      it("when times carry different offsets, then entries are ordered by instant", async () => {
        // 10:00+02:00 is 08:00Z, earlier than 09:00Z although it sorts later as text.
        await store.appendAudit(anAuditEntry({ at: "2024-05-01T09:00:00Z", action: "nine-utc" }));
        await store.appendAudit(anAuditEntry({ at: "2024-05-01T10:00:00+02:00", action: "eight-utc" }));
        const listed = await store.listAudit();
        expect(listed.map((e) => e.action)).toEqual(["nine-utc", "eight-utc"]);
        expect(listed[1].at).toBe("2024-05-01T10:00:00+02:00");
      });

      it("when every field is set, then the entry round-trips unchanged", async () => {
        const full: AuditEntry = {
          at: t0,
          actorId: "aaaaaaaa-0000-0000-0000-000000000002",
          actorName: "Ada Operator",
          tenantId: "11111111-2222-3333-4444-555555555555",
          conversationId: "19:channel-a@thread.tacv2",
          action: "jit:approve",
          target: "jit-req-42",
          result: "denied",
          detail: "requester cannot approve own request",
          correlationId: "corr-1",
        };
        await store.appendAudit(full);
        expect(await store.listAudit()).toStrictEqual([full]);
      });

      it("when optional fields are absent, then they stay absent", async () => {
        const minimal = anAuditEntry();
        await store.appendAudit(minimal);
        expect(await store.listAudit()).toStrictEqual([minimal]);
      });

      it("when since is given, then only entries at or after it are returned", async () => {
        for (const minutes of [0, 10, 20, 30]) {
          await store.appendAudit(anAuditEntry({ at: minutesAfter(t0, minutes), target: `m${minutes}` }));
        }
        const listed = await store.listAudit({ since: minutesAfter(t0, 10) });
        expect(listed.map((e) => e.target)).toEqual(["m30", "m20", "m10"]);
      });

      it("when a limit is given, then only that many of the newest are returned", async () => {
        for (let i = 0; i < 5; i++) await store.appendAudit(anAuditEntry({ at: minutesAfter(t0, i), target: `m${i}` }));
        expect((await store.listAudit({ limit: 2 })).map((e) => e.target)).toEqual(["m4", "m3"]);
        expect((await store.listAudit({ since: minutesAfter(t0, 1), limit: 3 })).map((e) => e.target)).toEqual([
          "m4",
          "m3",
          "m2",
        ]);
      });

      it("when no limit is given, then at most 200 entries are returned, the newest", async () => {
        for (let i = 0; i < 201; i++) await store.appendAudit(anAuditEntry({ at: minutesAfter(t0, i), target: `m${i}` }));
        const listed = await store.listAudit();
        expect(listed).toHaveLength(200);
        expect(listed[0].target).toBe("m200");
        expect(listed[199].target).toBe("m1");
      });

      it("when a limit above 1000 is asked for, then 1000 entries are returned", async () => {
        for (let i = 0; i < 1001; i++) await store.appendAudit(anAuditEntry({ at: minutesAfter(t0, i) }));
        expect(await store.listAudit({ limit: 5000 })).toHaveLength(1000);
      });

      it("when the limit is below 1, then listing fails with BadInput", async () => {
        await expectAppError(store.listAudit({ limit: 0 }), "BadInput");
      });

      it("when since is not a date, then listing fails with BadInput", async () => {
        await expectAppError(store.listAudit({ since: "yesterday-ish" }), "BadInput");
      });

      it("when an entry's time is not a date, then appending fails with BadInput and stores nothing", async () => {
        await expectAppError(store.appendAudit(anAuditEntry({ at: "not a time" })), "BadInput");
        expect(await store.listAudit()).toEqual([]);
      });

      it("when the log is empty, then list returns an empty array", async () => {
        expect(await store.listAudit({ since: t0 })).toEqual([]);
      });
    });

    describe("documents", () => {
      it("when a new document is put, then it gets version 1 and reads back", async () => {
        const value = { id: "jit-1", vm: "vm-web-01", ports: [22], state: "pending" };
        expect(await store.putDocument("jit-requests", "jit-1", value)).toBe(1);
        const got = await store.getDocument<typeof value>("jit-requests", "jit-1");
        expect(got).toMatchObject({ key: "jit-1", value, version: 1 });
        expect(Number.isNaN(Date.parse(got?.updatedAt ?? ""))).toBe(false);
      });

      it("when a document is put again without ifVersion, then it is replaced and its version goes up", async () => {
        await store.putDocument("c", "k", { n: 1 });
        expect(await store.putDocument("c", "k", { n: 2 })).toBe(2);
        expect(await store.putDocument("c", "k", { n: 3 })).toBe(3);
        expect(await store.getDocument("c", "k")).toMatchObject({ value: { n: 3 }, version: 3 });
      });

      it("when ifVersion is 0 and the document is new, then it is created with version 1", async () => {
        expect(await store.putDocument("c", "k", "v", { ifVersion: 0 })).toBe(1);
        expect((await store.getDocument("c", "k"))?.value).toBe("v");
      });

      it("when ifVersion is 0 and the document exists, then Conflict and nothing changes", async () => {
        await store.putDocument("c", "k", { owner: "first" });
        await expectAppError(store.putDocument("c", "k", { owner: "second" }, { ifVersion: 0 }), "Conflict");
        expect(await store.getDocument("c", "k")).toMatchObject({ value: { owner: "first" }, version: 1 });
      });

      it("when ifVersion matches, then the write succeeds with the next version", async () => {
        await store.putDocument("c", "k", { step: 1 });
        await store.putDocument("c", "k", { step: 2 });
        expect(await store.putDocument("c", "k", { step: 3 }, { ifVersion: 2 })).toBe(3);
        expect(await store.getDocument("c", "k")).toMatchObject({ value: { step: 3 }, version: 3 });
      });

      it("when ifVersion is stale, then Conflict and nothing changes", async () => {
        await store.putDocument("c", "k", { step: 1 });
        await store.putDocument("c", "k", { step: 2 });
        const before = await store.getDocument("c", "k");
        const error = await expectAppError(store.putDocument("c", "k", { step: "late" }, { ifVersion: 1 }), "Conflict");
        expect(error.userMessage.length).toBeGreaterThan(0);
        expect(await store.getDocument("c", "k")).toStrictEqual(before);
      });

      it("when ifVersion is above 0 and the document does not exist, then Conflict and nothing is created", async () => {
        await expectAppError(store.putDocument("c", "ghost", 1, { ifVersion: 1 }), "Conflict");
        expect(await store.getDocument("c", "ghost")).toBeUndefined();
      });

      it("when two puts race with the same ifVersion, then exactly one wins", async () => {
        await store.putDocument("jit-requests", "r1", { state: "pending" });
        const results = await Promise.allSettled([
          store.putDocument("jit-requests", "r1", { state: "approved" }, { ifVersion: 1 }),
          store.putDocument("jit-requests", "r1", { state: "denied" }, { ifVersion: 1 }),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0].reason as AppError).code).toBe("Conflict");
        const winner = results[0].status === "fulfilled" ? "approved" : "denied";
        expect(await store.getDocument("jit-requests", "r1")).toMatchObject({ value: { state: winner }, version: 2 });
      });

      it("when two creates race with ifVersion 0, then exactly one wins", async () => {
        const results = await Promise.allSettled([
          store.putDocument("captures", "cap-1", { by: "a" }, { ifVersion: 0 }),
          store.putDocument("captures", "cap-1", { by: "b" }, { ifVersion: 0 }),
        ]);
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        expect((await store.getDocument("captures", "cap-1"))?.version).toBe(1);
      });

      it("when the same key is used in two collections, then they are separate documents", async () => {
        await store.putDocument("a", "k", "in a");
        await store.putDocument("b", "k", "in b");
        await store.putDocument("b", "k", "in b again");
        expect(await store.getDocument("a", "k")).toMatchObject({ value: "in a", version: 1 });
        expect(await store.getDocument("b", "k")).toMatchObject({ value: "in b again", version: 2 });
      });

      it("when a collection is listed, then it returns exactly that collection's documents", async () => {
        await store.putDocument("digest", "conv-2", { at: "09:00" });
        await store.putDocument("digest", "conv-1", { at: "08:00" });
        await store.putDocument("digest", "conv-1", { at: "08:30" });
        await store.putDocument("other", "conv-3", { at: "10:00" });
        const listed = await store.listDocuments<{ at: string }>("digest");
        const byKey = Object.fromEntries(listed.map((d) => [d.key, { value: d.value, version: d.version }]));
        expect(byKey).toStrictEqual({
          "conv-1": { value: { at: "08:30" }, version: 2 },
          "conv-2": { value: { at: "09:00" }, version: 1 },
        });
        expect(await store.listDocuments("empty")).toEqual([]);
      });

      it.each([
        ["an object", { a: [1, { b: null }] }],
        ["an array", [1, "2", false]],
        ["a string", "text with ${braces}"],
        ["a number", 42.5],
        ["a boolean", false],
        ["null", null],
      ])("when the value is %s, then it round-trips exactly", async (_label, value) => {
        await store.putDocument("values", "k", value);
        expect((await store.getDocument("values", "k"))?.value).toStrictEqual(value);
      });

      it("when the value cannot be JSON (undefined), then BadInput and nothing is stored", async () => {
        await expectAppError(store.putDocument("c", "k", undefined), "BadInput");
        expect(await store.getDocument("c", "k")).toBeUndefined();
      });

      it("when the value is circular, then BadInput and nothing is stored", async () => {
        const circular: Record<string, unknown> = { name: "loop" };
        circular.self = circular;
        await expectAppError(store.putDocument("c", "k", circular), "BadInput");
        expect(await store.getDocument("c", "k")).toBeUndefined();
      });

      it("when ifVersion is negative, then BadInput", async () => {
        await expectAppError(store.putDocument("c", "k", 1, { ifVersion: -1 }), "BadInput");
      });

      it("when a document is deleted, then it is gone and can be created again with ifVersion 0", async () => {
        await store.putDocument("c", "k", "old");
        await store.putDocument("c", "other", "stays");
        await store.deleteDocument("c", "k");
        expect(await store.getDocument("c", "k")).toBeUndefined();
        expect((await store.listDocuments("c")).map((d) => d.key)).toEqual(["other"]);
        expect(await store.putDocument("c", "k", "new", { ifVersion: 0 })).toBe(1);
      });

      it("when a missing document is deleted, then nothing happens", async () => {
        await expect(store.deleteDocument("c", "missing")).resolves.toBeUndefined();
      });
    });

    describe("lifecycle", () => {
      it("when close is called twice, then the second call also resolves", async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });

    if (reopen !== undefined) {
      describe("persistence", () => {
        it("when the store is closed and reopened, then conversations, audit and documents are still there", async () => {
          const conversation = aConversation();
          await store.saveConversation(conversation);
          await store.appendAudit(anAuditEntry({ action: "jit:request", target: "vm-web-01" }));
          await store.putDocument("jit-requests", "r1", { state: "pending" });
          await store.putDocument("jit-requests", "r1", { state: "approved" });

          await closeAndReopen();

          expect(await store.getConversation(conversation.id)).toStrictEqual(conversation);
          expect(await store.listAudit()).toStrictEqual([anAuditEntry({ action: "jit:request", target: "vm-web-01" })]);
          expect(await store.getDocument("jit-requests", "r1")).toMatchObject({ value: { state: "approved" }, version: 2 });
        });

        it("when the store is reopened, then versions continue and optimistic checks still hold", async () => {
          await store.putDocument("c", "k", 1);
          await closeAndReopen();
          await expectAppError(store.putDocument("c", "k", 2, { ifVersion: 0 }), "Conflict");
          expect(await store.putDocument("c", "k", 2, { ifVersion: 1 })).toBe(2);
        });

        it("when a deletion happened before closing, then it is still deleted after reopening", async () => {
          await store.saveConversation(aConversation({ id: "gone" }));
          await store.putDocument("c", "gone", 1);
          await store.deleteConversation("gone");
          await store.deleteDocument("c", "gone");
          await closeAndReopen();
          expect(await store.getConversation("gone")).toBeUndefined();
          expect(await store.getDocument("c", "gone")).toBeUndefined();
        });
      });
    }
  });
}
