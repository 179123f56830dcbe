import { CAPTURE_START_USAGE, parseCaptureStartArgs } from "../../domain/capture-rules";
import { startCapture } from "../../digest/capture-workflow";
import type { CommandSpec } from "../command-spec";

/**
 * `capture start <vm> [for <N>s|<N>m] [tcp|udp] [port <n>] [remote <ip>]`: checks the VM, posts a progress card at
 * once, creates the Network Watcher capture in the background and updates that card to "running" and, when it ends,
 * to its final state with the .cap file's blob path.
 */
export const spec: CommandSpec = {
  name: "capture start",
  usage: CAPTURE_START_USAGE,
  summary: "Start a Network Watcher packet capture on a VM",
  description:
    "Captures a VM's traffic with Azure Network Watcher into the capture storage account. The time limit is what you ask for, " +
    "at most CAPTURE_MAX_SECONDS (the default); each capture keeps at most 100 MB and the first 1514 bytes of each packet. " +
    '"port" matches either end of a connection; "remote" is the other side\'s address. One running capture per VM at a time. ' +
    "The VM must be running and have the Network Watcher agent extension, and its region needs a Network Watcher.",
  examples: ["capture start vm-web-01", "capture start vm-web-01 for 2m tcp port 443", "capture start vm-app-01 for 90s udp remote 203.0.113.7"],
  role: "operator",
  sideEffects: true,
  // No keywords: a free-form question must never start a capture (questions map to "capture list" instead).
  async handler(inv, services) {
    const input = parseCaptureStartArgs(inv.argText);
    await startCapture(services, {
      input,
      actor: { id: inv.actor.id, name: inv.actor.name, tenantId: inv.actor.tenantId },
      trigger: { kind: "command" },
      conversationId: inv.conversation.id,
      correlationId: inv.correlationId,
      deliver: async (card) => {
        const activityId = await inv.reply(card);
        return activityId ? [{ conversationId: inv.conversation.id, activityId }] : [];
      },
    });
  },
};
