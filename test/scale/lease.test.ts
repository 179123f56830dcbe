/**
 * The scheduler lease: the blob lease against a real Azurite, and the runner that starts and stops the scheduled
 * jobs with it (small intervals here; the bot derives them from SCHEDULER_LEASE_SECONDS).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { createBlobLease } from "../../src/azure/azure-blob-lease";
import { LeasedJobs, localLease, type ScheduledJob, type SchedulerLease } from "../../src/store/lease";
import { startAzurite, type Azurite } from "../helpers/azurite";

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
});

/** A job that records whether it runs. */
function recordingJob(): ScheduledJob & { running: boolean; starts: number; stops: number } {
  const job = {
    running: false,
    starts: 0,
    stops: 0,
    start() {
      job.running = true;
      job.starts += 1;
    },
    stop() {
      job.running = false;
      job.stops += 1;
      return Promise.resolve();
    },
  };
  return job;
}

const quietLogger = { info: () => undefined, warn: () => undefined };

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function leaseFor(prefix: string, leaseId?: string) {
  return createBlobLease({ connectionString: azurite.connectionString, prefix, durationSeconds: 15, ...(leaseId ? { leaseId } : {}) });
}

describe("blob lease", () => {
  it("when two instances compete, then exactly one holds it, and after a release the other gets it", async () => {
    const prefix = `l${randomBytes(4).toString("hex")}`;
    const [first, second] = [leaseFor(prefix), leaseFor(prefix)];
    const results = await Promise.all([first.acquireOrRenew(), second.acquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const [holder, other] = results[0] ? [first, second] : [second, first];
    expect(await holder.acquireOrRenew()).toBe(true); // renewal
    expect(await other.acquireOrRenew()).toBe(false);
    await holder.release();
    expect(await other.acquireOrRenew()).toBe(true);
    expect(await holder.acquireOrRenew()).toBe(false);
  });

  it("when the lease is broken and taken by someone else, then the old holder's renewal reports it lost", async () => {
    const prefix = `l${randomBytes(4).toString("hex")}`;
    const mine = leaseFor(prefix);
    expect(await mine.acquireOrRenew()).toBe(true);
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`${prefix}-leases`).getBlobClient("scheduler");
    await blob.getBlobLeaseClient().breakLease(0);
    await blob.getBlobLeaseClient(randomUUID()).acquireLease(15);
    expect(await mine.acquireOrRenew()).toBe(false);
  });

  it("when the duration is outside the blob service's 15..60 s, then Config", () => {
    expect(() => createBlobLease({ connectionString: azurite.connectionString, durationSeconds: 10 })).toThrow(/15 to 60/);
  });
});

describe("jobs under the lease", () => {
  it("when the lease is local (SQLite, one instance), then the jobs start at once and stop with the runner", async () => {
    const job = recordingJob();
    const runner = new LeasedJobs(localLease(), [job], quietLogger);
    runner.start();
    expect(job.running).toBe(true);
    expect(runner.held).toBe(true);
    await runner.stop();
    expect(job.running).toBe(false);
  });

  it("when two runners share a blob lease, then only the holder runs the jobs, and stopping it hands them over", async () => {
    const prefix = `l${randomBytes(4).toString("hex")}`;
    const [jobA, jobB] = [recordingJob(), recordingJob()];
    const runnerA = new LeasedJobs(leaseFor(prefix), [jobA], quietLogger, { intervalMs: 100 });
    const runnerB = new LeasedJobs(leaseFor(prefix), [jobB], quietLogger, { intervalMs: 100 });
    runnerA.start();
    await until(() => jobA.running);
    runnerB.start();
    await new Promise((r) => setTimeout(r, 400)); // several of B's tries
    expect(jobB.starts).toBe(0);
    await runnerA.stop(); // releases the lease
    expect(jobA.running).toBe(false);
    await until(() => jobB.running);
    expect(runnerB.held).toBe(true);
    await runnerB.stop();
  });

  it("when another instance takes the lease away, then the runner stops its jobs", async () => {
    const prefix = `l${randomBytes(4).toString("hex")}`;
    const job = recordingJob();
    const runner = new LeasedJobs(leaseFor(prefix), [job], quietLogger, { intervalMs: 100 });
    runner.start();
    await until(() => job.running);
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`${prefix}-leases`).getBlobClient("scheduler");
    await blob.getBlobLeaseClient().breakLease(0);
    await blob.getBlobLeaseClient(randomUUID()).acquireLease(60);
    await until(() => !job.running);
    expect(runner.held).toBe(false);
    expect(job.stops).toBe(1);
    await runner.stop();
  });

  it("when the lease service cannot be reached, then the holder keeps its jobs only while its last lease may still hold", async () => {
    let reachable = true;
    const lease: SchedulerLease = {
      kind: "shared",
      durationSeconds: 1,
      acquireOrRenew: () => (reachable ? Promise.resolve(true) : Promise.reject(new Error("ECONNREFUSED"))),
      release: () => Promise.resolve(),
    };
    const warnings: string[] = [];
    const job = recordingJob();
    const runner = new LeasedJobs(lease, [job], { info: () => undefined, warn: (_o, msg) => void warnings.push(msg ?? "") }, { intervalMs: 100 });
    runner.start();
    await until(() => job.running);
    reachable = false;
    await until(() => !job.running, 5_000);
    expect(warnings).toContain("could not reach the scheduler lease");
    expect(warnings).toContain("scheduler lease lost: stopping the scheduled jobs here");
    reachable = true;
    await until(() => job.running, 5_000); // taken again once storage answers
    expect(job.starts).toBe(2);
    await runner.stop();
  });
});
