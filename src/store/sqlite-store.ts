/**
 * The embedded Store: one SQLite file under STATE_DIR, through better-sqlite3.
 *
 * better-sqlite3 is synchronous; every method runs its statement at once and returns a settled
 * promise, so the async Store shape costs nothing here and a remote store can share the contract.
 */
import { auditLimit, checkName, isRecord, sinceMs, toJson } from "./store-input";
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "better-sqlite3";
import { AppError, isAppError } from "../domain/errors";
import { migrate, readSchemaVersion } from "./migrations";
import type { AuditEntry, AuditQuery, Store, StoredConversation, StoredDocument } from "./store";

/** The one logging call the store makes (pino's logger fits). */
export interface StoreLogger {
  warn(obj: unknown, msg?: string): void;
}

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory for the database file (created if missing), or ":memory:" for a private in-memory database. */
  dir: string;
  /** File name inside `dir`. Default "secops-bot.sqlite". */
  fileName?: string;
  /** Source of `updatedAt` for documents. Default: the system clock. */
  clock?: () => Date;
  /** Receives a warning for each corrupt row skipped while reading. Default: silent. */
  logger?: StoreLogger;
  /** How long a write waits for another connection's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** Default file name inside STATE_DIR. */
export const DEFAULT_STORE_FILE_NAME = "secops-bot.sqlite";
export { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from "./store-input";

const MEMORY = ":memory:";

/**
 * Opens (creating and migrating as needed) the store. Throws AppError("Config") when the file
 * cannot be opened or was written by a newer schema than this build knows.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const location = resolveLocation(options);
  let db: Database;
  try {
    db = new BetterSqlite3(location);
  } catch (e) {
    throw new AppError("Config", `Cannot open the state store at "${location}"; check STATE_DIR and its permissions.`, e);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // WAL lets readers (another instance, a backup, sqlite3 on the command line) run beside the
    // writer; NORMAL sync is the usual pairing with WAL (durable across process crashes).
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    migrate(db);
    return new SqliteStore(db, location, options.clock ?? (() => new Date()), options.logger ?? silentLogger);
  } catch (e) {
    db.close();
    if (isAppError(e)) throw e;
    throw new AppError("Config", `Cannot prepare the state store at "${location}".`, e);
  }
}

function resolveLocation(options: SqliteStoreOptions): string {
  if (options.dir === MEMORY) return MEMORY;
  if (options.dir.trim() === "") {
    throw new AppError("Config", "The state directory is empty; set STATE_DIR to a writable directory.");
  }
  try {
    // 0o700: the store holds conversation references and the audit log; other local users need neither.
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AppError("Config", `Cannot create the state directory "${options.dir}"; check STATE_DIR.`, e);
  }
  return path.join(options.dir, options.fileName ?? DEFAULT_STORE_FILE_NAME);
}

const silentLogger: StoreLogger = { warn: () => undefined };

interface ConversationRow {
  id: string;
  kind: string;
  tenant_id: string | null;
  reference: string;
  updated_at: string;
}

interface AuditRow {
  seq: number;
  entry: string;
}

interface DocumentRow {
  key: string;
  value: string;
  version: number;
  updated_at: string;
}

/** SQLite implementation of {@link Store}. Create it with {@link openSqliteStore}. */
export class SqliteStore implements Store {
  private closed = false;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly writeDocument: (collection: string, key: string, json: string, ifVersion: number | undefined) => number;

  /** @internal Use {@link openSqliteStore}; it creates, configures and migrates `db` first. */
  constructor(
    private readonly db: Database,
    /** The database file path, or ":memory:". */
    readonly location: string,
    private readonly clock: () => Date,
    private readonly logger: StoreLogger,
  ) {
    this.statements = prepareStatements(db);
    const s = this.statements;
    // Check and write inside one IMMEDIATE transaction: it takes the write lock before reading the
    // current version, so two writers (even in two processes) cannot both pass the same check.
    const tx = db.transaction((collection: string, key: string, json: string, ifVersion: number | undefined): number => {
      const current = s.documentVersion.get(collection, key);
      const currentVersion = current?.version ?? 0;
      if (ifVersion !== undefined && ifVersion !== currentVersion) {
        throw new AppError(
          "Conflict",
          ifVersion === 0
            ? `"${key}" in ${collection} already exists (version ${currentVersion}). Reload and try again.`
            : `"${key}" in ${collection} changed since it was read (expected version ${ifVersion}, found ` +
                `${current === undefined ? "none" : currentVersion}). Reload and try again.`,
        );
      }
      const updatedAt = this.clock().toISOString();
      if (current === undefined) {
        s.insertDocument.run(collection, key, json, updatedAt);
        return 1;
      }
      s.updateDocument.run(json, currentVersion + 1, updatedAt, collection, key);
      return currentVersion + 1;
    });
    this.writeDocument = (collection, key, json, ifVersion) => tx.immediate(collection, key, json, ifVersion);
  }

  /** The schema version of the open file. */
  get schemaVersion(): number {
    return this.run(() => readSchemaVersion(this.db));
  }

  saveConversation(conversation: StoredConversation): Promise<void> {
    return this.runAsync(() => {
      const reference = toJson(conversation.reference, "conversation reference");
      this.statements.upsertConversation.run(
        conversation.id,
        conversation.kind,
        conversation.tenantId ?? null,
        reference,
        conversation.updatedAt,
      );
    });
  }

  getConversation(id: string): Promise<StoredConversation | undefined> {
    return this.runAsync(() => {
      const row = this.statements.getConversation.get(id);
      return row === undefined ? undefined : this.toConversation(row);
    });
  }

  listConversations(): Promise<StoredConversation[]> {
    return this.runAsync(() =>
      this.statements.listConversations.all().flatMap((row) => {
        const conversation = this.toConversation(row);
        return conversation === undefined ? [] : [conversation];
      }),
    );
  }

  deleteConversation(id: string): Promise<void> {
    return this.runAsync(() => {
      this.statements.deleteConversation.run(id);
    });
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.runAsync(() => {
      const atMs = Date.parse(entry.at);
      if (Number.isNaN(atMs)) throw new AppError("BadInput", `Audit entry time "${entry.at}" is not an ISO 8601 date.`);
      const json = toJson(entry, "audit entry");
      this.statements.insertAudit.run(entry.at, atMs, entry.actorId, entry.action, entry.target ?? null, entry.result, json);
    });
  }

  listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.runAsync(() => {
      const limit = auditLimit(query.limit);
      // Corrupt rows are skipped, so a page may hold fewer than `limit` entries; that is the price of
      // never failing the audit command over one bad line.
      const rows =
        query.since === undefined
          ? this.statements.listAudit.all(limit)
          : this.statements.listAuditSince.all(sinceMs(query.since), limit);
      return rows.flatMap((row) => {
        const entry = this.toAuditEntry(row);
        return entry === undefined ? [] : [entry];
      });
    });
  }

  putDocument(collection: string, key: string, value: unknown, options: { ifVersion?: number } = {}): Promise<number> {
    return this.runAsync(() => {
      checkName(collection, "collection");
      checkName(key, "key");
      const { ifVersion } = options;
      if (ifVersion !== undefined && (!Number.isInteger(ifVersion) || ifVersion < 0)) {
        throw new AppError("BadInput", `ifVersion must be a whole number of 0 or more, not ${ifVersion}.`);
      }
      return this.writeDocument(collection, key, toJson(value, "document"), ifVersion);
    });
  }

  getDocument<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    return this.runAsync(() => {
      const row = this.statements.getDocument.get(collection, key);
      return row === undefined ? undefined : this.toDocument<T>(collection, row);
    });
  }

  listDocuments<T>(collection: string): Promise<StoredDocument<T>[]> {
    return this.runAsync(() =>
      this.statements.listDocuments.all(collection).flatMap((row) => {
        const document = this.toDocument<T>(collection, row);
        return document === undefined ? [] : [document];
      }),
    );
  }

  deleteDocument(collection: string, key: string): Promise<void> {
    return this.runAsync(() => {
      this.statements.deleteDocument.run(collection, key);
    });
  }

  /** Closes the file. Calling it again does nothing; any other call afterwards rejects. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  private run<T>(work: () => T): T {
    if (this.closed) throw new AppError("Internal", "The state store is closed.");
    try {
      return work();
    } catch (e) {
      throw mapError(e);
    }
  }

  /** Turns synchronous throws into rejections, so callers see one failure path. */
  private runAsync<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.run(work));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new AppError("Internal", "The state store failed.", e));
    }
  }

  private toConversation(row: ConversationRow): StoredConversation | undefined {
    const reference = this.parse(row.reference, { table: "conversations", id: row.id });
    if (reference === undefined) return undefined;
    if (!isRecord(reference)) {
      this.logger.warn({ table: "conversations", id: row.id }, "state store: skipping a conversation whose reference is not an object");
      return undefined;
    }
    const conversation: StoredConversation = { id: row.id, kind: row.kind, reference, updatedAt: row.updated_at };
    if (row.tenant_id !== null) conversation.tenantId = row.tenant_id;
    return conversation;
  }

  private toAuditEntry(row: AuditRow): AuditEntry | undefined {
    const entry = this.parse(row.entry, { table: "audit", seq: row.seq });
    if (entry === undefined) return undefined;
    if (!isAuditEntry(entry)) {
      this.logger.warn({ table: "audit", seq: row.seq }, "state store: skipping an audit row without the required fields");
      return undefined;
    }
    return entry;
  }

  private toDocument<T>(collection: string, row: DocumentRow): StoredDocument<T> | undefined {
    const value = this.parse(row.value, { table: "documents", collection, key: row.key });
    if (value === undefined) return undefined;
    // The value is whatever the feature stored; checking its shape is the feature's job.
    return { key: row.key, value: value as T, version: row.version, updatedAt: row.updated_at };
  }

  /** Parses stored JSON; on failure logs where (never the content, which may be sensitive) and returns undefined. */
  private parse(text: string, where: Record<string, unknown>): unknown {
    try {
      const value: unknown = JSON.parse(text);
      return value;
    } catch (e) {
      this.logger.warn(
        { ...where, err: e instanceof Error ? e.message : String(e) },
        "state store: skipping a row whose JSON cannot be read",
      );
      return undefined;
    }
  }
}

