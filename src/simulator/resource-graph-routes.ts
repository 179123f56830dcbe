/**
 * Azure Resource Graph as @azure/arm-resourcegraph 4.2.1 calls it: POST /providers/Microsoft.ResourceGraph/resources
 * (api-version 2021-03-01), body `{subscriptions, query, options: {$top, $skip, $skipToken, resultFormat}}`.
 *
 * The simulator does not run Kusto. It knows the bot's own queries (a table of exact query texts, whitespace runs
 * collapsed) and answers each from the estate, with rows built by this simulator's ARM routes, so both paths give
 * the same data. Any other query is a 400 `InvalidQuery`.
 *
 * Like Azure it pages by `$top` (at most 1000) with an opaque `$skipToken`, orders by id, and enforces a per-caller
 * quota (15 queries per 5 s by default, in wall-clock time) with `x-ms-user-quota-remaining` and
 * `x-ms-user-quota-resets-after` on every answer and 429 + `Retry-After` when it is spent.
 * Tests steer it through {@link resourceGraphControl}.
 */
import type { SimContext } from "./context";
import type { Estate } from "./estate";
import { sameId } from "./estate";
import { Router, SimHttpError, type Route, type RouteRequest, type SimResponse } from "./router";
import { securityRoutes } from "./security-routes";

export const RESOURCE_GRAPH_API_VERSION = "2021-03-01";
const MAX_TOP = 1000;

/**
 * The queries the bot sends (src/azure/resource-graph.ts; a test keeps the two lists equal), by the kind of rows
 * they return.
 */
export const KNOWN_RESOURCE_GRAPH_QUERIES = {
  assessments:
    'securityresources | where type == "microsoft.security/assessments" | project id, name, subscriptionId, properties | order by id asc',
  secureScores:
    'securityresources | where type == "microsoft.security/securescores" | project id, name, subscriptionId, properties | order by id asc',
  scoreControls:
    'securityresources | where type == "microsoft.security/securescores/securescorecontrols" | project id, name, subscriptionId, properties | order by id asc',
} as const;

type QueryKind = keyof typeof KNOWN_RESOURCE_GRAPH_QUERIES;

/** What a test can change about the simulated Resource Graph of one estate. */
export interface ResourceGraphControl {
  /** The per-caller quota: `limit` queries per `windowSeconds` (wall clock). Default 15 per 5 s. */
  setQuota(limit: number, windowSeconds: number): void;
  /** Answers the next `count` queries with `status` (429 carries `Retry-After: retryAfterSeconds`). */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** Subscriptions the caller cannot read: left out of every answer without an error, as Resource Graph does. */
  hideSubscriptions(ids: string[]): void;
  /** Queries answered with data so far, by kind, and how many were refused with 429 for the quota. */
  stats(): { byKind: Record<string, number>; throttled: number };
  /** Back to the defaults, counters zeroed. */
  reset(): void;
}

interface ControlState {
  limit: number;
  windowMs: number;
  windowStart: number;
  used: number;
  failures: { count: number; status: number; retryAfterSeconds: number } | undefined;
  hidden: Set<string>;
  byKind: Record<string, number>;
  throttled: number;
}

const states = new WeakMap<Estate, ControlState>();

function freshState(): ControlState {
  return { limit: 15, windowMs: 5000, windowStart: 0, used: 0, failures: undefined, hidden: new Set(), byKind: {}, throttled: 0 };
}

function stateOf(estate: Estate): ControlState {
  let state = states.get(estate);
  if (state === undefined) {
    state = freshState();
    states.set(estate, state);
  }
  return state;
}

/** The Resource Graph controls of the simulator serving `estate` (`sim.estate`). */
export function resourceGraphControl(estate: Estate): ResourceGraphControl {
  const state = stateOf(estate);
  return {
    setQuota(limit, windowSeconds) {
      state.limit = Math.max(1, Math.floor(limit));
      state.windowMs = Math.max(1, windowSeconds) * 1000;
      state.windowStart = 0;
      state.used = 0;
    },
    failNext(count, status, retryAfterSeconds = 1) {
      state.failures = { count, status, retryAfterSeconds };
    },
    hideSubscriptions(ids) {
      for (const id of ids) state.hidden.add(id.toLowerCase());
    },
    stats: () => ({ byKind: { ...state.byKind }, throttled: state.throttled }),
    reset() {
      Object.assign(state, freshState());
    },
  };
}

