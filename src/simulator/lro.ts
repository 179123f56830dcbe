/**
 * Long-running operations as ARM's Network provider runs them, reduced to what core-lro needs:
 * - "azure-async-operation": the first response carries `Azure-AsyncOperation`; polling that URL
 *   answers `{"status":"InProgress"}` and then `{"status":"Succeeded"}` or
 *   `{"status":"Failed","error":{code,message}}`.
 * - "location": the first response is 202 with `Location`; polling answers 202 while running and
 *   then 200 with the result body (or an error status).
 * Every poll response carries `Retry-After: 0` so SDK pollers do not wait their default 2 s.
 * Operations complete after a fixed number of polls, not by wall time, so tests stay deterministic.
 */

/** The final outcome of an azure-async-operation. */
export interface AsyncOutcome {
  error?: { code: string; message: string };
}

/** The final outcome of a location operation. */
export interface LocationOutcome {
  status: number;
  body?: unknown;
}

interface Operation<T> {
  pollsRunning: number;
  finish: () => T;
  outcome?: T;
}

/** Tracks pending operations by id. */
export class LroRegistry {
  private readonly asyncOps = new Map<string, Operation<AsyncOutcome>>();
  private readonly locationOps = new Map<string, Operation<LocationOutcome>>();
  private counter = 0;

  /** Registers an async operation; `finish` runs once, when the operation completes. */
  createAsync(finish: () => AsyncOutcome, pollsRunning = 1): string {
    const id = this.nextId();
    this.asyncOps.set(id, { pollsRunning, finish });
    return id;
  }

  /** Registers a location operation; `finish` runs once, when the operation completes. */
  createLocation(finish: () => LocationOutcome, pollsRunning = 1): string {
    const id = this.nextId();
    this.locationOps.set(id, { pollsRunning, finish });
    return id;
  }

  /** One poll of an async operation: the status body, or undefined for an unknown id. */
  pollAsync(id: string): Record<string, unknown> | undefined {
    const op = this.asyncOps.get(id);
    if (!op) return undefined;
    const outcome = this.step(op);
    if (!outcome) return { status: "InProgress" };
    return outcome.error ? { status: "Failed", error: outcome.error } : { status: "Succeeded" };
  }

  /** One poll of a location operation: undefined while running, the outcome once done. */
  pollLocation(id: string): LocationOutcome | "running" | undefined {
    const op = this.locationOps.get(id);
    if (!op) return undefined;
    return this.step(op) ?? "running";
  }

  private step<T>(op: Operation<T>): T | undefined {
    if (op.outcome) return op.outcome;
    if (op.pollsRunning > 0) {
      op.pollsRunning -= 1;
      return undefined;
    }
    op.outcome = op.finish();
    return op.outcome;
  }

  private nextId(): string {
    this.counter += 1;
    // Shaped like ARM operation ids (a GUID) but unique per simulator run.
    const n = this.counter.toString(16).padStart(12, "0");
    return `00000000-0000-4000-8000-${n}`;
  }
}
