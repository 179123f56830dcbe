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
  /**
   * Answer the next N requests with 500 InternalServerError (a number), or with the given status: 500, or 503
   * ServiceUnavailable with `Retry-After: retryAfterSeconds` when that is set.
   */
  serverErrors?: number | ServerErrorFault;
  /** Answer the next N requests with 200 and a truncated, invalid JSON body. */
  malformed?: number;
  /** Destroy the socket of the next N requests without answering. */
  resets?: number;
  /** Answer every request with 403 AuthorizationFailed until cleared. */
  forbidden?: boolean;
}

/** A burst of server errors with a chosen status. */
export interface ServerErrorFault {
  count: number;
  /** 500 (default) or 503. */
  status?: 500 | 503;
  /** Sent as `Retry-After` (seconds) when set. */
  retryAfterSeconds?: number;
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
  | { kind: "serverError"; status: 500 | 503; retryAfterSeconds?: number }
  | { kind: "malformed" }
  | { kind: "reset" };

function copy(fault: FaultSpec): FaultSpec {
  const out: FaultSpec = { ...fault };
  if (fault.throttle) out.throttle = { ...fault.throttle };
  else delete out.throttle;
  if (typeof fault.serverErrors === "object") out.serverErrors = { ...fault.serverErrors };
  return out;
}

/** In-memory fault table; `decide` consumes counters. */
export class FaultTable implements FaultControl {
  private readonly faults = new Map<string, FaultSpec>();

  set(subscriptionId: string, fault: FaultSpec): void {
    const key = subscriptionId.toLowerCase();
    const current = this.faults.get(key) ?? {};
    const merged: FaultSpec = { ...current };
    if (fault.latencyMs !== undefined) merged.latencyMs = fault.latencyMs;
    if (fault.throttle !== undefined) merged.throttle = { ...fault.throttle };
    if (fault.serverErrors !== undefined) merged.serverErrors = typeof fault.serverErrors === "object" ? { ...fault.serverErrors } : fault.serverErrors;
    if (fault.malformed !== undefined) merged.malformed = fault.malformed;
    if (fault.resets !== undefined) merged.resets = fault.resets;
    if (fault.forbidden !== undefined) merged.forbidden = fault.forbidden;
    this.faults.set(key, merged);
  }

  clear(subscriptionId?: string): void {
    if (subscriptionId === undefined) this.faults.clear();
    else this.faults.delete(subscriptionId.toLowerCase());
  }

  get(subscriptionId: string): FaultSpec | undefined {
    const fault = this.faults.get(subscriptionId.toLowerCase());
    return fault ? copy(fault) : undefined;
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
      if (f.resets !== undefined && f.resets > 0) {
        f.resets -= 1;
        return { kind: "reset" };
      }
    }
    for (const f of candidates) {
      const errors = f.serverErrors;
      if (typeof errors === "number" && errors > 0) {
        f.serverErrors = errors - 1;
        return { kind: "serverError", status: 500 };
      }
      if (typeof errors === "object" && errors.count > 0) {
        errors.count -= 1;
        const status = errors.status ?? 500;
        return errors.retryAfterSeconds === undefined ? { kind: "serverError", status } : { kind: "serverError", status, retryAfterSeconds: errors.retryAfterSeconds };
      }
    }
    for (const f of candidates) {
      if (f.malformed !== undefined && f.malformed > 0) {
        f.malformed -= 1;
        return { kind: "malformed" };
      }
    }
    return { kind: "none" };
  }
}
