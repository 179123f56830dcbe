/**
 * The simulator's HTTP server (node:http only). One request goes through: admin routes (/_sim/*),
 * bearer check, route match, request counting, faults of the named subscription, subscription
 * existence, api-version check, then the provider handler. Every error is ARM-shaped:
 * `{"error":{"code","message"}}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { computeRoutes } from "./compute-routes";
import { isRecord, num, type SimContext } from "./context";
import { sameId, subscriptionOf, type Estate } from "./estate";
import { FaultTable, type FaultSpec } from "./faults";
import { LroRegistry } from "./lro";
import { networkRoutes } from "./network-routes";
import { resourceRoutes } from "./resource-routes";
import { resourceGraphRoutes } from "./resource-graph-routes";
import { Router, SimHttpError, type SimResponse } from "./router";
import { securityRoutes } from "./security-routes";

/** Request counts since start or the last reset. */
export interface RequestStats {
  /** Every ARM request received (admin requests excluded). */
  total: number;
  /** Counts by "METHOD path-template", e.g. "GET /subscriptions/{subscriptionId}/providers/Microsoft.Security/alerts". */
  byRoute: Record<string, number>;
  /** Counts by HTTP status answered. */
  byStatus: Record<string, number>;
}

/** Minimal logger (pino-shaped); `debug`, when present, gets one line per request. */
export interface SimLogger {
  info(o: unknown, m?: string): void;
  debug?(o: unknown, m?: string): void;
}

/** What the server needs. */
export interface ServerOptions {
  estate: Estate;
  host: string;
  port: number;
  token?: string;
  pageSize: number;
  clock: () => Date;
  logger?: SimLogger;
}

/** A started server with its controls. */
export interface RunningServer {
  server: Server;
  port: number;
  faults: FaultTable;
  now: () => Date;
  advance: (seconds: number) => void;
  stats: () => RequestStats;
  resetStats: () => void;
  close: () => Promise<void>;
}

const MAX_BODY_BYTES = 1_048_576;
const UNMATCHED = "(unmatched)";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimHttpError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SimHttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The ARM action a request needs, for AuthorizationFailed messages. */
function armAction(method: string, path: string): string {
  const parts = path.split("/").filter((p) => p.length > 0);
  const providerIndex = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (providerIndex < 0) return "Microsoft.Resources/subscriptions/read";
  const rest = parts.slice(providerIndex + 1);
  const namespace = rest[0] ?? "Microsoft.Resources";
  const types = rest.slice(1).filter((_, i) => i % 2 === 0);
  const verb = method === "GET" ? "read" : method === "PUT" ? "write" : method === "DELETE" ? "delete" : "action";
  return [namespace, ...types, verb].join("/");
}

