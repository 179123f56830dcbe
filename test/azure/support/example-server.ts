/**
 * A tiny node:http server that replays official Azure REST examples, so mapper tests can read them
 * through the real SDK clients (real deserialisation, real pipelines). Only for mapper tests; the
 * gateway tests run against the real simulator.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export const EXAMPLES_DIR = "/work/shared/reference/azure-api-examples";

/** The response body an example file gives for a status code. */
export function exampleBody(file: string, status = "200"): any {
  const json = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), "utf8"));
  return json.responses[status].body;
}

export interface Route {
  method: string;
  path: RegExp;
  /** Matched against the raw query string when given. */
  query?: RegExp;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

export interface ExampleServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startExampleServer(routes: Route[]): Promise<ExampleServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = (req.url ?? "/").replace(/\/{2,}/g, "/");
      requests.push({ method: req.method ?? "", url, authorization: req.headers.authorization, body });
      const [path = "", query = ""] = url.split("?");
      const route = routes.find(
        (r) => r.method === req.method && r.path.test(path) && (r.query === undefined || r.query.test(query)),
      );
      if (!route) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "NotFound", message: `no example for ${req.method} ${path}` } }));
        return;
      }
      res.writeHead(route.status ?? 200, { "content-type": "application/json", ...(route.headers ?? {}) });
      res.end(route.body === undefined ? "" : JSON.stringify(route.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
