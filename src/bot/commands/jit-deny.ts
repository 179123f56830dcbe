import { takeKeywordArgs } from "../../domain/tokens";
import type { CommandSpec } from "../command-spec";
import { decideJitRequest, requestIdFrom } from "../jit-workflow";

const USAGE = "jit deny <request-id> [because <reason>]";

/** `jit deny <id> [because <reason>]`: the same as the card's Deny button; the reason goes to the requester. */
export const spec: CommandSpec = {
  name: "jit deny",
  usage: USAGE,
  summary: "Deny someone else's JIT request, with a reason (the card's Deny button does the same)",
  description: "Denies a pending JIT request. The reason is shown to the requester and kept in the audit log.",
  examples: ["jit deny J7K2MQ because use the bastion host"],
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const args = takeKeywordArgs(inv.argText, [], { rest: "because" });
    const id = requestIdFrom(args.positional[0], USAGE);
    const answer = await decideJitRequest(services, inv, id, "deny", args.rest);
    await inv.reply(answer.card);
  },
};
