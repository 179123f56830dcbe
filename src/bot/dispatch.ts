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
import type { Actor, CommandInvocation, CommandSpec, ConversationInfo, Services } from "./command-spec";
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

/** After this long a command answers with a progress card and finishes after the turn (Teams allows 15 s). */
export const DEFAULT_PROGRESS_AFTER_MS = 5000;

export interface DispatcherOptions {
  progressAfterMs: number;
  /** Per-person message limit (issue 6); none when absent (the app passes {@link DEFAULT_RATE_LIMIT} or an override). */
  rateLimit?: RateLimitOptions;
}

export interface RateLimitOptions {
  /** Messages one person may send per window. */
  max: number;
  windowMs: number;
}

/** 30 commands a minute per person: far above a human typing, low enough that a runaway client cannot flood Azure. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 30, windowMs: 60_000 };

/**
 * A fixed window per actor id, in memory (per instance). `take` answers "ok" while the person is within the limit,
 * "warn" for the first message over it (one "slow down" card, one audit line) and "drop" for the rest of the window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  take(actorId: string, now: number): "ok" | "warn" | "drop" {
    if (this.windows.size > 10_000) {
      for (const [id, w] of this.windows) if (now - w.start >= this.options.windowMs) this.windows.delete(id);
    }
    let w = this.windows.get(actorId);
    if (w === undefined || now - w.start >= this.options.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(actorId, w);
    }
    w.count += 1;
    if (w.count <= this.options.max) return "ok";
    return w.count === this.options.max + 1 ? "warn" : "drop";
  }
}

/** Removes the first `count` whitespace-separated words, keeping the rest of the text exactly as typed. */
export function textAfterWords(text: string, count: number): string {
  let rest = text.trimStart();
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s*/, "");
  return rest.trim();
}

export class Dispatcher {
  private readonly limiter: RateLimiter | undefined;

  constructor(
    private readonly registry: CommandRegistry,
    private readonly services: Services,
    private readonly options: DispatcherOptions = { progressAfterMs: DEFAULT_PROGRESS_AFTER_MS },
  ) {
    this.limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  }

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

    const allowance = this.limiter?.take(turn.actor.id, this.services.clock.now().getTime()) ?? "ok";
    const limit = this.options.rateLimit;
    if (allowance !== "ok" && limit) {
      if (allowance === "drop") return;
      turn.log.warn({ max: limit.max, windowMs: limit.windowMs }, "person over the message rate limit; throttled");
      await audit({ action: "command:?", result: "throttled", detail: `over ${limit.max} messages in ${limit.windowMs / 1000} s` });
      await turn.reply(
        messageCard(this.services.cards, {
          title: "Slow down",
          text: `You sent more than ${limit.max} messages in ${Math.round(limit.windowMs / 1000)} seconds. I will answer again in a moment.`,
          style: "warning",
        }),
      );
      return;
    }

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

    // Teams gives a turn 15 s (DESIGN §3.5). A command still working after `progressAfterMs` answers with a progress
    // card at once and goes on after the turn; its first reply then replaces that card in place.
    let progress: Promise<string | undefined> | undefined;
    let replied = false;
    const reply = async (card: RenderedCard): Promise<string | undefined> => {
      if (progress && !replied) {
        replied = true;
        const id = await progress;
        if (id !== undefined) {
          await turn.update(id, card);
          return id;
        }
      }
      replied = true;
      return turn.reply(card);
    };
    const invocation: CommandInvocation = {
      command: spec.name,
      args,
      argText: textAfterWords(text, consumed),
      text,
      actor: turn.actor,
      conversation: turn.conversation,
      correlationId: turn.correlationId,
      log: turn.log.child({ command: spec.name }),
      reply,
      update: turn.update,
      audit,
      fromQuestion,
    };
    const run = this.run(spec, invocation, { action, target }, audit, reply);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<"slow">((resolve) => {
      timer = setTimeout(() => resolve("slow"), this.options.progressAfterMs);
    });
    const first = await Promise.race([run.then(() => "done" as const), slow]);
    clearTimeout(timer);
    if (first === "done") return;
    if (!replied) {
      progress = turn.reply(
        messageCard(this.services.cards, {
          title: `Working on it: ${spec.name}`,
          text: "Azure is taking a while to answer. This card will be replaced by the answer in a moment.",
          style: "emphasis",
        }),
      );
      await progress;
    }
    this.services.runInBackground(action, () => run);
  }

  /** Runs a handler to completion: audits the outcome and turns any failure into a short card. Never rejects. */
  private async run(
    spec: CommandSpec,
    invocation: CommandInvocation,
    what: { action: string; target?: string },
    audit: CommandInvocation["audit"],
    reply: CommandInvocation["reply"],
  ): Promise<void> {
    try {
      await spec.handler(invocation, this.services);
      await audit({ ...what, result: "ok" });
    } catch (err) {
      const known = isAppError(err);
      const result = known && err.code === "BadInput" ? "invalid" : known && err.code === "Forbidden" ? "denied" : "error";
      invocation.log[known ? "warn" : "error"]({ err, code: known ? err.code : undefined }, "command failed");
      try {
        await audit({ ...what, result, detail: known ? err.code : "Internal" });
        const message = known ? err.userMessage : "Something went wrong on my side. The team can find the details in the log.";
        await reply(errorCard(this.services.cards, message, invocation.correlationId));
      } catch (sendErr) {
        invocation.log.error({ err: sendErr }, "could not report a failed command");
      }
    }
  }
}
