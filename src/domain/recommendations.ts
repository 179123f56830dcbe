/**
 * Unhealthy assessments grouped into recommendations (the `recommendations` command):
 * `recommendations [high|medium|low] [in <resource-group|subscription>]`.
 */
import type { Assessment, Severity } from "./model";
import { nameOf, normalizeId, resourceGroupOf, subscriptionOf } from "./resource-ids";

/** Where to look. Every field given must match; all are case-insensitive. */
export interface RecommendationScope {
  /** Resource group name. */
  resourceGroup?: string;
  /** Subscription id, or a subscription display name from `subscriptionNames`. */
  subscriptionId?: string;
  /**
   * What the user typed after "in", not yet known to be a resource group or a subscription: matches a resource
   * group name, a subscription id or a subscription display name.
   */
  text?: string;
}

/** Filters for {@link groupRecommendations}. */
export interface RecommendationFilter {
  /** Only this severity. */
  severity?: Severity;
  scope?: RecommendationScope;
}

/** One recommendation and the resources it is unhealthy on. */
export interface RecommendationGroup {
  /** Assessment key (lower case). */
  key: string;
  displayName: string;
  severity: Severity;
  /** Ids of the affected resources, each once, in the order first seen. */
  affectedResourceIds: string[];
  affectedCount: number;
  remediation?: string;
  description?: string;
  categories: string[];
  /** The assessment's portal link, or the recommendation's page in Defender for Cloud. */
  portalUrl: string;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { High: 0, Medium: 1, Low: 2 };

/** Defender for Cloud's page for a recommendation, for assessments that carry no link of their own. */
export function recommendationPortalUrl(key: string): string {
  return `https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/${encodeURIComponent(key)}`;
}

function eq(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function subscriptionMatches(wanted: string, subscriptionId: string, subscriptionNames: Readonly<Record<string, string>>): boolean {
  if (eq(wanted, subscriptionId)) return true;
  const name = Object.entries(subscriptionNames).find(([id]) => eq(id, subscriptionId))?.[1];
  return eq(wanted, name);
}

/** True when the assessment's resource is inside the scope. */
export function inScope(
  assessment: Assessment,
  scope: RecommendationScope,
  subscriptionNames: Readonly<Record<string, string>> = {},
): boolean {
  const rg = resourceGroupOf(assessment.resourceId);
  const sub = assessment.subscriptionId || subscriptionOf(assessment.resourceId) || "";
  if (scope.resourceGroup !== undefined && !eq(scope.resourceGroup, rg)) return false;
  if (scope.subscriptionId !== undefined && !subscriptionMatches(scope.subscriptionId, sub, subscriptionNames)) return false;
  if (scope.text !== undefined && !eq(scope.text, rg) && !subscriptionMatches(scope.text, sub, subscriptionNames)) {
    return false;
  }
  return true;
}

/**
 * Groups unhealthy assessments by recommendation (assessment key, case-insensitive), filtered by severity and
 * scope, ordered by severity (High, Medium, Low), then by how many resources are affected (most first), then by
 * name.
 *
 * @param subscriptionNames subscription id → display name, so a scope can name a subscription as people do
 */
export function groupRecommendations(
  assessments: readonly Assessment[],
  filter: RecommendationFilter = {},
  subscriptionNames: Readonly<Record<string, string>> = {},
): RecommendationGroup[] {
  const groups = new Map<string, RecommendationGroup & { seen: Set<string> }>();
  for (const a of assessments) {
    if (a.status !== "Unhealthy") continue;
    if (filter.severity !== undefined && a.severity !== filter.severity) continue;
    if (filter.scope !== undefined && !inScope(a, filter.scope, subscriptionNames)) continue;
    const key = a.key.toLowerCase();
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        displayName: a.displayName,
        severity: a.severity,
        affectedResourceIds: [],
        affectedCount: 0,
        remediation: a.remediation,
        description: a.description,
        categories: [...a.categories],
        portalUrl: a.portalUrl ?? recommendationPortalUrl(key),
        seen: new Set(),
      };
      groups.set(key, g);
    }
    // Metadata is the same for every resource, but some rows come without it; keep the first that has it.
    g.remediation ??= a.remediation;
    g.description ??= a.description;
    const id = normalizeId(a.resourceId);
    if (!g.seen.has(id)) {
      g.seen.add(id);
      g.affectedResourceIds.push(a.resourceId);
    }
  }
  return [...groups.values()]
    .map(({ seen: _seen, ...g }) => ({ ...g, affectedCount: g.affectedResourceIds.length }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.affectedCount - a.affectedCount ||
        a.displayName.localeCompare(b.displayName),
    );
}

/** Short names of affected resources, for cards (`vm-web-01` rather than the whole id). */
export function affectedNames(group: RecommendationGroup): string[] {
  return group.affectedResourceIds.map(nameOf);
}
