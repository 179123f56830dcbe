/**
 * A local Bot Framework connector: the serviceUrl the bot replies to in tests. It records every activity the bot
 * sends (replies, proactive posts) and every update, and answers like the real service ({ id }).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ConnectorCall {
  method: "POST" | "PUT" | "DELETE";
  conversationId: string;
  /** POST: the activity replied to (if any); PUT/DELETE: the activity changed. */
  activityId?: string;
  /** The id the connector gave (POST) or the id updated (PUT). */
  id: string;
  activity: Record<string, any>;
  authorization?: string;
}

export interface Connector {
  url: string;
  calls: ConnectorCall[];
  /** Activities the bot posted (not typing indicators). */
  sent(conversationId?: string): ConnectorCall[];
  updates(conversationId?: string): ConnectorCall[];
  /** Resolves once `predicate` holds for the calls so far; rejects after `timeoutMs` with what arrived. */
  waitFor(predicate: (calls: ConnectorCall[]) => boolean, timeoutMs?: number): Promise<ConnectorCall[]>;
  /** Make the next posts to a conversation fail with this status (e.g. 403 when the bot was removed). */
  failConversation(conversationId: string, status: number): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** restify patches http.ServerResponse.prototype (its writeHead does not return `this`), so never chain. */
function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(body);
}

export async function startConnector(): Promise<Connector> {
  const calls: ConnectorCall[] = [];
  const failing = new Map<string, number>();
  const waiters = new Set<() => void>();
  let counter = 0;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? "");
      if (!m) {
        send(res, 404, "");
        return;
      }
      const conversationId = decodeURIComponent(m[1]!);
      const activityId = m[2] ? decodeURIComponent(m[2]) : undefined;
      const status = failing.get(conversationId);
      if (status !== undefined) {
        send(res, status, JSON.stringify({ error: { code: "BotNotInConversationRoster", message: "gone" } }));
        return;
      }
      const method = req.method as ConnectorCall["method"];
      const id = method === "POST" ? `activity-${++counter}` : activityId ?? "";
      calls.push({
        method,
        conversationId,
        activityId,
        id,
        activity: body ? (JSON.parse(body) as Record<string, any>) : {},
        authorization: req.headers.authorization,
      });
      send(res, 200, JSON.stringify({ id }));
      for (const w of [...waiters]) w();
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const isMessage = (c: ConnectorCall) => c.activity.type !== "typing";
  return {
    url,
    calls,
    sent: (conversationId) => calls.filter((c) => c.method === "POST" && isMessage(c) && (!conversationId || c.conversationId === conversationId)),
    updates: (conversationId) => calls.filter((c) => c.method === "PUT" && (!conversationId || c.conversationId === conversationId)),
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(calls)) return Promise.resolve(calls);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(calls)) {
            cleanup();
            resolve(calls);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`connector: condition not met within ${timeoutMs} ms; received ${JSON.stringify(calls.map((c) => ({ m: c.method, conv: c.conversationId, summary: c.activity.summary, text: c.activity.text })))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    failConversation(conversationId, status) {
      failing.set(conversationId, status);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
