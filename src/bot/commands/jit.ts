import { jitListCard } from "../../cards/jit-list";
import { AppError } from "../../domain/errors";
import { analyzeExposure } from "../../domain/exposure";
import type { Gathered, SubscriptionFailure } from "../../domain/model";
import { listJitRecords } from "../../digest/jit-requests";
import type { CommandSpec } from "../command-spec";

const USAGE = "jit [list] [page <n>]";

function warningsOf(what: string, failures: readonly SubscriptionFailure[]): string[] {
  return failures.map((f) => `Could not read ${what} in subscription ${f.subscriptionId}: ${f.message}`);
}

/** A read that fails as a whole (not per subscription) becomes a warning instead of a failed turn. */
async function gather<T>(what: string, read: () => Promise<Gathered<T>>, warnings: string[]): Promise<T[]> {
  try {
    const result = await read();
    warnings.push(...warningsOf(what, result.failures));
    return result.items;
  } catch (err) {
    warnings.push(`Could not read ${what}: ${err instanceof AppError ? err.userMessage : "unexpected error"}`);
    return [];
  }
}

/** Reads `page 2` (1-based) into a 0-based page index. */
export function parseJitListArgs(args: readonly string[]): number {
  const rest = args[0]?.toLowerCase() === "list" ? args.slice(1) : args;
  if (rest.length === 0) return 0;
  if (rest.length === 2 && rest[0].toLowerCase() === "page" && /^[1-9]\d{0,3}$/.test(rest[1])) return Number(rest[1]) - 1;
  throw new AppError(
    "BadInput",
    `I don't understand "${rest.join(" ").slice(0, 60)}". Use ${USAGE}, or jit request / jit approve / jit deny (type "help jit request").`,
  );
}

/** `jit [list]`: JIT-enabled VMs and their ports, active grants, waiting requests, and exposed VMs without JIT. */
export const spec: CommandSpec = {
  name: "jit",
  aliases: ["jit list"],
  usage: USAGE,
  summary: "JIT-enabled VMs, their ports and limits, active grants with expiry, and exposed VMs without JIT",
  description:
    "Lists the VMs that have a Just-In-Time access policy (per port: protocol, longest duration, allowed sources), who has access open " +
    "right now (from where, until when), requests waiting for an approver, and internet-exposed VMs whose management ports JIT does not protect.",
  examples: ["jit", "jit list page 2"],
  role: "reader",
  sideEffects: false,
  keywords: ["jit", "just-in-time", "just in time"],
  async handler(inv, services) {
    const pageIndex = parseJitListArgs(inv.args);
    const warnings: string[] = [];
    const [policies, vms, nics, publicIps, nsgs, stored] = await Promise.all([
      gather("JIT policies", () => services.azure.jitPolicies(), warnings),
      gather("virtual machines", () => services.azure.virtualMachines(), warnings),
      gather("network interfaces", () => services.azure.networkInterfaces(), warnings),
      gather("public IP addresses", () => services.azure.publicIpAddresses(), warnings),
      gather("network security groups", () => services.azure.networkSecurityGroups(), warnings),
      listJitRecords(services.store),
    ]);
    // Only the exposed-VM part of the analysis is used, so the reads it does not need are left out.
    const exposure = analyzeExposure({ vms, nics, publicIps, nsgs, watchers: [], flowLogs: [], assessments: [], jitPolicies: policies });
    await inv.reply(
      jitListCard(services.cards, {
        policies,
        records: stored.map((d) => d.value),
        exposed: exposure.exposedVms,
        warnings: [...new Set(warnings)].slice(0, 5),
        now: services.clock.now(),
        page: pageIndex,
      }),
    );
  },
};
