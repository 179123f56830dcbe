/**
 * The Azure gateway: every read and write the bot makes against Azure Resource Manager, across all
 * watched subscriptions, through the real SDK clients.
 *
 * Reads fan out over subscriptions (bounded by one shared limiter), follow every page, map SDK
 * models to domain types and go through a short-TTL read-through cache keyed per kind and
 * subscription, so ten people asking at once (or one digest run) cost one set of ARM reads and a
 * subscription that failed is retried on the next ask while the others stay cached. A subscription
 * that fails becomes a SubscriptionFailure in the answer; it never fails the whole read.
 */
import type { VirtualMachine as SdkVirtualMachine } from "@azure/arm-compute";
import type { PacketCapture as SdkPacketCapture } from "@azure/arm-network";
import type { SecurityAssessmentResponse } from "@azure/arm-security";
import type { TokenCredential } from "@azure/core-auth";
import { AppError } from "../domain/errors";
import type {
  Assessment,
  CaptureRequest,
  CaptureStatus,
  FlowLog,
  Gathered,
  JitGrant,
  JitInitiation,
  JitPolicy,
  NetworkInterface,
  NetworkSecurityGroup,
  NetworkWatcher,
  PacketCapture,
  PublicIpAddress,
  ScoreControl,
  SecureScore,
  SecurityAlert,
  SubAssessment,
  SubscriptionFailure,
  VirtualMachine,
} from "../domain/model";
import type { AzureGateway } from "../domain/ports";
import type { RemediationState, RemediationTarget } from "../domain/remediation";
import type { RemediationGateway } from "../domain/remediation-ports";
import { ReadCache } from "./cache";
import { ClientFactory, type RetrySettings, type SubscriptionClients } from "./clients";
import { createCredential } from "./credential";
import { toAppError } from "./errors";
import { Limiter } from "./limiter";
import {
  type AssessmentMetadataInfo,
  hasInlineSeverity,
  isOverallScore,
  mapAlert,
  mapAssessment,
  mapAssessmentMetadata,
  mapCaptureStatus,
  mapExtensionTypes,
  mapFlowLog,
  mapJitPolicy,
  mapJitRequest,
  mapNetworkInterface,
  mapNetworkSecurityGroup,
  mapNetworkWatcher,
  mapPacketCapture,
  mapPublicIpAddress,
  mapScoreControl,
  mapSecureScore,
  mapSubAssessment,
  mapVirtualMachine,
  assessmentKeyOf,
} from "./mappers";
import { parseJitPolicyId, parseVmId, parseWatcherId, resourceKey } from "./resource-id";
// --- very large estates (issue 7): posture reads through Azure Resource Graph above a threshold
import { ResourceGraphReader, type ResourceGraphKind } from "./resource-graph";
import { graphAssessmentHasSeverity, mapGraphAssessment, mapGraphScoreControl, mapGraphSecureScore } from "./resource-graph-mappers";
// --- remediation writes (issue 10)
import { RemediationOperations } from "./remediation";

export { createCredential } from "./credential";
export type { CredentialOptions } from "./credential";

/** A pino-shaped logger (pino's own Logger fits). */
export interface AzureLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How the gateway reaches ARM. */
export interface AzureAccessOptions {
  /** Subscriptions to watch (duplicates, in any letter case, are read once). */
  subscriptionIds: string[];
  /** ARM base URL, e.g. https://management.azure.com, https://management.usgovcloudapi.net or http://127.0.0.1:PORT. */
  endpoint: string;
  /** Static bearer token; only honoured for an http(s)://127.0.0.1 | localhost | [::1] endpoint, else AppError("Config"). */
  staticToken?: string;
  /** Production: DefaultAzureCredential from createCredential(); created on demand when neither this nor staticToken is given. */
  credential?: TokenCredential;
  /** How long finished reads are reused, in ms; default 60_000; 0 keeps only in-flight sharing. */
  cacheTtlMs?: number;
  /** Subscription reads in flight at once, across all kinds of read; default 4. */
  concurrency?: number;
  /** The SDK retry policy's settings (429 with Retry-After is waited out; 5xx and network errors back off exponentially). */
  retry?: RetrySettings;
  /** Poll interval for packet capture long-running operations, in ms; default 2000 (Azure's Retry-After wins when sent). */
  lroPollIntervalMs?: number;
  /** --- issue 7: when assessments and secure scores are read through Azure Resource Graph. Default: never. */
  resourceGraph?: ResourceGraphSettings;
  logger?: AzureLogger;
  clock?: () => Date;
}

