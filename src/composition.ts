/**
 * The composition root (STYLE rule 2): builds everything once by constructor injection and returns an app with
 * start()/stop(). Tests build it with port 0 and their own overrides; index.ts only starts it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Config } from "./config";
import { createAzureGateway, createCredential, discoverSubscriptions } from "./azure/gateway";
import { AppError } from "./domain/errors";
import { createAdapter, BotNotifier } from "./bot/adapter";
import type { CommandSpec, Services } from "./bot/command-spec";
import { DEFAULT_PROGRESS_AFTER_MS, DEFAULT_RATE_LIMIT, Dispatcher, type RateLimitOptions } from "./bot/dispatch";
import { ActionRegistry, CommandRegistry, discoverActions, discoverCommands } from "./bot/registry";
import { SecOpsBot } from "./bot/secops-bot";
import { createCardRenderer, type CardRenderer } from "./cards/render";
import { JitExpiryJob } from "./digest/jit-expiry";
// --- packet capture and alert webhook (issue 5)
import { alertCaptureListener } from "./digest/alert-capture";
import { AlertIntake } from "./digest/alert-intake";
import { CaptureMonitor } from "./digest/capture-monitor";
// --- daily digest, score watch and alert push (issue 12)
import { createAlertPush } from "./digest/alert-push";
import { DigestScheduler } from "./digest/scheduler";
import type { AzureGateway, Clock } from "./domain/ports";
import { systemClock } from "./domain/ports";
import { createHttpServer, type Health } from "./http/server";
import { createLogger, type Logger } from "./logger";
import { startSimulator, type Simulator, type SimulatorOptions } from "./simulator";
import { openSqliteStore } from "./store/sqlite-store";
// --- scale-out (issue 7): shared state on Azure Storage, one scheduler across instances
import { createBlobLease } from "./azure/azure-blob-lease";
import { openAzureTableStore } from "./azure/azure-table-store";
import { LeasedJobs, localLease, type SchedulerLease } from "./store/lease";
import type { Store } from "./store/store";

export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, "..", "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();

/** Replaceable parts, for tests and benchmarks. */
export interface AppOverrides {
  logger?: Logger;
  clock?: Clock;
  store?: Store;
  cards?: CardRenderer;
  /** Options for the in-process simulator of demo mode (seed, size, latency…). */
  simulator?: SimulatorOptions;
  /** Gateway tuning (tests keep LRO polling fast). */
  azure?: { cacheTtlMs?: number; lroPollIntervalMs?: number; retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number } };
  /** How long a command may take before it answers with a progress card (DESIGN §3.5); default 5 s. */
  progressAfterMs?: number;
  /** Per-person message rate limit (issue 6); default 30 a minute. */
  rateLimit?: RateLimitOptions;
  /** Extra command specs (tests). */
  commands?: CommandSpec[];
  /** Packet capture tuning (issue 5): how often running captures are polled, in ms (default 15 s). */
  capture?: { pollIntervalMs?: number };
  /** Scale-out (issue 7): the scheduler lease; default from STATE_STORE (SQLite: always held; azure: a blob lease). */
  lease?: SchedulerLease;
}

export interface App {
  readonly config: Config;
  readonly services: Services;
  /** The in-process simulator in demo mode. */
  readonly simulator?: Simulator;
  /** JIT expiry notices and undecided-request expiry (issue 4); tests call `tick()` with a moved clock. */
  readonly jitExpiry: JitExpiryJob;
  /** POST /api/alerts logic (issue 5); listeners (alert-triggered capture, channel posts) register with `onAlert`. */
  readonly alertIntake: AlertIntake;
  /** Polls running packet captures and updates their cards when they end (issue 5); tests call `tick()`. */
  readonly captures: CaptureMonitor;
  /** Daily digests and hourly score watches (issue 12); tests call `tick(now)` with a moved clock. */
  readonly digest: DigestScheduler;
  /** Scale-out (issue 7): runs the digest, JIT expiry and capture jobs while this instance holds the scheduler lease. */
  readonly scheduling: LeasedJobs;
  /** Listens on config.port (0 = any free port); resolves with the base URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting requests, waits for background work, closes the simulator and the store. */
  stop(): Promise<void>;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const cards = overrides.cards ?? createCardRenderer();

