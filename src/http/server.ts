/**
 * The HTTP surface (DESIGN §3.3), the only place that knows restify. Routes hand over to injected functions so the
 * bot layer never sees restify and a later move to another SDK touches only src/bot and src/http.
 */
import * as restify from "restify";
import type { Logger } from "../logger";
import { activityShapeProblem } from "./activity-shape";

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
  /**
   * POST /api/alerts, when the alert webhook is enabled; returns the HTTP status, body and extra headers to send.
   * `source` is the caller's socket address (for the rate limit; X-Forwarded-For is not trusted, it can be forged).
   */
  alerts?: (input: { key?: string; body: unknown; source?: string }) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

export function createHttpServer(routes: HttpRoutes, logger: Logger): restify.Server {
  const server = restify.createServer({ name: "secops-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false, rejectUnknown: false }));

  server.post("/api/messages", async (req: restify.Request, res: restify.Response) => {
    const problem = activityShapeProblem(req.body);
    if (problem !== undefined) {
      res.send(400, { error: { code: "BadRequest", message: problem } });
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
      // Parsed JSON arrives as an object; any other content type leaves the raw text for the intake to read.
      const out = await alerts({ key, body: req.body as unknown, source: req.socket?.remoteAddress });
      res.send(out.status, out.body, out.headers);
    });
  }

  server.on("restifyError", (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
    // Client errors (bad JSON, too large) are routine; log them briefly, never with the body.
    logger[(err.statusCode ?? 500) >= 500 ? "error" : "info"]({ path: req.path(), status: err.statusCode, code: err.name }, "request rejected");
    cb();
  });
  return server;
}
