/**
 * ARM resource id helpers. Providers disagree on the case of ids (`resourceGroups` vs `resourcegroups`,
 * `Microsoft.Network` vs `microsoft.network`, upper-case resource group names from Defender), so every
 * comparison in the domain goes through {@link normalizeId}.
 */

/** The comparable form of an ARM id: trimmed, lower-case, without a trailing slash. */
export function normalizeId(id: string): string {
  return id.trim().replace(/\/+$/, "").toLowerCase();
}

/** True when two ARM ids name the same resource. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return normalizeId(a) === normalizeId(b);
}

/** True when `id` is `parent` itself or a resource below it (`<parent>/...`). */
export function isSameOrChildId(id: string, parent: string): boolean {
  const c = normalizeId(id);
  const p = normalizeId(parent);
  return c === p || c.startsWith(`${p}/`);
}

/** The value after a named segment (`resourceGroups`, `subscriptions`, ...), compared case-insensitively. */
export function idSegment(id: string, name: string): string | undefined {
  const parts = id.split("/");
  const wanted = name.toLowerCase();
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i].toLowerCase() === wanted && parts[i + 1] !== "") return parts[i + 1];
  }
  return undefined;
}

/** Resource group name in an ARM id, as written there. */
export function resourceGroupOf(id: string): string | undefined {
  return idSegment(id, "resourceGroups");
}

/** Subscription id in an ARM id. */
export function subscriptionOf(id: string): string | undefined {
  return idSegment(id, "subscriptions");
}

/** Last segment of an ARM id: the resource's own name. */
export function nameOf(id: string): string {
  const parts = id.replace(/\/+$/, "").split("/");
  return parts[parts.length - 1] ?? id;
}

/** The NIC id an IP configuration id belongs to (`<nic>/ipConfigurations/<name>` → `<nic>`). */
export function nicIdOfIpConfiguration(ipConfigurationId: string): string {
  const i = ipConfigurationId.toLowerCase().indexOf("/ipconfigurations/");
  return i === -1 ? ipConfigurationId : ipConfigurationId.slice(0, i);
}

/** Comparable region name: "West Europe" and "westeurope" are the same region. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

/** A lookup by ARM id that ignores case. */
export class IdMap<T> {
  private readonly map = new Map<string, T>();

  constructor(items: Iterable<T> = [], idOf?: (item: T) => string) {
    if (idOf) for (const item of items) this.map.set(normalizeId(idOf(item)), item);
  }

  get(id: string | undefined): T | undefined {
    return id === undefined ? undefined : this.map.get(normalizeId(id));
  }

  has(id: string | undefined): boolean {
    return id !== undefined && this.map.has(normalizeId(id));
  }

  set(id: string, value: T): void {
    this.map.set(normalizeId(id), value);
  }

  values(): IterableIterator<T> {
    return this.map.values();
  }
}

/** Builds an {@link IdMap} keyed by each item's `id`. */
export function byId<T extends { id: string }>(items: Iterable<T>): IdMap<T> {
  return new IdMap(items, (x) => x.id);
}