  let simulator: Simulator | undefined;
  let azure: AzureGateway;
  // --- issue 7: one credential for ARM and Azure Storage, created only when something needs it.
  let sharedCredential: ReturnType<typeof createCredential> | undefined;
  const credential = () => (sharedCredential ??= createCredential());
  const gatewayTuning = {
    cacheTtlMs: overrides.azure?.cacheTtlMs,
    lroPollIntervalMs: overrides.azure?.lroPollIntervalMs,
    retry: overrides.azure?.retry,
    logger,
    clock: () => clock.now(),
    // --- issue 7: Resource Graph above the thresholds; the demo simulator's estate stays on ARM unless RESOURCE_GRAPH=always.
    resourceGraph: config.mode === "demo" && config.resourceGraph.mode === "auto" ? { mode: "never" as const } : config.resourceGraph,
  };
  if (config.mode === "demo") {
    // Demo: a simulator on a loopback port with a throwaway token; the real SDK clients talk to it over HTTP.
    const token = randomBytes(24).toString("hex");
    simulator = await startSimulator({ port: 0, host: "127.0.0.1", token, ...overrides.simulator });
    azure = createAzureGateway({
      subscriptionIds: simulator.estate.subscriptions.map((s) => s.id),
      endpoint: simulator.url,
      staticToken: token,
      ...gatewayTuning,
    });
    config = { ...config, subscriptionIds: simulator.estate.subscriptions.map((s) => s.id), armEndpoint: simulator.url };
    // --- issue 5: demo captures go to the simulated estate's capture storage account unless one is configured.
    config = { ...config, capture: { ...config.capture, storageAccountId: config.capture.storageAccountId ?? simulator.estate.captureStorageAccountId } };
  } else {
    let subscriptionIds = config.subscriptionIds;
    if (subscriptionIds.length === 0) {
      // An ARM-compatible server without AZURE_SUBSCRIPTION_IDS: watch every subscription it lists.
      const found = await discoverSubscriptions({ endpoint: config.armEndpoint, staticToken: config.armToken, retry: overrides.azure?.retry });
      subscriptionIds = found.map((s) => s.id);
      if (subscriptionIds.length === 0) {
        throw new AppError("Config", `AZURE_SUBSCRIPTION_IDS: none set and ${config.armEndpoint} lists no subscriptions; set the ids to watch.`);
      }
      logger.info({ subscriptions: subscriptionIds }, "watching the subscriptions the ARM endpoint lists");
      config = { ...config, subscriptionIds };
    }
    azure = createAzureGateway({
      subscriptionIds,
      endpoint: config.armEndpoint,
      staticToken: config.armToken,
      credential: config.armToken ? undefined : credential(),
      ...gatewayTuning,
    });
  }

  // Opened after Azure is reachable, so a failed start leaves no open database behind.
  // --- issue 7: STATE_STORE=azure shares state between instances (Table Storage; managed identity or, for
  // development, a connection string).
  const stateStore = config.stateStore;
  const storageAccess =
    stateStore.kind === "azure"
      ? stateStore.connectionString !== undefined
        ? { connectionString: stateStore.connectionString, prefix: stateStore.prefix }
        : { tableEndpoint: stateStore.tableEndpoint, blobEndpoint: stateStore.blobEndpoint, credential: credential(), prefix: stateStore.prefix }
      : undefined;
  let store: Store;
  try {
    store =
      overrides.store ??
      (storageAccess !== undefined
        ? await openAzureTableStore({ ...storageAccess, clock: () => clock.now(), logger })
        : openSqliteStore({ dir: config.stateDir, clock: () => clock.now(), logger }));
  } catch (err) {
    // A store that cannot be opened stops the start; the demo simulator must not outlive it.
    if (simulator) await simulator.close();
    throw err;
  }
  const adapter = createAdapter(config, cards, logger);
  const notifier = new BotNotifier(adapter, config.bot.appId, store);
  const registry = new CommandRegistry([...discoverCommands(), ...(overrides.commands ?? [])]);
  const actions = new ActionRegistry(discoverActions());