/** --- issue 7: RESOURCE_GRAPH, RESOURCE_GRAPH_MIN_SUBSCRIPTIONS, RESOURCE_GRAPH_MIN_VMS (docs/scale-out.md). */
export interface ResourceGraphSettings {
  /** auto: when watching at least `minSubscriptions` subscriptions, or once a VM read found at least `minVms` VMs. */
  mode: "auto" | "always" | "never";
  minSubscriptions?: number;
  minVms?: number;
  /** After a failed Resource Graph read, ARM is used for this long before Resource Graph is tried again. Default 5 min. */
  retryAfterFailureMs?: number;
  /** Longest wait for Resource Graph's quota before falling back to ARM. Default 10 s. */
  maxQuotaWaitMs?: number;
}

/** AzureGateway plus what the rest of the app and the tests need from this implementation. */
export interface ArmGateway extends AzureGateway, RemediationGateway {
  /** HTTP requests sent to ARM so far, counting every retry and long-running-operation poll. */
  requestCount(): number;
  /** Installed extension types of one VM (e.g. "NetworkWatcherAgentLinux"); cached like the reads. */
  vmExtensionTypes(vmId: string): Promise<string[]>;
  /** --- issue 7: whether the next posture read goes through Azure Resource Graph. */
  usesResourceGraph(): boolean;
}

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_POLL_MS = 2_000;
/** Assessment metadata (recommendation definitions) changes rarely; keep it longer than live data. */
const METADATA_TTL_MS = 3_600_000;
/** Network Watchers of one subscription read at once when listing their flow logs or captures. */
const WATCHER_CONCURRENCY = 4;

const noopLogger: AzureLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

/** A subscription the identity can read. */
export interface SubscriptionInfo {
  id: string;
  displayName: string;
}

async function listSubscriptions(factory: ClientFactory): Promise<SubscriptionInfo[]> {
  const out: SubscriptionInfo[] = [];
  for await (const s of factory.subscriptions().subscriptions.list()) {
    if (s.subscriptionId && (s.state === undefined || s.state === "Enabled" || s.state === "Warned")) {
      out.push({ id: s.subscriptionId, displayName: s.displayName ?? s.subscriptionId });
    }
  }
  return out;
}

/**
 * Lists the enabled subscriptions the identity can read: what the bot watches when AZURE_SUBSCRIPTION_IDS is not set.
 * Throws AppError (mapped from the SDK error) when ARM cannot be read at all.
 */
