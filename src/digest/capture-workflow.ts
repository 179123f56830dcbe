/**
 * Packet captures the bot starts, watches and stops (issue 5), shared by the `capture` commands, the stop button and
 * the alert-triggered capture. Records live in store documents (collection "captures"), so every posted card can be
 * updated by whichever instance learns that the capture changed, and a restart loses nothing.
 *
 * Start: checks that make a create pointless (VM running, Network Watcher in its region, agent installed) answer at
 * once; the card is posted before the long-running create, which runs in the background and then updates the card.
 * At most one running capture per VM from the bot: a per-VM lock document names the capture that holds it, and is
 * taken with an optimistic write so two people (or an alert and a person) starting at once cannot both win.
 */
import type { Config } from "../config";
import { captureCard, captureViewOf, type CaptureCardOptions, type CaptureView } from "../cards/capture";
import type { CardRenderer } from "../cards/render";
import {
  agentProblem,
  applyCaptureStatus,
  CAPTURE_BYTES_PER_PACKET,
  CAPTURE_TOTAL_BYTES,
  CAPTURE_VM_LOCKS,
  captureDeadline,
  captureFilters,
  captureKey,
  captureName,
  captureTimeLimit,
  CAPTURES,
  describeCaptureErrors,
  isActive,
  missingWatcherMessage,
  powerProblem,
  resolveVm,
  stopOutcome,
  watcherFor,
  type CapturePerson,
  type CaptureRecord,
  type CaptureStartInput,
} from "../domain/capture-rules";
import { AppError, isAppError } from "../domain/errors";
import type { CaptureStatus, PacketCapture, VirtualMachine } from "../domain/model";
import type { AzureGateway, Clock, Notifier, RenderedCard } from "../domain/ports";
import { nameOf, normalizeId, resourceGroupOf } from "../domain/resource-ids";
import type { Logger } from "../logger";
import type { AuditEntry, Store, StoredDocument } from "../store/store";

/** What the capture workflow needs (the bot's Services fit this shape). */
export interface CaptureDeps {
  config: Config;
  azure: AzureGateway;
  store: Store;
  cards: CardRenderer;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  runInBackground(name: string, work: () => Promise<void>): void;
}

/** Where a card went. */
export interface CardRef {
  conversationId: string;
  activityId: string;
}

/** Who asks, for records and the audit log. */
export interface CaptureActor extends CapturePerson {
  tenantId?: string;
}

export interface StartCaptureRequest {
  /** `vmName` may also be `resource-group/name` or a full VM id (alerts). */
  input: CaptureStartInput;
  actor: CaptureActor;
  trigger: CaptureRecord["trigger"];
  /** The conversation it was asked in (commands). */
  conversationId?: string;
  correlationId?: string;
  /** Posts the progress card wherever it belongs; returns where it went (its copies are updated later). */
  deliver(card: RenderedCard): Promise<CardRef[]>;
}

/** The audit log's actor for what the bot does on its own (alert-triggered captures, the monitor). */
export const BOT_ACTOR: CaptureActor = { id: "secops-bot", name: "SecOps bot" };

function isConflict(err: unknown): boolean {
  return isAppError(err) && err.code === "Conflict";
}

export function loadCapture(store: Store, name: string): Promise<StoredDocument<CaptureRecord> | undefined> {
  return store.getDocument<CaptureRecord>(CAPTURES, captureKey(name));
}

/** Every capture the bot started, newest first. */
export async function listCaptureRecords(store: Store): Promise<CaptureRecord[]> {
  const docs = await store.listDocuments<CaptureRecord>(CAPTURES);
  return docs.map((d) => d.value).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Applies `change` to the latest stored record, retrying when another writer got there first. `change` returns
 * undefined to leave it alone. Resolves with the record as stored, and whether this call changed it.
 */
export async function updateCapture(
  store: Store,
  name: string,
  change: (current: CaptureRecord) => CaptureRecord | undefined,
): Promise<{ record: CaptureRecord; changed: boolean } | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await loadCapture(store, name);
    if (doc === undefined) return undefined;
    const next = change(doc.value);
    if (next === undefined) return { record: doc.value, changed: false };
    try {
      await store.putDocument(CAPTURES, captureKey(name), next, { ifVersion: doc.version });
      return { record: next, changed: true };
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  throw new Error(`capture ${name} kept changing under concurrent writes`);
}

export async function auditCapture(
  deps: Pick<CaptureDeps, "store" | "clock">,
  actor: CaptureActor,
  entry: Pick<AuditEntry, "action" | "result"> & Partial<AuditEntry>,
): Promise<void> {
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    actorId: actor.id,
    actorName: actor.name,
    tenantId: actor.tenantId,
    ...entry,
  });
}

