/**
 * Azure Resource Graph for very large estates (docs/scale-out.md): one query answers for up to 300 subscriptions at
 * a time, 1000 rows a page, instead of one paged ARM list per subscription and kind.
 *
 * - Client: @azure/arm-resourcegraph 4.2.1, the old track-1 SDK on @azure/ms-rest-js (facts §3/§4). It works over
 *   plain http to a loopback simulator; the TokenCredential is asked for the ARM endpoint's own scope.
 * - Paging: `$top` 1000 and `$skipToken` until the service stops sending one. Queries order by id so pages are stable.
 * - Throttling: Resource Graph has a per-user quota (e.g. 15 queries per 5 s). Every answer carries
 *   `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after` (hh:mm:ss); when the quota is spent the next query
 *   waits for the reset, and a 429 is retried after `Retry-After` (or the reset). Waits longer than `maxWaitMs` give
 *   up, so the gateway falls back to ARM instead of holding a turn.
 * - The SDK's own retry policies are off (its default 5xx back-off is 30 s per try); the gateway's fallback to ARM,
 *   which has its own retries, is the recovery.
 */
import { ResourceGraphClient, type ResourceGraphModels } from "@azure/arm-resourcegraph";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { armScope, isLoopbackEndpoint } from "./clients";

/** The api-version @azure/arm-resourcegraph 4.2.1 sends. */
export const RESOURCE_GRAPH_API_VERSION = "2021-03-01";

/**
 * The queries the bot sends, exactly (the simulator answers these strings). `project ... properties` keeps the rows
 * in ARM's own JSON shape, so the same mappers read both paths.
 */
export const RESOURCE_GRAPH_QUERIES = {
  assessments:
    'securityresources | where type == "microsoft.security/assessments" | project id, name, subscriptionId, properties | order by id asc',
  secureScores:
    'securityresources | where type == "microsoft.security/securescores" | project id, name, subscriptionId, properties | order by id asc',
  scoreControls:
    'securityresources | where type == "microsoft.security/securescores/securescorecontrols" | project id, name, subscriptionId, properties | order by id asc',
} as const;

export type ResourceGraphKind = keyof typeof RESOURCE_GRAPH_QUERIES;

/** One row of a query above: ARM's JSON of the resource, plus the subscription. */
export interface ResourceGraphRow {
  id: string;
  name: string;
  subscriptionId: string;
  properties: Record<string, unknown>;
}

export interface ResourceGraphOptions {
  endpoint: string;
  staticToken?: string;
  credential?: TokenCredential;
  /** Called once per HTTP attempt. */
  onRequest?: () => void;
  /** Longest wait for the quota or a Retry-After before giving up (the caller falls back). Default 10 s. */
  maxWaitMs?: number;
  /** Subscriptions per query. Default 300 (Microsoft's advice: fewer, larger batches, each under 300). */
  batchSize?: number;
  /** Rows per page, at most 1000. Default 1000. */
  pageSize?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Why a Resource Graph read gave up (the gateway logs it and reads ARM instead). */
export class ResourceGraphError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "ResourceGraphError";
  }
}

const MAX_THROTTLE_RETRIES = 3;

/** "hh:mm:ss" (or seconds) → ms; undefined when unreadable. */
export function parseResetsAfter(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const parts = value.trim().split(":");
  if (parts.length === 1) {
    const seconds = Number(parts[0]);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  }
  if (parts.length !== 3) return undefined;
  const [h, m, s] = parts.map(Number) as [number, number, number];
  if (![h, m, s].every((n) => Number.isFinite(n) && n >= 0)) return undefined;
  return ((h * 60 + m) * 60 + s) * 1000;
}

