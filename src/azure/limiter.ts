/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order.
 * The gateway shares one across all reads so a digest that asks for ten kinds of data over fifty
 * subscriptions still keeps a bounded number of ARM calls in flight (ARM throttles per subscription
 * and per principal).
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }

  /** Runs `task` when a slot is free; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `active` never dips and a newcomer cannot jump the queue.
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Tasks running now. */
  running(): number {
    return this.active;
  }
}