/** The capture card for a record, with CAPTURE_MAX_SECONDS to explain a capped limit. */
export function cardFor(deps: Pick<CaptureDeps, "cards" | "config">, record: CaptureRecord, options: CaptureCardOptions = {}): RenderedCard {
  return captureCard(deps.cards, captureViewOf(record), { maxSeconds: deps.config.capture.maxSeconds, ...options });
}

/** Replaces every posted copy of the capture's card; a conversation that is gone is logged, never thrown. */
export async function refreshCaptureCards(deps: CaptureDeps, record: CaptureRecord): Promise<void> {
  if (record.cards.length === 0) return;
  const card = cardFor(deps, record);
  const results = await Promise.allSettled(record.cards.map((ref) => deps.notifier.update(ref.conversationId, ref.activityId, card)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      deps.logger.warn({ err: r.reason as unknown, capture: record.name, conversationId: record.cards[i]?.conversationId }, "could not update a capture card");
    }
  });
}

async function readVms(deps: CaptureDeps): Promise<{ vms: VirtualMachine[]; names: Record<string, string>; failureNote: string }> {
  const [gathered, names] = await Promise.all([
    deps.azure.virtualMachines(),
    deps.azure.subscriptionNames().catch(() => ({}) as Record<string, string>),
  ]);
  const failureNote =
    gathered.failures.length > 0
      ? ` (I could not read VMs in ${gathered.failures.map((f) => names[f.subscriptionId] ?? f.subscriptionId).join(", ")}: ${gathered.failures[0]!.message})`
      : "";
  return { vms: gathered.items, names, failureNote };
}

/**
 * The capture that holds the VM's lock, when it is still running. A "running" record is checked with Azure first, so
 * a capture that ended on its own (time or byte limit) since the monitor's last pass does not block the next one.
 */
async function runningCaptureOn(deps: CaptureDeps, vmId: string): Promise<{ holder?: CaptureRecord; lockVersion: number }> {
  const lock = await deps.store.getDocument<{ name: string }>(CAPTURE_VM_LOCKS, normalizeId(vmId));
  if (lock === undefined) return { lockVersion: 0 };
  const doc = await loadCapture(deps.store, lock.value.name);
  let holder = doc?.value;
  if (holder !== undefined && holder.state === "running") {
    try {
      holder = (await refreshCaptureStatus(deps, holder)).record;
    } catch (err) {
      // Azure could not say: keep treating it as running (refusing is the safe side).
      deps.logger.warn({ err, capture: holder.name }, "could not refresh the running capture before a new start");
    }
  }
  return { holder: holder !== undefined && isActive(holder) ? holder : undefined, lockVersion: lock.version };
}

function alreadyRunning(holder: CaptureRecord): AppError {
  const by = holder.trigger.kind === "alert" ? `for the alert "${holder.trigger.alertName}"` : `by ${holder.requestedBy.name}`;
  return new AppError(
    "Conflict",
    `${holder.vmName} already has a running capture from the bot: ${holder.name}, started ${by} at ${holder.createdAt.slice(11, 16)} UTC ` +
      `(ends by ${captureDeadline(holder).toISOString().slice(11, 16)} UTC at the latest). ` +
      `One capture per VM at a time: "capture status ${holder.name}" shows it, "capture stop ${holder.name}" ends it.`,
  );
}