export async function discoverSubscriptions(
  options: Pick<AzureAccessOptions, "endpoint" | "staticToken" | "credential" | "retry">,
): Promise<SubscriptionInfo[]> {
  const factory = new ClientFactory({
    endpoint: options.endpoint,
    ...(options.staticToken !== undefined ? { staticToken: options.staticToken } : { credential: options.credential ?? createCredential() }),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  try {
    return await listSubscriptions(factory);
  } catch (err) {
    throw toAppError(err, { operation: "listing subscriptions" });
  }
}

/** Builds the gateway. Throws AppError("Config") for an endpoint/token combination that must not run. */
export function createAzureGateway(options: AzureAccessOptions): ArmGateway {
  return new AzureArmGateway(options);
}

class AzureArmGateway implements ArmGateway {
  readonly subscriptionIds: readonly string[];
  private readonly factory: ClientFactory;
  private readonly cache: ReadCache;
  private readonly limiter: Limiter;
  private readonly logger: AzureLogger;
  private readonly clock: () => Date;
  private readonly ttlMs: number;
  private readonly pollMs: number;
  private requests = 0;
  // --- issue 7: Resource Graph for very large estates
  private readonly graph: ResourceGraphReader | undefined;
  private readonly graphSettings: Required<ResourceGraphSettings>;
  private graphDisabledUntil = 0;
  /** VMs found by the last VM read (the "auto" threshold). */
  private knownVms = 0;

  constructor(options: AzureAccessOptions) {
    const seen = new Set<string>();
    this.subscriptionIds = options.subscriptionIds
      .map((id) => id.trim())
      .filter((id) => {
        const key = id.toLowerCase();
        if (id === "" || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    this.logger = options.logger ?? noopLogger;
    this.clock = options.clock ?? (() => new Date());
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_TTL_MS;
    this.pollMs = options.lroPollIntervalMs ?? DEFAULT_POLL_MS;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new AppError("Config", `Azure read concurrency must be a positive integer, got ${concurrency}.`);
    }
    this.limiter = new Limiter(concurrency);
    this.cache = new ReadCache({ ttlMs: this.ttlMs, now: () => this.clock().getTime() });
    this.factory = new ClientFactory({
      endpoint: options.endpoint,
      ...(options.staticToken !== undefined ? { staticToken: options.staticToken } : {}),
      ...(options.staticToken === undefined ? { credential: options.credential ?? createCredential() } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      onRequest: () => {
        this.requests += 1;
      },
    });
    // --- issue 7: Resource Graph for very large estates (same endpoint, credential and request counter).
    const graph = options.resourceGraph ?? { mode: "never" };
    this.graphSettings = {
      mode: graph.mode,
      minSubscriptions: graph.minSubscriptions ?? 10,
      minVms: graph.minVms ?? 1000,
      retryAfterFailureMs: graph.retryAfterFailureMs ?? 5 * 60_000,
      maxQuotaWaitMs: graph.maxQuotaWaitMs ?? 10_000,
    };
    this.graph =
      graph.mode === "never"
        ? undefined
        : new ResourceGraphReader({
            endpoint: options.endpoint,
            ...(options.staticToken !== undefined ? { staticToken: options.staticToken } : { credential: options.credential ?? createCredential() }),
            maxWaitMs: this.graphSettings.maxQuotaWaitMs,
            onRequest: () => {
              this.requests += 1;
            },
          });
  }

  requestCount(): number {
    return this.requests;
  }

  // --- remediation (issue 10): uncached reads and the writes of src/azure/remediation.ts, sharing this gateway's
  // clients and dropping its cached reads of what changed.
  private remediationOps?: RemediationOperations;

  private get remediation(): RemediationOperations {
    this.remediationOps ??= new RemediationOperations({
      factory: this.factory,
      pollMs: this.pollMs,
      assertWatched: (subscriptionId) => this.assertWatched(subscriptionId),
      // The whole kind: per-subscription reads and the Resource Graph read (`<kind>|graph`) alike.
      invalidate: (kind) => this.cache.invalidate(`${kind}|`),
      logger: this.logger,
    });
    return this.remediationOps;
  }

  readRemediationState(target: RemediationTarget): Promise<RemediationState> {
    return this.remediation.readRemediationState(target);
  }

  applyRemediation(target: RemediationTarget, desired: RemediationState): Promise<void> {
    return this.remediation.applyRemediation(target, desired);
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  async subscriptionNames(): Promise<Record<string, string>> {
    const names: Record<string, string> = Object.fromEntries(this.subscriptionIds.map((id) => [id, id]));
    try {
      const all = await this.cache.get("subscriptionNames|*", () => listSubscriptions(this.factory), METADATA_TTL_MS);
      for (const s of all) {
        const watched = this.subscriptionIds.find((id) => id.toLowerCase() === s.id.toLowerCase());
        if (watched) names[watched] = s.displayName;
      }
    } catch (err) {
      // Names are a nicety: without Microsoft.Resources read access, show ids.
      this.logger.warn({ err: toAppError(err).message }, "could not read subscription names; showing ids");
    }
    return names;
  }

  // ------------------------------------------------------------------ reads

  secureScores(): Promise<Gathered<SecureScore>> {
    // --- issue 7: through Resource Graph above the threshold, else (and on its failure) per subscription from ARM.
    return this.graphOrArm(
      "secureScores",
      "reading the secure score",
      (rows) => rows.flatMap((row) => mapGraphSecureScore(row) ?? []),
      async (sub, clients) => {
        const scores = await collect(clients.security.secureScores.list());
        return scores.filter(isOverallScore).map((score) => mapSecureScore(score, sub));
      },
    );
  }

  scoreControls(): Promise<Gathered<ScoreControl>> {
    return this.graphOrArm(
      "scoreControls",
      "reading secure score controls",
      (rows) => rows.map(mapGraphScoreControl),
      async (sub, clients) => {
        const controls = await collect(clients.security.secureScoreControls.list());
        return controls.map((control) => mapScoreControl(control, sub));
      },
    );
  }

  assessments(): Promise<Gathered<Assessment>> {
    return this.graphOrArm(
      "assessments",
      "reading recommendations",
      async (rows) => {
        // Resource Graph rows carry their metadata; the tenant-wide definitions fill in any that do not.
        const metadata = rows.every(graphAssessmentHasSeverity) ? undefined : await this.tenantMetadata();
        return rows.map((row) => mapGraphAssessment(row, metadata));
      },
      async (sub, clients) => {
        const raw = await collect(clients.security.assessments.list(`subscriptions/${sub}`));
        const metadata = await this.metadataFor(sub, clients, raw);
        return raw.map((item) => mapAssessment(item, sub, metadata));
      },
    );
  }

  subAssessments(): Promise<Gathered<SubAssessment>> {
    return this.gather("subAssessments", "reading vulnerability findings", async (sub, clients) => {
      const raw = await collect(clients.security.subAssessments.listAll(`subscriptions/${sub}`));
      return raw.map((item) => mapSubAssessment(item, sub));
    });
  }

  alerts(): Promise<Gathered<SecurityAlert>> {
    return this.gather("alerts", "reading security alerts", async (sub, clients) => {
      const raw = await collect(clients.security.alerts.list());
      return raw.map((item) => mapAlert(item, sub));
    });
  }

  /**
   * VMs: `listAll()` gives the model (NICs, OS, extensions when present) but no power state;
   * `listAll({statusOnly: "true"})` gives every VM's instance view in one paged call. Two list
   * calls per subscription instead of one instanceView call per VM. If only the status call fails,
   * VMs come back without a power state (logged) rather than not at all.
   */
  virtualMachines(): Promise<Gathered<VirtualMachine>> {
    return this.gather("virtualMachines", "reading virtual machines", async (sub, clients) => {
      const [models, statuses] = await Promise.all([
        collect(clients.compute.virtualMachines.listAll()),
        collect(clients.compute.virtualMachines.listAll({ statusOnly: "true" })).catch((error: unknown) => {
          const appError = toAppError(error, { subscriptionId: sub, operation: "reading VM power states" });
          this.logger.warn({ subscriptionId: sub, code: appError.code, reason: appError.userMessage }, "VM power states unavailable");
          return [] as SdkVirtualMachine[];
        }),
      ]);
      const statusById = new Map(statuses.filter((vm) => vm.id).map((vm) => [resourceKey(vm.id ?? ""), vm] as const));
      return models.map((vm) => mapVirtualMachine(vm, sub, statusById.get(resourceKey(vm.id ?? ""))));
    }).then((gathered) => {
      // --- issue 7: the estate's size decides whether posture reads go through Resource Graph ("auto").
      this.knownVms = gathered.items.length;
      return gathered;
    });
  }

  networkInterfaces(): Promise<Gathered<NetworkInterface>> {
    return this.gather("networkInterfaces", "reading network interfaces", async (sub, clients) => {
      const raw = await collect(clients.network.networkInterfaces.listAll());
      return raw.map((item) => mapNetworkInterface(item, sub));
    });
  }

  publicIpAddresses(): Promise<Gathered<PublicIpAddress>> {
    return this.gather("publicIpAddresses", "reading public IP addresses", async (sub, clients) => {
      const raw = await collect(clients.network.publicIPAddresses.listAll());
      return raw.map((item) => mapPublicIpAddress(item, sub));
    });
  }

  networkSecurityGroups(): Promise<Gathered<NetworkSecurityGroup>> {
    return this.gather("networkSecurityGroups", "reading network security groups", async (sub, clients) => {
      const raw = await collect(clients.network.networkSecurityGroups.listAll());
      return raw.map((item) => mapNetworkSecurityGroup(item, sub));
    });
  }

  networkWatchers(): Promise<Gathered<NetworkWatcher>> {
    return this.gather("networkWatchers", "reading Network Watchers", (sub, clients) => this.readWatchers(sub, clients));
  }

  flowLogs(): Promise<Gathered<FlowLog>> {
    return this.gather("flowLogs", "reading flow logs", async (sub, clients) => {
      const watchers = await this.readWatchers(sub, clients);
      const perWatcher = await this.perWatcher(watchers, (watcher) =>
        collect(clients.network.flowLogs.list(watcher.resourceGroup, watcher.name)),
      );
      return perWatcher.flat().map((item) => mapFlowLog(item, sub));
    });
  }

  jitPolicies(): Promise<Gathered<JitPolicy>> {
    return this.gather("jitPolicies", "reading JIT policies", async (sub, clients) => {
      const raw = await collect(clients.security.jitNetworkAccessPolicies.list());
      return raw.map((item) => mapJitPolicy(item, sub));
    });
  }

  listCaptures(): Promise<Gathered<PacketCapture>> {
    return this.gather("captures", "reading packet captures", async (sub, clients) => {
      const watchers = await this.readWatchers(sub, clients);
      const perWatcher = await this.perWatcher(watchers, async (watcher) => {
        const captures = await collect(clients.network.packetCaptures.list(watcher.resourceGroup, watcher.name));
        return captures.map((capture) => {
          const mapped = mapPacketCapture(capture, sub);
          return mapped.watcherId ? mapped : { ...mapped, watcherId: watcher.id };
        });
      });
      return perWatcher.flat();
    });
  }

  vmExtensionTypes(vmId: string): Promise<string[]> {
    const vm = parseVmId(vmId);
    const key = `vmExtensions|${vm.subscriptionId.toLowerCase()}|${resourceKey(vmId)}`;
    return this.cache.get(key, () =>
      this.limiter.run(async () => {
        try {
          const result = await this.factory.for(vm.subscriptionId).compute.virtualMachineExtensions.list(vm.resourceGroup, vm.name);
          return mapExtensionTypes(result.value ?? []);
        } catch (error) {
          throw toAppError(error, { subscriptionId: vm.subscriptionId, operation: `reading the extensions of ${vm.name}` });
        }
      }),
    );
  }

  // ------------------------------------------------------------------ writes

  async initiateJit(request: JitInitiation): Promise<JitGrant[]> {
    const policy = parseJitPolicyId(request.policyId);
    this.assertWatched(policy.subscriptionId);
    if (request.ports.length === 0) throw new AppError("BadInput", "A JIT request needs at least one port.");
    const body = {
      virtualMachines: [
        {
          id: request.vmId,
          ports: request.ports.map((port) => ({
            number: port.number,
            allowedSourceAddressPrefix: port.source,
            endTimeUtc: port.endTime,
          })),
        },
      ],
      justification: request.justification,
    };
    try {
      const response = await this.factory
        .for(policy.subscriptionId)
        .security.jitNetworkAccessPolicies.initiate(policy.resourceGroup, policy.location, policy.name, body);
      const grants = mapJitRequest(response, request.vmId);
      this.logger.info(
        { subscriptionId: policy.subscriptionId, vmId: request.vmId, ports: request.ports.map((p) => p.number) },
        "JIT access initiated",
      );
      return grants.length > 0 ? grants : this.grantsFromRequest(request);
    } catch (error) {
      throw toAppError(error, { subscriptionId: policy.subscriptionId, operation: "requesting JIT access" });
    } finally {
      // Even a failed initiate may have changed the policy's request list.
      this.cache.invalidate(`jitPolicies|${policy.subscriptionId.toLowerCase()}`);
    }
  }

  async createCapture(request: CaptureRequest): Promise<PacketCapture> {
    const watcher = parseWatcherId(request.watcherId);
    this.assertWatched(watcher.subscriptionId);
    const body: SdkPacketCapture = {
      target: request.targetVmId,
      targetType: "AzureVM",
      bytesToCapturePerPacket: request.bytesToCapturePerPacket,
      totalBytesPerSession: request.totalBytesPerSession,
      timeLimitInSeconds: request.timeLimitSeconds,
      storageLocation: { storageId: request.storageId },
      filters: request.filters.map((filter) => ({
        ...(filter.protocol ? { protocol: filter.protocol } : {}),
        ...(filter.localIpAddress ? { localIPAddress: filter.localIpAddress } : {}),
        ...(filter.remoteIpAddress ? { remoteIPAddress: filter.remoteIpAddress } : {}),
        ...(filter.localPort ? { localPort: filter.localPort } : {}),
        ...(filter.remotePort ? { remotePort: filter.remotePort } : {}),
      })),
    };
    try {
      const result = await this.factory
        .for(watcher.subscriptionId)
        .network.packetCaptures.beginCreateAndWait(watcher.resourceGroup, watcher.watcherName, request.name, body, {
          updateIntervalInMs: this.pollMs,
        });
      const mapped = mapPacketCapture(result, watcher.subscriptionId);
      this.logger.info({ subscriptionId: watcher.subscriptionId, capture: request.name, target: request.targetVmId }, "packet capture created");
      return {
        ...mapped,
        id: mapped.id || `${request.watcherId}/packetCaptures/${request.name}`,
        name: mapped.name || request.name,
        watcherId: mapped.watcherId || request.watcherId,
        targetVmId: mapped.targetVmId || request.targetVmId,
      };
    } catch (error) {
      throw toAppError(error, { subscriptionId: watcher.subscriptionId, operation: "starting a packet capture" });
    } finally {
      this.cache.invalidate(`captures|${watcher.subscriptionId.toLowerCase()}`);
    }
  }

  async captureStatus(captureId: string): Promise<CaptureStatus> {
    const capture = parseWatcherId(captureId, "packetCaptures");
    const name = capture.childName ?? "";
    try {
      const result = await this.factory
        .for(capture.subscriptionId)
        .network.packetCaptures.beginGetStatusAndWait(capture.resourceGroup, capture.watcherName, name, {
          updateIntervalInMs: this.pollMs,
        });
      return mapCaptureStatus(result, name);
    } catch (error) {
      throw toAppError(error, { subscriptionId: capture.subscriptionId, operation: `reading the status of capture ${name}` });
    }
  }

  async stopCapture(captureId: string): Promise<void> {
    const capture = parseWatcherId(captureId, "packetCaptures");
    this.assertWatched(capture.subscriptionId);
    const name = capture.childName ?? "";
    try {
      await this.factory
        .for(capture.subscriptionId)
        .network.packetCaptures.beginStopAndWait(capture.resourceGroup, capture.watcherName, name, {
          updateIntervalInMs: this.pollMs,
        });
      this.logger.info({ subscriptionId: capture.subscriptionId, capture: name }, "packet capture stopped");
    } catch (error) {
      throw toAppError(error, { subscriptionId: capture.subscriptionId, operation: `stopping capture ${name}` });
    } finally {
      this.cache.invalidate(`captures|${capture.subscriptionId.toLowerCase()}`);
    }
  }

  // ------------------------------------------------------------------ internals

  /**
   * Reads one kind of data from every subscription: per subscription through the cache (so
   * concurrent callers share one read) and the shared limiter; failures become SubscriptionFailures.
   */
  private async gather<T>(
    kind: string,
    operation: string,
    load: (subscriptionId: string, clients: SubscriptionClients) => Promise<T[]>,
    subscriptionIds: readonly string[] = this.subscriptionIds, // --- issue 7: a subset (those Resource Graph did not answer for)
  ): Promise<Gathered<T>> {
    const settled = await Promise.allSettled(
      subscriptionIds.map((sub) =>
        this.cache.get(`${kind}|${sub.toLowerCase()}`, () =>
          this.limiter.run(async () => {
            try {
              return await load(sub, this.factory.for(sub));
            } catch (error) {
              throw toAppError(error, { subscriptionId: sub, operation });
            }
          }),
        ),
      ),
    );
    const items: T[] = [];
    const failures: SubscriptionFailure[] = [];
    settled.forEach((result, index) => {
      const subscriptionId = subscriptionIds[index] ?? "";
      if (result.status === "fulfilled") {
        items.push(...result.value);
        return;
      }
      const appError = toAppError(result.reason, { subscriptionId, operation });
      failures.push({ subscriptionId, code: appError.code, message: appError.userMessage });
      this.logger.warn({ subscriptionId, kind, code: appError.code, reason: appError.userMessage }, "subscription read failed");
    });
    return { items, failures };
  }

  // --- issue 7: Azure Resource Graph for very large estates (docs/scale-out.md)

  usesResourceGraph(): boolean {
    if (this.graph === undefined || this.clock().getTime() < this.graphDisabledUntil) return false;
    const { mode, minSubscriptions, minVms } = this.graphSettings;
    return mode === "always" || this.subscriptionIds.length >= minSubscriptions || this.knownVms >= minVms;
  }

  /**
   * One Resource Graph query over every watched subscription (cached like the ARM reads, as one entry), then ARM for
   * any watched subscription the answer has nothing for: Resource Graph silently leaves out subscriptions the
   * identity cannot read, and ARM names them in a warning. Any Resource Graph failure falls back to ARM for all
   * subscriptions and keeps Resource Graph off for a while.
   */
  private async graphOrArm<T extends { subscriptionId: string }>(
    kind: ResourceGraphKind,
    operation: string,
    fromGraph: (rows: Awaited<ReturnType<ResourceGraphReader["read"]>>) => T[] | Promise<T[]>,
    fromArm: (subscriptionId: string, clients: SubscriptionClients) => Promise<T[]>,
  ): Promise<Gathered<T>> {
    const graph = this.graph;
    if (graph === undefined || !this.usesResourceGraph()) return this.gather(kind, operation, fromArm);
    let items: T[];
    try {
      items = await this.cache.get(`${kind}|graph`, async () => fromGraph(await graph.read(kind, this.subscriptionIds)));
    } catch (err) {
      this.graphDisabledUntil = this.clock().getTime() + this.graphSettings.retryAfterFailureMs;
      this.logger.warn(
        { kind, err: err instanceof Error ? err.message : String(err), retryInMs: this.graphSettings.retryAfterFailureMs },
        "Resource Graph read failed; reading ARM per subscription instead",
      );
      return this.gather(kind, operation, fromArm);
    }
    const watched = new Map(this.subscriptionIds.map((id) => [id.toLowerCase(), id] as const));
    const answered = new Set<string>();
    const mine = items.filter((item) => {
      const key = item.subscriptionId.toLowerCase();
      answered.add(key);
      return watched.has(key);
    });
    const missing = this.subscriptionIds.filter((id) => !answered.has(id.toLowerCase()));
    if (missing.length === 0) return { items: mine, failures: [] };
    const rest = await this.gather(kind, operation, fromArm, missing);
    return { items: [...mine, ...rest.items], failures: rest.failures };
  }

  /** Tenant-wide assessment metadata, through the first subscription's client; cached like the per-subscription lists. */
  private async tenantMetadata(): Promise<Map<string, AssessmentMetadataInfo>> {
    const first = this.subscriptionIds[0];
    if (first === undefined) return new Map();
    const ttl = this.ttlMs > 0 ? Math.max(this.ttlMs, METADATA_TTL_MS) : 0;
    const builtIn = await this.cache.get(
      "assessmentMetadata|tenant",
      async () => (await collect(this.factory.for(first).security.assessmentsMetadata.list())).map(mapAssessmentMetadata),
      ttl,
    );
    return new Map(builtIn.map(({ key, info }) => [key, info] as const));
  }

  private async readWatchers(sub: string, clients: SubscriptionClients): Promise<NetworkWatcher[]> {
    const raw = await collect(clients.network.networkWatchers.listAll());
    return raw.map((item) => mapNetworkWatcher(item, sub));
  }

  private async perWatcher<R>(watchers: NetworkWatcher[], read: (watcher: NetworkWatcher) => Promise<R>): Promise<R[]> {
    // A local limiter: the subscription already holds a slot of the shared one, and taking another
    // here could deadlock when every shared slot is held by a task waiting for its watchers.
    const local = new Limiter(WATCHER_CONCURRENCY);
    return Promise.all(watchers.map((watcher) => local.run(() => read(watcher))));
  }

  /**
   * Severity, description and remediation live in assessment metadata, which `assessments.list`
   * does not include. Look it up only for keys without inline metadata: the subscription's list
   * first (built-in and custom recommendations), then the tenant-wide built-in list.
   */
  private async metadataFor(
    sub: string,
    clients: SubscriptionClients,
    assessments: SecurityAssessmentResponse[],
  ): Promise<Map<string, AssessmentMetadataInfo> | undefined> {
    const missing = new Set(assessments.filter((a) => !hasInlineSeverity(a)).map((a) => assessmentKeyOf(a).toLowerCase()));
    if (missing.size === 0) return undefined;
    const ttl = this.ttlMs > 0 ? Math.max(this.ttlMs, METADATA_TTL_MS) : 0;
    const bySubscription = await this.cache.get(
      `assessmentMetadata|${sub.toLowerCase()}`,
      async () => (await collect(clients.security.assessmentsMetadata.listBySubscription())).map(mapAssessmentMetadata),
      ttl,
    );
    const metadata = new Map(bySubscription.map(({ key, info }) => [key, info] as const));
    if ([...missing].every((key) => metadata.has(key))) return metadata;
    const builtIn = await this.cache.get(
      "assessmentMetadata|tenant",
      async () => (await collect(clients.security.assessmentsMetadata.list())).map(mapAssessmentMetadata),
      ttl,
    );
    for (const { key, info } of builtIn) if (!metadata.has(key)) metadata.set(key, info);
    return metadata;
  }

  private grantsFromRequest(request: JitInitiation): JitGrant[] {
    // Some ARM-compatible servers answer 202 with an empty body; report what was asked for.
    const startTime = this.clock().toISOString();
    return request.ports.map((port) => ({
      vmId: request.vmId,
      port: port.number,
      source: port.source,
      startTime,
      endTime: port.endTime.toISOString(),
      status: "Initiated" as const,
      justification: request.justification,
    }));
  }

  private assertWatched(subscriptionId: string): void {
    if (!this.subscriptionIds.some((id) => id.toLowerCase() === subscriptionId.toLowerCase())) {
      throw new AppError("BadInput", `Subscription ${subscriptionId} is not one this bot watches, so it will not change it.`);
    }
  }
}
