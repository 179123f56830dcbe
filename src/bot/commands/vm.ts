import { postureCard } from "../../cards/posture";
import { vmView } from "../../cards/vm";
import { buildVmReport } from "../../domain/vm-report";
import type { CommandSpec } from "../command-spec";
import { readNetworkEstate } from "../../domain/estate-reads";
import { failuresOf, parseVmArgs, resourceNameFromQuestion, USAGE } from "../posture-args";

/** `vm <name>`: every finding for one VM. */
export const spec: CommandSpec = {
  name: "vm",
  usage: USAGE.vm,
  summary: "Everything about one VM: updates, endpoint protection, vulnerabilities, encryption, exposure, NSG rules, JIT, alerts",
  description:
    "Shows one VM's unhealthy Defender findings by topic (system updates, endpoint protection, vulnerability assessment, disk " +
    "encryption, other), its NICs and public IPs, IP forwarding, the NSG rules that let internet traffic in, its JIT ports and " +
    "open grants, and the alerts about it. A name used in several subscriptions shows each VM, labelled.",
  examples: ["vm vm-web-01", "is vm-web-01 patched?", "what's wrong with vm-app-01?"],
  role: "reader",
  sideEffects: false,
  keywords: ["patched", "patch", "patches", "wrong", "machine", "vm", "server", "encrypted", "antivirus", "health", "healthy"],
  questionArgs: (words) => {
    const name = resourceNameFromQuestion(words);
    return name !== undefined ? [name] : [];
  },
  async handler(inv, services) {
    const { name, page } = parseVmArgs(inv.args);
    const [estate, alerts, names] = await Promise.all([
      readNetworkEstate(services.azure),
      services.azure.alerts(),
      services.azure.subscriptionNames(),
    ]);
    const now = services.clock.now();
    const report = buildVmReport(name, { ...estate.input, alerts: alerts.items }, now);
    const failures = failuresOf(alerts, { items: [], failures: estate.failures });
    const view = vmView(report, { subscriptionNames: names, failures, page, command: `vm ${name}`, question: inv.fromQuestion, now });
    await inv.reply(postureCard(services.cards, view));
  },
};
