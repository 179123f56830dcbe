/**
 * The bot's durable state. One interface, two implementations (embedded SQLite in src/store; shared
 * Azure Table Storage in src/azure/azure-table-store.ts, since only src/azure imports @azure/*), both held to the
 * same contract tests. Methods are async so that a remote
 * implementation fits the same shape.
 */

/** A conversation the bot may post into later (a Bot Framework conversation reference, opaque here). */
export interface StoredConversation {
  /** Conversation id (the key). */
  id: string;
  /** "personal" | "channel" | "groupChat" */
  kind: string;
  /** Tenant of the conversation, when known. */
  tenantId?: string;
  /** The opaque reference the bot layer needs to post proactively. */
  reference: Record<string, unknown>;
  /** ISO 8601 of the last update. */
  updatedAt: string;
}

/** One line of the audit log: who did what to which target, with what result, when. */
export interface AuditEntry {
  /** ISO 8601 */
  at: string;
  /** Entra object id (or channel user id when there is none). */
  actorId: string;
  actorName?: string;
  tenantId?: string;
  conversationId?: string;
  /** e.g. "command:score", "jit:approve", "alert:received". */
  action: string;
  /** What it was done to (VM id, request id, ...), when there is one. */
  target?: string;
  /** "ok" | "denied" | "error" | "invalid" | other short outcomes. */
  result: string;
  /** Short detail, never a secret. */
  detail?: string;
  correlationId?: string;
}

export interface AuditQuery {
  /** ISO 8601 lower bound (inclusive). */
  since?: string;
  limit?: number;
}

export interface StoredDocument<T> {
  key: string;
  value: T;
  version: number;
  /** ISO 8601 of the last write. */
  updatedAt: string;
}

export interface Store {
  saveConversation(conversation: StoredConversation): Promise<void>;
  getConversation(id: string): Promise<StoredConversation | undefined>;
  listConversations(): Promise<StoredConversation[]>;
  deleteConversation(id: string): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  /**
   * Small keyed documents for features that need state (JIT requests, captures, digest schedules).
   * Every write bumps a version; pass `ifVersion` for optimistic concurrency (`0` = must not exist yet).
   * A version mismatch throws AppError("Conflict") and changes nothing.
   */
  putDocument(collection: string, key: string, value: unknown, options?: { ifVersion?: number }): Promise<number>;
  getDocument<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined>;
  listDocuments<T>(collection: string): Promise<StoredDocument<T>[]>;
  deleteDocument(collection: string, key: string): Promise<void>;

  close(): Promise<void>;
}