const normalise = (query: string): string => query.replace(/\s+/g, " ").trim();
const KNOWN = new Map<string, QueryKind>(
  (Object.entries(KNOWN_RESOURCE_GRAPH_QUERIES) as [QueryKind, string][]).map(([kind, text]) => [normalise(text), kind]),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "hh:mm:ss" of a duration, rounded up to whole seconds. */
function hhmmss(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

function badRequest(code: string, message: string): SimHttpError {
  return new SimHttpError(400, code, message);
}

interface Row {
  id: string;
  name: string;
  subscriptionId: string;
  properties: unknown;
}

/** The Resource Graph route. */
export function resourceGraphRoutes(ctx: SimContext): Route[] {
  // The ARM routes with one page holding everything: the rows are exactly what ARM lists.
  const arm = new Router();
  arm.add(...securityRoutes({ ...ctx, pageSize: Number.MAX_SAFE_INTEGER }));
  const list = (path: string, query: Record<string, string>): Record<string, unknown>[] => {
    const match = arm.match("GET", path);
    if (!("route" in match)) throw new Error(`simulator: no ARM route for ${path}`);
    const response = match.route.handle({ method: "GET", path, params: match.params, query: new URLSearchParams(query), body: undefined, baseUrl: "" });
    if (response instanceof Promise) throw new Error("simulator: ARM list routes answer synchronously");
    const body = response.body;
    return isRecord(body) && Array.isArray(body["value"]) ? body["value"].filter(isRecord) : [];
  };
  const toRow = (item: Record<string, unknown>, subscriptionId: string): Row => ({
    id: String(item["id"]),
    name: String(item["name"]),
    subscriptionId,
    properties: item["properties"],
  });

  const rowsFor: Record<QueryKind, (subscriptionId: string) => Row[]> = {
    assessments: (sub) =>
      list(`/subscriptions/${sub}/providers/Microsoft.Security/assessments`, { "api-version": "2021-06-01" }).map((item) => {
        const row = toRow(item, sub);
        // Resource Graph spells resourceDetails' keys with capitals.
        if (isRecord(row.properties) && isRecord(row.properties["resourceDetails"])) {
          const { source, id, ...rest } = row.properties["resourceDetails"];
          row.properties = { ...row.properties, resourceDetails: { ...rest, Source: source, Id: id } };
        }
        return row;
      }),
    secureScores: (sub) =>
      list(`/subscriptions/${sub}/providers/Microsoft.Security/secureScores`, { "api-version": "2020-01-01" }).map((item) => toRow(item, sub)),
    scoreControls: (sub) =>
      list(`/subscriptions/${sub}/providers/Microsoft.Security/secureScoreControls`, { "api-version": "2020-01-01" }).map((item) => toRow(item, sub)),
  };

  const snapshots = new Map<string, Row[]>();
  const handle = (req: RouteRequest): SimResponse => {
    const state = stateOf(ctx.estate);
    const now = Date.now();
    if (now - state.windowStart >= state.windowMs) {
      state.windowStart = now;
      state.used = 0;
    }
    const resetsAfter = state.windowStart + state.windowMs - now;
    if (state.used >= state.limit) {
      state.throttled += 1;
      throw new SimHttpError(429, "RateLimiting", "Please provide below info when asking for support: Too many requests. Please retry.", {
        "Retry-After": String(Math.max(1, Math.ceil(resetsAfter / 1000))),
        "x-ms-user-quota-remaining": "0",
        "x-ms-user-quota-resets-after": hhmmss(resetsAfter),
      });
    }
    state.used += 1;
    const quotaHeaders = {
      "x-ms-user-quota-remaining": String(state.limit - state.used),
      "x-ms-user-quota-resets-after": hhmmss(resetsAfter),
    };
    if (state.failures !== undefined && state.failures.count > 0) {
      state.failures.count -= 1;
      const { status, retryAfterSeconds } = state.failures;
      throw new SimHttpError(status, status === 429 ? "RateLimiting" : "InternalServerError", "Simulated Resource Graph failure.", {
        ...quotaHeaders,
        ...(status === 429 ? { "Retry-After": String(retryAfterSeconds) } : {}),
      });
    }

    const body = req.body;
    if (!isRecord(body) || typeof body["query"] !== "string") throw badRequest("InvalidRequestContent", "The request must have a query.");
    const kind = KNOWN.get(normalise(body["query"]));
    if (kind === undefined) {
      throw badRequest("InvalidQuery", "Query is invalid. The simulator answers only the SecOps bot's own queries (see docs/scale-out.md).");
    }
    const options = isRecord(body["options"]) ? body["options"] : {};
    if (options["resultFormat"] !== undefined && options["resultFormat"] !== "objectArray") {
      throw badRequest("InvalidRequestContent", "The simulator answers resultFormat objectArray only.");
    }
    const top = options["$top"] === undefined ? MAX_TOP : Number(options["$top"]);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw badRequest("InvalidRequestContent", `$top must be 1..${MAX_TOP}.`);
    const subscriptions = Array.isArray(body["subscriptions"]) ? body["subscriptions"].filter((s): s is string => typeof s === "string") : [];
    const visible = ctx.estate.subscriptions.filter(
      (s) => subscriptions.some((id) => sameId(id, s.id)) && !state.hidden.has(s.id.toLowerCase()),
    );
    const token = options["$skipToken"];
    // A continuation reads the result the first page was cut from (Resource Graph pages one snapshot too).
    const snapshotKey = `${kind}|${visible.map((s) => s.id).join(",")}`;
    let rows = typeof token === "string" ? snapshots.get(snapshotKey) : undefined;
    if (rows === undefined) {
      rows = visible.flatMap((s) => rowsFor[kind](s.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      snapshots.set(snapshotKey, rows);
      if (snapshots.size > 16) snapshots.delete(snapshots.keys().next().value!);
    }

    let offset = Number(options["$skip"] ?? 0);
    if (typeof token === "string") {
      const decoded = Number.parseInt(Buffer.from(token, "base64url").toString("utf8").replace(/^offset:/, ""), 10);
      if (!Number.isInteger(decoded) || decoded < 0) throw badRequest("InvalidSkipToken", "The $skipToken is not valid.");
      offset = decoded;
    }
    const data = rows.slice(offset, offset + top);
    const next = offset + top < rows.length ? Buffer.from(`offset:${offset + top}`, "utf8").toString("base64url") : undefined;
    state.byKind[kind] = (state.byKind[kind] ?? 0) + 1;
    return {
      status: 200,
      headers: quotaHeaders,
      body: {
        totalRecords: rows.length,
        count: data.length,
        resultTruncated: "false",
        ...(next !== undefined ? { $skipToken: next } : {}),
        data,
        facets: [],
      },
    };
  };

  return [{ method: "POST", template: "/providers/Microsoft.ResourceGraph/resources", apiVersion: RESOURCE_GRAPH_API_VERSION, handle }];
}
