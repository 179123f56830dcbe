import { containersView } from "../../cards/containers";
import { postureCard } from "../../cards/posture";
import { analyzeContainers } from "../../domain/containers";
import type { CommandSpec } from "../command-spec";
import { failuresOf, parseContainersArgs, severityFromQuestion, USAGE } from "../posture-args";

/** `containers`: vulnerable registry images and unmanaged container hosts. */
export const spec: CommandSpec = {
  name: "containers",
  aliases: ["container"],
  usage: USAGE.containers,
  summary: "Registry image vulnerabilities (image, CVE, severity, patchable) and hosts with unmanaged containers",
  description:
    "Lists the vulnerabilities Defender found in container registry images, most severe first and fixable before unfixable, " +
    "with the image, the CVEs and whether a patched version exists; and the hosts (usually VMs) running containers that no " +
    "orchestrator manages.",
  examples: ["containers", "containers high", "containers page 2"],
  role: "reader",
  sideEffects: false,
  keywords: ["containers", "container", "images", "image", "registry", "registries", "cve", "cves", "docker", "kubernetes", "acr"],
  questionArgs: (words) => severityFromQuestion(words),
  async handler(inv, services) {
    const { severity, page } = parseContainersArgs(inv.args);
    const a = services.azure;
    const [subAssessments, assessments, names] = await Promise.all([a.subAssessments(), a.assessments(), a.subscriptionNames()]);
    const report = analyzeContainers({ subAssessments: subAssessments.items, assessments: assessments.items });
    const view = containersView(
      { report, severity },
      {
        subscriptionNames: names,
        failures: failuresOf(subAssessments, assessments),
        page,
        command: ["containers", severity?.toLowerCase()].filter((x) => x !== undefined).join(" "),
        question: inv.fromQuestion,
        now: services.clock.now(),
      },
    );
    await inv.reply(postureCard(services.cards, view));
  },
};
