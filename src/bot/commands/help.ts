import { closestMatches } from "../../domain/text";
import type { CommandSpec } from "../command-spec";
import { buildCommandHelp, buildHelp } from "../help-view";

/** `help [command]`: the list of commands generated from their specs, or one command's details. */
export const spec: CommandSpec = {
  name: "help",
  aliases: ["?", "commands"],
  usage: "help [command]",
  summary: "What I can do; help <command> for one command's details",
  role: "reader",
  sideEffects: false,
  keywords: ["help", "commands", "what can you do"],
  async handler(inv, services) {
    if (inv.args.length === 0) {
      await inv.reply(buildHelp(services));
      return;
    }
    const wanted = inv.args.join(" ").toLowerCase();
    const all = services.commands();
    const found =
      all.find((c) => c.name === wanted || (c.aliases ?? []).includes(wanted)) ??
      all.find((c) => c.name.split(" ")[0] === inv.args[0]!.toLowerCase());
    if (found) {
      await inv.reply(buildCommandHelp(services, found));
      return;
    }
    const names = all.map((c) => c.name);
    const close = closestMatches(wanted, names);
    await inv.reply(
      buildHelp(services, { didYouMean: `There is no command "${wanted}".${close.length ? ` Did you mean ${close.join(", ")}?` : ""}` }),
    );
  },
};
