/**
 * Starts the whole bot as production does (config → buildApp → real restify server on port 0, real SDK clients,
 * the simulator on port 0) plus a local connector, and sends activities to it over HTTP.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config";
import { buildApp, type App, type AppOverrides } from "../../src/composition";
import { createLogger } from "../../src/logger";
import { startConnector, type Connector } from "./connector";
import { type ActivityOptions, messageActivity } from "./activities";

export interface TestBot {
  app: App;
  url: string;
  connector: Connector;
  stateDir: string;
  /** Every log line the bot wrote, as text. */
  logs: string[];
  /** POSTs an activity; resolves with the HTTP status and body. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Sends a text message and waits until at least `replies` new messages arrived for that conversation. */
  say(text: string, options?: Partial<ActivityOptions> & { replies?: number }): Promise<Record<string, any>[]>;
  opts(extra?: Partial<ActivityOptions>): ActivityOptions;
  stop(): Promise<void>;
}

export async function startTestBot(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestBot> {
  const stateDir = env.STATE_DIR ?? mkdtempSync(join(tmpdir(), "secops-bot-test-"));
  const logs: string[] = [];
  const logger = createLogger(
    env.LOG_LEVEL ?? "debug",
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString("utf8"));
        cb();
      },
    }),
  );
  const config = loadConfig({ PORT: "0", STATE_DIR: stateDir, ...env });
  // Tests read answers as the first reply; the progress card (DESIGN §3.5) has its own tests that lower this.
  // Suites send many commands as one person quickly; the per-person rate limit (issue 6) has its own test that sets it.
  const app = await buildApp(config, {
    logger,
    progressAfterMs: 60_000,
    rateLimit: { max: 1_000_000, windowMs: 60_000 },
    ...overrides,
    azure: { lroPollIntervalMs: 5, ...overrides.azure },
  });
  const { url } = await app.start();
  const connector = await startConnector();

  const post: TestBot["post"] = async (activity, headers = {}) => {
    const res = await fetch(`${url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  };
  const opts: TestBot["opts"] = (extra = {}) => ({ serviceUrl: connector.url, ...extra });

  return {
    app,
    url,
    connector,
    stateDir,
    logs,
    post,
    opts,
    async say(text, options = {}) {
      const { replies = 1, ...rest } = options;
      const activity = messageActivity(text, opts(rest));
      const conversationId = (activity.conversation as { id: string }).id;
      const before = connector.sent(conversationId).length;
      const res = await post(activity);
      if (res.status >= 300) throw new Error(`bot answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
      await connector.waitFor(() => connector.sent(conversationId).length >= before + replies);
      return connector.sent(conversationId).slice(before).map((c) => c.activity);
    },
    async stop() {
      await app.stop();
      await connector.close();
      if (!env.STATE_DIR) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export { cardOf, cardText } from "./cards";
