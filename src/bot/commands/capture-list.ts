import { captureListCard, captureViewOf, type CaptureView } from "../../cards/capture";
import { externalView, listCaptureRecords } from "../../digest/capture-workflow";
import type { CommandSpec } from "../command-spec";

/** `capture list`: recent captures, who started them and how they ended; captures started outside the bot too. */
export const spec: CommandSpec = {
  name: "capture list",
  aliases: ["captures"],
  usage: "capture list",
  summary: "Recent packet captures and who started them",
  description:
    "The captures the bot started (newest first: VM, who or which alert started them, filters, state), followed by captures " +
    "Network Watcher has that were started elsewhere (portal, CLI).",
  role: "reader",
  sideEffects: false,
  keywords: ["capture", "captures", "pcap", "packet", "packets", "tcpdump", "wireshark"],
  async handler(inv, services) {
    const [records, azure] = await Promise.all([listCaptureRecords(services.store), services.azure.listCaptures()]);
    const mine = new Set(records.map((r) => r.id.toLowerCase()));
    const now = services.clock.now();
    const others: CaptureView[] = azure.items
      .filter((c) => !mine.has(c.id.toLowerCase()) && !records.some((r) => r.name.toLowerCase() === c.name.toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => externalView(c, undefined, now));
    await inv.reply(captureListCard(services.cards, [...records.map(captureViewOf), ...others], { failures: azure.failures }));
  },
};
