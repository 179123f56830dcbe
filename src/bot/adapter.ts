/**
 * The Bot Framework side: CloudAdapter with botbuilder's own authentication settings, the turn-error handler, and the
 * Notifier used for proactive posts and card updates after a turn.
 */
import { randomUUID } from "node:crypto";
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  type Request,
  type Response,
  type TurnContext,
} from "botbuilder";
import type { Config } from "../config";
import { errorCard } from "../cards/message";
import type { CardRenderer } from "../cards/render";
import { AppError } from "../domain/errors";
import type { Notifier, RenderedCard } from "../domain/ports";
import type { Logger } from "../logger";
import type { Store } from "../store/store";
import { cardActivity } from "./secops-bot";

export type { Request as BotRequest, Response as BotResponse };

export function createAdapter(config: Config, cards: CardRenderer, logger: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...config.bot.authSettings,
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (ctx: TurnContext, err: Error) => {
    const correlationId = randomUUID();
    logger.error({ err, correlationId, activityId: ctx.activity?.id, conversationId: ctx.activity?.conversation?.id }, "turn failed");
    try {
      if (ctx.activity?.type === "message") {
        await ctx.sendActivity(cardActivity(errorCard(cards, "Something went wrong on my side. The team can find the details in the log.", correlationId)));
      }
    } catch (sendErr) {
      logger.error({ err: sendErr, correlationId }, "could not send the error card");
    }
  };
  return adapter;
}

function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; status?: unknown };
  const s = e?.statusCode ?? e?.status;
  return typeof s === "number" ? s : undefined;
}

/** Proactive posts through stored conversation references (continueConversationAsync). */
export class BotNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly store: Store,
  ) {}

  private async withConversation<T>(conversationId: string, work: (ctx: TurnContext) => Promise<T>): Promise<T> {
    const stored = await this.store.getConversation(conversationId);
    if (!stored) throw new AppError("NotFound", "I don't know that conversation any more.");
    let result: T | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, stored.reference as Partial<ConversationReference>, async (ctx) => {
        result = await work(ctx);
      });
    } catch (err) {
      const status = statusOf(err);
      if (status === 403 || status === 404) throw new AppError("NotFound", "The bot can no longer post in that conversation.", err);
      throw new AppError("AzureUnavailable", "Teams did not accept the message; it will be retried.", err);
    }
    return result as T;
  }

  async post(conversationId: string, card: RenderedCard): Promise<string | undefined> {
    return this.withConversation(conversationId, async (ctx) => (await ctx.sendActivity(cardActivity(card)))?.id);
  }

  async update(conversationId: string, activityId: string, card: RenderedCard): Promise<void> {
    await this.withConversation(conversationId, async (ctx) => {
      await ctx.updateActivity({ ...cardActivity(card), id: activityId });
    });
  }
}
