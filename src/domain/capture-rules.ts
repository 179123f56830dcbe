/**
 * Packet capture rules (issue 5), free of any SDK: the `capture start` grammar, the limits every capture gets, its
 * name, the checks that make a create pointless (no Network Watcher, VM not running, agent missing), how a finished
 * capture's status reads to a person (facts §10), and which alerts start a capture on which VM.
 */
import { AppError } from "./errors";
import { parseDuration, tryParseDuration, formatDuration } from "./durations";
import type { IncomingAlert } from "./incoming-alert";
import { formatIp, parseIp } from "./ip";
import type { CaptureFilter, CaptureStatus, NetworkWatcher, VirtualMachine } from "./model";
import { normalizeId, normalizeLocation, sameId } from "./resource-ids";
import { closestMatches } from "./text";
import { tokenizeWithSpans } from "./tokens";

/** Store collection of the bot's own capture records, keyed by capture name (lower case). */
export const CAPTURES = "captures";
/** Store collection holding, per VM (normalised id), the name of the last capture the bot started on it. */
export const CAPTURE_VM_LOCKS = "capture-vm-locks";

/**
 * Bytes kept of each packet: a whole standard Ethernet frame (1500-byte MTU + 14-byte header), so ordinary traffic is
 * captured complete while jumbo and offloaded (GSO) segments are cut, which bounds the file. Azure's default, 0,
 * means "the whole packet, however large".
 */
export const CAPTURE_BYTES_PER_PACKET = 1514;
/** Bytes per session: 100 MiB (Azure's default is 1 GiB). A capture that reaches it stops on its own. */
export const CAPTURE_TOTAL_BYTES = 100 * 1024 * 1024;
/** Network Watcher's own upper bound on a capture's duration. */
export const AZURE_MAX_CAPTURE_SECONDS = 18_000;
/** Azure's limit on a packet capture name. */
const MAX_NAME_LENGTH = 80;

export const NW_AGENT_LINUX = "NetworkWatcherAgentLinux";
export const NW_AGENT_WINDOWS = "NetworkWatcherAgentWindows";

export const CAPTURE_START_USAGE = "capture start <vm> [for <N>s|<N>m] [tcp|udp] [port <n>] [remote <ip>]";

/** What `capture start` asked for, grammar-checked. */
export interface CaptureStartInput {
  vmName: string;
  /** Requested duration in ms (undefined = the configured maximum). */
  durationMs?: number;
  protocol?: "TCP" | "UDP";
  port?: number;
  /** Canonical address. */
  remoteIp?: string;
  /** Text after `because`, verbatim. */
  reason?: string;
}

function bad(message: string): AppError {
  return new AppError("BadInput", message);
}

/**
 * Reads `vm-web-01 for 2m tcp port 443 remote 203.0.113.7 [because <text>]`. Options may come in any order after the
 * VM; `for 90 s` / `for 5 minutes` (number and unit apart) work too.
 *
 * @throws AppError("BadInput") saying what to change
 */