/** Creates the record under a free name and takes the VM's lock; undoes the record if the lock was lost. */
async function claim(deps: CaptureDeps, vm: VirtualMachine, make: (name: string) => CaptureRecord): Promise<CaptureRecord> {
  const { holder, lockVersion } = await runningCaptureOn(deps, vm.id);
  if (holder) throw alreadyRunning(holder);
  const now = deps.clock.now();
  const taken = new Set<string>();
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = make(captureName(vm.name, now, taken));
    try {
      await deps.store.putDocument(CAPTURES, captureKey(record.name), record, { ifVersion: 0 });
    } catch (err) {
      if (!isConflict(err)) throw err;
      taken.add(captureKey(record.name));
      continue;
    }
    try {
      await deps.store.putDocument(CAPTURE_VM_LOCKS, normalizeId(vm.id), { name: record.name }, { ifVersion: lockVersion });
      return record;
    } catch (err) {
      await deps.store.deleteDocument(CAPTURES, captureKey(record.name));
      if (!isConflict(err)) throw err;
      const again = await runningCaptureOn(deps, vm.id);
      if (again.holder) throw alreadyRunning(again.holder);
      throw new AppError("Conflict", `Someone else started a capture on ${vm.name} at the same moment; try again.`);
    }
  }
  throw new AppError("Conflict", `Could not find a free capture name for ${vm.name}; try again in a minute.`);
}

/**
 * Checks, claims, posts the progress card and starts the long-running create in the background.
 * Resolves with the record as first stored (state "starting").
 *
 * @throws AppError("BadInput") when the VM cannot be captured on (with what to do), AppError("Conflict") when the VM
 *   already has a running capture from the bot, AppError("Config") without a storage account
 */
export async function startCapture(deps: CaptureDeps, request: StartCaptureRequest): Promise<CaptureRecord> {
  const storageId = deps.config.capture.storageAccountId;
  if (storageId === undefined) {
    throw new AppError(
      "Config",
      "Packet capture needs a storage account for the capture files, and none is configured. Ask the bot's administrator to set CAPTURE_STORAGE_ACCOUNT_ID to a storage account resource id.",
    );
  }
  const { input } = request;
  const { vms, names, failureNote } = await readVms(deps);
  let vm: VirtualMachine;
  try {
    vm = resolveVm(input.vmName, vms, names);
  } catch (err) {
    if (isAppError(err) && failureNote !== "") throw new AppError(err.code, `${err.userMessage}${failureNote}`, err);
    throw err;
  }
  const power = powerProblem(vm);
  if (power !== undefined) throw new AppError("BadInput", power);

  const watchers = await deps.azure.networkWatchers();
  const watcher = watcherFor(vm, watchers.items);
  if (watcher === undefined) {
    const failed = watchers.failures.find((f) => f.subscriptionId.toLowerCase() === vm.subscriptionId.toLowerCase());
    if (failed) throw new AppError("AzureUnavailable", `I could not read the Network Watchers of ${names[vm.subscriptionId] ?? vm.subscriptionId}: ${failed.message}`);
    throw new AppError("BadInput", missingWatcherMessage(vm, names[vm.subscriptionId]));
  }

  try {
    const agent = agentProblem(vm, await deps.azure.vmExtensionTypes(vm.id));
    if (agent !== undefined) throw new AppError("BadInput", agent);
  } catch (err) {
    if (isAppError(err) && err.code === "BadInput") throw err;
    // Could not read the extensions: let Azure decide; a missing agent then fails the create with its own message.
    deps.logger.warn({ err, vmId: vm.id }, "could not read the VM's extensions before a capture");
  }

  const limit = captureTimeLimit(input.durationMs, deps.config.capture.maxSeconds);
  const createdAt = deps.clock.now().toISOString();
  const record = await claim(deps, vm, (name) => ({
    name,
    id: `${watcher.id}/packetCaptures/${name}`,
    vmId: vm.id,
    vmName: vm.name,
    resourceGroup: vm.resourceGroup,
    subscriptionId: vm.subscriptionId,
    region: vm.location,
    watcherId: watcher.id,
    requestedBy: { id: request.actor.id, name: request.actor.name },
    trigger: request.trigger,
    ...(request.conversationId !== undefined ? { conversationId: request.conversationId } : {}),
    cards: [],
    state: "starting",
    timeLimitSeconds: limit.seconds,
    timeLimitCapped: limit.capped,
    totalBytesPerSession: CAPTURE_TOTAL_BYTES,
    bytesToCapturePerPacket: CAPTURE_BYTES_PER_PACKET,
    filters: captureFilters(input),
    storageId,
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    createdAt,
  }));
  await auditCapture(deps, request.actor, {
    action: "capture:start",
    target: vm.id,
    result: "requested",
    detail: `${record.name}, ${record.timeLimitSeconds} s${record.trigger.kind === "alert" ? `, alert ${record.trigger.alertId}` : ""}`.slice(0, 300),
    conversationId: request.conversationId,
    correlationId: request.correlationId,
  });

  let refs: CardRef[] = [];
  try {
    refs = await request.deliver(cardFor(deps, record));
  } catch (err) {
    deps.logger.warn({ err, capture: record.name }, "could not post the capture card; starting the capture anyway");
  }
  const stored = refs.length > 0 ? ((await updateCapture(deps.store, record.name, (r) => ({ ...r, cards: [...r.cards, ...refs] })))?.record ?? record) : record;
  deps.runInBackground(`capture ${record.name}`, () => createInAzure(deps, stored.name, request));
  return stored;
}

