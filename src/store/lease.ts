/**
 * One scheduler across instances. The scheduled jobs (daily digest and score watch, JIT expiry, capture monitor) run
 * only in the instance that holds a lease; the others keep trying to take it, so if the holder dies another one takes
 * over within one lease period plus one retry interval (docs/scale-out.md).
 *
 * The lease only avoids duplicate work: every job already claims each item with an optimistic write (ifVersion)
 * before it posts, so two instances that both believe they hold the lease (a renewal lost in the network) still post
 * nothing twice.
 *
 * With the embedded SQLite store there is one instance by definition: {@link localLease} always holds, and the jobs
 * start at once, as before.
 */

/** A lease shared by the instances of one deployment. */
export interface SchedulerLease {
  /** "local": one instance, always held (no timer); "shared": held by at most one instance at a time. */
  readonly kind: "local" | "shared";
  /** How long a held lease lasts without renewal, in seconds. */
  readonly durationSeconds: number;
  /** Takes the lease or renews it; resolves whether this instance holds it now. Rejects when the service cannot be asked. */
  acquireOrRenew(): Promise<boolean>;
  /** Gives the lease up (so another instance takes over at once); does nothing when not held. */
  release(): Promise<void>;
}

/** The lease of a single instance: always held. */
export function localLease(): SchedulerLease {
  return {
    kind: "local",
    durationSeconds: Number.POSITIVE_INFINITY,
    acquireOrRenew: () => Promise.resolve(true),
    release: () => Promise.resolve(),
  };
}

/** A job that runs on its own timer once started (DigestScheduler, JitExpiryJob, CaptureMonitor). */
export interface ScheduledJob {
  start(): void;
  stop(): Promise<void>;
}

/** The logging calls the runner makes (pino's logger fits). */
export interface LeaseLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LeasedJobsOptions {
  /** How often to renew the held lease or try to take it. Default: a third of the lease duration. */
  intervalMs?: number;
  /** Named in log lines. */
  instanceId?: string;
}

/**
 * Runs `jobs` while this instance holds `lease`: starts them when the lease is taken, stops them when it is lost
 * (a renewal refused, or no renewal confirmed for longer than the lease minus one interval).
 */
export class LeasedJobs {
  private timer: NodeJS.Timeout | undefined;
  private holding = false;
  private lastConfirmedMs = 0;
  private cycle: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly intervalMs: number;

  constructor(
    private readonly lease: SchedulerLease,
    private readonly jobs: readonly ScheduledJob[],
    private readonly logger: LeaseLogger,
    private readonly options: LeasedJobsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? Math.max(1000, Math.floor((lease.durationSeconds * 1000) / 3));
  }

  /** Whether this instance runs the jobs now. */
  get held(): boolean {
    return this.holding;
  }

  /**
   * Starts competing for the lease. A local lease starts the jobs before returning; a shared one tries at once and
   * then every interval (the timer does not keep the process alive).
   */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.lease.kind === "local") {
      this.holding = true;
      for (const job of this.jobs) job.start();
      return;
    }
    this.schedule();
    this.timer = setInterval(() => this.schedule(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the jobs (waiting for a pass in progress), then releases the lease so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.cycle;
    const wasHolding = this.holding;
    await this.stopJobs();
    if (wasHolding && this.lease.kind === "shared") {
      try {
        await this.lease.release();
        this.logger.info({ instance: this.options.instanceId }, "scheduler lease released");
      } catch (err) {
        this.logger.warn({ err, instance: this.options.instanceId }, "could not release the scheduler lease; another instance takes over when it expires");
      }
    }
  }

  /** One renew-or-acquire round; rounds never overlap. */
  private schedule(): void {
    this.cycle = this.cycle.then(() => this.round());
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    let holds: boolean;
    try {
      holds = await this.lease.acquireOrRenew();
    } catch (err) {
      // Storage unreachable: keep running only while the last confirmed lease certainly has not run out.
      const expired = Date.now() - this.lastConfirmedMs > this.lease.durationSeconds * 1000 - this.intervalMs;
      this.logger.warn({ err, instance: this.options.instanceId, holding: this.holding }, "could not reach the scheduler lease");
      if (this.holding && expired) await this.lose("not renewed in time");
      return;
    }
    if (this.stopped) {
      // Stopped while asking: a lease taken just now would otherwise keep the others waiting until it runs out.
      if (holds && !this.holding) await this.lease.release().catch(() => undefined);
      return;
    }
    if (holds) {
      this.lastConfirmedMs = Date.now();
      if (!this.holding) {
        this.holding = true;
        this.logger.info(
          { instance: this.options.instanceId, leaseSeconds: this.lease.durationSeconds },
          "scheduler lease acquired: this instance runs the digest, JIT expiry and capture jobs",
        );
        for (const job of this.jobs) job.start();
      }
    } else if (this.holding) {
      await this.lose("taken by another instance");
    }
  }

  private async lose(reason: string): Promise<void> {
    this.logger.warn({ instance: this.options.instanceId, reason }, "scheduler lease lost: stopping the scheduled jobs here");
    await this.stopJobs();
  }

  private async stopJobs(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    await Promise.allSettled(this.jobs.map((job) => job.stop()));
  }
}
