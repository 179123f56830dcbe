/**
 * The text-command path of a turn, free of botbuilder: tokens → command (or free-form intent) → role check → handler,
 * with every command audited and every failure answered with a short card (never a stack trace).
 */
import { errorCard, messageCard } from "../cards/message";
import { isAppError } from "../domain/errors";
import type { RenderedCard } from "../domain/ports";
import { closestMatches } from "../domain/text";
import { tokenize } from "../domain/tokens";
import type { Logger } from "../logger";
import type { AuditEntry } from "../store/store";
import type { Actor, CommandInvocation, ConversationInfo, Services } from "./command-spec";
import { roleAtLeast } from "./command-spec";
import { buildHelp } from "./help-view";
import { matchIntent } from "./intent";
import type { CommandRegistry } from "./registry";

export interface TextTurn {
  text: string;
  actor: Actor;
  conversation: ConversationInfo;
  correlationId: string;
  log: Logger;
  reply: (card: RenderedCard) => Promise<string | undefined>;
  update: (activityId: string, card: RenderedCard) => Promise<void>;
}

const MAX_TEXT = 2000;

/** Removes the first `count` whitespace-separated words, keeping the rest of the text exactly as typed. */
export function textAfterWords(text: string, count: number): string {
  let rest = text.trimStart();
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s*/, "");
  return rest.trim();
}

export class Dispatcher {
  constructor(
    private readonly registry: CommandRegistry,
    private readonly services: Services,
  ) {}

  async handleText(turn: TextTurn): Promise<void> {
    const audit = (entry: Pick<AuditEntry, "action" | "result"> & Partial<AuditEntry>) =>
      this.services.store.appendAudit({
        at: this.services.clock.now().toISOString(),
        actorId: turn.actor.id,
        actorName: turn.actor.name,
        tenantId: turn.actor.tenantId,
        conversationId: turn.conversation.id,
        correlationId: turn.correlationId,
        ...entry,
      });

    let text = turn.text.trim();
    if (text.length > MAX_TEXT) {
      await audit({ action: "command:?", result: "invalid", detail: `message of ${text.length} characters` });
      await turn.reply(
        messageCard(this.services.cards, {
          title: "That message is too long",
          text: `Commands are at most ${MAX_TEXT} characters. Type help to see what I can do.`,
          style: "warning",
        }),
      );
      return;
    }
    if (text === "") {
      await turn.reply(buildHelp(this.services));
      return;
    }

    let tokens = tokenize(text);
    let match = this.registry.match(tokens);
    let fromQuestion: string | undefined;
    if (!match) {
      const intent = matchIntent(text, this.registry.specs);
      if (intent) {
        fromQuestion = text;
        text = intent.commandLine;
        tokens = tokenize(text);
        match = this.registry.match(tokens);
      }
    }
    if (!match) {
      const word = tokens[0] ?? text;
      const close = closestMatches(word, this.registry.names());
      await audit({ action: "command:?", result: "unknown", detail: word.slice(0, 80) });
      await turn.reply(
        buildHelp(this.services, {
          didYouMean: close.length
            ? `I don't know "${word.slice(0, 80)}". Did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`
            : `I don't know "${word.slice(0, 80)}".`,
        }),
      );
      return;
    }

    const { spec, consumed } = match;
    const args = tokens.slice(consumed);
    const action = `command:${spec.name}`;
    const target = args.join(" ").slice(0, 200) || undefined;
    if (!roleAtLeast(turn.actor.role, spec.role)) {
      await audit({ action, target, result: "denied", detail: `needs ${spec.role}, has ${turn.actor.role ?? "no role"}` });
      await turn.reply(
        messageCard(this.services.cards, {
          title: "You can't do that",
          text: `"${spec.name}" needs the ${spec.role} role${turn.actor.role ? `; you are a ${turn.actor.role}` : "; you have no role in this bot"}. Ask your bot administrator to add you to ROLE_${spec.role.toUpperCase()}S.`,
          style: "warning",
        }),
      );
      return;
    }

    const invocation: CommandInvocation = {
      command: spec.name,
      args,
      argText: textAfterWords(text, consumed),
      text,
      actor: turn.actor,
      conversation: turn.conversation,
      correlationId: turn.correlationId,
      log: turn.log.child({ command: spec.name }),
      reply: turn.reply,
      update: turn.update,
      audit,
      fromQuestion,
    };
    try {
      await spec.handler(invocation, this.services);
      await audit({ action, target, result: "ok" });
    } catch (err) {
      const known = isAppError(err);
      const result = known && err.code === "BadInput" ? "invalid" : known && err.code === "Forbidden" ? "denied" : "error";
      turn.log[known ? "warn" : "error"]({ err, command: spec.name, code: known ? err.code : undefined }, "command failed");
      await audit({ action, target, result, detail: known ? err.code : "Internal" });
      const message = known ? err.userMessage : "Something went wrong on my side. The team can find the details in the log.";
      await turn.reply(errorCard(this.services.cards, message, turn.correlationId));
    }
  }
}