export function parseCaptureStartArgs(argText: string): CaptureStartInput {
  const tokens = tokenizeWithSpans(argText);
  const input: Partial<CaptureStartInput> = {};
  const positional: string[] = [];
  const seen = new Set<string>();
  const once = (word: string) => {
    if (seen.has(word)) throw bad(`"${word}" appears twice; give it once.`);
    seen.add(word);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const word = token.quoted ? "" : token.text.toLowerCase();
    const next = tokens[i + 1];
    if (word === "because") {
      input.reason = argText.slice(token.end).trim() || undefined;
      break;
    }
    if (word === "tcp" || word === "udp") {
      once("protocol");
      input.protocol = word === "tcp" ? "TCP" : "UDP";
    } else if (word === "for") {
      once("for");
      if (next === undefined) throw bad(`"for" needs a duration after it, e.g. "for 90s" or "for 2m".`);
      // "for 90 s": the number and its unit as two tokens.
      const after = tokens[i + 2];
      let text = next.text;
      if (tryParseDuration(text) === undefined && after !== undefined && tryParseDuration(`${text}${after.text}`) !== undefined) {
        text = `${text}${after.text}`;
        i++;
      }
      const ms = parseDuration(text);
      if (ms < 1000) throw bad(`A capture must run for at least 1 second; "${text.slice(0, 20)}" is too short.`);
      input.durationMs = ms;
      i++;
    } else if (word === "port") {
      once("port");
      if (next === undefined || !/^\d{1,5}$/.test(next.text) || Number(next.text) < 1 || Number(next.text) > 65535) {
        throw bad(`"port" needs one port number from 1 to 65535 after it, e.g. "port 443".`);
      }
      input.port = Number(next.text);
      i++;
    } else if (word === "remote") {
      once("remote");
      const ip = next === undefined ? undefined : parseIp(next.text);
      if (ip === undefined) {
        throw bad(`"remote" needs one IP address after it, e.g. "remote 203.0.113.7" (ranges and names are not accepted).`);
      }
      input.remoteIp = formatIp(ip);
      i++;
    } else {
      positional.push(token.text);
    }
  }
  if (positional.length === 0) throw bad(`Name the VM first: ${CAPTURE_START_USAGE}. For example: capture start vm-web-01 for 2m tcp port 443.`);
  if (positional.length > 1) {
    throw bad(
      `I read "${positional[0]!.slice(0, 80)}" as the VM but don't understand "${positional.slice(1).join(" ").slice(0, 80)}". Use: ${CAPTURE_START_USAGE}.`,
    );
  }
  return { ...input, vmName: positional[0]! };
}

/** The time limit a capture gets: the request (default: the maximum), capped at `maxSeconds` and Azure's own bound. */
export function captureTimeLimit(requestedMs: number | undefined, maxSeconds: number): { seconds: number; capped: boolean } {
  const max = Math.max(1, Math.min(maxSeconds, AZURE_MAX_CAPTURE_SECONDS));
  if (requestedMs === undefined) return { seconds: max, capped: false };
  const requested = Math.max(1, Math.ceil(requestedMs / 1000));
  return requested > max ? { seconds: max, capped: true } : { seconds: requested, capped: false };
}

/**
 * Network Watcher filters for the request. Filters are OR-ed and the fields inside one are AND-ed, so "port 443"
 * (either end of the connection) becomes two filters, one on the local and one on the remote port.
 */
export function captureFilters(input: Pick<CaptureStartInput, "protocol" | "port" | "remoteIp">): CaptureFilter[] {
  const common: CaptureFilter = {};
  if (input.protocol) common.protocol = input.protocol;
  if (input.remoteIp) common.remoteIpAddress = input.remoteIp;
  if (input.port !== undefined) {
    return [
      { ...common, localPort: String(input.port) },
      { ...common, remotePort: String(input.port) },
    ];
  }
  return Object.keys(common).length > 0 ? [common] : [];
}

/** "TCP, port 443 (either end), remote 203.0.113.7" or "all traffic". */
export function describeFilters(filters: readonly CaptureFilter[]): string {
  if (filters.length === 0) return "all traffic";
  const protocols = new Set(filters.map((f) => f.protocol ?? "Any"));
  const remotes = new Set(filters.map((f) => f.remoteIpAddress).filter((x): x is string => x !== undefined));
  const locals = new Set(filters.map((f) => f.localPort).filter((x): x is string => x !== undefined));
  const remotePorts = new Set(filters.map((f) => f.remotePort).filter((x): x is string => x !== undefined));
  const parts: string[] = [];
  const protocol = protocols.size === 1 ? [...protocols][0]! : "Any";
  parts.push(protocol === "Any" ? "any protocol" : protocol);
  const samePort = locals.size === 1 && remotePorts.size === 1 && [...locals][0] === [...remotePorts][0];
  if (samePort) parts.push(`port ${[...locals][0]!} (either end)`);
  else {
    if (locals.size > 0) parts.push(`local port ${[...locals].join(", ")}`);
    if (remotePorts.size > 0) parts.push(`remote port ${[...remotePorts].join(", ")}`);
  }
  if (remotes.size > 0) parts.push(`remote ${[...remotes].join(", ")}`);
  return parts.join(", ");
}

