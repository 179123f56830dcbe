/**
 * Finds the Azure SDK calls in src/azure and reads the least-privilege role definitions in deployment/roles.
 *
 * The SDK clients themselves say which names are operation groups: a fresh SecurityCenter,
 * NetworkManagementClient, ComputeManagementClient and SubscriptionClient (built with a credential
 * that is never asked) are walked for their groups and methods, so a call is recognised whatever
 * variable holds the client (`clients.security.alerts.list()`, `sec.alerts.list()` …).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { SecurityCenter } from "@azure/arm-security";
import type { TokenCredential } from "@azure/core-auth";

export const REPO = join(__dirname, "..", "..", "..");
export const ROLES_DIR = join(REPO, "deployment", "roles");

export type ClientKind = "security" | "network" | "compute" | "subscriptions";
const CLIENT_KINDS: readonly ClientKind[] = ["security", "network", "compute", "subscriptions"];

/** Properties of a client that are plumbing, not operation groups. */
const NOT_GROUPS = new Set(["pipeline", "_client", "_httpClient", "client"]);

const neverAsked: TokenCredential = {
  getToken: () => Promise.reject(new Error("the operation scan never sends a request")),
};

function ownAndProtoNames(value: object): string[] {
  const proto = Object.getPrototypeOf(value) as object | null;
  return [...new Set([...Object.keys(value), ...(proto ? Object.getOwnPropertyNames(proto) : [])])];
}

/** client kind → operation group → method names, read from the real SDK clients. */
export function sdkOperationGroups(): Map<ClientKind, Map<string, Set<string>>> {
  const sub = "00000000-0000-0000-0000-000000000000";
  const clients: Record<ClientKind, object> = {
    security: new SecurityCenter(neverAsked, sub),
    network: new NetworkManagementClient(neverAsked, sub),
    compute: new ComputeManagementClient(neverAsked, sub),
    subscriptions: new SubscriptionClient(neverAsked),
  };
  const out = new Map<ClientKind, Map<string, Set<string>>>();
  for (const kind of CLIENT_KINDS) {
    const client = clients[kind] as Record<string, unknown>;
    const groups = new Map<string, Set<string>>();
    for (const name of ownAndProtoNames(client)) {
      if (NOT_GROUPS.has(name) || name === "constructor") continue;
      let group: unknown;
      try {
        group = client[name];
      } catch {
        continue;
      }
      if (typeof group !== "object" || group === null || Array.isArray(group)) continue;
      const methods = new Set(
        ownAndProtoNames(group).filter(
          (m) => m !== "constructor" && typeof (group as Record<string, unknown>)[m] === "function",
        ),
      );
      if (methods.size > 0) groups.set(name, methods);
    }
    out.set(kind, groups);
  }
  return out;
}

/** One SDK call found in the source. */
export interface SdkCall {
  /** "<client>.<group>.<method>", e.g. "security.jitNetworkAccessPolicies.initiate". */
  key: string;
  file: string;
  line: number;
}

/** A `<group>.<method>(` whose group name several clients share and that the code did not qualify. */
export interface AmbiguousCall {
  text: string;
  candidates: string[];
  file: string;
  line: number;
}

/**
 * Every `<group>.<method>(` in the TypeScript files of `dir` whose group is an operation group of an
 * SDK client with that method. A `security.` / `network.` / `compute.` / `subscriptions().` just
 * before the group picks the client when several clients have a group of that name.
 */
export function scanSdkCalls(
  dir: string,
  groups = sdkOperationGroups(),
  extension = ".ts",
): { calls: SdkCall[]; ambiguous: AmbiguousCall[] } {
  const pattern = /\b([A-Za-z_$][\w$]*)\s*\.\s*([A-Za-z_$][\w$]*)\s*\(/g;
  const qualifierBefore = /(?:\b(security|network|compute)|\b(subscriptions)\s*\(\s*\))\s*\.\s*$/;
  const calls: SdkCall[] = [];
  const ambiguous: AmbiguousCall[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith(extension)).sort()) {
    const file = join(dir, name);
    const text = stripComments(readFileSync(file, "utf8"));
    for (const match of text.matchAll(pattern)) {
      const [whole, group, method] = match;
      const candidates = CLIENT_KINDS.filter((kind) => groups.get(kind)?.get(group!)?.has(method!) === true);
      if (candidates.length === 0) continue;
      const before = qualifierBefore.exec(text.slice(Math.max(0, match.index - 40), match.index));
      const wanted = (before?.[1] ?? before?.[2]) as ClientKind | undefined;
      const line = text.slice(0, match.index).split("\n").length;
      if (wanted !== undefined && candidates.includes(wanted)) {
        calls.push({ key: `${wanted}.${group}.${method}`, file: name, line });
      } else if (candidates.length === 1) {
        calls.push({ key: `${candidates[0]}.${group}.${method}`, file: name, line });
      } else {
        ambiguous.push({ text: whole.trim(), candidates: candidates.map((k) => `${k}.${group}.${method}`), file: name, line });
      }
    }
  }
  return { calls, ambiguous };
}

/** Blanks comments but keeps line numbers, so commented-out calls are not counted. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/[^\n]*/g, (_m, lead: string) => lead);
}

/** An Azure role definition in the `az role definition create` file format. */
export interface RoleDefinitionFile {
  Name: string;
  IsCustom: boolean;
  Description: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}

export type GrantScope = "subscription" | "captureStorage";

export interface OperationEntry {
  subscription?: string[];
  captureStorage?: string[];
  why?: string;
}

export interface OperationsFile {
  roles: Record<string, { scope: GrantScope; feature: string }>;
  operations: Record<string, OperationEntry>;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function roleFiles(): string[] {
  return readdirSync(ROLES_DIR)
    .filter((f) => f.endsWith(".json") && f !== "operations.json")
    .sort();
}

/** ARM's action matching: case-insensitive, `*` matches any run of characters (including `/`). */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** True when `role` grants `action`: some Actions pattern matches and no NotActions pattern does. */
export function roleGrants(role: RoleDefinitionFile, action: string): boolean {
  return role.Actions.some((p) => actionMatches(p, action)) && !role.NotActions.some((p) => actionMatches(p, action));
}

/**
 * Why a granted action is broader than this bot may hold, or undefined when it is fine. Wildcards are
 * allowed only as `<Provider>/<resourceType>[/…]/*\/read`: reads below one named resource type.
 */
export function wildcardProblem(action: string): string | undefined {
  if (!action.includes("*")) return undefined;
  if (action.trim() === "*") return "grants every action in Azure";
  const segments = action.split("/");
  const star = segments.indexOf("*");
  if (segments.filter((s) => s.includes("*")).length !== 1 || segments[star] !== "*") {
    return "wildcards must be a whole path segment, used once";
  }
  if (star < 2) return `is provider-wide (${segments[0]}/*): name the resource type`;
  if (star !== segments.length - 2 || segments[segments.length - 1]!.toLowerCase() !== "read") {
    return "a wildcard may only stand for read actions below one resource type (…/<type>/*/read)";
  }
  return undefined;
}