  const background = new Set<Promise<void>>();
  const services: Services = {
    config,
    azure,
    store,
    cards,
    clock,
    logger,
    notifier,
    commands: () => registry.specs,
    runInBackground(name, work) {
      const task = (async () => {
        try {
          await work();
        } catch (err) {
          logger.error({ err, task: name }, "background work failed");
        }
      })();
      background.add(task);
      void task.finally(() => background.delete(task));
    },
  };

  const dispatcher = new Dispatcher(registry, services, { progressAfterMs: overrides.progressAfterMs ?? DEFAULT_PROGRESS_AFTER_MS, rateLimit: overrides.rateLimit ?? DEFAULT_RATE_LIMIT });
  const bot = new SecOpsBot(services, dispatcher, actions);
  // --- JIT expiry job (issue 4): started with the server, stopped before the store closes.
  const jitExpiry = new JitExpiryJob({ store, cards, notifier, clock, logger });
  // --- packet capture monitor and alert webhook (issue 5). Other alert listeners register on app.alertIntake.
  const captures = new CaptureMonitor(services, { intervalMs: overrides.capture?.pollIntervalMs });
  const alertIntake = new AlertIntake({ secret: config.alertWebhookSecret, store, clock, logger, runInBackground: (name, work) => services.runInBackground(name, work) });
  alertIntake.onAlert(alertCaptureListener(services));
  // --- daily digest and score watch (issue 12): started with the server, stopped before the store closes; alerts go to subscribed conversations.
  const digest = new DigestScheduler({ store, azure, cards, notifier, clock, logger });
  alertIntake.onAlert(createAlertPush({ store, cards, notifier, clock, logger }));
  // --- issue 7: the scheduled jobs run only in the instance holding the scheduler lease (SQLite: always this one).
  const lease =
    overrides.lease ??
    (storageAccess !== undefined && stateStore.kind === "azure"
      ? createBlobLease({ ...storageAccess, durationSeconds: stateStore.leaseSeconds })
      : localLease());
  const scheduling = new LeasedJobs(lease, [jitExpiry, captures, digest], logger);
  let state: Health["status"] = "starting";
  const server = createHttpServer(
    {
      messages: (req, res) => adapter.process(req, res, (ctx) => bot.run(ctx)),
      health: () => ({ status: state, mode: config.mode, version: VERSION }),
      alerts: config.alertWebhookSecret ? (input) => alertIntake.handle(input) : undefined,
    },
    logger,
  );

  return {
    config,
    services,
    simulator,
    jitExpiry,
    alertIntake,
    captures,
    digest,
    scheduling,
    async start() {
      await new Promise<void>((resolveListen, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => resolveListen());
      });
      const port = (server.address() as AddressInfo).port;
      state = "ok";
      scheduling.start(); // issue 7: starts jitExpiry, captures and digest now (SQLite) or once the lease is held
      const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
      return { url: `http://${host}:${port}`, port };
    },
    async stop() {
      state = "stopping";
      await new Promise<void>((done) => {
        server.close(() => done());
      });
      await scheduling.stop(); // issue 7: stops the jobs and releases the lease so another instance takes over at once
      await jitExpiry.stop();
      await captures.stop();
      await digest.stop();
      await Promise.allSettled([...background]);
      if (simulator) await simulator.close();
      await store.close();
    },
  };
}
