/**
 * Load (issue 6): 100 concurrent conversations for a few seconds through the real restify server and the real SDK
 * clients against the simulator, mixing help / score / exposure / jit with deliveryMode "expectReplies" (replies come
 * back in the HTTP response). Every request must get a 200 with at least one card, none may be throttled (each
 * person sends well under the rate limit: a worker takes a new user id every 20 requests), and the heap must not
 * grow without bound. LOAD_SECONDS (default 5) and LOAD_CONCURRENCY (default 100) make a longer run by hand.
 */
import { messageActivity } from "../helpers/activities";
import { cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { DEFAULT_RATE_LIMIT } from "../../src/bot/dispatch";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 100);
const COMMANDS = ["help", "score", "exposure", "jit"];
const PER_USER = 20;

let bot: TestBot;

beforeAll(async () => {
  // The production rate limit, so the run also shows that many people at once are not throttled.
  bot = await startTestBot({ LOG_LEVEL: "warn" }, { rateLimit: DEFAULT_RATE_LIMIT });
});

afterAll(async () => {
  await bot.stop();
});

interface Outcome {
  status: number;
  replies: number;
  throttled: boolean;
  ms: number;
}

async function request(worker: number, seq: number): Promise<Outcome> {
  const user = Math.floor(seq / PER_USER);
  const from = { id: `29:load-${worker}-${user}`, name: `Load ${worker}.${user}`, aadObjectId: `load-${worker}-${user}` };
  const activity = messageActivity(COMMANDS[(worker + seq) % COMMANDS.length]!, bot.opts({ from, conversationId: `conv-load-${worker}`, deliveryMode: "expectReplies" }));
  const started = performance.now();
  const res = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) });
  const text = await res.text();
  const ms = performance.now() - started;
  let activities: Record<string, any>[] = [];
  try {
    activities = (JSON.parse(text) as { activities?: Record<string, any>[] }).activities ?? [];
  } catch {
    /* counted as no reply */
  }
  const cards = activities.filter((a) => a.attachments?.[0]?.content);
  return { status: res.status, replies: cards.length, throttled: cards.some((a) => cardText(a.attachments[0].content).includes("Slow down")), ms };
}

test(`when ${CONCURRENCY} conversations send help/score/exposure/jit for ${SECONDS} s, then every request is answered with a card, none fails or is throttled, and the heap stays bounded`, async () => {
  // Warm up (module caches, first SDK calls) so the heap baseline is the steady state.
  for (const command of COMMANDS) expect((await request(-1, COMMANDS.indexOf(command))).status).toBe(200);
  const heapBefore = process.memoryUsage().heapUsed;

  const outcomes: Outcome[] = [];
  const end = Date.now() + SECONDS * 1000;
  const worker = async (w: number) => {
    for (let seq = 0; Date.now() < end; seq++) outcomes.push(await request(w, seq));
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;

  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
  const heapAfter = process.memoryUsage().heapUsed;
  // The figures for SECURITY.md ("Load"); printed, not asserted (no timing assertions).
  process.stdout.write(
    `load: ${outcomes.length} requests in ${elapsed.toFixed(1)} s (${Math.round(outcomes.length / elapsed)}/s), concurrency ${CONCURRENCY}, ` +
      `p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms, heap ${Math.round(heapBefore / 1048576)} → ${Math.round(heapAfter / 1048576)} MB\n`,
  );

  expect(outcomes.length).toBeGreaterThanOrEqual(CONCURRENCY);
  expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
  expect(outcomes.filter((o) => o.replies < 1)).toEqual([]);
  expect(outcomes.filter((o) => o.throttled)).toEqual([]);
  const errors = bot.logs.filter((l) => /"level":(50|60)/.test(l));
  expect(errors.map((l) => l.slice(0, 400))).toEqual([]);
  expect(heapAfter).toBeLessThan(heapBefore + 256 * 1024 * 1024);
}, 60_000);