/** The long-running create; afterwards the record and every card say "running" or why it failed. */
async function createInAzure(deps: CaptureDeps, name: string, request: StartCaptureRequest): Promise<void> {
  const doc = await loadCapture(deps.store, name);
  if (doc === undefined) return;
  const r = doc.value;
  let outcome: { record: CaptureRecord; changed: boolean } | undefined;
  try {
    const created = await deps.azure.createCapture({
      watcherId: r.watcherId,
      name: r.name,
      targetVmId: r.vmId,
      timeLimitSeconds: r.timeLimitSeconds,
      totalBytesPerSession: r.totalBytesPerSession,
      bytesToCapturePerPacket: r.bytesToCapturePerPacket,
      storageId: r.storageId,
      filters: r.filters,
    });
    const startedAt = deps.clock.now().toISOString();
    outcome = await updateCapture(deps.store, name, (current) =>
      current.state === "starting"
        ? {
            ...current,
            state: "running",
            id: created.id || current.id,
            startedAt,
            ...(created.storagePath !== undefined ? { storagePath: created.storagePath } : {}),
          }
        : undefined,
    );
    deps.logger.info({ capture: name, vmId: r.vmId }, "packet capture running");
    await auditCapture(deps, request.actor, { action: "capture:start", target: r.vmId, result: "ok", detail: name, conversationId: r.conversationId, correlationId: request.correlationId });
  } catch (err) {
    const message = isAppError(err) ? err.userMessage : "Network Watcher could not start the capture.";
    deps.logger.warn({ err, capture: name, vmId: r.vmId }, "packet capture failed to start");
    const endedAt = deps.clock.now().toISOString();
    outcome = await updateCapture(deps.store, name, (current) =>
      isActive(current) ? { ...current, state: "failed", error: message, endedAt } : undefined,
    );
    await auditCapture(deps, request.actor, {
      action: "capture:start",
      target: r.vmId,
      result: "error",
      detail: `${name}: ${isAppError(err) ? err.code : "Internal"}`,
      conversationId: r.conversationId,
      correlationId: request.correlationId,
    });
  }
  if (outcome?.changed) await refreshCaptureCards(deps, outcome.record);
}

/**
 * Asks Azure for the capture's status and stores what changed (running → stopped/failed). Cards are updated when the
 * record changed. A capture Azure no longer knows (deleted) ends as failed, saying so.
 */
