import { captureCard, captureListCard, captureViewOf } from "../../cards/capture";
import { isActive, type CaptureRecord } from "../../domain/capture-rules";
import { AppError } from "../../domain/errors";
import {
  cardFor,
  externalView,
  findCapture,
  listCaptureRecords,
  notFoundCapture,
  refreshCaptureStatus,
  type CaptureDeps,
} from "../../digest/capture-workflow";
import type { CommandSpec } from "../command-spec";

/** The record after asking Azure; when Azure cannot be asked, the record as stored plus why. */
async function fresh(services: CaptureDeps, record: CaptureRecord): Promise<{ record: CaptureRecord; notice?: string }> {
  if (!isActive(record) || record.state === "starting") return { record };
  try {
    return { record: (await refreshCaptureStatus(services, record)).record };
  } catch (err) {
    services.logger.warn({ err, capture: record.name }, "capture status could not be read");
    const why = err instanceof AppError ? err.userMessage : "Network Watcher did not answer.";
    return { record, notice: `This is the last known state; reading the current one failed: ${why}` };
  }
}

/** `capture status [<name>]`: one capture's state from Network Watcher, or the running ones without a name. */
export const spec: CommandSpec = {
  name: "capture status",
  usage: "capture status [<name>]",
  summary: "State of a packet capture (or of the running ones), with its file when done",
  description:
    "Asks Network Watcher for the capture's state: running, stopped and why (time limit, byte limit, stopped by someone), or failed and why. " +
    "When it has ended, the card shows the blob path of the .cap file. Without a name: the captures running now.",
  examples: ["capture status", "capture status cap-vm-web-01-20250101-0942"],
  role: "reader",
  sideEffects: false,
  async handler(inv, services) {
    const [name, ...extra] = inv.args;
    if (extra.length > 0) throw new AppError("BadInput", "Use: capture status [<name>]. Capture names have no spaces.");
    if (name !== undefined) {
      const found = await findCapture(services, name);
      if (found === undefined) throw notFoundCapture(name);
      if (found.kind === "record") {
        const { record, notice } = await fresh(services, found.record);
        await inv.reply(cardFor(services, record, notice ? { notice } : {}));
        return;
      }
      const status = await services.azure.captureStatus(found.capture.id);
      await inv.reply(captureCard(services.cards, externalView(found.capture, status, services.clock.now())));
      return;
    }
    const records = await listCaptureRecords(services.store);
    const active = records.filter(isActive);
    const refreshed = await Promise.all(active.map((r) => fresh(services, r)));
    const running = refreshed.map((x) => x.record).filter(isActive);
    if (running.length === 1) {
      await inv.reply(cardFor(services, running[0]!));
      return;
    }
    if (running.length > 1) {
      await inv.reply(captureListCard(services.cards, running.map(captureViewOf), { title: "Running packet captures" }));
      return;
    }
    const recent = (await listCaptureRecords(services.store)).slice(0, 5);
    await inv.reply(
      captureListCard(services.cards, recent.map(captureViewOf), {
        title: "No packet capture is running",
        subtitle: recent.length > 0 ? "The most recent ones:" : undefined,
        empty: 'No captures yet. Start one with "capture start <vm>".',
      }),
    );
  },
};
