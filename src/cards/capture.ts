/**
 * View models for packet captures: the capture card (cards/capture.json) that is posted when a capture starts and
 * updated in place as it runs and ends, the stop confirmation (the same card with an Action.Execute "capture.stop"
 * button), and the list of recent captures (the shared report layout).
 */
import { formatDuration } from "../domain/durations";
import { captureDeadline, describeFilters, type CaptureRecord } from "../domain/capture-rules";
import type { CaptureFilter, SubscriptionFailure } from "../domain/model";
import type { RenderedCard } from "../domain/ports";
import type { CardStyle, CommandButton } from "./message";
import type { CardRenderer } from "./render";
import { page } from "./render";
import { reportCard, type ReportItem, type TextColor } from "./report";

/** The confirmation button's verb; src/bot/actions/capture-stop.ts handles it. */
export const CAPTURE_STOP_VERB = "capture.stop";

/** What the card shows: a record of the bot's, or a capture found in Azure that the bot did not start. */
export interface CaptureView {
  name: string;
  vmName: string;
  resourceGroup?: string;
  region?: string;
  state: CaptureRecord["state"] | "unknown";
  requestedBy?: string;
  alertName?: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  timeLimitSeconds: number;
  timeLimitCapped?: boolean;
  totalBytesPerSession: number;
  bytesToCapturePerPacket: number;
  filters: CaptureFilter[];
  storageId?: string;
  storagePath?: string;
  outcome?: string;
  error?: string;
  reason?: string;
  stoppedBy?: string;
  /** Started outside the bot (portal, CLI, another tool). */
  external?: boolean;
}

export function captureViewOf(record: CaptureRecord): CaptureView {
  return {
    name: record.name,
    vmName: record.vmName,
    resourceGroup: record.resourceGroup,
    region: record.region,
    state: record.state,
    requestedBy: record.requestedBy.name,
    alertName: record.trigger.kind === "alert" ? record.trigger.alertName : undefined,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    timeLimitSeconds: record.timeLimitSeconds,
    timeLimitCapped: record.timeLimitCapped,
    totalBytesPerSession: record.totalBytesPerSession,
    bytesToCapturePerPacket: record.bytesToCapturePerPacket,
    filters: record.filters,
    storageId: record.storageId,
    storagePath: record.storagePath,
    outcome: record.outcome,
    error: record.error,
    reason: record.reason,
    stoppedBy: record.stoppedBy?.name,
  };
}