function prepareStatements(db: Database) {
  return {
    upsertConversation: db.prepare<[string, string, string | null, string, string]>(
      `INSERT INTO conversations (id, kind, tenant_id, reference, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, tenant_id = excluded.tenant_id,
         reference = excluded.reference, updated_at = excluded.updated_at`,
    ),
    getConversation: db.prepare<[string], ConversationRow>(
      "SELECT id, kind, tenant_id, reference, updated_at FROM conversations WHERE id = ?",
    ),
    listConversations: db.prepare<[], ConversationRow>(
      "SELECT id, kind, tenant_id, reference, updated_at FROM conversations ORDER BY id",
    ),
    deleteConversation: db.prepare<[string]>("DELETE FROM conversations WHERE id = ?"),
    insertAudit: db.prepare<[string, number, string, string, string | null, string, string]>(
      "INSERT INTO audit (at, at_ms, actor_id, action, target, result, entry) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    // seq breaks ties between entries of the same millisecond: the later append is the newer one.
    listAudit: db.prepare<[number], AuditRow>("SELECT seq, entry FROM audit ORDER BY at_ms DESC, seq DESC LIMIT ?"),
    listAuditSince: db.prepare<[number, number], AuditRow>(
      "SELECT seq, entry FROM audit WHERE at_ms >= ? ORDER BY at_ms DESC, seq DESC LIMIT ?",
    ),
    documentVersion: db.prepare<[string, string], { version: number }>(
      "SELECT version FROM documents WHERE collection = ? AND key = ?",
    ),
    insertDocument: db.prepare<[string, string, string, string]>(
      "INSERT INTO documents (collection, key, value, version, updated_at) VALUES (?, ?, ?, 1, ?)",
    ),
    updateDocument: db.prepare<[string, number, string, string, string]>(
      "UPDATE documents SET value = ?, version = ?, updated_at = ? WHERE collection = ? AND key = ?",
    ),
    getDocument: db.prepare<[string, string], DocumentRow>(
      "SELECT key, value, version, updated_at FROM documents WHERE collection = ? AND key = ?",
    ),
    listDocuments: db.prepare<[string], DocumentRow>(
      "SELECT key, value, version, updated_at FROM documents WHERE collection = ? ORDER BY key",
    ),
    deleteDocument: db.prepare<[string, string]>("DELETE FROM documents WHERE collection = ? AND key = ?"),
  };
}






const requiredAuditFields = ["at", "actorId", "action", "result"] as const;

function isAuditEntry(value: unknown): value is AuditEntry {
  return isRecord(value) && requiredAuditFields.every((field) => typeof value[field] === "string");
}

/** Maps driver failures the caller can act on; everything else passes through for the turn-error handler. */
function mapError(e: unknown): unknown {
  if (isAppError(e)) return e;
  const code = typeof e === "object" && e !== null && "code" in e ? e.code : undefined;
  // Also SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE and friends.
  if (typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))) {
    return new AppError("Internal", "The bot's state store is busy; try again in a moment.", e);
  }
  return e;
}