/** `20240131-0942` in UTC. */
function stamp(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * `cap-<vm>-<yyyymmdd-hhmm>` (UTC), with `-2`, `-3`… when the name is taken (compared case-insensitively, as Azure
 * does). Characters Azure does not allow in the name become `-`; long VM names are shortened to fit 80 characters.
 */
export function captureName(vmName: string, now: Date, taken: ReadonlySet<string>): string {
  const safeVm = vmName.replace(/[^A-Za-z0-9_.-]/g, "-");
  const suffixRoom = 4;
  const fixed = `cap--${stamp(now)}`.length;
  const vm = safeVm.slice(0, Math.max(1, MAX_NAME_LENGTH - fixed - suffixRoom));
  const base = `cap-${vm}-${stamp(now)}`;
  const isTaken = (n: string) => taken.has(n.toLowerCase());
  if (!isTaken(base)) return base;
  for (let i = 2; i < 1000; i++) {
    const candidate = `${base}-${i}`;
    if (!isTaken(candidate)) return candidate;
  }
  throw new AppError("Conflict", `Too many captures named ${base}; try again in a minute.`);
}

/** VMs named as a person would: name, `resource-group/name` or full id (case-insensitive). */
export function matchVms(query: string, vms: readonly VirtualMachine[]): VirtualMachine[] {
  const wanted = query.trim().toLowerCase();
  return vms.filter(
    (vm) => normalizeId(vm.id) === normalizeId(wanted) || vm.name.toLowerCase() === wanted || `${vm.resourceGroup}/${vm.name}`.toLowerCase() === wanted,
  );
}

/**
 * The one VM `query` names.
 *
 * @param subscriptionNames display names by subscription id, for the "which one?" answer
 * @throws AppError("BadInput") when nothing or several VMs match (listing them as resource-group/name)
 */
export function resolveVm(query: string, vms: readonly VirtualMachine[], subscriptionNames: Readonly<Record<string, string>> = {}): VirtualMachine {
  const matches = matchVms(query, vms);
  const shown = query.trim().slice(0, 80);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const close = closestMatches(shown, [...new Set(vms.map((v) => v.name))]);
    throw bad(`I can't find a VM named "${shown}".${close.length ? ` Did you mean ${close.map((c) => `"${c}"`).join(" or ")}?` : ""}`);
  }
  const names = matches.map((vm) => `${vm.resourceGroup}/${vm.name} (${subscriptionNames[vm.subscriptionId] ?? vm.subscriptionId})`);
  const unique = new Set(matches.map((vm) => `${vm.resourceGroup}/${vm.name}`.toLowerCase()));
  const hint = unique.size === matches.length ? "Name one as resource-group/name" : "Give the full resource id of the one you mean";
  throw bad(`"${shown}" matches ${matches.length} VMs: ${names.join(", ")}. ${hint}.`);
}

/** The Network Watcher of the VM's region in its subscription, if there is one. */
export function watcherFor(vm: VirtualMachine, watchers: readonly NetworkWatcher[]): NetworkWatcher | undefined {
  return watchers.find((w) => sameId(w.subscriptionId, vm.subscriptionId) && normalizeLocation(w.location) === normalizeLocation(vm.location));
}

/** The answer when the VM's region has no Network Watcher. */
export function missingWatcherMessage(vm: VirtualMachine, subscriptionName?: string): string {
  return (
    `There is no Network Watcher in ${vm.location} in subscription ${subscriptionName ?? vm.subscriptionId}, so I can't capture on ${vm.name}. ` +
    `Enable it with: az network watcher configure -g NetworkWatcherRG -l ${vm.location} --enabled true --subscription ${vm.subscriptionId}`
  );
}

const NOT_RUNNING = new Set(["deallocated", "deallocating", "stopped", "stopping", "starting"]);

