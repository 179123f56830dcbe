/**
 * The HTTP surface (DESIGN §3.3), the only place that knows restify. Routes hand over to injected functions so the
 * bot layer never sees restify and a later move to another SDK touches only src/bot and src/http.
 */
import * as restify from "restify";
import type { Logger } from "../logger";

/** Largest request body accepted; Bot Framework activities are far smaller. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface Health {
  status: "ok" | "starting" | "stopping";
  mode: string;
  version: string;
}

export interface HttpRoutes {
  /** POST /api/messages: hands the request to the Bot Framework adapter, which writes the response. */
  messages: (req: restify.Request, res: restify.Response) => Promise<void>;
  health: () => Health;
  /** POST /api/alerts, when the alert webhook is enabled; returns the HTTP status and body to send. */
  alerts?: (input: { key?: string; body: unknown }) => Promise<{ status: number; body: unknown }>;
}

export function createHttpServer(routes: HttpRoutes, logger: Logger): restify.Server {
  const server = restify.createServer({ name: "secops-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false, rejectUnknown: false }));

  server.post("/api/messages", async (req: restify.Request, res: restify.Response) => {
    const body = req.body as { type?: unknown } | null | undefined;
    if (typeof body !== "object" || body === null || Array.isArray(body) || typeof body.type !== "string") {
      res.send(400, { error: { code: "BadRequest", message: "Expected a JSON Bot Framework activity with a type." } });
      return;
    }
    await routes.messages(req, res);
  });

  // restify 12 wants handlers either async with (req, res) or callback-style with (req, res, next).
  server.get("/healthz", (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    const health = routes.health();
    res.send(health.status === "ok" ? 200 : 503, health);
    next();
  });

  if (routes.alerts) {
    const alerts = routes.alerts;
    server.post("/api/alerts", async (req: restify.Request, res: restify.Response) => {
      const header = req.header("x-alert-key");
      const queryKey = (req.query as Record<string, unknown> | undefined)?.key;
      const key = typeof queryKey === "string" ? queryKey : header || undefined;
      const out = await alerts({ key, body: req.body as unknown });
      res.send(out.status, out.body);
    });
  }

  server.on("restifyError", (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
    // Client errors (bad JSON, too large) are routine; log them briefly, never with the body.
    logger[(err.statusCode ?? 500) >= 500 ? "error" : "info"]({ path: req.path(), status: err.statusCode, code: err.name }, "request rejected");
    cb();
  });
  return server;
}