/** Starts the HTTP server. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { estate, logger } = options;
  let offsetMs = 0;
  const now = (): Date => new Date(options.clock().getTime() + offsetMs);
  const ctx: SimContext = { estate, now, pageSize: options.pageSize, lro: new LroRegistry() };
  const router = new Router();
  router.add(...securityRoutes(ctx), ...networkRoutes(ctx), ...computeRoutes(ctx), ...resourceRoutes(ctx), ...resourceGraphRoutes(ctx)); // + Resource Graph (issue 7)
  const faults = new FaultTable();
  let stats: RequestStats = { total: 0, byRoute: {}, byStatus: {} };
  let requestCounter = 0;
  let boundPort = options.port;

  const count = (key: string, status: number | string): void => {
    stats.total += 1;
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
    stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
  };

  const send = (res: ServerResponse, response: SimResponse): void => {
    requestCounter += 1;
    const headers: Record<string, string> = {
      "x-ms-request-id": `00000000-0000-4000-9000-${requestCounter.toString(16).padStart(12, "0")}`,
      ...response.headers,
    };
    if (response.body === undefined) {
      res.writeHead(response.status, headers);
      res.end();
      return;
    }
    const payload = JSON.stringify(response.body);
    res.writeHead(response.status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
    res.end(payload);
  };
  const errorResponse = (e: SimHttpError): SimResponse => ({ status: e.status, body: { error: { code: e.code, message: e.message } }, headers: e.headers });

  const admin = async (method: string, path: string, req: IncomingMessage): Promise<SimResponse> => {
    const body = method === "POST" ? parseJson(await readBody(req)) : undefined;
    const record = isRecord(body) ? body : {};
    if (method === "GET" && path === "/_sim/stats") return { status: 200, body: stats };
    if (method === "POST" && path === "/_sim/reset-stats") {
      stats = { total: 0, byRoute: {}, byStatus: {} };
      return { status: 204 };
    }
    if (method === "GET" && path === "/_sim/estate") return { status: 200, body: estate };
    if (method === "GET" && path === "/_sim/clock") return { status: 200, body: { now: now().toISOString() } };
    if (method === "POST" && path === "/_sim/faults") {
      const subscriptionId = typeof record["subscriptionId"] === "string" ? record["subscriptionId"] : undefined;
      if (!subscriptionId) throw new SimHttpError(400, "InvalidRequestContent", "subscriptionId (a subscription id or \"*\") is required.");
      const fault: FaultSpec = {};
      const latencyMs = num(record, "latencyMs");
      const serverErrors = num(record, "serverErrors");
      const malformed = num(record, "malformed");
      const resets = num(record, "resets");
      if (latencyMs !== undefined) fault.latencyMs = latencyMs;
      if (serverErrors !== undefined) fault.serverErrors = serverErrors;
      const errorsSpec = record["serverErrors"];
      if (isRecord(errorsSpec)) {
        const status = num(errorsSpec, "status") ?? 500;
        if (status !== 500 && status !== 503) throw new SimHttpError(400, "InvalidRequestContent", "serverErrors.status must be 500 or 503.");
        const retryAfterSeconds = num(errorsSpec, "retryAfterSeconds");
        fault.serverErrors = { count: num(errorsSpec, "count") ?? 1, status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
      }
      if (malformed !== undefined) fault.malformed = malformed;
      if (resets !== undefined) fault.resets = resets;
      if (typeof record["forbidden"] === "boolean") fault.forbidden = record["forbidden"];
      const throttle = record["throttle"];
      if (isRecord(throttle)) {
        fault.throttle = { count: num(throttle, "count") ?? 1, retryAfterSeconds: num(throttle, "retryAfterSeconds") ?? 1 };
      }
      faults.set(subscriptionId, fault);
      return { status: 200, body: { subscriptionId, fault: faults.get(subscriptionId) } };
    }
    if (method === "POST" && path === "/_sim/reset-faults") {
      faults.clear(typeof record["subscriptionId"] === "string" ? record["subscriptionId"] : undefined);
      return { status: 204 };
    }
    if (method === "POST" && path === "/_sim/advance") {
      const seconds = num(record, "seconds");
      if (seconds === undefined) throw new SimHttpError(400, "InvalidRequestContent", "seconds (a number) is required.");
      offsetMs += seconds * 1000;
      return { status: 200, body: { now: now().toISOString() } };
    }
    throw new SimHttpError(404, "NotFound", `No simulator admin endpoint ${method} ${path}.`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const host = req.headers.host ?? `${options.host}:${boundPort}`;
    const baseUrl = `http://${host}`;
    // Collapse "//" before parsing: SDK scope parameters produce "//subscriptions/...", which
    // URL parsing would otherwise read as a protocol-relative host.
    const rawUrl = req.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const rawPath = (queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart)).replace(/\/{2,}/g, "/");
    const url = new URL(rawPath + (queryStart < 0 ? "" : rawUrl.slice(queryStart)), baseUrl);
    const path = url.pathname;
    if (path.startsWith("/_sim/")) {
      send(res, await admin(method, path, req));
      return;
    }
    let key = `${method} ${UNMATCHED}`;
    let response: SimResponse;
    let damage: "malformed" | "reset" | undefined;
    try {
      response = await dispatch();
    } catch (e) {
      if (e instanceof SimHttpError) response = errorResponse(e);
      else {
        logger?.info({ err: e instanceof Error ? e.message : String(e), method, path }, "ARM simulator handler failed");
        response = errorResponse(new SimHttpError(500, "InternalServerError", "The simulator failed to handle the request."));
      }
    }
    if (damage === "reset") {
      // The request was read in full; the connection is dropped with no status line (ECONNRESET for the client).
      count(key, "reset");
      logger?.debug?.({ method, path: `${path}${url.search}`, status: "reset" }, "ARM simulator request");
      req.socket.destroy();
      return;
    }
    if (damage === "malformed") {
      // A 200 whose JSON body stops half-way, as a proxy cutting a response short would leave it.
      const full = JSON.stringify(response.body ?? { value: [] });
      const payload = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
      count(key, 200);
      logger?.debug?.({ method, path: `${path}${url.search}`, status: 200, malformed: true }, "ARM simulator request");
      requestCounter += 1;
      res.writeHead(200, {
        "x-ms-request-id": `00000000-0000-4000-9000-${requestCounter.toString(16).padStart(12, "0")}`,
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    count(key, response.status);
    logger?.debug?.({ method, path: `${path}${url.search}`, status: response.status }, "ARM simulator request");
    send(res, response);

    async function dispatch(): Promise<SimResponse> {
      if (options.token !== undefined) {
        const auth = req.headers.authorization;
        if (!auth) throw new SimHttpError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
        if (auth !== `Bearer ${options.token}`) {
          throw new SimHttpError(401, "InvalidAuthenticationToken", "The access token is invalid.");
        }
      }
      const body = method === "PUT" || method === "POST" || method === "PATCH" ? parseJson(await readBody(req)) : undefined;
      const match = router.match(method, path);
      if (!("route" in match)) {
        if (match.methodMismatch) throw new SimHttpError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported for '${path}'.`);
        throw new SimHttpError(404, "NotFound", `No HTTP resource was found that matches the request URI '${path}'.`);
      }
      key = match.key;
      const subscriptionId = match.params["subscriptionId"] ?? subscriptionOf(path);
      const latency = faults.latencyFor(subscriptionId);
      if (latency > 0) await sleep(latency);
      const fault = faults.decide(subscriptionId);
      if (fault.kind === "forbidden") {
        throw new SimHttpError(
          403,
          "AuthorizationFailed",
          `The client 'secops-bot' does not have authorization to perform action '${armAction(method, path)}' over scope '/subscriptions/${subscriptionId ?? ""}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
      }
      if (fault.kind === "throttle") {
        throw new SimHttpError(
          429,
          "SubscriptionRequestsThrottled",
          `Number of requests for subscription '${subscriptionId ?? ""}' and operation '${method}' exceeded the backend storage limit. Please try again after '${fault.retryAfterSeconds}' seconds.`,
          { "Retry-After": String(fault.retryAfterSeconds), "x-ms-ratelimit-remaining-subscription-reads": "0" },
        );
      }
      if (fault.kind === "serverError") {
        const retryAfter = fault.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(fault.retryAfterSeconds) };
        if (fault.status === 503) {
          throw new SimHttpError(503, "ServiceUnavailable", "The service is temporarily unavailable. Diagnostic information: simulated fault.", retryAfter);
        }
        throw new SimHttpError(500, "InternalServerError", "Encountered internal server error. Diagnostic information: simulated fault.", retryAfter);
      }
      if (fault.kind === "reset" || fault.kind === "malformed") damage = fault.kind;
      if (subscriptionId !== undefined && !estate.subscriptions.some((s) => sameId(s.id, subscriptionId))) {
        throw new SimHttpError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
      }
      const apiVersion = url.searchParams.get("api-version");
      if (apiVersion === null) {
        throw new SimHttpError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      }
      if (apiVersion !== match.route.apiVersion) {
        throw new SimHttpError(
          400,
          "InvalidApiVersionParameter",
          `The api-version '${apiVersion}' is invalid. The supported versions are '${match.route.apiVersion}'.`,
        );
      }
      return match.route.handle({ method, path, params: match.params, query: url.searchParams, body, baseUrl });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const error = e instanceof SimHttpError ? e : new SimHttpError(500, "InternalServerError", "The simulator failed to handle the request.");
      if (!res.headersSent) send(res, errorResponse(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  return {
    server,
    port,
    faults,
    now,
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
    stats: () => ({ total: stats.total, byRoute: { ...stats.byRoute }, byStatus: { ...stats.byStatus } }),
    resetStats: () => {
      stats = { total: 0, byRoute: {}, byStatus: {} };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; drop them so close() does not wait for their timeout.
        server.closeAllConnections();
      }),
  };
}
