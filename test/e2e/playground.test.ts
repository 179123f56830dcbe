/**
 * The bot as Microsoft 365 Agents Playground sees it: the real bot (demo mode, port 0) and the real playground
 * process (a free port), driven through the playground's own HTTP API and WebSocket, as its chat page does.
 * Replies travel bot → playground serviceUrl (http://localhost:<port>/_connector) → WebSocket; the test bot's local
 * connector is not involved. The playground API is internal to 0.2.x (reference/agents-playground.md).
 */
import { createServer } from "node:net";
import WebSocket from "ws";
import { freePort, startPlayground, type RunningPlayground } from "../../scripts/playground-lib";
import { cardText } from "../helpers/cards";
import { startTestBot, type TestBot } from "../helpers/test-bot";
import { displayUsage } from "../../src/bot/help-view";

const ADAPTIVE = "application/vnd.microsoft.card.adaptive";

interface StreamEvent {
  action: string;
  actionConversationId: string;
  message: { messageId: string; from?: { id: string }; text?: string; attachments?: { contentType: string; content: unknown }[] };
}

/** The page's WebSocket: collects every event the playground pushes. */
class PlaygroundStream {
  readonly events: StreamEvent[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: WebSocket.RawData) => {
      try {
        const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
        this.events.push(JSON.parse(raw.toString("utf8")) as StreamEvent);
      } catch {
        /* not an event */
      }
    });
  }

  static async open(baseUrl: string): Promise<PlaygroundStream> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/_ws_conversation/v1/conversations/stream`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new PlaygroundStream(ws);
  }

  /** Bot messages (createMessage) in a conversation, or in any thread of a channel when `prefix` is true. */
  botMessages(botId: string, conversationId: string, prefix = false): StreamEvent["message"][] {
    return this.events
      .filter((e) => e.action === "createMessage" && e.message.from?.id === botId)
      .filter((e) => (prefix ? e.actionConversationId.startsWith(conversationId) : e.actionConversationId === conversationId))
      .map((e) => e.message);
  }

  async waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; events so far:\n${JSON.stringify(this.events, null, 1).slice(0, 3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** What a person sees in a bot message: its text plus the text of its Adaptive Cards. */
function visibleText(message: StreamEvent["message"]): string {
  const cards = (message.attachments ?? []).filter((a) => a.contentType === ADAPTIVE).map((a) => cardText(a.content));
  return [message.text ?? "", ...cards].join("\n");
}

describe("Agents Playground: chatting with the bot through Microsoft's local Teams client", () => {
  let bot: TestBot;
  let playground: RunningPlayground;
  let stream: PlaygroundStream;
  let config: any;

  beforeAll(async () => {
    bot = await startTestBot();
    playground = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: await freePort() });
    config = ((await (await fetch(`${playground.url}/_internal/v1/config`)).json()) as { config: unknown }).config;
    stream = await PlaygroundStream.open(playground.url);
  }, 60000);

  afterAll(async () => {
    await stream?.close();
    await playground?.stop();
    await bot?.stop();
  });

  async function send(conversationId: string, body: Record<string, unknown>): Promise<{ messageId: string; postConversationId?: string }> {
    const res = await fetch(`${playground.url}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: { id: config.currentUser.id }, textFormat: "plain", ...body }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { messageId: string; postConversationId?: string };
  }

  /** Sends text in the personal chat and waits for the next bot message there that `accept`s. */
  async function say(text: string, accept: (m: StreamEvent["message"]) => boolean): Promise<StreamEvent["message"]> {
    const chat = config.personalChat.id as string;
    const before = stream.botMessages(config.bot.id, chat).length;
    await send(chat, { text });
    return stream.waitFor(
      () => stream.botMessages(config.bot.id, chat).slice(before).find(accept),
      `a bot reply to "${text}" in the personal chat`,
    );
  }

  test("when the playground starts in the repository, then it uses .m365agentsplayground.yml: operator, approver, team channel", () => {
    expect(playground.port).toBeGreaterThan(0);
    expect(config.bot.name).toBe("SecOps bot");
    expect(config.currentUser.name).toBe("Dana Operator");
    expect(config.users.map((u: { name: string }) => u.name)).toContain("Alex Approver");
    expect(config.personalChat.id).toBe("a:secops-personal-chat");
    const channels = config.teams[0].channels.map((c: { name: string }) => c.name);
    expect(channels).toEqual(expect.arrayContaining(["General", "Security alerts"]));
  });

  test("when the operator types help, then the bot answers with an Adaptive Card listing every command", async () => {
    const reply = await say("help", (m) => (m.attachments ?? []).some((a) => a.contentType === ADAPTIVE));
    const text = visibleText(reply);
    expect(text).toContain("SecOps bot");
    const usages = bot.app.services
      .commands()
      .filter((c) => !c.hidden)
      .map((c) => displayUsage(c.usage));
    expect(usages).toContain("help [command]");
    for (const usage of usages) expect(text).toContain(usage);
    expect(text).toContain("Demo mode");
  });

  test("when the operator mistypes hlep, then the bot says did you mean help instead of staying silent", async () => {
    const reply = await say("hlep", (m) => /did you mean/i.test(visibleText(m)));
    expect(visibleText(reply)).toMatch(/did you mean[^\n]*help/i);
  });

  test("when the bot is @mentioned in the team's Security alerts channel, then it answers in that thread", async () => {
    const channel = config.teams[0].channels.find((c: { name: string }) => c.name === "Security alerts").id as string;
    const mention = `<at>${config.bot.name}</at>`;
    const before = stream.botMessages(config.bot.id, channel, true).length;
    const posted = await send(channel, {
      text: `${mention} help`,
      mentions: [{ mentioned: { id: config.bot.id }, text: mention }],
    });
    expect(posted.postConversationId).toContain(channel);
    const reply = await stream.waitFor(
      () => stream.botMessages(config.bot.id, posted.postConversationId!).slice(before)[0],
      "a bot reply in the channel thread",
    );
    expect(visibleText(reply)).toContain("help [command]");
  });

  test("when the requested port is taken, then startPlayground reports the port the playground really uses", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const taken = (blocker.address() as { port: number }).port;
    const second = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: taken });
    try {
      expect(second.port).not.toBe(taken);
      expect(await (await fetch(`${second.url}/_debug/ping`)).text()).toBe("pong");
    } finally {
      await second.stop();
      await new Promise((r) => blocker.close(r));
    }
    expect(second.exited()).toBe(true);
  });
});