export async function refreshCaptureStatus(deps: CaptureDeps, record: CaptureRecord): Promise<{ record: CaptureRecord; changed: boolean }> {
  if (!isActive(record)) return { record, changed: false };
  let change: (current: CaptureRecord) => CaptureRecord | undefined;
  try {
    const status = await deps.azure.captureStatus(record.id);
    const now = deps.clock.now();
    change = (current) => applyCaptureStatus(current, status, now);
  } catch (err) {
    if (isAppError(err) && err.code === "NotFound" && record.state === "running") {
      const endedAt = deps.clock.now().toISOString();
      change = (current) =>
        current.state === "running" ? { ...current, state: "failed", endedAt, error: "The capture no longer exists in Network Watcher (it was deleted outside the bot)." } : undefined;
    } else {
      throw err;
    }
  }
  const updated = await updateCapture(deps.store, record.name, change);
  if (updated === undefined) return { record, changed: false };
  if (updated.changed) {
    await refreshCaptureCards(deps, updated.record);
    if (!isActive(updated.record)) {
      await auditCapture(deps, BOT_ACTOR, {
        action: "capture:ended",
        target: updated.record.vmId,
        result: updated.record.state === "failed" ? "error" : "ok",
        detail: `${updated.record.name}: ${updated.record.outcome ?? updated.record.error ?? updated.record.state}`.slice(0, 300),
      });
    }
  }
  return updated;
}

/**
 * Stops a running capture the bot started, once: the stop is claimed with an optimistic write, so a second click (or
 * a retried invoke) finds it claimed or done and does not stop twice. Every posted card is updated.
 * Returns the record and a notice for the person when nothing was done.
 */
export async function stopCaptureRecord(
  deps: CaptureDeps,
  name: string,
  actor: CaptureActor,
  context: { conversationId?: string; correlationId?: string } = {},
): Promise<{ record: CaptureRecord; notice?: string }> {
  const doc = await loadCapture(deps.store, name);
  if (doc === undefined) throw new AppError("NotFound", `I have no capture named "${name.slice(0, 80)}". "capture list" shows them.`);
  let record = doc.value;
  if (record.state === "running") record = (await refreshCaptureStatus(deps, record)).record;
  if (record.state === "starting") {
    return { record, notice: "The capture is still starting; stop it once it runs (its card says when)." };
  }
  if (!isActive(record)) {
    return { record, notice: `Nothing to stop: the capture has already ${record.state === "failed" ? "failed" : "stopped"}.` };
  }
  if (record.stopping) return { record, notice: `${record.stopping.name} is already stopping this capture.` };

  const at = deps.clock.now().toISOString();
  const claimed = await updateCapture(deps.store, name, (current) =>
    current.state === "running" && !current.stopping ? { ...current, stopping: { id: actor.id, name: actor.name, at } } : undefined,
  );
  if (!claimed?.changed) {
    const current = claimed?.record ?? record;
    return { record: current, notice: current.stopping ? `${current.stopping.name} is already stopping this capture.` : "Nothing to stop any more." };
  }
  try {
    await deps.azure.stopCapture(claimed.record.id);
  } catch (err) {
    await updateCapture(deps.store, name, (current) => (current.stopping?.id === actor.id ? { ...current, stopping: undefined } : undefined));
    await auditCapture(deps, actor, { action: "capture:stop", target: record.vmId, result: "error", detail: `${name}: ${isAppError(err) ? err.code : "Internal"}`, ...context });
    const why = isAppError(err) ? err.userMessage : "Network Watcher did not accept the stop.";
    throw new AppError(
      isAppError(err) ? err.code : "AzureError",
      `Stopping ${name} failed: ${why} The capture still ends on its own by ${captureDeadline(record).toISOString().slice(11, 16)} UTC (its time limit).`,
      err,
    );
  }
  const endedAt = deps.clock.now().toISOString();
  const stopped = await updateCapture(deps.store, name, (current) =>
    isActive(current)
      ? {
          ...current,
          state: "stopped",
          endedAt,
          stopping: undefined,
          stoppedBy: { id: actor.id, name: actor.name },
          outcome: `stopped by ${actor.name}`,
        }
      : undefined,
  );
  await auditCapture(deps, actor, { action: "capture:stop", target: record.vmId, result: "ok", detail: name, ...context });
  const final = stopped?.record ?? claimed.record;
  if (stopped?.changed) await refreshCaptureCards(deps, final);
  return { record: final };
}

