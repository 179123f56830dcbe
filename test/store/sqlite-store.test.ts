import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { AppError } from "../../src/domain/errors";
import { latestSchemaVersion, migrate, migrations, readSchemaVersion, type Migration } from "../../src/store/migrations";
import { DEFAULT_STORE_FILE_NAME, openSqliteStore, type SqliteStore } from "../../src/store/sqlite-store";
import { aConversation, anAuditEntry, describeStoreContract } from "./store-contract";
import { raceWriters } from "./racing-writers";

const tempDirs: string[] = [];

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secops-store-"));
  tempDirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A logger that keeps what it is told, for asserting on warnings. */
function recordingLogger() {
  const warnings: { obj: unknown; msg?: string }[] = [];
  return { warnings, warn: (obj: unknown, msg?: string) => void warnings.push({ obj, msg }) };
}

/** A raw connection to the store's file, for what the Store API cannot do (corrupting rows, reading pragmas). */
function rawConnection(dir: string): BetterSqlite3.Database {
  return new BetterSqlite3(path.join(dir, DEFAULT_STORE_FILE_NAME));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("SqliteStore", () => {
  describe("on a file", () => {
    let dir = "";
    describeStoreContract(
      "SqliteStore on a file",
      async () => {
        dir = freshDir();
        return openSqliteStore({ dir });
      },
      async () => openSqliteStore({ dir }),
    );
  });

  describeStoreContract("SqliteStore in memory", async () => openSqliteStore({ dir: ":memory:" }));

  describe("files and directories", () => {
    it("when the state directory does not exist, then it is created with the default file in it", async () => {
      const dir = path.join(freshDir(), "nested", "state");
      const store = openSqliteStore({ dir });
      await store.putDocument("c", "k", 1);
      await store.close();
      expect(fs.existsSync(path.join(dir, DEFAULT_STORE_FILE_NAME))).toBe(true);
      expect(store.location).toBe(path.join(dir, DEFAULT_STORE_FILE_NAME));
    });

    it("when a file name is given, then the store uses that file", async () => {
      const dir = freshDir();
      const store = openSqliteStore({ dir, fileName: "other.db" });
      await store.close();
      expect(fs.existsSync(path.join(dir, "other.db"))).toBe(true);
      expect(fs.existsSync(path.join(dir, DEFAULT_STORE_FILE_NAME))).toBe(false);
    });

    it("when the store is opened, then the file is in WAL mode", async () => {
      const dir = freshDir();
      const store = openSqliteStore({ dir });
      const raw = rawConnection(dir);
      try {
        expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      } finally {
        raw.close();
        await store.close();
      }
    });

    it("when the state directory path is an existing file, then opening fails with a Config error naming STATE_DIR", () => {
      const file = path.join(freshDir(), "not-a-dir");
      fs.writeFileSync(file, "x");
      const error = thrownBy(() => openSqliteStore({ dir: file }));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("Config");
      expect((error as AppError).userMessage).toContain("STATE_DIR");
    });

    it("when two stores are opened in memory, then they do not share data", async () => {
      const a = openSqliteStore({ dir: ":memory:" });
      const b = openSqliteStore({ dir: ":memory:" });
      await a.putDocument("c", "k", "only in a");
      expect(await b.getDocument("c", "k")).toBeUndefined();
      expect(a.location).toBe(":memory:");
      await Promise.all([a.close(), b.close()]);
    });
  });

  describe("migrations", () => {
    it("when the shipped migrations are listed, then they are numbered 1, 2, 3, ... without gaps", () => {
      expect(migrations.map((m) => m.version)).toEqual(migrations.map((_m, i) => i + 1));
      expect(latestSchemaVersion).toBe(migrations.length);
    });

    it("when a new file is opened, then it is at the latest schema version", async () => {
      const store = openSqliteStore({ dir: freshDir() });
      expect(store.schemaVersion).toBe(latestSchemaVersion);
      await store.close();
    });

    it("when an existing file is reopened, then no migration runs again and the data stays", async () => {
      const dir = freshDir();
      const first = openSqliteStore({ dir });
      await first.putDocument("c", "k", { kept: true });
      await first.close();

      const second = openSqliteStore({ dir });
      expect(second.schemaVersion).toBe(latestSchemaVersion);
      expect(await second.getDocument("c", "k")).toMatchObject({ value: { kept: true }, version: 1 });
      await second.close();

      const raw = rawConnection(dir);
      try {
        expect(migrate(raw)).toEqual({ from: latestSchemaVersion, to: latestSchemaVersion, applied: [] });
      } finally {
        raw.close();
      }
    });

    it("when a migration is appended, then reopening applies only the new one", () => {
      const raw = new BetterSqlite3(path.join(freshDir(), "m.sqlite"));
      const runs: number[] = [];
      const counted = (list: readonly Migration[]): Migration[] =>
        list.map((m) => ({ ...m, up: (db) => (runs.push(m.version), m.up(db)) }));
      const next = latestSchemaVersion + 1;
      const appended: Migration = {
        version: next,
        description: "digest history",
        up: (db) => void db.exec("CREATE TABLE digest_runs (id TEXT PRIMARY KEY)"),
      };
      try {
        expect(migrate(raw, counted(migrations)).applied).toEqual(migrations.map((m) => m.version));
        runs.length = 0;
        expect(migrate(raw, counted([...migrations, appended]))).toEqual({
          from: latestSchemaVersion,
          to: next,
          applied: [next],
        });
        expect(runs).toEqual([next]);
        expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'digest_runs'").get()).toBeDefined();
      } finally {
        raw.close();
      }
    });

    it("when a migration fails, then its changes roll back and the version stays", () => {
      const raw = new BetterSqlite3(path.join(freshDir(), "m.sqlite"));
      const broken: Migration = {
        version: latestSchemaVersion + 1,
        description: "broken",
        up: (db) => {
          db.exec("CREATE TABLE half_done (id TEXT)");
          db.exec("THIS IS NOT SQL");
        },
      };
      try {
        migrate(raw);
        const error = thrownBy(() => migrate(raw, [...migrations, broken]));
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("Config");
        expect(readSchemaVersion(raw)).toBe(latestSchemaVersion);
        expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
      } finally {
        raw.close();
      }
    });

    it("when the migration list skips a version, then migrate refuses before touching the file", () => {
      const raw = new BetterSqlite3(":memory:");
      const skipping: Migration[] = [{ ...migrations[0], version: 2 }];
      const error = thrownBy(() => migrate(raw, skipping));
      expect((error as AppError).code).toBe("Internal");
      expect(readSchemaVersion(raw)).toBe(0);
      raw.close();
    });

    it("when the file has a newer schema than this code knows, then opening is refused with a Config error", async () => {
      const dir = freshDir();
      await openSqliteStore({ dir }).close();
      const newer = latestSchemaVersion + 5;
      const raw = rawConnection(dir);
      raw.pragma(`user_version = ${newer}`);
      raw.close();

      const error = thrownBy(() => openSqliteStore({ dir }));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("Config");
      expect((error as AppError).userMessage).toContain(`schema version ${newer}`);
      expect((error as AppError).userMessage).toContain(`up to ${latestSchemaVersion}`);
      expect((error as AppError).userMessage).toContain("STATE_DIR");

      const after = rawConnection(dir);
      expect(readSchemaVersion(after)).toBe(newer);
      after.close();
    });
  });

  describe("concurrent writers", () => {
    it("when two connections put with the same ifVersion, then exactly one succeeds", async () => {
      const dir = freshDir();
      const a = openSqliteStore({ dir });
      const b = openSqliteStore({ dir });
      try {
        await a.putDocument("jit-requests", "r1", { state: "pending" });
        const results = await Promise.allSettled([
          a.putDocument("jit-requests", "r1", { state: "approved" }, { ifVersion: 1 }),
          b.putDocument("jit-requests", "r1", { state: "denied" }, { ifVersion: 1 }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        expect((rejected?.reason as AppError).code).toBe("Conflict");
        const seenByA = await a.getDocument("jit-requests", "r1");
        expect(await b.getDocument("jit-requests", "r1")).toStrictEqual(seenByA);
        expect(seenByA?.version).toBe(2);
      } finally {
        await a.close();
        await b.close();
      }
    });

    // Each round is a fresh document raced by every writer; several rounds make a broken check
    // show up reliably, while correct code passes every round whatever the interleaving.
    const writers = 4;
    const rounds = 10;

    it("when writers in separate threads race with the same ifVersion, then exactly one wins each time and its value is stored", async () => {
      const dir = freshDir();
      const setup = openSqliteStore({ dir });
      for (let round = 0; round < rounds; round++) await setup.putDocument("jit-requests", `r-${round}`, { writer: "setup" });

      const byRound = await raceWriters({ dir, writers, rounds, collection: "jit-requests", keyPrefix: "r", ifVersion: 1 });

      for (const [round, outcomes] of byRound.entries()) {
        const winners = outcomes.filter((o) => o.ok);
        expect(winners).toHaveLength(1);
        expect(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? "ok" : o.code))).toEqual(
          Array.from({ length: writers - 1 }, () => "Conflict"),
        );
        expect(await setup.getDocument("jit-requests", `r-${round}`)).toMatchObject({
          value: { writer: winners[0].writer },
          version: 2,
        });
      }
      await setup.close();
    });

    it("when writers in separate threads race to create with ifVersion 0, then exactly one creates each document", async () => {
      const dir = freshDir();
      await openSqliteStore({ dir }).close();

      const byRound = await raceWriters({ dir, writers, rounds, collection: "captures", keyPrefix: "cap", ifVersion: 0 });

      const store = openSqliteStore({ dir });
      for (const [round, outcomes] of byRound.entries()) {
        const winners = outcomes.filter((o) => o.ok);
        expect(winners).toHaveLength(1);
        expect(await store.getDocument("captures", `cap-${round}`)).toMatchObject({
          value: { writer: winners[0].writer },
          version: 1,
        });
      }
      await store.close();
    });

    it("when another connection holds the write lock past the busy timeout, then the write fails as busy and changes nothing", async () => {
      const dir = freshDir();
      const store = openSqliteStore({ dir, busyTimeoutMs: 0 });
      const raw = rawConnection(dir);
      try {
        raw.exec("BEGIN IMMEDIATE");
        const error = await rejection(store.putDocument("c", "k", 1));
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).userMessage).toMatch(/busy/);
        raw.exec("COMMIT");
        expect(await store.getDocument("c", "k")).toBeUndefined();
        expect(await store.putDocument("c", "k", 1)).toBe(1);
      } finally {
        raw.close();
        await store.close();
      }
    });
  });

  describe("corrupt rows", () => {
    let dir: string;
    let store: SqliteStore;
    let logger: ReturnType<typeof recordingLogger>;

    beforeEach(() => {
      dir = freshDir();
      logger = recordingLogger();
      store = openSqliteStore({ dir, logger });
    });

    afterEach(async () => {
      await store.close();
    });

    function corrupt(sql: string): void {
      const raw = rawConnection(dir);
      raw.exec(sql);
      raw.close();
    }

    it("when a document's JSON is broken, then get and list skip it with a warning that leaks no content", async () => {
      await store.putDocument("c", "bad", { secret: "s3cr3t" });
      await store.putDocument("c", "good", "fine");
      corrupt(`UPDATE documents SET value = '{"secret": "s3cr3t"' WHERE key = 'bad'`);

      expect(await store.getDocument("c", "bad")).toBeUndefined();
      expect((await store.listDocuments("c")).map((d) => d.key)).toEqual(["good"]);
      expect(logger.warnings).toHaveLength(2);
      expect(logger.warnings[0].obj).toMatchObject({ table: "documents", collection: "c", key: "bad" });
      expect(JSON.stringify(logger.warnings)).not.toContain("s3cr3t");
    });

    it("when a broken document is overwritten without ifVersion, then it is readable again", async () => {
      await store.putDocument("c", "k", 1);
      corrupt(`UPDATE documents SET value = 'nope' WHERE key = 'k'`);
      expect(await store.putDocument("c", "k", { healed: true })).toBe(2);
      expect((await store.getDocument("c", "k"))?.value).toEqual({ healed: true });
    });

    it("when a conversation reference is broken or not an object, then it is skipped with a warning", async () => {
      await store.saveConversation(aConversation({ id: "bad-json" }));
      await store.saveConversation(aConversation({ id: "not-object" }));
      await store.saveConversation(aConversation({ id: "good" }));
      corrupt(`UPDATE conversations SET reference = '{oops' WHERE id = 'bad-json';
               UPDATE conversations SET reference = '[1,2]' WHERE id = 'not-object'`);

      expect((await store.listConversations()).map((c) => c.id)).toEqual(["good"]);
      expect(await store.getConversation("bad-json")).toBeUndefined();
      expect(logger.warnings.map((w) => w.obj)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ table: "conversations", id: "bad-json" }),
          expect.objectContaining({ table: "conversations", id: "not-object" }),
        ]),
      );
    });

    it("when an audit row is broken or lacks required fields, then listing skips it with a warning", async () => {
      await store.appendAudit(anAuditEntry({ at: "2024-05-01T08:00:00Z", action: "a" }));
      await store.appendAudit(anAuditEntry({ at: "2024-05-01T09:00:00Z", action: "b" }));
      await store.appendAudit(anAuditEntry({ at: "2024-05-01T10:00:00Z", action: "c" }));
      corrupt(`UPDATE audit SET entry = 'garbage' WHERE action = 'a';
               UPDATE audit SET entry = '{"at": "2024-05-01T09:00:00Z"}' WHERE action = 'b'`);

      expect((await store.listAudit()).map((e) => e.action)).toEqual(["c"]);
      expect(logger.warnings).toHaveLength(2);
      expect(logger.warnings.every((w) => (w.obj as { table: string }).table === "audit")).toBe(true);
    });
  });

  describe("clock and lifecycle", () => {
    it("when a clock is injected, then documents carry its time as updatedAt", async () => {
      let now = new Date("2024-05-01T08:00:00.000Z");
      const store = openSqliteStore({ dir: ":memory:", clock: () => now });
      await store.putDocument("c", "k", 1);
      expect((await store.getDocument("c", "k"))?.updatedAt).toBe("2024-05-01T08:00:00.000Z");
      now = new Date("2024-05-01T09:30:00.000Z");
      await store.putDocument("c", "k", 2);
      expect((await store.listDocuments("c"))[0].updatedAt).toBe("2024-05-01T09:30:00.000Z");
      await store.close();
    });

    it("when a conflict is thrown, then updatedAt does not move", async () => {
      let now = new Date("2024-05-01T08:00:00.000Z");
      const store = openSqliteStore({ dir: ":memory:", clock: () => now });
      await store.putDocument("c", "k", 1);
      now = new Date("2024-05-02T08:00:00.000Z");
      await rejection(store.putDocument("c", "k", 2, { ifVersion: 5 }));
      expect((await store.getDocument("c", "k"))?.updatedAt).toBe("2024-05-01T08:00:00.000Z");
      await store.close();
    });

    it("when the store is closed, then further calls reject with an AppError instead of crashing", async () => {
      const store = openSqliteStore({ dir: ":memory:" });
      await store.close();
      const error = await rejection(store.getDocument("c", "k"));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("Internal");
      await expect(store.listAudit()).rejects.toBeInstanceOf(AppError);
    });

    it("when collection or key is empty, then putDocument fails with BadInput", async () => {
      const store = openSqliteStore({ dir: ":memory:" });
      await expect(store.putDocument("", "k", 1)).rejects.toMatchObject({ code: "BadInput" });
      await expect(store.putDocument("c", "", 1)).rejects.toMatchObject({ code: "BadInput" });
      await store.close();
    });
  });
});
