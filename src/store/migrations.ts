/**
 * Schema migrations for the embedded SQLite store.
 *
 * The schema version lives in SQLite's own `PRAGMA user_version` (a field in the file header), so
 * there is no bookkeeping table to get out of step with the schema. Rules: append a migration,
 * never edit or reorder an old one; versions run 1, 2, 3, ... without gaps.
 */
import type { Database } from "better-sqlite3";
import { AppError } from "../domain/errors";

/** One step of the schema. `up` runs inside a transaction together with the version bump. */
export interface Migration {
  /** 1 for the first migration, then +1 each. */
  version: number;
  /** One line, for the log. */
  description: string;
  up(db: Database): void;
}

/** What a call to {@link migrate} did. */
export interface MigrationResult {
  /** Schema version found in the file before migrating (0 for a new file). */
  from: number;
  /** Schema version after migrating. */
  to: number;
  /** Versions applied by this call, in order (empty when the file was already current). */
  applied: number[];
}

/** The store's migrations, oldest first. Append only. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "conversations, audit log, keyed documents",
    up(db) {
      db.exec(`
        CREATE TABLE conversations (
          id         TEXT PRIMARY KEY,
          kind       TEXT NOT NULL,
          tenant_id  TEXT,
          reference  TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );

        -- 'entry' holds the whole AuditEntry as JSON (the source of truth when reading); the other
        -- columns exist to filter and order without parsing JSON. 'at_ms' orders by instant, since
        -- ISO strings with different offsets do not sort as text.
        CREATE TABLE audit (
          seq       INTEGER PRIMARY KEY AUTOINCREMENT,
          at        TEXT NOT NULL,
          at_ms     INTEGER NOT NULL,
          actor_id  TEXT NOT NULL,
          action    TEXT NOT NULL,
          target    TEXT,
          result    TEXT NOT NULL,
          entry     TEXT NOT NULL
        );
        CREATE INDEX audit_by_time ON audit (at_ms, seq);

        CREATE TABLE documents (
          collection TEXT NOT NULL,
          key        TEXT NOT NULL,
          value      TEXT NOT NULL,
          version    INTEGER NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (collection, key)
        ) WITHOUT ROWID;
      `);
    },
  },
];

/** The schema version this build of the bot writes. */
export const latestSchemaVersion: number = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;

/** Reads `PRAGMA user_version`. */
export function readSchemaVersion(db: Database): number {
  const value = db.pragma("user_version", { simple: true });
  return typeof value === "number" ? value : Number(value);
}

/**
 * Brings `db` up to the last of `list`, one transaction per migration, so a failing migration
 * leaves the file at the previous version. Safe to call on every start: already-applied
 * migrations are skipped. Throws AppError("Config") when the file is newer than `list` knows,
 * because running old code against a newer schema could corrupt state silently.
 */
export function migrate(db: Database, list: readonly Migration[] = migrations): MigrationResult {
  checkMigrationList(list);
  const latest = list.length === 0 ? 0 : list[list.length - 1].version;
  const from = readSchemaVersion(db);
  if (from > latest) {
    throw new AppError(
      "Config",
      `The state store ${describeLocation(db)} has schema version ${from}, but this version of the bot ` +
        `only knows up to ${latest}. It was written by a newer release: run that release, or point ` +
        `STATE_DIR at another directory.`,
    );
  }

  const applied: number[] = [];
  for (const migration of list) {
    if (migration.version <= from) continue;
    // IMMEDIATE takes the write lock before re-reading the version, so two processes starting on
    // the same new file cannot both apply the same migration.
    const step = db.transaction(() => {
      if (readSchemaVersion(db) >= migration.version) return false;
      migration.up(db);
      // user_version is in the file header and takes part in the transaction, so the schema change
      // and the version bump commit (or roll back) together.
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    try {
      if (step.immediate()) applied.push(migration.version);
    } catch (e) {
      throw new AppError(
        "Config",
        `Upgrading the state store ${describeLocation(db)} to schema version ${migration.version} ` +
          `(${migration.description}) failed; the file is unchanged at version ${readSchemaVersion(db)}.`,
        e,
      );
    }
  }
  return { from, to: readSchemaVersion(db), applied };
}

/** A programming error in the list must fail loudly at start, not half-migrate a file. */
function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new AppError(
        "Internal",
        `Store migrations must be numbered 1, 2, 3, ... in order; position ${index + 1} has version ${migration.version}.`,
      );
    }
  });
}

function describeLocation(db: Database): string {
  return db.memory ? "(in memory)" : `"${db.name}"`;
}
