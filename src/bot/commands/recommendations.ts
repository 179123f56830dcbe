import { postureCard } from "../../cards/posture";
import { recommendationsView } from "../../cards/recommendations";
import { AppError } from "../../domain/errors";
import { groupRecommendations, inScope } from "../../domain/recommendations";
import type { CommandSpec } from "../command-spec";
import { failuresOf, parseRecommendationsArgs, recommendationsCommand, resourceNameFromQuestion, severityFromQuestion, USAGE } from "../posture-args";

/** `recommendations [high|medium|low] [in <resource-group|subscription>]`: what to fix, grouped by recommendation. */
export const spec: CommandSpec = {
  name: "recommendations",
  aliases: ["recs", "recommendation"],
  usage: USAGE.recommendations,
  summary: "Unhealthy recommendations by severity and resources affected, with the fix and a portal link",
  description:
    "Groups Defender for Cloud's unhealthy assessments by recommendation, most severe and most widespread first. Each shows " +
    "how many resources it affects and names the first ones, the remediation, and a link to it in the portal. " +
    "Filter by severity, and by resource group or subscription (id or name) with \"in\".",
  examples: ["recs high", "recommendations in rg-web-prod", 'recs medium in "Contoso Dev"', "recs high page 2"],
  role: "reader",
  sideEffects: false,
  keywords: ["recommendations", "recommendation", "recs", "fix", "findings", "remediate", "misconfigurations", "should we fix", "to fix"],
  questionArgs: (words) => {
    // Only a word shaped like a resource group name ("rg-web-prod") is taken as a scope; "fix in production" is not one.
    const at = words.indexOf("in");
    const name = at === -1 ? undefined : resourceNameFromQuestion(words.slice(at + 1, at + 2));
    const scope = name !== undefined ? ["in", name] : [];
    return [...severityFromQuestion(words), ...scope];
  },
  async handler(inv, services) {
    const args = parseRecommendationsArgs(inv.args);
    const [assessments, names] = await Promise.all([services.azure.assessments(), services.azure.subscriptionNames()]);
    const scope = args.scope !== undefined ? { text: args.scope } : undefined;
    if (scope && assessments.failures.length === 0 && !assessments.items.some((a) => inScope(a, scope, names))) {
      throw new AppError(
        "BadInput",
        `I see no resource group or subscription named "${args.scope!.slice(0, 80)}" with assessments. Name a resource group, a subscription id or a subscription name. Use: ${USAGE.recommendations}`,
      );
    }
    const groups = groupRecommendations(assessments.items, { severity: args.severity, scope }, names);
    const view = recommendationsView(
      { groups, severity: args.severity, scope: args.scope },
      {
        subscriptionNames: names,
        failures: failuresOf(assessments),
        page: args.page,
        command: recommendationsCommand(args),
        question: inv.fromQuestion,
        now: services.clock.now(),
      },
    );
    await inv.reply(postureCard(services.cards, view));
  },
};
