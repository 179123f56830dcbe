/**
 * Fault injection per subscription ("*" = every subscription). A fault applies to any request whose
 * path names that subscription (including nextLink pages and LRO polls), so callers see exactly
 * what a throttled or forbidden subscription looks like through the real SDK.
 */

/** What can go wrong for one subscription. Setting merges into what is already set. */
export interface FaultSpec {
  /** Delay every request by this many milliseconds. */
  latencyMs?: number;
  /** Answer the next `count` requests with 429 and `Retry-After: retryAfterSeconds`. */
  throttle?: { count: number; retryAfterSeconds: number };
  /** Answer the next N requests with 500 InternalServerError. */
  serverErrors?: number;
  /** Answer every request with 403 AuthorizationFailed until cleared. */
  forbidden?: boolean;
}

/** Controls faults of a running simulator. */
export interface FaultControl {
  /** Sets (merges) faults for a subscription id, or "*" for all subscriptions. */
  set(subscriptionId: string, fault: FaultSpec): void;
  /** Clears faults of one subscription, or all faults when no id is given. */
  clear(subscriptionId?: string): void;
  /** The faults currently set for a subscription id or "*" (a copy). */
  get(subscriptionId: string): FaultSpec | undefined;
}

/** What the server should do for one request. */
export type FaultDecision =
  | { kind: "none" }
  | { kind: "forbidden" }
  | { kind: "throttle"; retryAfterSeconds: number }
  | { kind: "serverError" };

/** In-memory fault table; `decide` consumes counters. */
export class FaultTable implements FaultControl {
  private readonly faults = new Map<string, FaultSpec>();

  set(subscriptionId: string, fault: FaultSpec): void {
    const key = subscriptionId.toLowerCase();
    const current = this.faults.get(key) ?? {};
    const merged: FaultSpec = { ...current };
    if (fault.latencyMs !== undefined) merged.latencyMs = fault.latencyMs;
    if (fault.throttle !== undefined) merged.throttle = { ...fault.throttle };
    if (fault.serverErrors !== undefined) merged.serverErrors = fault.serverErrors;
    if (fault.forbidden !== undefined) merged.forbidden = fault.forbidden;
    this.faults.set(key, merged);
  }

  clear(subscriptionId?: string): void {
    if (subscriptionId === undefined) this.faults.clear();
    else this.faults.delete(subscriptionId.toLowerCase());
  }

  get(subscriptionId: string): FaultSpec | undefined {
    const fault = this.faults.get(subscriptionId.toLowerCase());
    return fault ? { ...fault, throttle: fault.throttle ? { ...fault.throttle } : undefined } : undefined;
  }

  /** Latency to add for a request on this subscription (the specific setting wins over "*"). */
  latencyFor(subscriptionId: string | undefined): number {
    const specific = subscriptionId ? this.faults.get(subscriptionId.toLowerCase())?.latencyMs : undefined;
    return specific ?? this.faults.get("*")?.latencyMs ?? 0;
  }

  /** Decides the fault for one request and consumes one unit of any counter used. */
  decide(subscriptionId: string | undefined): FaultDecision {
    const candidates = [subscriptionId?.toLowerCase(), "*"]
      .filter((k): k is string => k !== undefined)
      .map((k) => this.faults.get(k))
      .filter((f): f is FaultSpec => f !== undefined);
    if (candidates.some((f) => f.forbidden === true)) return { kind: "forbidden" };
    for (const f of candidates) {
      if (f.throttle && f.throttle.count > 0) {
        f.throttle.count -= 1;
        return { kind: "throttle", retryAfterSeconds: f.throttle.retryAfterSeconds };
      }
    }
    for (const f of candidates) {
      if (f.serverErrors !== undefined && f.serverErrors > 0) {
        f.serverErrors -= 1;
        return { kind: "serverError" };
      }
    }
    return { kind: "none" };
  }
}
