/**
 * The Bot Framework side: CloudAdapter with botbuilder's own authentication settings, the turn-error handler, and the
 * Notifier used for proactive posts and card updates after a turn.
 */
import { randomUUID } from "node:crypto";
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  type InvokeResponse,
  type Request,
  type Response,
  StatusCodes,
  type TurnContext,
} from "botbuilder";
// botbuilder's own dependency (same installed copy CloudAdapter checks with instanceof); botbuilder does not re-export it.
import { AuthenticationError, type AuthenticateRequestResult } from "botframework-connector";
import type { Config } from "../config";
import { errorCard } from "../cards/message";
import type { CardRenderer } from "../cards/render";
import { AppError } from "../domain/errors";
import type { Notifier, RenderedCard } from "../domain/ports";
import type { Logger } from "../logger";
import type { Store } from "../store/store";
import { cardActivity } from "./secops-bot";

export type { Request as BotRequest, Response as BotResponse };

/** jsonwebtoken's errors: botbuilder lets them escape token validation, and CloudAdapter turns them into a 500. */
const TOKEN_ERRORS = new Set(["JsonWebTokenError", "NotBeforeError", "TokenExpiredError"]);

/**
 * CloudAdapter that answers 401 (not 500) to a token with a bad signature, no signature, a disallowed algorithm or a
 * future nbf. botbuilder 4.23 rethrows jsonwebtoken's error as is, and CloudAdapter.process maps only
 * AuthenticationError to 401; a forged request must look like any other refused one, never like a server fault.
 */
class SecOpsCloudAdapter extends CloudAdapter {
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return typeof auth === "string" ? await super.processActivity(auth, activity, logic) : await super.processActivity(auth, activity, logic);
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (typeof name === "string" && TOKEN_ERRORS.has(name)) {
        throw new AuthenticationError(`Unauthorized. ${(err as Error).message}`, StatusCodes.UNAUTHORIZED);
      }
      throw err;
    }
  }
}

export function createAdapter(config: Config, cards: CardRenderer, logger: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...config.bot.authSettings,
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new SecOpsCloudAdapter(auth);
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
    // Failures inside the callback are caught here, not thrown: the adapter would hand them to onTurnError, which
    // answers a user turn and would make a failed proactive post look like a success.
    let failure: { err: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, stored.reference as Partial<ConversationReference>, async (ctx) => {
        try {
          result = await work(ctx);
        } catch (err) {
          failure = { err };
        }
      });
      if (failure) throw failure.err;
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
