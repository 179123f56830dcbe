import { postureCard } from "../../cards/posture";
import { scoreView } from "../../cards/score";
import { overallScore, topControls } from "../../domain/score";
import type { CommandSpec } from "../command-spec";
import { failuresOf, parseScoreArgs, USAGE } from "../posture-args";

/** `score`: secure score per subscription and overall, and the controls with the most to gain. */
export const spec: CommandSpec = {
  name: "score",
  aliases: ["secure score", "securescore"],
  usage: USAGE.score,
  summary: "Secure score per subscription and overall, top controls by potential gain",
  description:
    "Shows Defender for Cloud's secure score for each watched subscription (points and percentage), the overall figure " +
    "weighted the way Defender aggregates subscriptions, and the security controls that would gain the most points, " +
    "with how many resources are unhealthy in each.",
  examples: ["score", "what's our secure score?"],
  role: "reader",
  sideEffects: false,
  keywords: ["score", "scores", "secure score", "posture", "how secure"],
  async handler(inv, services) {
    const { page } = parseScoreArgs(inv.args);
    const [scores, controls, names] = await Promise.all([
      services.azure.secureScores(),
      services.azure.scoreControls(),
      services.azure.subscriptionNames(),
    ]);
    const view = scoreView(
      { overall: overallScore(scores.items), scores: scores.items, controls: topControls(controls.items, controls.items.length) },
      { subscriptionNames: names, failures: failuresOf(scores, controls), page, command: "score", question: inv.fromQuestion, now: services.clock.now() },
    );
    await inv.reply(postureCard(services.cards, view));
  },
};
