/**
 * `fix …` (issue 10): propose a safe, bounded fix for a finding, see its preview, and let an approver decide.
 * Also `fix approve|deny|confirm <id>` (the card's buttons, typed) and `fix list`.
 */
import { alertFixForm } from "../../cards/remediation";
import { messageCard } from "../../cards/message";
import { reportCard } from "../../cards/report";
import { remediationListView } from "../../cards/remediation-list";
import { selectAlerts } from "../../domain/alerts";
import { AppError } from "../../domain/errors";
import { ALERT_ACTIONS, FIX_KINDS, type AlertAction } from "../../domain/remediation";
import { takeKeywordArgs } from "../../domain/tokens";
import { nameOf } from "../../domain/resource-ids";
import { listRemediations } from "../../digest/remediation-store";
import type { CommandInvocation, CommandSpec, Services } from "../command-spec";
import { changeIdFrom, decideChange, planFix, proposeFix, trackCard, type FixIntent } from "../remediation-workflow";
import { parsePorts } from "./jit-request";

export const FIX_USAGE = {
  jit: "fix jit <vm> [port <n>[,<n>]]",
  rule: "fix rule <nsg>/<rule> from <ip|cidr> | fix rule <nsg>/<rule> delete",
  forwarding: "fix forwarding <nic|vm>",
  flowlogs: "fix flowlogs <nsg>",
  alert: "fix alert <number|name> dismiss|resolve|activate because <reason>",
} as const;
const USAGE = Object.values(FIX_USAGE).join(" · ");

function usageError(prefix: string): AppError {
  return new AppError("BadInput", `${prefix} Use one of: ${Object.values(FIX_USAGE).join("; ")}.`);
}

function onlyOne(positional: string[], what: string, usage: string): string {
  if (positional.length === 0) throw new AppError("BadInput", `Name the ${what}: ${usage}.`);
  if (positional.length > 1) {
    throw new AppError("BadInput", `I read "${positional[0]!.slice(0, 80)}" as the ${what} but don't understand "${positional.slice(1).join(" ").slice(0, 80)}". Use: ${usage}.`);
  }
  return positional[0]!;
}

/** What `fix rule …` names: `<nsg>/<rule>`, `<rg>/<nsg>/<rule>` or `<nsg> <rule>`. */
export function splitRule(positional: string[]): { nsg: string; rule: string } {
  if (positional.length === 1 && positional[0]!.includes("/") && !positional[0]!.startsWith("/")) {
    const parts = positional[0]!.split("/");
    const rule = parts.pop() ?? "";
    if (rule !== "" && parts.length >= 1 && parts.length <= 2 && parts.every((p) => p !== "")) return { nsg: parts.join("/"), rule };
  }
  if (positional.length === 2 && !positional[0]!.includes("/")) return { nsg: positional[0]!, rule: positional[1]! };
  throw new AppError("BadInput", `Name the rule as <nsg>/<rule>, e.g. "fix rule nsg-web-prod/Allow-SSH-Internet from 203.0.113.0/24". Use: ${FIX_USAGE.rule}.`);
}

/** A parsed `fix` line: the intent, or what to ask back when a button sent only the finding. */
export type ParsedFix = { intent: FixIntent } | { askRule: { nsg: string; rule: string } } | { alertForm: string };

