/**
 * Estates for scale tests. The simulator's generator always makes two subscriptions; a tenant with many
 * subscriptions is built here by copying a seeded estate under new subscription ids (every resource, assessment and
 * alert comes along, so every route still answers consistently).
 */
import { generateEstate, type Estate } from "../../../src/simulator";

/** Deterministic subscription GUIDs: 5ca1e000-0000-4000-8000-<copy><index>. */
function subscriptionGuid(copy: number, index: number): string {
  return `5ca1e000-0000-4000-8000-${String(copy).padStart(8, "0")}${String(index).padStart(4, "0")}`;
}

/** `copies` copies of the seeded estate (seed 1, `vmsPerCopy` VMs) side by side: 2 × copies subscriptions. */
export function estateWithManySubscriptions(copies: number, vmsPerCopy = 0, now = new Date()): Estate {
  const base = generateEstate({ seed: 1, vms: vmsPerCopy, now });
  const text = JSON.stringify(base);
  const perSubscription = [
    "subscriptions", "vms", "nics", "publicIps", "nsgs", "networkWatchers", "flowLogs", "packetCaptures",
    "resources", "assessments", "subAssessments", "alerts", "jitPolicies",
  ] as const;
  const estate: Estate = {
    ...base,
    ...Object.fromEntries(perSubscription.map((k) => [k, []])),
  };
  for (let copy = 0; copy < copies; copy++) {
    let copied = text;
    base.subscriptions.forEach((s, index) => {
      copied = copied.replace(new RegExp(s.id.replace(/[-]/g, "\\-"), "gi"), subscriptionGuid(copy, index));
    });
    const clone = JSON.parse(copied) as Estate;
    for (const s of clone.subscriptions) s.displayName = `${s.displayName} ${String(copy + 1).padStart(3, "0")}`;
    for (const key of perSubscription) (estate[key] as unknown[]).push(...(clone[key] as unknown[]));
    if (copy === 0) estate.captureStorageAccountId = clone.captureStorageAccountId;
  }
  return estate;
}
