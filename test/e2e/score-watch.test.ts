/**
 * Score watches end to end: `watch score …` in a conversation, the hourly check driven by tick(now) with a moved
 * clock, and the simulator's secure score (computed from its assessments) changed under it.
 */
import { SCORE_WATCHES, type ScoreWatch } from "../../src/domain/score-watch";
import type { SimAssessment } from "../../src/simulator";
import { ALICE, BOB } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";

class TestClock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  advanceHours(h: number): Date {
    this.t = new Date(this.t.getTime() + h * 3_600_000 + 1000);
    return this.now();
  }
}

function textOf(activity: Record<string, any> | undefined): string {
  return cardText(cardOf(activity!));
}

function watchPosts(bot: TestBot, conversationId: string): Record<string, any>[] {
  return bot.connector
    .sent(conversationId)
    .map((c) => c.activity)
    .filter((a) => String(a.summary ?? "").startsWith("Secure score of"));
}

/** Makes every healthy assessment of Contoso Production unhealthy (its score falls well under 60 %); returns an undo. */
function breakProduction(bot: TestBot): () => void {
  const estate = bot.app.simulator!.estate;
  const prod = estate.subscriptions.find((s) => s.displayName === "Contoso Production")!;
  const changed: SimAssessment[] = estate.assessments.filter((a) => a.subscriptionId === prod.id && a.status === "Healthy");
  for (const a of changed) a.status = "Unhealthy";
  return () => {
    for (const a of changed) a.status = "Healthy";
  };
}

describe("score watch", () => {
  test("when the score goes under the watched threshold, then one post names the controls, and the next comes only after a recovery", async () => {
    const clock = new TestClock(new Date("2025-06-04T05:00:00Z"));
    const bot = await startTestBot({}, { clock, simulator: { clock: () => clock.now() } });
    try {
      const [set] = await bot.say("watch score below 60%", { conversationId: "conv-watch", conversationType: "channel" });
      expect(textOf(set)).toContain("Watching the secure score");
      expect(textOf(set)).toContain("below 60%");
      expect(textOf(set)).not.toContain("Already below");

      expect((await bot.app.digest.tick(clock.advanceHours(0.5))).watchesChecked).toEqual([]); // not an hour yet
      expect((await bot.app.digest.tick(clock.advanceHours(0.6))).watchAlerts).toEqual([]); // checked, nothing to say

      const restore = breakProduction(bot);
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual(["conv-watch"]);
      const posts = watchPosts(bot, "conv-watch");
      expect(posts).toHaveLength(1);
      const card = cardOf(posts[0]!);
      expect(cardProblems(card)).toEqual([]);
      const text = cardText(card);
      expect(text).toContain("Secure score below the watch: Contoso Production");
      expect(text).toContain("Controls that lost points");
      expect(text).toMatch(/LOST[\s\S]*-\d/);
      expect(text).not.toContain("Contoso Dev");

      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual([]); // still below: quiet
      restore();
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual([]); // recovered: quiet
      breakProduction(bot);
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual(["conv-watch"]);
      expect(watchPosts(bot, "conv-watch")).toHaveLength(2);

      const audit = (await bot.app.services.store.listAudit({ limit: 50 })).filter((e) => e.action === "watch:alert");
      expect(audit).toHaveLength(2);
    } finally {
      await bot.stop();
    }
  });

  test("when a drop is watched, then a drop of that many points since the last check posts once", async () => {
    const clock = new TestClock(new Date("2025-06-04T05:00:00Z"));
    const bot = await startTestBot({}, { clock, simulator: { clock: () => clock.now() } });
    try {
      await bot.say("watch score drop 3", { conversationId: "conv-drop" });
      breakProduction(bot);
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual(["conv-drop"]);
      expect(textOf(watchPosts(bot, "conv-drop")[0])).toContain("Secure score dropped: Contoso Production");
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual([]);
    } finally {
      await bot.stop();
    }
  });

  test("when watch is shown, changed and turned off, then the stored watch follows and roles are enforced", async () => {
    const clock = new TestClock(new Date("2025-06-04T05:00:00Z"));
    const bot = await startTestBot(
      { ROLE_READERS: ALICE.aadObjectId, ROLE_OPERATORS: BOB.aadObjectId, ROLE_APPROVERS: BOB.aadObjectId },
      { clock, simulator: { clock: () => clock.now() } },
    );
    try {
      const [none] = await bot.say("watch", { conversationId: "conv-w" });
      expect(textOf(none)).toContain("No score watch here");
      const [refused] = await bot.say("watch score below 60%", { conversationId: "conv-w" });
      expect(textOf(refused)).toContain("needs the operator role");

      const [bad] = await bot.say("watch score below lots", { conversationId: "conv-w", from: BOB });
      expect(textOf(bad)).toContain('"below" needs a percentage');
      const [already] = await bot.say("watch score below 70%", { conversationId: "conv-w", from: BOB });
      expect(textOf(already)).toContain("Already below now: Contoso Production");
      await bot.say("watch score drop 5%", { conversationId: "conv-w", from: BOB });
      const stored = await bot.app.services.store.getDocument<ScoreWatch>(SCORE_WATCHES, "conv-w");
      expect(stored?.value.rules).toEqual({ below: 70, drop: { amount: 5, unit: "percent" } });

      const [show] = await bot.say("watch", { conversationId: "conv-w" });
      const text = textOf(show);
      expect(text).toContain("below 70% and a drop of 5 percentage points");
      expect(text).toMatch(/Contoso Production[\s\S]*FIRED|FIRED[\s\S]*Contoso Production/);

      // Already below when set: no post at the next check.
      expect((await bot.app.digest.tick(clock.advanceHours(1))).watchAlerts).toEqual([]);

      const [off] = await bot.say("watch off", { conversationId: "conv-w", from: BOB });
      expect(textOf(off)).toContain("Score watch off");
      expect(await bot.app.services.store.getDocument(SCORE_WATCHES, "conv-w")).toBeUndefined();
    } finally {
      await bot.stop();
    }
  });
});
