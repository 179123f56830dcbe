import { takeKeywordArgs } from "../../domain/tokens";
import type { CommandSpec } from "../command-spec";
import { decideJitRequest, requestIdFrom } from "../jit-workflow";

const USAGE = "jit approve <request-id> [because <note>]";

/** `jit approve <id>`: the same as the card's Approve button, for approvers who prefer typing. */
export const spec: CommandSpec = {
  name: "jit approve",
  usage: USAGE,
  summary: "Approve someone else's JIT request (the card's Approve button does the same)",
  description:
    "Approves a pending JIT request and opens the access it asks for, from now for the requested duration. " +
    "You cannot approve your own request. A request nobody decides within 30 minutes expires.",
  examples: ["jit approve J7K2MQ"],
  role: "approver",
  sideEffects: true,
  async handler(inv, services) {
    const args = takeKeywordArgs(inv.argText, [], { rest: "because" });
    const id = requestIdFrom(args.positional[0], USAGE);
    const answer = await decideJitRequest(services, inv, id, "approve", args.rest);
    await inv.reply(answer.card);
  },
};
