/**
 * A small read-through cache with in-flight de-duplication: callers asking for the same key while
 * a read is running share that read; a finished read is reused until its TTL passes. Failed reads
 * are never kept, so the next caller retries.
 */

interface Entry {
  promise: Promise<unknown>;
  /** Epoch ms after which the value is stale; Infinity while the read is running. */
  expiresAt: number;
}

/** Options for {@link ReadCache}. */
export interface ReadCacheOptions {
  /** How long a finished read is reused, in ms. 0 keeps only in-flight sharing. */
  ttlMs: number;
  /** Current time; injected so tests can move it. */
  now: () => number;
}

/** See the module comment. Keys are opaque strings; use a `kind|scope` shape to invalidate by prefix. */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ReadCacheOptions) {}

  /** The cached or in-flight value for `key`, or the result of `load()` (which is then shared). */
  get<T>(key: string, load: () => Promise<T>, ttlMs: number = this.options.ttlMs): Promise<T> {
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > this.options.now()) {
      return existing.promise as Promise<T>;
    }
    const entry: Entry = { promise: Promise.resolve(), expiresAt: Number.POSITIVE_INFINITY };
    const promise = load().then(
      (value) => {
        // If the entry was invalidated meanwhile, setting expiresAt on the detached object is harmless.
        entry.expiresAt = this.options.now() + ttlMs;
        if (ttlMs <= 0 && this.entries.get(key) === entry) this.entries.delete(key);
        return value;
      },
      (error: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw error;
      },
    );
    entry.promise = promise;
    this.entries.set(key, entry);
    return promise;
  }

  /** Forgets every entry, or those whose key starts with `prefix`. Running reads finish but are not kept. */
  invalidate(prefix?: string): void {
    if (prefix === undefined) {
      this.entries.clear();
      return;
    }
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) this.entries.delete(key);
    }
  }

  /** Number of live entries (for tests and diagnostics). */
  size(): number {
    return this.entries.size;
  }
}
