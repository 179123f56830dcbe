import { ReadCache } from "../../src/azure/cache";
import { Limiter } from "../../src/azure/limiter";

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("ReadCache", () => {
  let now = 0;
  const cache = () => new ReadCache({ ttlMs: 1000, now: () => now });
  beforeEach(() => {
    now = 0;
  });

  it("when ten callers ask while a read runs, then the loader runs once and all get its value", async () => {
    const c = cache();
    const gate = deferred<number>();
    let loads = 0;
    const load = () => {
      loads += 1;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 10 }, () => c.get("k", load)));
    gate.resolve(42);
    expect(await all).toEqual(Array(10).fill(42));
    expect(loads).toBe(1);
  });

  it("when the TTL has passed, then the next call loads again", async () => {
    const c = cache();
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await c.get("k", load)).toBe(1);
    now = 999;
    expect(await c.get("k", load)).toBe(1);
    now = 1000;
    expect(await c.get("k", load)).toBe(2);
  });

  it("when a read fails, then the failure is not kept and the next caller retries", async () => {
    const c = cache();
    await expect(c.get("k", () => Promise.reject(new Error("nope")))).rejects.toThrow("nope");
    expect(await c.get("k", () => Promise.resolve("ok"))).toBe("ok");
  });

  it("when a prefix is invalidated, then only matching keys are forgotten", async () => {
    const c = cache();
    await c.get("jit|s1", () => Promise.resolve(1));
    await c.get("jit|s2", () => Promise.resolve(1));
    await c.get("alerts|s1", () => Promise.resolve(1));
    c.invalidate("jit|s1");
    expect(await c.get("jit|s1", () => Promise.resolve(2))).toBe(2);
    expect(await c.get("jit|s2", () => Promise.resolve(2))).toBe(1);
    expect(await c.get("alerts|s1", () => Promise.resolve(2))).toBe(1);
  });

  it("when a key is invalidated during its read, then the stale result is not kept", async () => {
    const c = cache();
    const gate = deferred<string>();
    const first = c.get("k", () => gate.promise);
    c.invalidate();
    gate.resolve("stale");
    expect(await first).toBe("stale");
    expect(await c.get("k", () => Promise.resolve("fresh"))).toBe("fresh");
  });

  it("when the TTL is 0, then concurrent callers still share a read but later ones load again", async () => {
    const c = new ReadCache({ ttlMs: 0, now: () => now });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([c.get("k", load), c.get("k", load)])).toEqual([1, 1]);
    expect(await c.get("k", load)).toBe(2);
    expect(c.size()).toBe(0);
  });
});

describe("Limiter", () => {
  it("when more tasks than slots are started, then no more than the limit run at once and all finish", async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, () => deferred<void>());
    const tasks = gates.map((gate, i) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return i;
      }),
    );
    for (const gate of gates) {
      await Promise.resolve();
      gate.resolve();
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.running()).toBe(0);
  });

  it("when a task fails, then its slot is released for the next one", async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await limiter.run(() => Promise.resolve("next"))).toBe("next");
  });

  it("when the limit is not a positive integer, then construction fails", () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
