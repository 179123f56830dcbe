/**
 * The shared Store: Azure Table Storage through @azure/data-tables, so several bot instances see the same
 * conversations, documents and audit log (docs/scale-out.md). Same interface and contract as the SQLite store.
 *
 * - `<prefix>documents`: PartitionKey = collection, RowKey = key. `putDocument(ifVersion)` is optimistic concurrency
 *   on the entity's ETag: the version number lives in the entity, and a write only lands if the entity still has the
 *   ETag it was read with (If-Match), or does not exist yet (insert). Of two writers holding the same version, the
 *   service lets exactly one through; the other gets 409/412 → AppError("Conflict").
 * - `<prefix>audit`: one partition, RowKey = inverted time + inverted append sequence, so the service's ascending
 *   RowKey order is newest first and `since` is a RowKey range.
 * - `<prefix>conversations`: one partition, RowKey = conversation id.
 * Keys are escaped for Table Storage, and JSON over 30 000 characters is stored gzipped in binary properties
 * (src/azure/table-encoding.ts).
 */
import { auditLimit, checkName, isRecord, sinceMs, toJson } from "../store/store-input";
import { randomBytes } from "node:crypto";
import { odata, TableClient, type TableEntityResult } from "@azure/data-tables";
import { AppError, isAppError } from "../domain/errors";
import { checkStoragePrefix, DEFAULT_STORAGE_PREFIX, endpointFor, statusOf, storageAppError, type AzureStorageAccess } from "./azure-storage";
import type { StoreLogger } from "../store/sqlite-store";
import type { AuditEntry, AuditQuery, Store, StoredConversation, StoredDocument } from "../store/store";
import { auditRowKey, auditRowKeyBound, createAppendSequence, encodeKey, packJson, unpackJson } from "./table-encoding";

/** Options for {@link openAzureTableStore}. */
export interface AzureTableStoreOptions extends AzureStorageAccess {
  /** Table name prefix (lower-case letters and digits). Default "secopsbot". */
  prefix?: string;
  /** Source of `updatedAt` for documents. Default: the system clock. */
  clock?: () => Date;
  /** Receives a warning for each unreadable entity skipped while reading. Default: silent. */
  logger?: StoreLogger;
  /** The SDK's retry policy (5xx, 408, network errors). Default: the SDK's (3 retries). */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

const CONVERSATIONS_PARTITION = "conversation";
const AUDIT_PARTITION = "audit";
/** Unconditional writes retry a lost race this many times before giving up. */
const MAX_WRITE_ATTEMPTS = 10;

const silentLogger: StoreLogger = { warn: () => undefined };

type Entity = TableEntityResult<Record<string, unknown>>;

/**
 * Opens the store: creates its tables when missing. Throws AppError("Config") when the account cannot be used
 * (wrong endpoint, missing role), naming what to fix.
 */
export async function openAzureTableStore(options: AzureTableStoreOptions): Promise<AzureTableStore> {
  const prefix = checkStoragePrefix(options.prefix ?? DEFAULT_STORAGE_PREFIX);
  const { url, insecure } = endpointFor(options, "table");
  const clientOptions = { allowInsecureConnection: insecure, ...(options.retry ? { retryOptions: options.retry } : {}) };
  const client = (table: string): TableClient =>
    options.connectionString !== undefined
      ? TableClient.fromConnectionString(options.connectionString, `${prefix}${table}`, clientOptions)
      : new TableClient(url, `${prefix}${table}`, options.credential!, clientOptions);
  const tables = { conversations: client("conversations"), audit: client("audit"), documents: client("documents") };
  try {
    // createTable tolerates an existing table (409 TableAlreadyExists). allSettled: no retry left running on failure.
    const created = await Promise.allSettled(Object.values(tables).map((t) => t.createTable()));
    for (const result of created) if (result.status === "rejected") throw result.reason;
  } catch (e) {
    const mapped = storageAppError(e, `creating the tables at ${url}`);
    throw mapped.code === "Config"
      ? mapped
      : new AppError("Config", `Cannot open the shared state store at ${url} (${mapped.userMessage}); check the storage settings.`, e);
  }
  return new AzureTableStore(tables, options.clock ?? (() => new Date()), options.logger ?? silentLogger, url);
}

/** Azure Table Storage implementation of {@link Store}. Create it with {@link openAzureTableStore}. */
export class AzureTableStore implements Store {
  private closed = false;
  private readonly nextAppend = createAppendSequence();
  /** Distinguishes this instance's audit rows from another's appended in the same microsecond. */
  private readonly instanceTag = randomBytes(4).toString("hex");

  /** @internal Use {@link openAzureTableStore}. */
  constructor(
    private readonly tables: { conversations: TableClient; audit: TableClient; documents: TableClient },
    private readonly clock: () => Date,
    private readonly logger: StoreLogger,
    /** The table service endpoint (no secrets). */
    readonly location: string,
  ) {}

