/**
 * Small helpers for Azure Resource Manager ids.
 *
 * ARM treats ids case-insensitively ("resourceGroups" vs "resourcegroups", "myRG" vs "myrg"), and
 * different providers return the same id in different cases. Every comparison here ignores case;
 * values are returned exactly as written in the id so output keeps Azure's original spelling.
 */
import { AppError } from "../domain/errors";

function splitSegments(id: string): string[] {
  return id.split("/").filter((s) => s.length > 0);
}

/**
 * The segment that follows `key` in `id` (keys compared case-insensitively), or undefined.
 * `which: "last"` picks the last occurrence, for keys that repeat in nested ids such as
 * `.../virtualMachines/vm1/providers/Microsoft.Security/assessments/<key>`.
 */
export function segmentAfter(id: string, key: string, which: "first" | "last" = "first"): string | undefined {
  const segments = splitSegments(id);
  const wanted = key.toLowerCase();
  const indexes: number[] = [];
  for (let i = 0; i < segments.length - 1; i += 1) {
    if (segments[i].toLowerCase() === wanted) indexes.push(i);
  }
  if (indexes.length === 0) return undefined;
  const at = which === "first" ? indexes[0] : indexes[indexes.length - 1];
  return segments[at + 1];
}

/** Subscription id of a resource id, as written. */
export function subscriptionOf(id: string): string | undefined {
  return segmentAfter(id, "subscriptions");
}

/** Resource group of a resource id, as written. */
export function resourceGroupOf(id: string): string | undefined {
  return segmentAfter(id, "resourceGroups");
}

/** Last segment of an id (the resource's own name). */
export function nameOf(id: string): string {
  const segments = splitSegments(id);
  return segments[segments.length - 1] ?? "";
}

/** A key for maps and comparisons: lower case, no trailing slash. */
export function resourceKey(id: string): string {
  return id.replace(/\/+$/, "").toLowerCase();
}

/** True when two ARM ids name the same resource (case-insensitive). */
export function sameResourceId(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return resourceKey(a) === resourceKey(b);
}

/**
 * The part of an extension-resource id before `/providers/<namespace>/<type>/`, e.g. the assessed
 * resource of `<resourceId>/providers/Microsoft.Security/assessments/<key>`.
 */
export function parentOfExtension(id: string, namespaceAndType: string): string | undefined {
  const marker = `/providers/${namespaceAndType}/`.toLowerCase();
  const at = id.toLowerCase().lastIndexOf(marker);
  if (at <= 0) return undefined;
  return id.slice(0, at);
}

/** Parts of a Network Watcher child id (packet capture, flow log). */
export interface WatcherChildId {
  subscriptionId: string;
  resourceGroup: string;
  watcherName: string;
  /** The child's name, when the id names one. */
  childName?: string;
}

/**
 * Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/networkWatchers/{w}[/packetCaptures/{pc}]`.
 * Throws AppError("BadInput") naming what is missing, since a bad id here is a caller bug or bad user input.
 */
export function parseWatcherId(id: string, childType?: string): WatcherChildId {
  const subscriptionId = subscriptionOf(id);
  const resourceGroup = resourceGroupOf(id);
  const watcherName = segmentAfter(id, "networkWatchers");
  const childName = childType ? segmentAfter(id, childType, "last") : undefined;
  if (!subscriptionId || !resourceGroup || !watcherName || (childType !== undefined && !childName)) {
    const what = childType ? `a Network Watcher ${childType} id` : "a Network Watcher id";
    throw new AppError("BadInput", `"${id}" is not ${what}.`);
  }
  return childName === undefined
    ? { subscriptionId, resourceGroup, watcherName }
    : { subscriptionId, resourceGroup, watcherName, childName };
}

/** Parts of a JIT network access policy id. */
export interface JitPolicyId {
  subscriptionId: string;
  resourceGroup: string;
  /** The ascLocation segment. */
  location: string;
  name: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Security/locations/{loc}/jitNetworkAccessPolicies/{name}`. */
export function parseJitPolicyId(id: string): JitPolicyId {
  const subscriptionId = subscriptionOf(id);
  const resourceGroup = resourceGroupOf(id);
  const location = segmentAfter(id, "locations");
  const name = segmentAfter(id, "jitNetworkAccessPolicies");
  if (!subscriptionId || !resourceGroup || !location || !name) {
    throw new AppError("BadInput", `"${id}" is not a JIT network access policy id.`);
  }
  return { subscriptionId, resourceGroup, location, name };
}

/** Parts of a virtual machine id. */
export interface VmId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}`. */
export function parseVmId(id: string): VmId {
  const subscriptionId = subscriptionOf(id);
  const resourceGroup = resourceGroupOf(id);
  const name = segmentAfter(id, "virtualMachines");
  if (!subscriptionId || !resourceGroup || !name) {
    throw new AppError("BadInput", `"${id}" is not a virtual machine id.`);
  }
  return { subscriptionId, resourceGroup, name };
}