/** Reads Resource Graph, one query at a time (the quota is per identity, so queries never run side by side). */
export class ResourceGraphReader {
  private readonly client: ResourceGraphClient;
  private readonly maxWaitMs: number;
  private readonly batchSize: number;
  private readonly pageSize: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** No query before this instant (the quota is spent until it resets). */
  private notBefore = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ResourceGraphOptions) {
    const endpoint = options.endpoint.replace(/\/+$/, "");
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.batchSize = Math.max(1, Math.min(1000, options.batchSize ?? 300));
    this.pageSize = Math.max(1, Math.min(1000, options.pageSize ?? 1000));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    const scope = armScope(endpoint);
    let credential: TokenCredential;
    if (options.staticToken !== undefined) {
      if (!isLoopbackEndpoint(endpoint)) throw new ResourceGraphError("A static token is honoured only for a loopback endpoint.");
      const token = options.staticToken;
      credential = { getToken: (): Promise<AccessToken> => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    } else if (options.credential !== undefined) {
      const inner = options.credential;
      // ms-rest-js would ask for the public cloud's scope for an endpoint it does not know (a sovereign cloud proxy).
      credential = { getToken: (_scopes, getTokenOptions) => inner.getToken(scope, getTokenOptions) };
    } else {
      throw new ResourceGraphError("Resource Graph needs a credential or a static token.");
    }
    const onRequest = options.onRequest;
    this.client = new ResourceGraphClient(credential, {
      baseUri: endpoint,
      noRetryPolicy: true,
      userAgent: "secops-bot arm-resourcegraph/4.2.1",
      requestPolicyFactories: (defaults) =>
        onRequest === undefined
          ? defaults
          : [
              ...defaults,
              // Innermost: counts every attempt that goes on the wire.
              { create: (next) => ({ sendRequest: (request) => (onRequest(), next.sendRequest(request)) }) },
            ],
    });
  }

  /** Every row of `kind` in `subscriptionIds`, across batches and pages. Rejects with ResourceGraphError. */
  read(kind: ResourceGraphKind, subscriptionIds: readonly string[]): Promise<ResourceGraphRow[]> {
    const run = this.queue.then(() => this.readAll(kind, subscriptionIds));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAll(kind: ResourceGraphKind, subscriptionIds: readonly string[]): Promise<ResourceGraphRow[]> {
    const rows: ResourceGraphRow[] = [];
    for (let start = 0; start < subscriptionIds.length; start += this.batchSize) {
      const batch = subscriptionIds.slice(start, start + this.batchSize);
      let skipToken: string | undefined;
      do {
        const page = await this.page(RESOURCE_GRAPH_QUERIES[kind], batch, skipToken);
        for (const row of page.rows) rows.push(row);
        skipToken = page.skipToken;
      } while (skipToken !== undefined);
    }
    return rows;
  }

  private async page(query: string, subscriptions: string[], skipToken: string | undefined): Promise<{ rows: ResourceGraphRow[]; skipToken?: string }> {
    for (let attempt = 0; ; attempt++) {
      await this.waitForQuota();
      let response: ResourceGraphModels.ResourcesResponse;
      try {
        response = await this.client.resources({
          subscriptions,
          query,
          options: { top: this.pageSize, resultFormat: "objectArray", ...(skipToken !== undefined ? { skipToken } : {}) },
        });
      } catch (e) {
        const status = statusOf(e);
        const headers = headersOf(e);
        this.noteQuota(headers);
        if (status === 429 && attempt < MAX_THROTTLE_RETRIES) {
          const wait = parseRetryAfter(headers?.get("retry-after")) ?? parseResetsAfter(headers?.get("x-ms-user-quota-resets-after")) ?? 1000;
          if (wait > this.maxWaitMs) throw new ResourceGraphError(`Resource Graph is throttling for ${Math.ceil(wait / 1000)} s.`, 429, e);
          this.notBefore = Math.max(this.notBefore, this.now() + wait);
          continue;
        }
        throw new ResourceGraphError(`Resource Graph query failed${status !== undefined ? ` (HTTP ${status})` : ""}.`, status, e);
      }
      this.noteQuota(response._response.headers);
      if (response.resultTruncated === "true" && response.skipToken === undefined) {
        // Without a skip token the rest cannot be fetched; an incomplete answer must not pass for a whole one.
        throw new ResourceGraphError(`Resource Graph truncated the answer at ${response.count} of ${response.totalRecords} rows.`);
      }
      return { rows: toRows(response.data), ...(response.skipToken ? { skipToken: response.skipToken } : {}) };
    }
  }

  private async waitForQuota(): Promise<void> {
    const wait = this.notBefore - this.now();
    if (wait <= 0) return;
    if (wait > this.maxWaitMs) throw new ResourceGraphError(`Resource Graph quota is spent for ${Math.ceil(wait / 1000)} s.`, 429);
    await this.sleep(wait);
  }

  /** When the quota is spent, the next query waits for its reset. */
  private noteQuota(headers: HeaderReader | undefined): void {
    const remaining = Number(headers?.get("x-ms-user-quota-remaining") ?? Number.NaN);
    if (!Number.isFinite(remaining) || remaining > 0) return;
    const reset = parseResetsAfter(headers?.get("x-ms-user-quota-resets-after")) ?? 1000;
    this.notBefore = Math.max(this.notBefore, this.now() + reset);
  }
}

interface HeaderReader {
  get(name: string): string | undefined | null;
}

function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

function headersOf(e: unknown): HeaderReader | undefined {
  const headers = (e as { response?: { headers?: unknown } } | null)?.response?.headers;
  return typeof headers === "object" && headers !== null && typeof (headers as HeaderReader).get === "function" ? (headers as HeaderReader) : undefined;
}

function parseRetryAfter(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rows of an objectArray answer that have the projected columns; anything else is dropped. */
function toRows(data: unknown): ResourceGraphRow[] {
  if (!Array.isArray(data)) throw new ResourceGraphError("Resource Graph answered without a row array (resultFormat objectArray).");
  return data.flatMap((row: unknown) => {
    if (!isRecord(row)) return [];
    const { id, name, subscriptionId, properties } = row;
    if (typeof id !== "string" || typeof subscriptionId !== "string") return [];
    return [{ id, name: typeof name === "string" ? name : "", subscriptionId, properties: isRecord(properties) ? properties : {} }];
  });
}
