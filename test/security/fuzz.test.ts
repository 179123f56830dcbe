/**
 * @jest-environment ./test/security/host-process-environment.ts
 *
 * Issue 6, bad input: property-based fuzzing of the text path (tokenizer → dispatcher → cards) and of whole requests
 * POSTed to the real server. Whatever arrives, the answer is a 2xx with a clear reply or a 4xx: never a 5xx, never a
 * crash or an unhandled rejection, never a stack trace in anything the bot sends.
 */
import fc from "fast-check";
import { ALICE, BOT, TENANT, cardActionInvoke, messageActivity } from "../helpers/activities";
import { cardOf, startTestBot, type TestBot } from "../helpers/test-bot";
import { Dispatcher } from "../../src/bot/dispatch";
import { CommandRegistry, discoverActions, discoverCommands } from "../../src/bot/registry";
import type { RenderedCard } from "../../src/domain/ports";
import { tokenize, tokenizeWithSpans } from "../../src/domain/tokens";

/** What a stack trace or a source location looks like in text. */
const STACK = /\n\s+at \S|\s{4}at \S+ \(|\.(?:ts|js):\d+(?::\d+)?/;
const CARD_BUDGET = 28 * 1024;

/** The worker's real process (see host-process-environment.ts); `process` in a test is a copy that never emits. */
const hostProcess = (globalThis as unknown as { hostProcess: NodeJS.Process }).hostProcess;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason);
};

const COMMAND_WORDS = discoverCommands().flatMap((s) => [s.name, ...(s.aliases ?? [])]);
const VERBS = discoverActions().map((a) => a.verb);