/** `10:42 UTC` */
function time(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(11, 16)} UTC`;
}

/** `2030-01-01 10:42 UTC` */
function dateTime(iso: string | undefined): string {
  return iso === undefined ? "?" : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function accountOf(storageId: string | undefined): string | undefined {
  return storageId?.split("/").filter((p) => p !== "").pop();
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

interface StatusLine {
  status: string;
  style: CardStyle;
  color: TextColor;
  badge: string;
}

function statusOf(v: CaptureView): StatusLine {
  switch (v.state) {
    case "starting":
      return { status: `Starting… Network Watcher is setting up the capture on ${v.vmName}.`, style: "emphasis", color: "accent", badge: "STARTING" };
    case "running": {
      const deadline = v.startedAt ?? v.createdAt;
      const until = deadline ? ` It ends by ${time(captureDeadline({ startedAt: v.startedAt, createdAt: deadline, timeLimitSeconds: v.timeLimitSeconds }).toISOString())} at the latest.` : "";
      return { status: `Running${v.startedAt ? ` since ${time(v.startedAt)}` : ""}.${until}`, style: "good", color: "good", badge: "RUNNING" };
    }
    case "stopped":
      return { status: `Stopped${v.endedAt ? ` at ${time(v.endedAt)}` : ""}: ${v.outcome ?? "ended"}.`, style: "default", color: "default", badge: "STOPPED" };
    case "failed":
      return { status: `Failed: ${v.error ?? "Network Watcher reported an error"}`, style: "attention", color: "attention", badge: "FAILED" };
    default:
      return v.external
        ? { status: `Started outside the bot; "capture status ${v.name}" reads its state.`, style: "default", color: "default", badge: "OTHER" }
        : { status: "Status unknown.", style: "default", color: "default", badge: "?" };
  }
}

function vmLabel(v: CaptureView): string {
  const where = [v.resourceGroup, v.region].filter((x): x is string => x !== undefined && x !== "");
  return where.length > 0 ? `${v.vmName} (${where.join(", ")})` : v.vmName;
}

export interface CaptureCardOptions {
  /** A warning shown above the card (e.g. "already stopped"). */
  notice?: string;
  /** Show the Action.Execute "Stop capture" button (the stop confirmation). */
  confirmStop?: boolean;
  /** CAPTURE_MAX_SECONDS, to explain a capped time limit. */
  maxSeconds?: number;
}

/** Renders the capture card for a capture in whatever state it is. */
export function captureCard(cards: CardRenderer, v: CaptureView, options: CaptureCardOptions = {}): RenderedCard {
  const line = statusOf(v);
  const facts: { title: string; value: string }[] = [{ title: "VM", value: vmLabel(v) }];
  if (v.external) facts.push({ title: "Started by", value: "outside the bot (portal, CLI or another tool)" });
  else if (v.alertName !== undefined) facts.push({ title: "Started by", value: `SecOps bot, for the alert "${v.alertName}"` });
  else if (v.requestedBy !== undefined) facts.push({ title: "Started by", value: v.requestedBy });
  if (v.createdAt !== undefined) facts.push({ title: "Requested", value: dateTime(v.createdAt) });
  facts.push({
    title: "Time limit",
    value: `${formatDuration(v.timeLimitSeconds * 1000)}${v.timeLimitCapped ? ` (the most allowed${options.maxSeconds ? `, CAPTURE_MAX_SECONDS=${options.maxSeconds}` : ""})` : ""}`,
  });
  facts.push({ title: "Captures", value: describeFilters(v.filters) });
  facts.push({
    title: "Size limits",
    value: `up to ${megabytes(v.totalBytesPerSession)}; ${v.bytesToCapturePerPacket > 0 ? `first ${v.bytesToCapturePerPacket} bytes of each packet` : "whole packets"}`,
  });
  const account = accountOf(v.storageId);
  if (account !== undefined) facts.push({ title: "Storage account", value: account });
  if (v.reason !== undefined) facts.push({ title: "Reason", value: v.reason });

  const active = v.state === "starting" || v.state === "running";
  const notes: string[] = [];
  if (v.state === "stopped" && v.storagePath !== undefined) {
    notes.push(
      "The Network Watcher agent uploads the file from inside the VM. If it is not at this path, the VM probably cannot reach the storage account (no outbound HTTPS or private endpoint route).",
    );
  }
  if (v.state === "failed" && v.storagePath === undefined && v.error === undefined) notes.push("No capture file was written.");

  const buttons: CommandButton[] = [];
  if (active && !options.confirmStop) buttons.push({ title: "Refresh status", command: `capture status ${v.name}` });
  if (v.state === "running" && !options.confirmStop && !v.external) buttons.push({ title: "Stop…", command: `capture stop ${v.name}` });

  const footer = options.confirmStop
    ? `Stopping ends the capture now; the file keeps what was captured so far. Or type "capture stop ${v.name} confirm".`
    : active
      ? `Capture ${v.name}. "capture status ${v.name}" refreshes this card; "capture stop ${v.name}" ends it early.`
      : `Capture ${v.name}. Every start and stop is in the audit log.`;

  return cards.render(
    "capture",
    {
      name: v.name,
      title: options.confirmStop ? `Stop packet capture ${v.name}?` : `Packet capture ${v.name}`,
      status: line.status,
      style: line.style,
      color: line.color,
      notice: options.notice ?? null,
      facts,
      file: v.storagePath ?? null,
      fileLabel: v.state === "stopped" ? "Capture file (.cap)" : "Writing to",
      notes,
      confirmStop: options.confirmStop === true,
      buttons,
      footer,
    },
    `Packet capture ${v.name} on ${v.vmName}: ${line.status}`,
  );
}

/** How many captures one list card shows. */
export const CAPTURE_LIST_SIZE = 10;

export interface CaptureListOptions {
  title?: string;
  subtitle?: string;
  empty?: string;
  failures?: readonly SubscriptionFailure[];
}

/** The list of captures: newest first, the first {@link CAPTURE_LIST_SIZE} with "N more". */
export function captureListCard(cards: CardRenderer, views: readonly CaptureView[], options: CaptureListOptions = {}): RenderedCard {
  const { shown, more } = page(views, CAPTURE_LIST_SIZE);
  const items: ReportItem[] = shown.map((v) => {
    const line = statusOf(v);
    const who = v.external ? "started outside the bot" : v.alertName !== undefined ? `started for the alert "${v.alertName}"` : `started by ${v.requestedBy ?? "?"}`;
    const when = v.createdAt !== undefined ? ` at ${dateTime(v.createdAt)}` : "";
    return {
      title: v.name,
      badge: line.badge,
      color: line.color,
      lines: [`${vmLabel(v)} · ${who}${when}`, `${describeFilters(v.filters)} · ${line.status}`],
    };
  });
  const running = views.filter((v) => v.state === "running" || v.state === "starting").length;
  return reportCard(
    cards,
    {
      title: options.title ?? "Packet captures",
      subtitle: options.subtitle ?? `${views.length} capture${views.length === 1 ? "" : "s"}, ${running} running`,
      sections: [
        {
          title: "Newest first",
          items,
          empty: options.empty ?? 'No packet captures yet. Start one with "capture start <vm>".',
          more: more > 0 ? `${more} more not shown.` : undefined,
        },
      ],
      warnings: (options.failures ?? []).map((f) => `Could not read captures in subscription ${f.subscriptionId}: ${f.message}`),
      footer: '"capture status ‹name›" shows one capture; "capture start ‹vm›" starts one.',
    },
    `Packet captures: ${views.length}, ${running} running`,
  );
}
