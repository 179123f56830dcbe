/** Builds the help and welcome cards from the command specs, so help can never drift from what the bot does. */
import { helpCard, type HelpEntry, type HelpGroup, type HelpTopic } from "../cards/help";
import type { RenderedCard } from "../domain/ports";
import type { CommandSpec, Services } from "./command-spec";

/** The three most useful first questions. */
export const FIRST_QUESTIONS = [
  { title: "Secure score", command: "score" },
  { title: "What is exposed?", command: "exposure" },
  { title: "High recommendations", command: "recommendations high" },
];

/**
 * Help lists commands by what they are for, in this order; a command whose first word is in no group goes under
 * "More", so a new command shows up in help without an edit here.
 */
export const HELP_GROUPS: readonly { title: string; heads: readonly string[] }[] = [
  { title: "Security posture", heads: ["score", "recommendations", "alerts", "vm", "exposure", "containers"] },
  { title: "Just-In-Time VM access", heads: ["jit", "audit"] },
  { title: "Packet capture", heads: ["capture"] },
  { title: "Fixes", heads: ["fix", "undo"] },
  { title: "Digest and score watch", heads: ["digest", "watch"] },
  { title: "Help", heads: ["help"] },
];

/** What the bot does, for the welcome card; a topic shows only when its command exists. */
export const WELCOME_TOPICS: readonly (HelpTopic & { head: string })[] = [
  {
    head: "score",
    title: "Security posture",
    text: 'Secure score and its top controls, high recommendations, active alerts, everything about one VM. Try "vm vm-web-01".',
  },
  {
    head: "exposure",
    title: "Internet exposure",
    text: "VMs and NSG rules open to the internet on management ports, IP forwarding, missing flow logs and Network Watcher.",
  },
  {
    head: "jit",
    title: "Just-In-Time access",
    text: "Time-limited access to a VM's management port from one address, approved by a second person. Type \"jit request\" for a form.",
  },
  {
    head: "capture",
    title: "Packet capture",
    text: 'A Network Watcher capture on a VM that behaves oddly: "capture start vm-web-01 for 60s".',
  },
  {
    head: "digest",
    title: "Daily digest",
    text: 'Score trend, new findings and alerts, the day\'s grants and captures, every morning in this conversation: "digest on".',
  },
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

function headOf(spec: CommandSpec): string {
  return spec.name.split(" ")[0]!;
}

function entryOf(spec: CommandSpec): HelpEntry {
  // Reader is everyone who may use the bot: only the roles above it are tagged, so the tags stand out.
  return { usage: displayUsage(spec.usage), summary: spec.summary, role: spec.role === "reader" ? undefined : spec.role };
}

/** The visible commands by group (HELP_GROUPS order; within a head, the bare command first). */
export function helpGroups(commands: readonly CommandSpec[]): HelpGroup[] {
  const rank = (spec: CommandSpec): [number, number, number] => {
    const head = headOf(spec);
    const g = HELP_GROUPS.findIndex((group) => group.heads.includes(head));
    const group = g === -1 ? HELP_GROUPS.length : g;
    const within = g === -1 ? 0 : HELP_GROUPS[g]!.heads.indexOf(head);
    return [group, within, spec.name === head ? 0 : 1];
  };
  const sorted = commands
    .map((spec, index) => ({ spec, index, rank: rank(spec) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2] || a.index - b.index);
  const groups: HelpGroup[] = [];
  let current: { index: number; group: HelpGroup } | undefined;
  for (const { spec, rank } of sorted) {
    if (current?.index !== rank[0]) {
      current = { index: rank[0], group: { title: HELP_GROUPS[rank[0]]?.title ?? "More", commands: [] } };
      groups.push(current.group);
    }
    current.group.commands.push(entryOf(spec));
  }
  return groups;
}

function firstQuestions(commands: readonly CommandSpec[]) {
  const available = new Set(commands.map(headOf));
  return FIRST_QUESTIONS.filter((q) => available.has(q.command.split(" ")[0]!));
}

function authNotice(services: Services): string | undefined {
  return services.config.bot.appId === "" && services.config.mode !== "demo"
    ? "Inbound authentication is off (no MicrosoftAppId): use this only on a local machine."
    : undefined;
}

export function buildHelp(services: Services, options: { didYouMean?: string; title?: string; intro?: string } = {}): RenderedCard {
  const commands = visible(services);
  return helpCard(services.cards, {
    title: options.title ?? "SecOps bot: what I can do",
    intro:
      options.intro ??
      "Ask about your Azure security posture, request Just-In-Time VM access, start packet captures and get a daily digest. " +
        "Type a command, or ask a question in your own words.",
    demo: services.config.mode === "demo",
    groups: helpGroups(commands),
    buttons: firstQuestions(commands),
    didYouMean: options.didYouMean,
    notice: authNotice(services),
    footer: "Commands tagged operator or approver need that role; the others need only the reader role. Type help ‹command› for details, e.g. help jit.",
  });
}

/** The card the bot posts when it is added to a chat or team: what it does, and three first questions as buttons. */
export function buildWelcome(services: Services): RenderedCard {
  const commands = visible(services);
  const heads = new Set(commands.map(headOf));
  return helpCard(services.cards, {
    title: "Hello! I'm the SecOps bot",
    intro: "I watch your Azure estate with Microsoft Defender for Cloud and answer here, in cards. Here is what I can do:",
    demo: services.config.mode === "demo",
    topics: WELCOME_TOPICS.filter((t) => heads.has(t.head)).map(({ title, text }) => ({ title, text })),
    groups: [],
    buttons: firstQuestions(commands),
    notice: authNotice(services),
    footer: 'Type help for every command, or ask in your own words, e.g. "is vm-web-01 patched?". Start with one of these:',
  });
}

export function buildCommandHelp(services: Services, spec: CommandSpec): RenderedCard {
  return helpCard(services.cards, {
    title: spec.name,
    intro: [spec.description ?? spec.summary, ...(spec.examples?.length ? ["Examples: " + spec.examples.join(" · ")] : [])].join("\n\n"),
    demo: services.config.mode === "demo",
    groups: [{ commands: [{ ...entryOf(spec), role: spec.role }] }],
    buttons: [],
    footer: `Needs the ${spec.role} role.${spec.sideEffects ? " Changes things in Azure or in the bot's state; every use is audited." : ""}`,
  });
}