/** A capture found by name: one the bot started (its record), or one Azure has that the bot did not start. */
export type FoundCapture = { kind: "record"; record: CaptureRecord } | { kind: "azure"; capture: PacketCapture };

/** Finds a capture by name (case-insensitive): the bot's records first, then every Network Watcher. */
export async function findCapture(deps: CaptureDeps, name: string): Promise<FoundCapture | undefined> {
  const doc = await loadCapture(deps.store, name);
  if (doc !== undefined) return { kind: "record", record: doc.value };
  const gathered = await deps.azure.listCaptures();
  const capture = gathered.items.find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
  return capture ? { kind: "azure", capture } : undefined;
}

export function notFoundCapture(name: string): AppError {
  return new AppError("NotFound", `I can't find a capture named "${name.trim().slice(0, 80)}". "capture list" shows the recent ones.`);
}

/** The card view of a capture the bot did not start, from Azure's resource and (when read) its status. */
export function externalView(capture: PacketCapture, status: CaptureStatus | undefined, now: Date): CaptureView {
  const state: CaptureView["state"] =
    status?.state === "Running" ? "running" : status?.state === "Stopped" ? "stopped" : status?.state === "Error" ? "failed" : "unknown";
  const view: CaptureView = {
    name: capture.name,
    vmName: nameOf(capture.targetVmId || capture.id),
    resourceGroup: resourceGroupOf(capture.targetVmId),
    state,
    startedAt: status?.startTime,
    timeLimitSeconds: capture.timeLimitSeconds,
    totalBytesPerSession: capture.totalBytesPerSession,
    bytesToCapturePerPacket: capture.bytesToCapturePerPacket,
    filters: capture.filters,
    storageId: capture.storageId,
    storagePath: capture.storagePath,
    external: true,
  };
  if (state === "stopped" && status) {
    view.outcome = stopOutcome(
      status.stopReason,
      {
        startedAt: status.startTime,
        createdAt: status.startTime ?? now.toISOString(),
        timeLimitSeconds: capture.timeLimitSeconds,
        totalBytesPerSession: capture.totalBytesPerSession,
      },
      now,
    );
  }
  if (state === "failed" && status) view.error = describeCaptureErrors(status.errors, capture.storageId);
  return view;
}

/**
 * `capture stop <name> confirm` and the stop button: stops the capture (the bot's own, or one found in Azure) and
 * returns the card that shows the result.
 */
export async function stopCaptureByName(
  deps: CaptureDeps,
  name: string,
  actor: CaptureActor,
  context: { conversationId?: string; correlationId?: string } = {},
): Promise<RenderedCard> {
  const found = await findCapture(deps, name);
  if (found === undefined) throw notFoundCapture(name);
  if (found.kind === "record") {
    const { record, notice } = await stopCaptureRecord(deps, found.record.name, actor, context);
    return cardFor(deps, record, { notice });
  }
  const capture = found.capture;
  const before = await deps.azure.captureStatus(capture.id).catch(() => undefined);
  if (before !== undefined && before.state !== "Running") {
    return captureCard(deps.cards, externalView(capture, before, deps.clock.now()), { notice: "Nothing to stop: the capture is not running." });
  }
  try {
    await deps.azure.stopCapture(capture.id);
  } catch (err) {
    await auditCapture(deps, actor, { action: "capture:stop", target: capture.targetVmId, result: "error", detail: `${capture.name}: ${isAppError(err) ? err.code : "Internal"}`, ...context });
    throw err;
  }
  await auditCapture(deps, actor, { action: "capture:stop", target: capture.targetVmId, result: "ok", detail: `${capture.name} (started outside the bot)`, ...context });
  const after = await deps.azure.captureStatus(capture.id).catch(() => undefined);
  const view = externalView(capture, after, deps.clock.now());
  if (view.state === "stopped") view.outcome = `stopped by ${actor.name}`;
  return captureCard(deps.cards, view);
}