  // ------------------------------------------------------------------ conversations

  saveConversation(conversation: StoredConversation): Promise<void> {
    return this.run("saving a conversation", async () => {
      const entity = {
        partitionKey: CONVERSATIONS_PARTITION,
        rowKey: encodeKey(conversation.id),
        id: conversation.id,
        kind: conversation.kind,
        updatedAt: conversation.updatedAt,
        ...(conversation.tenantId !== undefined ? { tenantId: conversation.tenantId } : {}),
        ...packJson(toJson(conversation.reference, "conversation reference"), "conversation reference"),
      };
      await this.tables.conversations.upsertEntity(entity, "Replace");
    });
  }

  getConversation(id: string): Promise<StoredConversation | undefined> {
    return this.run("reading a conversation", async () => {
      const entity = await this.getEntity(this.tables.conversations, CONVERSATIONS_PARTITION, encodeKey(id));
      return entity === undefined ? undefined : this.toConversation(entity);
    });
  }

  listConversations(): Promise<StoredConversation[]> {
    return this.run("listing conversations", async () => {
      const out: StoredConversation[] = [];
      for await (const entity of this.tables.conversations.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${CONVERSATIONS_PARTITION}` },
      })) {
        const conversation = this.toConversation(entity);
        if (conversation !== undefined) out.push(conversation);
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  deleteConversation(id: string): Promise<void> {
    return this.run("deleting a conversation", () => this.deleteEntity(this.tables.conversations, CONVERSATIONS_PARTITION, encodeKey(id)));
  }

  // ------------------------------------------------------------------ audit

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.run("writing the audit log", async () => {
      const atMs = Date.parse(entry.at);
      if (Number.isNaN(atMs)) throw new AppError("BadInput", `Audit entry time "${entry.at}" is not an ISO 8601 date.`);
      const json = toJson(entry, "audit entry");
      const suffix = `${this.instanceTag}${randomBytes(2).toString("hex")}`;
      await this.tables.audit.createEntity({
        partitionKey: AUDIT_PARTITION,
        rowKey: auditRowKey(atMs, this.nextAppend(), suffix),
        // Plain columns for filtering in Storage Explorer; the entry itself is the JSON.
        at: entry.at,
        actorId: entry.actorId,
        action: entry.action,
        result: entry.result,
        ...(entry.target !== undefined ? { target: entry.target } : {}),
        ...packJson(json, "audit entry"),
      });
    });
  }

  listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.run("reading the audit log", async () => {
      const limit = auditLimit(query.limit);
      const filter =
        query.since === undefined
          ? odata`PartitionKey eq ${AUDIT_PARTITION}`
          : odata`PartitionKey eq ${AUDIT_PARTITION} and RowKey lt ${auditRowKeyBound(sinceMs(query.since))}`;
      const out: AuditEntry[] = [];
      const pages = this.tables.audit.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: limit });
      // Corrupt rows are skipped, so a page may hold fewer than `limit` entries, as with SQLite.
      for await (const page of pages) {
        for (const entity of page) {
          const entry = this.toAuditEntry(entity);
          if (entry !== undefined) out.push(entry);
          if (out.length >= limit) return out;
        }
      }
      return out;
    });
  }

  // ------------------------------------------------------------------ documents

  putDocument(collection: string, key: string, value: unknown, options: { ifVersion?: number } = {}): Promise<number> {
    return this.run("saving a document", async () => {
      checkName(collection, "collection");
      checkName(key, "key");
      const { ifVersion } = options;
      if (ifVersion !== undefined && (!Number.isInteger(ifVersion) || ifVersion < 0)) {
        throw new AppError("BadInput", `ifVersion must be a whole number of 0 or more, not ${ifVersion}.`);
      }
      const packed = packJson(toJson(value, "document"), "document");
      const partitionKey = encodeKey(collection);
      const rowKey = encodeKey(key);
      const body = (version: number) => ({
        partitionKey,
        rowKey,
        collection,
        key,
        version,
        updatedAt: this.clock().toISOString(),
        ...packed,
      });

      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const current = ifVersion === 0 ? undefined : await this.getEntity(this.tables.documents, partitionKey, rowKey);
        const currentVersion = current === undefined ? 0 : versionOf(current);
        if (ifVersion !== undefined && ifVersion !== currentVersion) throw conflict(collection, key, ifVersion, current && currentVersion);
        try {
          if (current === undefined) {
            // Insert fails with 409 if someone created it meanwhile: the same outcome as SQLite's check.
            await this.tables.documents.createEntity(body(1));
            return 1;
          }
          // If-Match on the ETag read above: lands only if nobody wrote in between.
          await this.tables.documents.updateEntity(body(currentVersion + 1), "Replace", { etag: current.etag });
          return currentVersion + 1;
        } catch (e) {
          const status = statusOf(e);
          if (status !== 409 && status !== 412 && status !== 404) throw e;
          // Lost a race. With ifVersion the caller decides; without, read again and write on top.
          if (ifVersion !== undefined) throw conflict(collection, key, ifVersion, undefined);
        }
      }
      throw new AppError("Internal", `"${key}" in ${collection} kept changing under concurrent writes; try again.`);
    });
  }

  getDocument<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    return this.run("reading a document", async () => {
      const entity = await this.getEntity(this.tables.documents, encodeKey(collection), encodeKey(key));
      return entity === undefined ? undefined : this.toDocument<T>(collection, entity);
    });
  }

  listDocuments<T>(collection: string): Promise<StoredDocument<T>[]> {
    return this.run("listing documents", async () => {
      const out: StoredDocument<T>[] = [];
      for await (const entity of this.tables.documents.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${encodeKey(collection)}` },
      })) {
        const document = this.toDocument<T>(collection, entity);
        if (document !== undefined) out.push(document);
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  deleteDocument(collection: string, key: string): Promise<void> {
    return this.run("deleting a document", () => this.deleteEntity(this.tables.documents, encodeKey(collection), encodeKey(key)));
  }

  /** Marks the store closed (the SDK clients hold no connections worth closing). Calling it again does nothing. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // ------------------------------------------------------------------ internals

  private async run<T>(doing: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError("Internal", "The state store is closed.");
    try {
      return await work();
    } catch (e) {
      if (isAppError(e)) throw e;
      throw storageAppError(e, doing);
    }
  }

  private async getEntity(table: TableClient, partitionKey: string, rowKey: string): Promise<Entity | undefined> {
    try {
      return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  private async deleteEntity(table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
    try {
      await table.deleteEntity(partitionKey, rowKey);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  private toConversation(entity: Record<string, unknown>): StoredConversation | undefined {
    const where = { table: "conversations", rowKey: entity["rowKey"] };
    const reference = this.parse(entity, where);
    if (reference === undefined) return undefined;
    const { id, kind, updatedAt, tenantId } = entity;
    if (!isRecord(reference) || typeof id !== "string" || typeof kind !== "string" || typeof updatedAt !== "string") {
      this.logger.warn(where, "state store: skipping a conversation without the required fields");
      return undefined;
    }
    const conversation: StoredConversation = { id, kind, reference, updatedAt };
    if (typeof tenantId === "string") conversation.tenantId = tenantId;
    return conversation;
  }

  private toAuditEntry(entity: Record<string, unknown>): AuditEntry | undefined {
    const where = { table: "audit", rowKey: entity["rowKey"] };
    const entry = this.parse(entity, where);
    if (entry === undefined) return undefined;
    if (!isAuditEntry(entry)) {
      this.logger.warn(where, "state store: skipping an audit row without the required fields");
      return undefined;
    }
    return entry;
  }

  private toDocument<T>(collection: string, entity: Record<string, unknown>): StoredDocument<T> | undefined {
    const where = { table: "documents", collection, rowKey: entity["rowKey"] };
    const { key, version, updatedAt } = entity;
    if (typeof key !== "string" || typeof version !== "number" || typeof updatedAt !== "string") {
      this.logger.warn(where, "state store: skipping a document without the required fields");
      return undefined;
    }
    const value = this.parse(entity, where);
    if (value === undefined) return undefined;
    // The value is whatever the feature stored; checking its shape is the feature's job.
    return { key, value: value as T, version, updatedAt };
  }

  /** Parses an entity's JSON; on failure logs where (never the content) and returns undefined. */
  private parse(entity: Record<string, unknown>, where: Record<string, unknown>): unknown {
    const text = unpackJson(entity);
    if (text === undefined) {
      this.logger.warn(where, "state store: skipping an entity whose JSON is missing or damaged");
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      this.logger.warn({ ...where, err: e instanceof Error ? e.message : String(e) }, "state store: skipping an entity whose JSON cannot be read");
      return undefined;
    }
  }
}

function versionOf(entity: Record<string, unknown>): number {
  const version = entity["version"];
  return typeof version === "number" && Number.isInteger(version) && version > 0 ? version : 1;
}

function conflict(collection: string, key: string, ifVersion: number, found: number | undefined): AppError {
  return new AppError(
    "Conflict",
    ifVersion === 0
      ? `"${key}" in ${collection} already exists${found === undefined ? "" : ` (version ${found})`}. Reload and try again.`
      : `"${key}" in ${collection} changed since it was read (expected version ${ifVersion}, found ` +
          `${found === undefined ? "another" : found}). Reload and try again.`,
  );
}






function isAuditEntry(value: unknown): value is AuditEntry {
  return isRecord(value) && ["at", "actorId", "action", "result"].every((field) => typeof value[field] === "string");
}