/** Reads the argument text of `fix`. Only the grammar is checked here; the resources are found later. */
export function parseFixArgs(argText: string): ParsedFix {
  const trimmed = argText.trim();
  const kindWord = trimmed.split(/\s+/)[0]?.toLowerCase() ?? "";
  const rest = trimmed.slice(kindWord.length);
  switch (kindWord) {
    case "jit": {
      const args = takeKeywordArgs(rest, ["port", "ports"] as const);
      if (args.keywords.port !== undefined && args.keywords.ports !== undefined) throw new AppError("BadInput", `Give the ports once, e.g. "port 22,3389".`);
      const vm = onlyOne(args.positional, "VM", FIX_USAGE.jit);
      const ports = parsePorts(args.keywords.port ?? args.keywords.ports);
      return { intent: { kind: "jit", vm, ...(ports ? { ports } : {}) } };
    }
    case "rule": {
      const args = takeKeywordArgs(rest, ["from"] as const);
      const deleting = args.positional.length > 1 && args.positional[args.positional.length - 1]!.toLowerCase() === "delete";
      const named = splitRule(deleting ? args.positional.slice(0, -1) : args.positional);
      if ((deleting && args.keywords.from !== undefined) || args.keywords.from?.some((t) => t.toLowerCase() === "delete")) throw new AppError("BadInput", `Either narrow the source ("from <ip|cidr>") or "delete" the rule, not both.`);
      if (deleting) return { intent: { kind: "rule", ...named, fix: { delete: true } } };
      if (args.keywords.from === undefined) return { askRule: named };
      if (args.keywords.from.length > 1) throw new AppError("BadInput", `Give one source after "from": one address or one CIDR range, e.g. "from 203.0.113.0/24".`);
      return { intent: { kind: "rule", ...named, fix: { from: args.keywords.from[0]! } } };
    }
    case "forwarding":
    case "ipforwarding": {
      const args = takeKeywordArgs(rest, [] as const);
      return { intent: { kind: "forwarding", nic: onlyOne(args.positional, "network interface (or VM)", FIX_USAGE.forwarding) } };
    }
    case "flowlogs":
    case "flowlog": {
      const args = takeKeywordArgs(rest, [] as const);
      return { intent: { kind: "flowlogs", nsg: onlyOne(args.positional, "network security group", FIX_USAGE.flowlogs) } };
    }
    case "alert": {
      const args = takeKeywordArgs(rest, [] as const);
      if (args.positional.length === 0) throw new AppError("BadInput", `Name the alert by its number from "alerts" or its name: ${FIX_USAGE.alert}.`);
      const last = args.positional[args.positional.length - 1]!.toLowerCase();
      const action = Object.keys(ALERT_ACTIONS).includes(last) ? (last as AlertAction) : undefined;
      const alert = (action ? args.positional.slice(0, -1) : args.positional).join(" ");
      if (alert === "") throw new AppError("BadInput", `Name the alert by its number from "alerts" or its name: ${FIX_USAGE.alert}.`);
      if (action === undefined) {
        if (args.rest !== undefined || args.positional.length > 1) {
          throw new AppError("BadInput", `Say what to do with the alert: dismiss, resolve or activate. Use: ${FIX_USAGE.alert}.`);
        }
        return { alertForm: alert };
      }
      if (args.rest === undefined || args.rest === "") {
        throw new AppError("BadInput", `Say why, after "because": fix alert ${alert} ${action} because <reason>. The reason goes to the audit log.`);
      }
      return { intent: { kind: "alert", alert, action, reason: args.rest } };
    }
    case "":
      throw usageError("Say what to fix.");
    default:
      throw usageError(`I can't fix "${kindWord.slice(0, 30)}"; I know ${FIX_KINDS.join(", ")}.`);
  }
}

async function showAlertForm(inv: CommandInvocation, services: Services, typed: string): Promise<void> {
  const alerts = await services.azure.alerts();
  const wanted = typed.trim().replace(/^#/, "");
  const active = selectAlerts(alerts.items, { now: services.clock.now() });
  const alert = /^\d{1,4}$/.test(wanted) ? active[Number(wanted) - 1] : alerts.items.find((a) => a.name.toLowerCase() === wanted.toLowerCase());
  if (!alert) throw new AppError("BadInput", `I cannot find an alert "${wanted.slice(0, 60)}". Use its number from "alerts" or its name from "alerts <number>".`);
  await inv.reply(
    alertFixForm(services.cards, {
      alertId: alert.id,
      alertName: alert.name,
      displayName: alert.displayName,
      status: alert.status,
      resource: alert.resourceIds[0] ? nameOf(alert.resourceIds[0]) : alert.compromisedEntity ?? "the subscription",
    }),
  );
}

/** `fix <finding>`: previews the change and asks for approval. */
export const spec: CommandSpec = {
  name: "fix",
  usage: USAGE,
  summary: "Fix a finding: preview the change, an approver approves, the bot applies it (undo within 24 h)",
  description:
    "Proposes a safe, bounded fix and shows a preview: the exact resource, each ARM property with its current and proposed value, " +
    "who can approve and how to roll back. Nothing changes until an approver other than you approves. Then the bot checks that the " +
    "resource still looks as previewed (else it writes nothing), makes the change, reads it back and shows the result. " +
    "Fixes: enable JIT on a VM's exposed management ports (up to 3 h, keeping ports already in its policy); narrow an NSG rule's " +
    "internet-wide source to one address or range, or delete the rule (no other rule changes); turn off IP forwarding on a NIC; " +
    "enable an NSG's flow log into the configured storage account; dismiss, resolve or reactivate a Defender alert with a reason.",
  examples: [
    "fix jit vm-web-01",
    "fix rule nsg-web-prod/Allow-SSH-Internet from 203.0.113.0/24",
    "fix rule nsg-dev/Allow-RDP-Any delete",
    "fix forwarding vm-nva-01-nic",
    "fix flowlogs nsg-app-prod",
    "fix alert 2 dismiss because our scanner's own traffic",
  ],
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const parsed = parseFixArgs(inv.argText);
    if ("alertForm" in parsed) {
      await showAlertForm(inv, services, parsed.alertForm);
      return;
    }
    if ("askRule" in parsed) {
      const line = `fix rule ${parsed.askRule.nsg}/${parsed.askRule.rule}`;
      await inv.reply(
        messageCard(services.cards, {
          title: `How should ${parsed.askRule.rule} be fixed?`,
          text: `Narrow its internet-wide source to your address or range: "${line} from <ip|cidr>" (e.g. ${line} from 203.0.113.0/24). Or delete the rule. Either way you get a preview first.`,
          buttons: [{ title: "Preview deleting the rule", command: `${line} delete` }],
        }),
      );
      return;
    }
    const proposal = await planFix(services, parsed.intent);
    await proposeFix(services, inv, proposal, (card) => inv.reply(card));
  },
};

