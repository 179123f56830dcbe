import { AppError } from "../../domain/errors";
import type { CommandSpec } from "../command-spec";
import { changeIdFrom, proposeUndo } from "../remediation-workflow";

const USAGE = "undo <change-id>";

/** `undo <id>`: proposes restoring what an applied fix changed (within 24 h), through the same approval. */
export const spec: CommandSpec = {
  name: "undo",
  usage: USAGE,
  summary: "Undo a fix applied in the last 24 h: preview, approval, then the previous values are restored",
  description:
    "Proposes restoring exactly the properties a fix changed to the values they had before it, as a new change with its own preview " +
    "and approval. Refused when the resource changed since the fix (undoing would overwrite someone else's change), after 24 h, " +
    "or when the change was not applied. The change id is on the fix's card and in \"fix list\".",
  examples: ["undo C7K2MQ"],
  role: "operator",
  sideEffects: true,
  async handler(inv, services) {
    const words = inv.argText.trim().split(/\s+/).filter((w) => w !== "");
    if (words.length > 1) throw new AppError("BadInput", `Give one change id: ${USAGE}.`);
    const id = changeIdFrom(words[0], USAGE);
    await proposeUndo(services, inv, id, (card) => inv.reply(card));
  },
};
