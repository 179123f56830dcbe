import { exposureView } from "../../cards/exposure";
import { postureCard } from "../../cards/posture";
import { analyzeExposure } from "../../domain/exposure";
import type { CommandSpec } from "../command-spec";
import { readNetworkEstate } from "../../domain/estate-reads";
import { parseExposureArgs, USAGE } from "../posture-args";

/** `exposure`: what the internet can reach, and the network hygiene around it. */
export const spec: CommandSpec = {
  name: "exposure",
  usage: USAGE.exposure,
  summary: "Internet-exposed VMs and the rules that open them, over-permissive NSG rules, IP forwarding, flow logs, Network Watcher",
  description:
    "Finds VMs the internet can reach on SSH, RDP or WinRM (naming the NSG, rule, priority, port and source that allow it, " +
    "and whether JIT protects the port), NSG rules open to the internet on management ports, every port or wide ranges, NICs " +
    "with IP forwarding, NSGs without flow logs, regions without Network Watcher, storage accounts without secure transfer, " +
    "application gateways without WAF, and where Defender's assessments disagree with the NSG rules. " +
    "Name one part to list it alone, e.g. exposure vms.",
  examples: ["exposure", "exposure vms", "exposure rules page 2", "which VMs are exposed to the internet?"],
  role: "reader",
  sideEffects: false,
  keywords: [
    "exposed", "exposure", "internet", "open", "public", "reachable", "ports", "nsg", "nsgs", "firewall", "forwarding",
    "flow logs", "network watcher", "waf", "secure transfer",
  ],
  async handler(inv, services) {
    const { part, page } = parseExposureArgs(inv.args);
    const [estate, names] = await Promise.all([readNetworkEstate(services.azure), services.azure.subscriptionNames()]);
    const report = analyzeExposure(estate.input);
    const failures = estate.failures;
    const view = exposureView(
      { report, part },
      { subscriptionNames: names, failures, page, command: part ? `exposure ${part}` : "exposure", question: inv.fromQuestion, now: services.clock.now() },
    );
    await inv.reply(postureCard(services.cards, view));
  },
};