const APPROVE_USAGE = "fix approve <change-id> [because <note>]";
const DENY_USAGE = "fix deny <change-id> [because <reason>]";
const CONFIRM_USAGE = "fix confirm <change-id>";

async function decideTyped(inv: CommandInvocation, services: Services, decision: "approve" | "deny" | "confirm", usage: string): Promise<void> {
  const args = takeKeywordArgs(inv.argText, [], { rest: "because" });
  const id = changeIdFrom(args.positional[0], usage);
  const answer = await decideChange(services, inv, id, decision, args.rest);
  const activityId = await inv.reply(answer.card);
  if (answer.changed) await trackCard(services, id, activityId === undefined ? undefined : { conversationId: inv.conversation.id, activityId });
}

/** `fix approve <id>`: the change card's Approve button, typed. */
export const approveSpec: CommandSpec = {
  name: "fix approve",
  usage: APPROVE_USAGE,
  summary: "Approve someone else's proposed fix or undo (the card's Approve button does the same)",
  description: "Approves a pending change and applies it, if the resource still looks as previewed. You cannot approve your own change.",
  examples: ["fix approve C7K2MQ"],
  role: "approver",
  sideEffects: true,
  handler: (inv, services) => decideTyped(inv, services, "approve", APPROVE_USAGE),
};

/** `fix deny <id> [because …]`. */
export const denySpec: CommandSpec = {
  name: "fix deny",
  usage: DENY_USAGE,
  summary: "Deny a proposed fix or undo (the card's Deny button does the same)",
  examples: ["fix deny C7K2MQ because the vendor still needs that access"],
  role: "approver",
  sideEffects: true,
  handler: (inv, services) => decideTyped(inv, services, "deny", DENY_USAGE),
};

/** `fix confirm <id>`: the proposer applies their own change when approval is not required. */
export const confirmSpec: CommandSpec = {
  name: "fix confirm",
  usage: CONFIRM_USAGE,
  summary: "Apply your own previewed fix when approval is not required (the card's Apply button)",
  examples: ["fix confirm C7K2MQ"],
  role: "operator",
  sideEffects: true,
  handler: (inv, services) => decideTyped(inv, services, "confirm", CONFIRM_USAGE),
};

/** `fix list`: the recent changes with their state and undo. */
export const listSpec: CommandSpec = {
  name: "fix list",
  aliases: ["changes"],
  usage: "fix list",
  summary: "Recent fixes and undos: who proposed and approved them, what changed, and until when they can be undone",
  role: "reader",
  sideEffects: false,
  async handler(inv, services) {
    if (inv.argText.trim() !== "") throw new AppError("BadInput", `"fix list" takes nothing after it.`);
    const records = await listRemediations(services.store);
    const view = remediationListView(records, services.clock.now());
    await inv.reply(reportCard(services.cards, view, `${records.length} changes`));
  },
};
