import { jitRequestForm } from "../../cards/jit-request-form";
import { AppError } from "../../domain/errors";
import type { JitRequestInput } from "../../domain/jit-rules";
import { takeKeywordArgs } from "../../domain/tokens";
import type { CommandSpec, Services } from "../command-spec";
import { requestableVms, submitJitRequest, validateForAzure } from "../jit-workflow";

const USAGE = "jit request <vm> [port <n>[,<n>]] [for <duration>] [from <ip|cidr>] because <justification>";
const EXAMPLE = "jit request vm-web-01 port 22 for 1h from 203.0.113.7 because patching the kernel";

/** Reads `22,3389`, `22, 3389` or `22 3389`. */
export function parsePorts(tokens: readonly string[] | undefined): number[] | undefined {
  if (tokens === undefined) return undefined;
  const parts = tokens.join(",").split(/[,\s]+/).filter((p) => p !== "");
  const bad = parts.filter((p) => !/^\d{1,5}$/.test(p));
  if (bad.length > 0) {
    throw new AppError("BadInput", `"${bad[0].slice(0, 20)}" is not a port number. Give numbers such as "port 22" or "port 22,3389".`);
  }
  return parts.map(Number);
}

/** Parses the argument text into what the rules check. Only the grammar is checked here. */
export function parseJitRequestArgs(argText: string): JitRequestInput {
  const parsed = takeKeywordArgs(argText, ["port", "ports", "for", "from"] as const, { rest: "because" });
  const { positional, keywords } = parsed;
  if (positional.length === 0) {
    throw new AppError("BadInput", `Name the VM first: ${USAGE}. For example: ${EXAMPLE}.`);
  }
  if (positional.length > 1) {
    throw new AppError(
      "BadInput",
      `I read "${positional[0].slice(0, 80)}" as the VM but don't understand "${positional.slice(1).join(" ").slice(0, 80)}". Use: ${USAGE}.`,
    );
  }
  if (keywords.port !== undefined && keywords.ports !== undefined) {
    throw new AppError("BadInput", `Give the ports once, e.g. "port 22,3389".`);
  }
  if (keywords.from !== undefined && keywords.from.length > 1) {
    throw new AppError("BadInput", `Give one source after "from": one address or one CIDR range, e.g. "from 203.0.113.7".`);
  }
  return {
    vmName: positional[0],
    ports: parsePorts(keywords.port ?? keywords.ports),
    duration: keywords.for?.join(" "),
    source: keywords.from?.[0],
    justification: parsed.rest,
  };
}

/** `jit request`: validates against the VM's JIT policy, then asks an approver (or opens at once without approval). */
export const spec: CommandSpec = {
  name: "jit request",
  usage: `${USAGE} (or just "jit request" for a form)`,
  summary: "Ask for time-limited access to a VM's management port",
  description:
    "Asks Microsoft Defender for Cloud's Just-In-Time access to open a VM's management port for you, from your address, for a while. " +
    "The port and duration must fit the VM's JIT policy; the source must be one address or a CIDR range (never * or Internet). " +
    "When approval is required, an approver other than you decides on a card; access starts when they approve.",
  examples: [EXAMPLE, "jit request vm-jump-01 port 3389 for 30m from 198.51.100.0/24 because incident 4711"],
  role: "operator",
  sideEffects: true,
  async handler(inv, services: Services) {
    if (inv.argText.trim() === "") {
      // No arguments: offer the form (VM picker, ports, duration, source, justification).
      await inv.reply(jitRequestForm(services.cards, { vms: await requestableVms(services) }));
      return;
    }
    const validated = await validateForAzure(services, parseJitRequestArgs(inv.argText));
    await submitJitRequest(services, inv, validated, (card) => inv.reply(card));
  },
};
