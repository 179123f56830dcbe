/**
 * Per-person message rate limit (issue 6), through the real server: over 30 messages a minute a person gets one
 * "slow down" card, the rest of the window is dropped (audited once as throttled), and other people are unaffected.
 */
import { DEFAULT_RATE_LIMIT } from "../../src/bot/dispatch";
import { ALICE, BOB, messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";

const ALICE_CHAT = "conv-rate-alice";
const BOB_CHAT = "conv-rate-bob";

let bot: TestBot;
let now = Date.now();

beforeAll(async () => {
  bot = await startTestBot({ LOG_LEVEL: "warn" }, { clock: { now: () => new Date(now) }, rateLimit: DEFAULT_RATE_LIMIT });
});

afterAll(async () => {
  await bot.stop();
});

/** Posts a message and returns how many messages reached that conversation during the turn. */
async function send(text: string, from: typeof ALICE, conversationId: string): Promise<Record<string, any>[]> {
  const before = bot.connector.sent(conversationId).length;
  const res = await bot.post(messageActivity(text, bot.opts({ from, conversationId })));
  expect(res.status).toBeLessThan(300);
  return bot.connector.sent(conversationId).slice(before).map((c) => c.activity);
}

test("when Alice sends more than 30 commands in a minute, then she gets one slow-down card, the rest is dropped and audited once, Bob is unaffected, and after the window she is answered again", async () => {
  expect(DEFAULT_RATE_LIMIT).toEqual({ max: 30, windowMs: 60_000 });
  for (let i = 0; i < 30; i++) {
    const replies = await send("help", ALICE, ALICE_CHAT);
    expect(replies).toHaveLength(1);
    expect(cardText(cardOf(replies[0]!))).not.toContain("Slow down");
  }

  const over = await send("help", ALICE, ALICE_CHAT);
  expect(over).toHaveLength(1);
  expect(cardText(cardOf(over[0]!))).toContain("Slow down");

  now += 30_000; // still inside the window
  for (let i = 0; i < 5; i++) expect(await send("score", ALICE, ALICE_CHAT)).toHaveLength(0);

  // Another person in the same minute is answered as usual.
  const bobs = await send("help", BOB, BOB_CHAT);
  expect(bobs).toHaveLength(1);
  expect(cardText(cardOf(bobs[0]!))).not.toContain("Slow down");

  const audit = await bot.app.services.store.listAudit({ limit: 500 });
  const throttled = audit.filter((e) => e.result === "throttled");
  expect(throttled).toEqual([expect.objectContaining({ actorId: ALICE.aadObjectId, conversationId: ALICE_CHAT })]);
  // Dropped messages ran no command.
  expect(audit.filter((e) => e.actorId === ALICE.aadObjectId && e.action === "command:score")).toHaveLength(0);

  now += 31_000; // the window has passed
  const back = await send("help", ALICE, ALICE_CHAT);
  expect(back).toHaveLength(1);
  expect(cardText(cardOf(back[0]!))).not.toContain("Slow down");
});
