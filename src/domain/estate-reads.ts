/**
 * The one way the bot reads the network estate that exposure analysis needs (exposure, vm, digest). Goes through the
 * AzureGateway port only, so the shared cache makes concurrent callers cost one set of ARM reads.
 */
import type { ExposureInput } from "./exposure";
import type { Gathered, SubscriptionFailure } from "./model";
import type { AzureGateway } from "./ports";

/** Every failure of several reads, once per subscription and code. */
export function failuresOf(...reads: ReadonlyArray<Gathered<unknown>>): SubscriptionFailure[] {
  const seen = new Map<string, SubscriptionFailure>();
  for (const read of reads) {
    for (const f of read.failures) {
      const key = `${f.subscriptionId.toLowerCase()}|${f.code}`;
      if (!seen.has(key)) seen.set(key, f);
    }
  }
  return [...seen.values()];
}

export interface NetworkEstate {
  input: ExposureInput;
  failures: SubscriptionFailure[];
}

export async function readNetworkEstate(azure: AzureGateway): Promise<NetworkEstate> {
  const [vms, nics, publicIps, nsgs, watchers, flowLogs, assessments, jitPolicies] = await Promise.all([
    azure.virtualMachines(),
    azure.networkInterfaces(),
    azure.publicIpAddresses(),
    azure.networkSecurityGroups(),
    azure.networkWatchers(),
    azure.flowLogs(),
    azure.assessments(),
    azure.jitPolicies(),
  ]);
  return {
    input: {
      vms: vms.items,
      nics: nics.items,
      publicIps: publicIps.items,
      nsgs: nsgs.items,
      watchers: watchers.items,
      flowLogs: flowLogs.items,
      assessments: assessments.items,
      jitPolicies: jitPolicies.items,
    },
    failures: failuresOf(vms, nics, publicIps, nsgs, watchers, flowLogs, assessments, jitPolicies),
  };
}