/** Text a person might type: random unicode, control characters, command words with random arguments, quotes, mentions. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\u0007", "\u001b", "\r", "\n", "\t", "\u200b", "\u202e", "\ufeff", "\ud800", "a", " ", '"', "'", "“"), maxLength: 60 }),
  fc.tuple(fc.constantFrom(...COMMAND_WORDS), fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("page", "0", "-1", "99999999999999999999", "high", "last", "because", "for", "port", "from", "*", "0.0.0.0/0", "${x}", '"')), { maxLength: 8 })).map(([cmd, args]) => [cmd, ...args].join(" ")),
  fc.constantFrom("", " ", "<at>SecOps bot</at>", "<at>SecOps bot</at> ", "&nbsp;", '"', "'", "“unclosed", "help help help", "HELP", "jit", "x".repeat(2001)),
);

let bot: TestBot;
beforeAll(async () => {
  hostProcess.on("unhandledRejection", onUnhandled);
  bot = await startTestBot({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await bot.stop();
  hostProcess.off("unhandledRejection", onUnhandled);
});

describe("fuzz: tokenizer and dispatcher", () => {
  let dispatcher: Dispatcher;
  beforeAll(() => {
    dispatcher = new Dispatcher(new CommandRegistry(discoverCommands()), bot.app.services);
  });

  test("when the tokenizer gets any string, then it never throws and its spans point into the text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 500 }), anyText), (text) => {
        const tokens = tokenizeWithSpans(text);
        expect(tokenize(text)).toEqual(tokens.map((t) => t.text));
        for (const t of tokens) {
          expect(t.start).toBeGreaterThanOrEqual(0);
          expect(t.end).toBeLessThanOrEqual(text.length);
          expect(t.text.length).toBeLessThanOrEqual(t.end - t.start);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("when the dispatcher gets any text from an approver, then it answers with at least one card under 28 KB and never a stack", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const cards: RenderedCard[] = [];
        const turn = {
          text,
          actor: { id: ALICE.aadObjectId, name: ALICE.name, tenantId: TENANT, role: "approver" as const },
          conversation: { id: `conv-fuzz-dispatch-${n++}`, kind: "personal" as const, tenantId: TENANT },
          correlationId: `fuzz-${n}`,
          log: bot.app.services.logger,
          reply: async (card: RenderedCard) => {
            cards.push(card);
            return `a-${cards.length}`;
          },
          update: async (_id: string, card: RenderedCard) => {
            cards.push(card);
          },
        };
        await dispatcher.handleText(turn);
        expect(cards.length).toBeGreaterThanOrEqual(1);
        for (const c of cards) {
          const json = JSON.stringify(c.card);
          expect(Buffer.byteLength(json)).toBeLessThan(CARD_BUDGET);
          expect(json.replace(JSON.stringify(text).slice(1, -1), "")).not.toMatch(STACK);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
    // A handler that throws anything but an AppError logs at error level: a bug, even though the person got a card.
    expect(bot.logs.filter((l) => /"level":(50|60)/.test(l)).map((l) => l.slice(0, 600))).toEqual([]);
  });
});

describe("fuzz: whole requests to the real server", () => {
  /**
   * Never a URL outside this machine: the bot replies to whatever serviceUrl it accepts. (A closed loopback port is left
   * out: the connector client retries it with back-off for seconds, which is slow, not wrong.)
   */
  const serviceUrls = (connector: string) =>
    fc.constantFrom<unknown>(connector, undefined, null, 42, "", "not a url", "ftp://127.0.0.1/", "javascript:alert(1)", "file:///etc/passwd", {}, [connector]);

  const weird = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  );

  const types = fc.oneof(
    fc.constantFrom<unknown>("message", "invoke", "conversationUpdate", "event", "messageReaction", "typing", "endOfConversation", "installationUpdate", "messageUpdate", "messageDelete", "trace", "handoff", "command", "unknownType", ""),
    weird,
  );

  const invokeValues = fc.oneof(
    weird,
    fc.record(
      {
        action: fc.oneof(
          weird,
          fc.record(
            { type: fc.oneof(fc.constantFrom<unknown>("Action.Execute", "Action.Submit"), weird), verb: fc.oneof(fc.constantFrom<unknown>(...VERBS), weird), data: weird, id: weird },
            { requiredKeys: [] },
          ),
        ),
        trigger: fc.oneof(fc.constantFrom<unknown>("manual", "automatic"), weird),
        extra: weird,
      },
      { requiredKeys: [] },
    ),
  );

  /** A valid Teams message, then any field deleted or replaced by a value of the wrong type. */
  const activities = (connector: string) =>
    fc
      .record({
        text: anyText,
        type: types,
        name: fc.oneof(fc.constantFrom<unknown>("adaptiveCard/action", "task/fetch", "composeExtension/query", "signin/verifyState", undefined), weird),
        value: fc.oneof(invokeValues, fc.record({ command: fc.oneof(anyText, weird) })),
        serviceUrl: serviceUrls(connector),
        mutate: fc.array(
          fc.tuple(
            fc.constantFrom("id", "timestamp", "channelId", "from", "recipient", "conversation", "channelData", "text", "textFormat", "locale", "entities", "attachments", "membersAdded", "membersRemoved", "deliveryMode", "replyToId", "from.id", "conversation.id", "conversation.tenantId", "channelData.tenant"),
            fc.oneof(fc.constant("delete" as const), weird),
          ),
          { maxLength: 4 },
        ),
      })
      .map(({ text, type, name, value, serviceUrl, mutate }) => {
        // A deep copy: the builders share ALICE and BOT, which the mutations below must not touch.
        const a: Record<string, any> = structuredClone(messageActivity(text, { serviceUrl: connector, conversationId: "conv-fuzz-http" }));
        a.type = type;
        a.serviceUrl = serviceUrl;
        if (type === "invoke") {
          a.name = name;
          a.value = value;
        } else if (type === "conversationUpdate") {
          a.membersAdded = [BOT, ALICE];
        }
        for (const [path, v] of mutate) {
          const [head, tail] = path.split(".") as [string, string | undefined];
          const target = tail ? a[head] : a;
          const key = tail ?? head;
          if (target === null || typeof target !== "object") continue;
          if (v === "delete") delete target[key];
          else target[key] = v;
        }
        return a;
      });

  test("when the unhandledRejection listener is installed, then it sees an unhandled rejection (so silence below means something)", async () => {
    const before = unhandled.length;
    const probe = Promise.reject(new Error("probe"));
    await new Promise((r) => setImmediate(r));
    expect(unhandled.length).toBe(before + 1);
    unhandled.splice(before, 1);
    // Handle it late, so jest (which saw it too) withdraws it from this test's errors.
    probe.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
  });

  test("when any malformed activity is posted, then the answer is a 2xx or a 4xx, never a 5xx and never a stack trace", async () => {
    const seen: number[] = [];
    await fc.assert(
      fc.asyncProperty(activities(bot.connector.url), async (activity) => {
        const res = await bot.post(activity);
        seen.push(res.status);
        const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500);
        if (!ok) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.body)} for ${JSON.stringify(activity).slice(0, 600)}`);
        expect(JSON.stringify(res.body ?? "")).not.toMatch(STACK);
      }),
      // A fixed default seed keeps CI deterministic (the "both verdicts" check below depends on the draw);
      // FUZZ_SEED=random explores new cases locally.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150), ...(process.env.FUZZ_SEED === "random" ? {} : { seed: Number(process.env.FUZZ_SEED ?? 20261129) }) },
    );
    // Both verdicts happened, so the generator reached past the shape check into real turns.
    expect(seen.some((s) => s < 300)).toBe(true);
    expect(seen.some((s) => s >= 400)).toBe(true);
  });

  /** Shapes with surprises inside: each message must get one clear answer (2xx), or a 400 naming the field. */
  const awkward: [string, Record<string, unknown>, "answer" | 400][] = [
    ["a mention entity without a mentioned account", { entities: [{ type: "mention" }] }, "answer"],
    ["a mention entity whose parts have wrong types", { entities: [{ type: "mention", mentioned: { id: 5 }, text: 7 }] }, "answer"],
    ["null entities", { entities: [null, 1, "x"] }, "answer"],
    ["only a mention", { text: "<at>SecOps bot</at>", entities: [{ type: "mention", text: "<at>SecOps bot</at>", mentioned: BOT }] }, "answer"],
    ["a mention of someone else", { text: "<at>Eve</at> help", entities: [{ type: "mention", text: "<at>Eve</at>", mentioned: { id: "29:eve" } }] }, "answer"],
    ["null attachments", { attachments: [null, { contentType: 5 }] }, "answer"],
    ["a recipient without an id", { recipient: {} }, "answer"],
    ["a numeric channelData tenant", { channelData: { tenant: { id: 5 } } }, "answer"],
    ["a button value whose command is a number", { text: "", value: { command: 5 } }, "answer"],
    ["a button value that is an array", { text: "", value: ["help"] }, "answer"],
    ["no text at all", { text: undefined }, "answer"],
    ["null text", { text: null }, "answer"],
    ["a timestamp that is not a date", { timestamp: "yesterday-ish" }, "answer"],
    ["an expectReplies delivery mode", { deliveryMode: "expectReplies" }, "answer"],
    ["an unknown delivery mode", { deliveryMode: "carrier-pigeon" }, "answer"],
    ["text as a number", { text: 42 }, 400],
    ["from as a string", { from: "29:alice" }, 400],
    ["no conversation", { conversation: undefined }, 400],
    ["a numeric aadObjectId", { from: { id: "29:x", aadObjectId: 5, name: "X" } }, 400],
    ["a numeric sender name", { from: { id: "29:x", name: 7 } }, 400],
    ["a numeric conversation type", { conversation: { id: "conv-awkward-conv", conversationType: 5 } }, 400],
    ["entities as an object", { entities: { type: "mention" } }, 400],
    ["channelData that is a string", { channelData: "x" }, 400],
    ["null channelData", { channelData: null }, 400],
    ["a serviceUrl that is not http(s)", { serviceUrl: "file:///etc/passwd" }, 400],
  ];

  test.each(awkward)("when a message arrives with %s, then it gets one clear card or a 400, and no turn fails", async (name, fields, verdict) => {
    const conversationId = `conv-awkward-${name.replace(/\W+/g, "-")}`;
    const activity: Record<string, unknown> = { ...structuredClone(messageActivity("help", bot.opts({ conversationId }))), ...fields };
    const failuresBefore = bot.logs.filter((l) => l.includes('"turn failed"')).length;
    const res = await bot.post(activity);
    if (verdict === 400) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("BadRequest");
      expect(await bot.app.services.store.getConversation(conversationId)).toBeUndefined();
    } else {
      expect(res.status).toBe(200);
      const replies: Record<string, any>[] =
        fields.deliveryMode === "expectReplies"
          ? res.body.activities
          : (await bot.connector.waitFor(() => bot.connector.sent(conversationId).length >= 1)) && bot.connector.sent(conversationId).map((c) => c.activity);
      expect(replies).toHaveLength(1);
      expect(cardOf(replies[0]!).type).toBe("AdaptiveCard");
      expect(JSON.stringify(replies[0])).not.toMatch(STACK);
    }
    expect(bot.logs.filter((l) => l.includes('"turn failed"')).length).toBe(failuresBefore);
  });

  test("when the body is not an activity at all, then the answer is a 4xx", async () => {
    const bodies = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }).map((s) => ({ body: s, type: "application/json" })),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: JSON.stringify(v) ?? "null", type: "application/json" })),
      fc.string({ maxLength: 100 }).map((s) => ({ body: s, type: "text/plain" })),
      fc.constantFrom({ body: "", type: "application/json" }, { body: "[]", type: "application/json" }, { body: '"message"', type: "application/json" }, { body: "{", type: "application/json" }, { body: '{"type":"message"}', type: "application/x-www-form-urlencoded" }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async ({ body, type }) => {
        fc.pre(!/^\s*\{/.test(body) || type !== "application/json" || !/"type"\s*:\s*"/.test(body));
        const res = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "content-type": type }, body });
        const text = await res.text();
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(text).not.toMatch(STACK);
      }),
      { numRuns: 80 },
    );
  });

  test("when well-formed messages carry any text, then each gets a clear card under 28 KB", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const conversationId = `conv-fuzz-text-${n++}`;
        const res = await bot.post(messageActivity(text, bot.opts({ conversationId })));
        expect(res.status).toBe(200);
        await bot.connector.waitFor(() => bot.connector.sent(conversationId).length >= 1);
        const card = cardOf(bot.connector.sent(conversationId)[0]!.activity);
        expect(card.type).toBe("AdaptiveCard");
        expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(CARD_BUDGET);
      }),
      { numRuns: 50 },
    );
  });

  test("when a forged invoke carries any value, then the answer is a 2xx or a 4xx with an invoke body", async () => {
    await fc.assert(
      fc.asyncProperty(invokeValues, fc.oneof(fc.constantFrom(...VERBS), fc.string({ maxLength: 30 })), async (value, verb) => {
        const activity: Record<string, any> = cardActionInvoke(verb, {}, bot.opts({ conversationId: "conv-fuzz-invoke" }));
        if (value !== undefined) activity.value = value;
        const res = await bot.post(activity);
        expect([200, 400, 403]).toContain(res.status);
        expect(JSON.stringify(res.body ?? "")).not.toMatch(STACK);
      }),
      { numRuns: 80 },
    );
  });

  test("when a 100 KB message arrives, then it is refused clearly in one card", async () => {
    const conversationId = "conv-fuzz-100k";
    const res = await bot.post(messageActivity("help " + "a".repeat(100 * 1024), bot.opts({ conversationId })));
    expect(res.status).toBe(200);
    await bot.connector.waitFor(() => bot.connector.sent(conversationId).length >= 1);
    expect(JSON.stringify(bot.connector.sent(conversationId)[0]!.activity)).toContain("That message is too long");
  });

  test("when the fuzzing is over, then nothing the bot sent held a stack trace, no promise was left rejected, and it still answers", async () => {
    // 2xx answers to odd-but-valid shapes ran their turns to the end: no turn failed, nothing fatal.
    expect(bot.logs.filter((l) => /"level":(50|60)/.test(l)).map((l) => l.slice(0, 600))).toEqual([]);
    const leaked = bot.connector.calls.filter((c) => STACK.test(JSON.stringify(c.activity.attachments ?? c.activity.text ?? "")));
    expect(leaked.map((c) => JSON.stringify(c.activity).slice(0, 300))).toEqual([]);
    expect(unhandled).toEqual([]);
    const [reply] = await bot.say("help", { conversationId: "conv-fuzz-after" });
    expect(JSON.stringify(cardOf(reply!))).toContain("help [command]");
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
