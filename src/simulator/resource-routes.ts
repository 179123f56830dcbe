/**
 * Microsoft.Resources as @azure/arm-resources-subscriptions 2.1.1 calls it (api-version 2022-12-01): the subscription
 * list the bot uses to discover what it may watch when AZURE_SUBSCRIPTION_IDS is not set, and a single get.
 */
import { paged, type SimContext } from "./context";
import { sameId, type SimSubscription } from "./estate";
import { SimHttpError, type Route, type RouteRequest } from "./router";

/** The api-version of @azure/arm-resources-subscriptions 2.1.1. */
export const SUBSCRIPTIONS_API_VERSION = "2022-12-01";

function render(s: SimSubscription): unknown {
  return {
    id: `/subscriptions/${s.id}`,
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "EnterpriseAgreement_2014-09-01", spendingLimit: "Off" },
    authorizationSource: "RoleBased",
  };
}

export function resourceRoutes(ctx: SimContext): Route[] {
  return [
    {
      method: "GET",
      template: "/subscriptions",
      apiVersion: SUBSCRIPTIONS_API_VERSION,
      handle: (req: RouteRequest) => paged(ctx, req, ctx.estate.subscriptions, render, SUBSCRIPTIONS_API_VERSION),
    },
    {
      method: "GET",
      template: "/subscriptions/{subscriptionId}",
      apiVersion: SUBSCRIPTIONS_API_VERSION,
      handle: (req: RouteRequest) => {
        const id = req.params["subscriptionId"] ?? "";
        const found = ctx.estate.subscriptions.find((s) => sameId(s.id, id));
        if (!found) throw new SimHttpError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
        return { status: 200, body: render(found) };
      },
    },
  ];
}
