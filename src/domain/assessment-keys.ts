/**
 * Defender for Cloud assessment keys (assessment metadata names) the bot reasons about.
 *
 * An assessment's `name` equals its key, and its id ends in
 * `/providers/Microsoft.Security/assessments/<key>`. Keys are lower-case GUIDs; compare them with
 * {@link sameKey} because some providers return upper case.
 *
 * Sources: shared/reference/azure-and-teams-facts.md §7 (azure-policy rule `details.name` and the
 * MicrosoftDocs recommendations reference). Two keys are not in §7 and were chosen here:
 * - DISK_ENCRYPTION: "Virtual machines should encrypt temp disks, caches, and data flows between
 *   Compute and Storage resources" (d57a4221-…), the key Defender's release notes (May 2024) name as
 *   replaced by the Linux/Windows "Azure Disk Encryption or EncryptionAtHost" recommendations, which
 *   are listed too so either generation of tenant is recognised.
 * - UNMANAGED_CONTAINERS: "Container hosts should be configured securely" (0677209d-…), the
 *   recommendation Defender raises for Docker hosts on IaaS VMs, i.e. containers no orchestrator manages.
 */
export const ASSESSMENT_KEYS = {
  /** Management ports of virtual machines should be protected with just-in-time network access control. */
  JIT_MANAGEMENT_PORTS: "805651bc-6ecd-4c73-9b55-97a19d0582d0",
  /** Internet-facing virtual machines should be protected with network security groups. */
  INTERNET_FACING_NSG: "483f12ed-ae23-447e-a2de-a67a10db4353",
  /** Non-internet-facing virtual machines should be protected with network security groups. */
  NON_INTERNET_FACING_NSG: "a9341235-9389-42f0-a0bf-9bfb57960d44",
  /** IP Forwarding on your virtual machine should be disabled. */
  IP_FORWARDING: "c3b51c94-588b-426b-a892-24696f9e54cc",
  /** Secure transfer to storage accounts should be enabled. */
  STORAGE_SECURE_TRANSFER: "1c5de8e1-f68d-6a17-e0d2-ec259c42768c",
  /** System updates should be installed on your machines (MMA-based, deprecated). */
  SYSTEM_UPDATES_LEGACY: "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
  /** System updates should be installed on your machines (powered by Update Center). */
  SYSTEM_UPDATES: "e1145ab1-eb4f-43d8-911b-36ddf771d13f",
  /** Endpoint protection should be installed on your machines (deprecated, MMA/AMA). */
  ENDPOINT_PROTECTION: "4fb67663-9ab9-475d-b026-8c544cced439",
  /** Install endpoint protection solution on virtual machines (older variant). */
  ENDPOINT_PROTECTION_INSTALL_LEGACY: "83f577bd-a1b6-b7e1-0891-12ca19d1e6df",
  /** Endpoint protection health issues should be resolved on your machines. */
  ENDPOINT_PROTECTION_HEALTH: "37a3689a-818e-4a0e-82ac-b1392b9bb000",
  /** Machines should have a vulnerability assessment solution. */
  VULNERABILITY_ASSESSMENT: "ffff0522-1e88-47fc-8382-2a80ba848f5d",
  /** Container registry images should have vulnerability findings resolved (Qualys, deprecated). */
  CONTAINER_REGISTRY_VULNERABILITIES_LEGACY: "dbd0cb49-b563-45e7-9724-889e799fa648",
  /** Azure registry container images should have vulnerabilities resolved (powered by MDVM). */
  CONTAINER_REGISTRY_VULNERABILITIES: "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5",
  /** Adaptive network hardening recommendations should be applied on internet facing VMs (deprecated Aug 2024). */
  ADAPTIVE_NETWORK_HARDENING: "f9f0eed0-f143-47bf-b856-671ea2eeed62",
  /** Web Application Firewall (WAF) should be enabled for Application Gateway. */
  WAF_APPLICATION_GATEWAY: "efe75f01-6fff-5d9d-08e6-092b98d3fb3f",
  /** Network Watcher should be enabled. */
  NETWORK_WATCHER: "f1f2f7dc-7bd5-18bf-c403-cbbdb7ec3d68",
  /** Virtual machines should encrypt temp disks, caches, and data flows between Compute and Storage resources. */
  DISK_ENCRYPTION: "d57a4221-a804-52ca-3dea-768284f06bb7",
  /** Linux virtual machines should enable Azure Disk Encryption or EncryptionAtHost. */
  DISK_ENCRYPTION_LINUX: "a40cc620-e72c-fdf4-c554-c6ca2cd705c0",
  /** Windows virtual machines should enable Azure Disk Encryption or EncryptionAtHost. */
  DISK_ENCRYPTION_WINDOWS: "0cb5f317-a94b-6b80-7212-13a9cc8826af",
  /** Container hosts should be configured securely (Docker on IaaS VMs: unmanaged containers). */
  UNMANAGED_CONTAINERS: "0677209d-e675-2c6f-e91a-54cef2878663",
} as const;

/** Name of one known assessment key. */
export type AssessmentKeyName = keyof typeof ASSESSMENT_KEYS;

/** Topic a VM finding belongs to in the `vm <name>` answer. */
export type VmFindingTopic = "updates" | "endpointProtection" | "vulnerabilityAssessment" | "diskEncryption" | "other";

/** Keys per VM topic; every generation of a recommendation counts, so old and new tenants both group correctly. */
export const VM_TOPIC_KEYS: Readonly<Record<Exclude<VmFindingTopic, "other">, readonly string[]>> = {
  updates: [ASSESSMENT_KEYS.SYSTEM_UPDATES, ASSESSMENT_KEYS.SYSTEM_UPDATES_LEGACY],
  endpointProtection: [
    ASSESSMENT_KEYS.ENDPOINT_PROTECTION,
    ASSESSMENT_KEYS.ENDPOINT_PROTECTION_INSTALL_LEGACY,
    ASSESSMENT_KEYS.ENDPOINT_PROTECTION_HEALTH,
  ],
  vulnerabilityAssessment: [ASSESSMENT_KEYS.VULNERABILITY_ASSESSMENT],
  diskEncryption: [
    ASSESSMENT_KEYS.DISK_ENCRYPTION,
    ASSESSMENT_KEYS.DISK_ENCRYPTION_LINUX,
    ASSESSMENT_KEYS.DISK_ENCRYPTION_WINDOWS,
  ],
};

/** Compares two assessment keys; GUIDs arrive in either case depending on the provider. */
export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when `key` is one of `keys` (case-insensitive). */
export function isOneOf(key: string, keys: readonly string[]): boolean {
  return keys.some((k) => sameKey(k, key));
}

/** The VM topic of an assessment key; unknown keys are "other". */
export function vmTopicOf(key: string): VmFindingTopic {
  for (const [topic, keys] of Object.entries(VM_TOPIC_KEYS) as [Exclude<VmFindingTopic, "other">, readonly string[]][]) {
    if (isOneOf(key, keys)) return topic;
  }
  return "other";
}
