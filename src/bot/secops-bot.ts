/**
 * The Teams activity handler: turns activities into dispatcher calls and card-action invokes, records conversation
 * references for proactive posts, and enforces the tenant allow-list. The only botbuilder-aware part of a turn.
 */
import { randomUUID } from "node:crypto";
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Activity,
  type ChannelAccount,
  type InvokeResponse,
  TeamsActivityHandler,
  TurnContext,
} from "botbuilder";
import { errorCard, messageCard } from "../cards/message";
import { isAppError } from "../domain/errors";
import type { RenderedCard } from "../domain/ports";
import type { Actor, CardActionInvocation, ConversationInfo, Role, Services } from "./command-spec";
import { roleAtLeast } from "./command-spec";
import type { Dispatcher } from "./dispatch";
import { buildWelcome } from "./help-view";
import type { ActionRegistry } from "./registry";

export const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
const INVOKE_ERROR = "application/vnd.microsoft.error";

/** An invoke answer for a request the bot does not accept (Teams shows it as a failed action). */
function invokeRefusal(code: "BadRequest" | "NotSupported", message: string): InvokeResponse {
  return { status: 400, body: { statusCode: 400, type: INVOKE_ERROR, value: { code, message } } };
}

/** The part of an Action.Execute value botbuilder and the action registry read without checking types. */
function isActionExecuteValue(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const action = (value as { action?: unknown }).action;
  if (typeof action !== "object" || action === null || Array.isArray(action)) return false;
  const verb = (action as { verb?: unknown }).verb;
  return verb === undefined || typeof verb === "string";
}

/** The message activity that carries a rendered card. */
export function cardActivity(card: RenderedCard): Partial<Activity> {
  return { type: "message", summary: card.summary, attachments: [{ contentType: ADAPTIVE_CARD, content: card.card }] };
}

/** Removes the bot's @mention (and any stray <at> tags) so commands match as whole tokens. */
export function textWithoutMention(activity: Activity): string {
  let text: string;
  try {
    text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? "";
  } catch {
    // botbuilder reads entity.mentioned.id unchecked; a malformed entity must not fail the turn. The <at> tags go below.
    text = typeof activity.text === "string" ? activity.text : "";
  }
  text = text.replace(/<at>[^<]*<\/at>/gi, " ");
  return text.replace(/&nbsp;/g, " ").trim();
}

export function tenantOf(activity: Activity): string | undefined {
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return activity.conversation?.tenantId ?? (typeof channelTenant === "string" ? channelTenant : undefined);
}

function conversationOf(activity: Activity): ConversationInfo {
  const type = activity.conversation?.conversationType;
  const kind = type === "channel" ? "channel" : type === "groupChat" ? "groupChat" : "personal";
  return { id: activity.conversation.id, kind, tenantId: tenantOf(activity) };
}

/** Highest role a user holds according to ROLE_* (object ids or "*"). */
export function roleOf(userIds: string[], roles: Services["config"]["roles"]): Role | undefined {
  const has = (list: string[]) => list.includes("*") || userIds.some((id) => list.includes(id));
  if (has(roles.approvers)) return "approver";
  if (has(roles.operators)) return "operator";
  if (has(roles.readers)) return "reader";
  return undefined;
}

function actorOf(from: ChannelAccount, tenantId: string | undefined, services: Services): Actor {
  const ids = [from.aadObjectId, from.id].filter((x): x is string => typeof x === "string" && x !== "");
  return {
    id: from.aadObjectId ?? from.id,
    name: from.name ?? from.id,
    tenantId,
    role: roleOf(ids, services.config.roles),
  };
}

export class SecOpsBot extends TeamsActivityHandler {
  constructor(
    private readonly services: Services,
    private readonly dispatcher: Dispatcher,
    private readonly actions: ActionRegistry,
  ) {
    super();

    this.onMessage(async (ctx, next) => {
      if (await this.admitted(ctx)) await this.handleMessage(ctx);
      await next();
    });

    this.onMembersAdded(async (ctx, next) => {
      const botId = ctx.activity.recipient?.id;
      const botAdded = (ctx.activity.membersAdded ?? []).some((m) => m.id === botId);
      if (botAdded && (await this.admitted(ctx))) {
        await this.remember(ctx);
        // Issue 9: a short welcome (what I do + three first questions) instead of the full command list.
        await ctx.sendActivity(cardActivity(buildWelcome(this.services)));
      }
      await next();
    });
  }

  /** Tenant allow-list (DESIGN §3.7): a turn from an unlisted tenant gets no answer, only an audit entry. */
  private async admitted(ctx: TurnContext): Promise<boolean> {
    const allowed = this.services.config.allowedTenantIds;
    if (allowed.length === 0) return true;
    const tenant = tenantOf(ctx.activity);
    if (tenant !== undefined && allowed.includes(tenant)) return true;
    await this.services.store.appendAudit({
      at: this.services.clock.now().toISOString(),
      actorId: ctx.activity.from?.aadObjectId ?? ctx.activity.from?.id ?? "unknown",
      actorName: ctx.activity.from?.name,
      tenantId: tenant,
      conversationId: ctx.activity.conversation?.id,
      action: "tenant:refused",
      result: "denied",
      detail: `activity ${ctx.activity.type} from a tenant not in ALLOWED_TENANT_IDS`,
    });
    this.services.logger.warn({ tenantId: tenant }, "activity from a tenant that is not allowed; ignored");
    return false;
  }

