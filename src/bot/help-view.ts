/** Builds the help card from the command specs, so help can never drift from what the bot does. */
import { helpCard } from "../cards/help";
import type { RenderedCard } from "../domain/ports";
import type { CommandSpec, Services } from "./command-spec";

/** The three most useful first questions. */
export const FIRST_QUESTIONS = [
  { title: "Secure score", command: "score" },
  { title: "What is exposed?", command: "exposure" },
  { title: "High recommendations", command: "recommendations high" },
];

/**
 * Usage lines are written with <placeholders> as in DESIGN §3.1; card renderers treat `<N>` as an HTML tag and drop
 * it, so placeholders are shown with single angle quotes instead.
 */
export function displayUsage(usage: string): string {
  return usage.replace(/<([^<>]*)>/g, "‹$1›");
}

function visible(services: Services): CommandSpec[] {
  return services.commands().filter((c) => !c.hidden);
}

export function buildHelp(services: Services, options: { didYouMean?: string; title?: string; intro?: string } = {}): RenderedCard {
  const commands = visible(services);
  const available = new Set(commands.map((c) => c.name.split(" ")[0]));
  return helpCard(services.cards, {
    title: options.title ?? "SecOps bot: what I can do",
    intro:
      options.intro ??
      "Ask about your Azure security posture, request Just-In-Time VM access, start packet captures and get a daily digest. " +
        "Type a command, or ask a question in your own words.",
    demo: services.config.mode === "demo",
    commands: commands.map((c) => ({ usage: displayUsage(c.usage), summary: c.summary, role: c.role })),
    buttons: FIRST_QUESTIONS.filter((q) => available.has(q.command.split(" ")[0]!)),
    didYouMean: options.didYouMean,
    notice:
      services.config.bot.appId === "" && services.config.mode !== "demo"
        ? "Inbound authentication is off (no MicrosoftAppId): use this only on a local machine."
        : undefined,
    footer: "Type help <command> for details, e.g. help jit.",
  });
}

export function buildCommandHelp(services: Services, spec: CommandSpec): RenderedCard {
  return helpCard(services.cards, {
    title: spec.name,
    intro: [spec.description ?? spec.summary, ...(spec.examples?.length ? ["Examples: " + spec.examples.join(" · ")] : [])].join("\n\n"),
    demo: services.config.mode === "demo",
    commands: [{ usage: displayUsage(spec.usage), summary: spec.summary, role: spec.role }],
    buttons: [],
    footer: `Needs the ${spec.role} role.${spec.sideEffects ? " Changes things in Azure or in the bot's state; every use is audited." : ""}`,
  });
}