/** Why the VM cannot be captured on because of its power state, or undefined (also when the state is unknown). */
export function powerProblem(vm: VirtualMachine): string | undefined {
  const power = vm.powerState?.toLowerCase();
  if (power === undefined || !NOT_RUNNING.has(power)) return undefined;
  return (
    `${vm.name} is ${power}; a packet capture needs a running VM. ` +
    `Start it (az vm start -g ${vm.resourceGroup} -n ${vm.name}) and try again.`
  );
}

/** The agent extension type the VM needs. */
export function agentTypeFor(vm: VirtualMachine): string {
  return vm.osType === "Windows" ? NW_AGENT_WINDOWS : NW_AGENT_LINUX;
}

/** Why the VM cannot be captured on because the Network Watcher agent is missing, or undefined when it is there. */
export function agentProblem(vm: VirtualMachine, extensionTypes: readonly string[]): string | undefined {
  const installed = extensionTypes.some((t) => t.toLowerCase() === NW_AGENT_LINUX.toLowerCase() || t.toLowerCase() === NW_AGENT_WINDOWS.toLowerCase());
  if (installed) return undefined;
  const type = agentTypeFor(vm);
  return (
    `${vm.name} does not have the Network Watcher agent extension (${type}), which packet capture needs. ` +
    `It installs on a running VM without a reboot: az vm extension set -g ${vm.resourceGroup} --vm-name ${vm.name} ` +
    `--publisher Microsoft.Azure.NetworkWatcher --name ${type} --version 1.4 --subscription ${vm.subscriptionId}`
  );
}

/** What the bot knows about one capture it started (store collection {@link CAPTURES}). */
export type CaptureRecordState = "starting" | "running" | "stopped" | "failed";

export interface CapturePerson {
  id: string;
  name: string;
}

export interface CaptureRecord {
  name: string;
  /** ARM id of the capture: the watcher's id + /packetCaptures/<name>. */
  id: string;
  vmId: string;
  vmName: string;
  resourceGroup: string;
  subscriptionId: string;
  region: string;
  watcherId: string;
  requestedBy: CapturePerson;
  /** What started it: a person's command or an alert. */
  trigger: { kind: "command" } | { kind: "alert"; alertId: string; alertName: string };
  /** Where it was asked for (commands). */
  conversationId?: string;
  /** Every posted copy of the capture card; all are updated as the capture changes. */
  cards: { conversationId: string; activityId: string }[];
  state: CaptureRecordState;
  timeLimitSeconds: number;
  /** True when the request was longer than CAPTURE_MAX_SECONDS allows. */
  timeLimitCapped: boolean;
  totalBytesPerSession: number;
  bytesToCapturePerPacket: number;
  filters: CaptureFilter[];
  storageId: string;
  /** Blob URL of the .cap file, once Azure reports it. */
  storagePath?: string;
  reason?: string;
  /** ISO 8601 */
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** How it ended, in words: "time limit reached", "stopped by Alice", "byte limit reached". */
  outcome?: string;
  /** Azure's own stop reason, as given. */
  stopReason?: string;
  /** Why it failed, for a chat. */
  error?: string;
  /** Set while someone's stop is being carried out (claims the stop, so a retried click does not stop twice). */
  stopping?: CapturePerson & { at: string };
  stoppedBy?: CapturePerson;
}

/** Store key of a capture record. */
export function captureKey(name: string): string {
  return name.trim().toLowerCase();
}

export function isActive(record: Pick<CaptureRecord, "state">): boolean {
  return record.state === "starting" || record.state === "running";
}

/** When the capture ends at the latest (its time limit), if it has started. */
export function captureDeadline(record: Pick<CaptureRecord, "startedAt" | "createdAt" | "timeLimitSeconds">): Date {
  return new Date(Date.parse(record.startedAt ?? record.createdAt) + record.timeLimitSeconds * 1000);
}

/** Azure's packetCaptureError values, in words. */
export function describeCaptureErrors(errors: readonly string[], storageId?: string): string {
  const account = storageId ? storageId.split("/").pop() : "the storage account";
  const words = errors.map((e) => {
    switch (e.toLowerCase()) {
      case "storagefailed":
        return `the agent could not write the file to ${account}: check that the VM can reach it (outbound HTTPS, or a private endpoint route) and that the account accepts the VM's traffic`;
      case "agentstopped":
        return "the Network Watcher agent stopped on the VM";
      case "localfilefailed":
        return "the agent could not write the capture file on the VM's disk";
      case "capturefailed":
        return "the capture failed on the VM";
      case "internalerror":
        return "Network Watcher had an internal error";
      default:
        return e;
    }
  });
  return words.length > 0 ? words.join("; ") : "Network Watcher reported an error without details";
}

