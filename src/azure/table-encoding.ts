/**
 * How the Azure Table store lays values into entities: keys that Table Storage accepts, JSON that fits its property
 * limits, and audit row keys that sort newest first. Pure functions, no SDK types, so the rules are unit-tested.
 *
 * Table Storage limits (learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model):
 * PartitionKey and RowKey up to 1 KiB and without `/ \ # ?` or control characters; a string property up to 64 KiB
 * (32 K UTF-16 characters); a binary property up to 64 KiB; an entity up to 1 MiB.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { AppError } from "../domain/errors";

/** Characters a key may not contain, plus `%` (the escape character itself). */
// eslint-disable-next-line no-control-regex
const KEY_UNSAFE = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;
/** Longer encoded keys are replaced by a hash (the original stays in the entity's `key` property). */
const MAX_KEY_CHARS = 400;

/**
 * A PartitionKey/RowKey for `key`: unsafe characters percent-escaped (readable in Storage Explorer, order mostly
 * kept); a key too long for Table Storage becomes `~sha256:<hex>`.
 */
export function encodeKey(key: string): string {
  const escaped = key.replace(KEY_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
  if (escaped.length <= MAX_KEY_CHARS) return escaped;
  return `~sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** JSON this long or shorter is kept as a readable string property. */
export const INLINE_JSON_CHARS = 30_000;
/** Binary properties hold at most 64 KiB each. */
const CHUNK_BYTES = 60_000;
/** 15 chunks keep the entity under 1 MiB with room for the other properties. */
const MAX_CHUNKS = 15;

/** Entity properties carrying one JSON text: `json` inline, or gzip in `zip0..zipN` with `zipChunks`. */
export type PackedJson = { json: string } | ({ zipChunks: number } & Record<`zip${number}`, Uint8Array>);

/** Packs JSON text into entity properties; over about 900 KB compressed it is refused with BadInput. */
export function packJson(json: string, what: string): PackedJson {
  if (json.length <= INLINE_JSON_CHARS) return { json };
  const zipped = gzipSync(Buffer.from(json, "utf8"));
  const chunks = Math.ceil(zipped.length / CHUNK_BYTES);
  if (chunks > MAX_CHUNKS) {
    throw new AppError(
      "BadInput",
      `The ${what} is too large for the shared state store (${Math.round(zipped.length / 1024)} KB compressed; at most ` +
        `${Math.floor((MAX_CHUNKS * CHUNK_BYTES) / 1024)} KB).`,
    );
  }
  const packed: Record<string, unknown> = { zipChunks: chunks };
  for (let i = 0; i < chunks; i++) packed[`zip${i}`] = new Uint8Array(zipped.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
  return packed as PackedJson;
}

/** The JSON text packed by {@link packJson}; undefined when the properties are missing or damaged. */
export function unpackJson(entity: Record<string, unknown>): string | undefined {
  if (typeof entity["json"] === "string") return entity["json"];
  const chunks = entity["zipChunks"];
  if (typeof chunks !== "number" || !Number.isInteger(chunks) || chunks < 1) return undefined;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < chunks; i++) {
    const part = entity[`zip${i}`];
    if (!(part instanceof Uint8Array)) return undefined;
    parts.push(part);
  }
  try {
    return gunzipSync(Buffer.concat(parts)).toString("utf8");
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ audit ordering

/** Date.parse's range is ±8.64e15 ms; shifting by it keeps every instant non-negative. */
const TIME_SPAN = 8_640_000_000_000_000n;
const TIME_DIGITS = 17;
/** Above any append sequence (microseconds since 1970 for centuries). */
const SEQ_SPAN = 9_000_000_000_000_000n;
const SEQ_DIGITS = 16;

/**
 * The RowKey prefix of an instant, inverted so that ascending RowKeys (Table Storage's only order) read newest first.
 */
export function invertedTime(atMs: number): string {
  return (TIME_SPAN - BigInt(Math.trunc(atMs))).toString().padStart(TIME_DIGITS, "0");
}

/**
 * The RowKey of an audit entry: inverted time, then the inverted append sequence (a later append of the same
 * millisecond sorts first), then a random suffix so two instances never collide.
 */
export function auditRowKey(atMs: number, appendSeq: number, suffix: string): string {
  const seq = (SEQ_SPAN - BigInt(Math.trunc(appendSeq))).toString().padStart(SEQ_DIGITS, "0");
  return `${invertedTime(atMs)}_${seq}_${suffix}`;
}

/** The exclusive upper RowKey bound of entries at or after `sinceMs` ("_" < "~"). */
export function auditRowKeyBound(sinceMs: number): string {
  return `${invertedTime(sinceMs)}~`;
}

/**
 * A strictly increasing append sequence per process, in microseconds of wall time: appends from one instance keep
 * their order; across instances, appends of the same millisecond are ordered by their clocks.
 */
export function createAppendSequence(now: () => number = Date.now): () => number {
  let last = 0;
  return () => {
    last = Math.max(last + 1, now() * 1000);
    return last;
  };
}
