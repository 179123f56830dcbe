/**
 * The scheduler lease on Azure Blob Storage: a lease on the empty blob `<prefix>-leases/scheduler`. Blob leases last
 * 15 to 60 s unless renewed, and the service grants a lease to one lease id at a time, so exactly one instance holds
 * it; when the holder dies, its lease runs out and the next instance's attempt succeeds.
 */
import { randomUUID } from "node:crypto";
import { BlobServiceClient, type BlockBlobClient, type ContainerClient } from "@azure/storage-blob";
import { AppError } from "../domain/errors";
import { checkStoragePrefix, DEFAULT_STORAGE_PREFIX, describeStorageError, endpointFor, statusOf, type AzureStorageAccess } from "./azure-storage";
import type { SchedulerLease } from "../store/lease";

export interface BlobLeaseOptions extends AzureStorageAccess {
  /** Container `<prefix>-leases`. Default "secopsbot". */
  prefix?: string;
  /** 15..60 s (the service's range). Default 30: another instance takes over within about 40 s. */
  durationSeconds?: number;
  /** This instance's lease id. Default: a random UUID. */
  leaseId?: string;
}

export const DEFAULT_LEASE_SECONDS = 30;
const LEASE_BLOB = "scheduler";

/** Creates the lease (no request is made until the first {@link SchedulerLease.acquireOrRenew}). */
export function createBlobLease(options: BlobLeaseOptions): BlobSchedulerLease {
  const prefix = checkStoragePrefix(options.prefix ?? DEFAULT_STORAGE_PREFIX);
  const duration = options.durationSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(duration) || duration < 15 || duration > 60) {
    throw new AppError("Config", `SCHEDULER_LEASE_SECONDS must be a whole number from 15 to 60 (a blob lease's range), not ${duration}.`);
  }
  const { url } = endpointFor(options, "blob");
  const service =
    options.connectionString !== undefined
      ? BlobServiceClient.fromConnectionString(options.connectionString)
      : new BlobServiceClient(url, options.credential!);
  return new BlobSchedulerLease(service.getContainerClient(`${prefix}-leases`), duration, options.leaseId ?? randomUUID());
}

export class BlobSchedulerLease implements SchedulerLease {
  readonly kind = "shared";
  private held = false;
  private ensured = false;

  private readonly blob: BlockBlobClient;

  constructor(
    private readonly container: ContainerClient,
    readonly durationSeconds: number,
    /** This instance's lease id (not a secret: it only names the holder). */
    readonly leaseId: string,
  ) {
    this.blob = container.getBlockBlobClient(LEASE_BLOB);
  }

  async acquireOrRenew(): Promise<boolean> {
    const lease = this.blob.getBlobLeaseClient(this.leaseId);
    if (this.held) {
      try {
        await lease.renewLease();
        return true;
      } catch (e) {
        // 409 LeaseIdMismatch / LeaseNotPresent: it ran out and someone else has it (or nobody: try to take it back).
        if (statusOf(e) !== 409 && statusOf(e) !== 412 && statusOf(e) !== 404) throw e;
        this.held = false;
        if (statusOf(e) === 404) this.ensured = false;
      }
    }
    await this.ensureBlob();
    try {
      await lease.acquireLease(this.durationSeconds);
      this.held = true;
      return true;
    } catch (e) {
      const { status, code } = describeStorageError(e);
      if (status === 409 && code !== "ContainerNotFound" && code !== "BlobNotFound") return false; // LeaseAlreadyPresent
      if (status === 404) this.ensured = false;
      throw e;
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.blob.getBlobLeaseClient(this.leaseId).releaseLease();
  }

  /** Creates the container and the empty blob once; both calls tolerate an existing one. */
  private async ensureBlob(): Promise<void> {
    if (this.ensured) return;
    await this.container.createIfNotExists();
    try {
      await this.blob.upload("", 0, { conditions: { ifNoneMatch: "*" } });
    } catch (e) {
      // 409 BlobAlreadyExists, or 412 when it is leased: both mean it is there.
      if (statusOf(e) !== 409 && statusOf(e) !== 412) throw e;
    }
    this.ensured = true;
  }
}