  /** Keeps the conversation reference so cards can be updated after the turn and digests posted later. */
  private async remember(ctx: TurnContext): Promise<void> {
    const info = conversationOf(ctx.activity);
    const reference = TurnContext.getConversationReference(ctx.activity) as unknown as Record<string, unknown>;
    await this.services.store.saveConversation({
      id: info.id,
      kind: info.kind,
      tenantId: info.tenantId,
      reference,
      updatedAt: this.services.clock.now().toISOString(),
    });
  }

  private async handleMessage(ctx: TurnContext): Promise<void> {
    const activity = ctx.activity;
    const value = activity.value as { command?: unknown } | undefined;
    let text = textWithoutMention(activity);
    if (text === "" && typeof value?.command === "string") text = value.command;
    const correlationId = randomUUID();
    const conversation = conversationOf(activity);
    const actor = actorOf(activity.from, conversation.tenantId, this.services);
    const log = this.services.logger.child({ correlationId, activityId: activity.id, conversationId: conversation.id, userId: actor.id });
    await this.remember(ctx);

    let turnOpen = true;
    const notifier = this.services.notifier;
    try {
      await this.dispatcher.handleText({
        text,
        actor,
        conversation,
        correlationId,
        log,
        reply: async (card) => {
          if (turnOpen) return (await ctx.sendActivity(cardActivity(card)))?.id;
          return notifier.post(conversation.id, card);
        },
        update: async (activityId, card) => {
          if (turnOpen) await ctx.updateActivity({ ...cardActivity(card), id: activityId });
          else await notifier.update(conversation.id, activityId, card);
        },
      });
    } finally {
      turnOpen = false;
    }
  }

  /**
   * A malformed Action.Execute value makes botbuilder throw a TypeError (→ HTTP 501 with a "turn failed" log), and an
   * invoke it has no handler for answers 501. Both are requests the bot does not accept, not faults: answer 400.
   */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    if (ctx.activity.name === "adaptiveCard/action" && !isActionExecuteValue(ctx.activity.value)) {
      return invokeRefusal("BadRequest", "Expected an Action.Execute value with an action object and a string verb.");
    }
    const response = await super.onInvokeActivity(ctx);
    return response.status === 501 ? invokeRefusal("NotSupported", "This bot does not handle that kind of invoke.") : response;
  }

  /** Action.Execute (Universal Actions): routed by verb like commands, role-checked and audited. */
  protected override async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const correlationId = randomUUID();
    const asCard = (card: RenderedCard): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: ADAPTIVE_CARD, value: card.card });
    if (!(await this.admitted(ctx))) {
      return { statusCode: 403, type: "application/vnd.microsoft.error", value: { code: "Forbidden", message: "Tenant not allowed" } as never };
    }
    const conversation = conversationOf(ctx.activity);
    const actor = actorOf(ctx.activity.from, conversation.tenantId, this.services);
    const verb = value.action?.verb ?? "";
    const data = (value.action?.data ?? {}) as Record<string, unknown>;
    const log = this.services.logger.child({ correlationId, verb, conversationId: conversation.id, userId: actor.id });
    const audit: CardActionInvocation["audit"] = (entry) =>
      this.services.store.appendAudit({
        at: this.services.clock.now().toISOString(),
        actorId: actor.id,
        actorName: actor.name,
        tenantId: actor.tenantId,
        conversationId: conversation.id,
        correlationId,
        ...entry,
      });
    const spec = this.actions.get(verb);
    if (!spec) {
      await audit({ action: `action:${verb.slice(0, 40) || "?"}`, result: "unknown" });
      return asCard(messageCard(this.services.cards, { title: "That button is no longer supported", text: "Type help to see what I can do.", style: "warning" }));
    }
    if (!roleAtLeast(actor.role, spec.role)) {
      await audit({ action: `action:${spec.verb}`, result: "denied", detail: `needs ${spec.role}` });
      return asCard(
        messageCard(this.services.cards, {
          title: "You can't do that",
          text: `This needs the ${spec.role} role.`,
          style: "warning",
        }),
      );
    }
    try {
      const answer = await spec.handler({ verb: spec.verb, data, actor, conversation, correlationId, log, audit }, this.services);
      const outcome = "card" in answer && "result" in answer ? answer : { card: answer, result: "ok", target: undefined };
      const target = outcome.target ?? [data.id, data.requestId, data.name].find((x): x is string => typeof x === "string");
      await audit({ action: `action:${spec.verb}`, result: outcome.result, target: target?.slice(0, 200) });
      return asCard(outcome.card);
    } catch (err) {
      const known = isAppError(err);
      log[known ? "warn" : "error"]({ err }, "card action failed");
      await audit({ action: `action:${spec.verb}`, result: known && err.code === "BadInput" ? "invalid" : "error", detail: known ? err.code : "Internal" });
      return asCard(errorCard(this.services.cards, known ? err.userMessage : "Something went wrong on my side.", correlationId));
    }
  }
}