/**
 * Reads Azure's stop reason. A capture that hit its byte limit may come back with a blank reason (facts §10): a
 * blank reason before the time limit and without a stop from the bot is reported as "byte limit reached".
 */
export function stopOutcome(
  stopReason: string | undefined,
  record: Pick<CaptureRecord, "startedAt" | "createdAt" | "timeLimitSeconds" | "stoppedBy" | "totalBytesPerSession">,
  now: Date,
): string {
  const reason = (stopReason ?? "").trim();
  const bytes = `byte limit reached (${Math.round(record.totalBytesPerSession / (1024 * 1024))} MB)`;
  if (record.stoppedBy) return `stopped by ${record.stoppedBy.name}`;
  if (/time/i.test(reason)) return `time limit reached (${formatDuration(record.timeLimitSeconds * 1000)})`;
  if (/byte|size|session/i.test(reason)) return bytes;
  if (/manual|user|request/i.test(reason)) return "stopped manually (outside the bot)";
  if (reason !== "") return reason;
  return now.getTime() < captureDeadline(record).getTime() ? bytes : `time limit reached (${formatDuration(record.timeLimitSeconds * 1000)})`;
}

/**
 * The record after Azure reported `status`, or undefined when nothing changes. NotStarted and Unknown change nothing.
 */
export function applyCaptureStatus(record: CaptureRecord, status: CaptureStatus, now: Date): CaptureRecord | undefined {
  const at = now.toISOString();
  switch (status.state) {
    case "Running":
      if (record.state !== "starting") return undefined;
      return { ...record, state: "running", startedAt: record.startedAt ?? status.startTime ?? at };
    case "Stopped":
      if (!isActive(record)) return undefined;
      {
        // A stop the bot is carrying out counts as that person's stop.
        const stoppedBy = record.stoppedBy ?? (record.stopping ? { id: record.stopping.id, name: record.stopping.name } : undefined);
        return {
          ...record,
          state: "stopped",
          endedAt: at,
          stopReason: status.stopReason,
          outcome: stopOutcome(status.stopReason, { ...record, stoppedBy }, now),
          stoppedBy,
          stopping: undefined,
        };
      }
    case "Error":
      if (!isActive(record)) return undefined;
      return { ...record, state: "failed", endedAt: at, error: describeCaptureErrors(status.errors, record.storageId), stopping: undefined };
    default:
      return undefined;
  }
}

const VM_ID = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+)(?:\/|$)/i;

/** The VM an ARM id is, or belongs to (a VM's extension, for instance). */
export function vmIdOf(resourceId: string): string | undefined {
  return VM_ID.exec(resourceId.trim())?.[1];
}

/**
 * The VMs an alert should start a capture on, given CAPTURE_ON_ALERT: alert rule names, alert display names or alert
 * types (case-insensitive), or `*` for any alert about a VM. Resolved alerts start nothing.
 */
export function captureTargetsOf(alert: IncomingAlert, onAlert: readonly string[]): string[] {
  if (onAlert.length === 0) return [];
  if (alert.condition !== undefined && /^resolved$/i.test(alert.condition)) return [];
  const wanted = new Set(onAlert.map((s) => s.trim().toLowerCase()).filter((s) => s !== ""));
  const matches =
    wanted.has("*") || wanted.has(alert.name.toLowerCase()) || (alert.alertType !== undefined && wanted.has(alert.alertType.toLowerCase()));
  if (!matches) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of alert.resourceIds) {
    const vmId = vmIdOf(id);
    if (vmId !== undefined && !seen.has(normalizeId(vmId))) {
      seen.add(normalizeId(vmId));
      out.push(vmId);
    }
  }
  return out;
}
