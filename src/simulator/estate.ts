/**
 * The simulator's estate: a plain, typed, mutable data structure. The HTTP layer renders ARM wire
 * JSON from it on every request, so a test can change a field (deallocate a VM, remove an agent,
 * mark an assessment healthy) and the next SDK call sees the change.
 *
 * Relationships have one source of truth each, and the rest is derived when rendering:
 * - VM ↔ NIC: `SimNic.vmId` (VM `networkProfile` is derived from the NICs naming it).
 * - NIC ↔ NSG: `SimNic.nsgId` (NSG `networkInterfaces` is derived).
 * - NIC ↔ public IP: `SimNic.ipConfigurations[].publicIpId` (PIP `ipConfiguration` is derived).
 * - NSG ↔ flow log: `SimFlowLog.targetResourceId` (NSG `flowLogs` is derived).
 * - Secure score and control scores are computed from `assessments` and `scoreControls`.
 * All ids are full ARM ids; compare them case-insensitively.
 */

/** A subscription and where Defender for Cloud keeps its data. */
export interface SimSubscription {
  id: string;
  displayName: string;
  tenantId: string;
  /** The Defender for Cloud "ascLocation" of the subscription (alerts live under it). */
  ascLocation: string;
}

/** One VM extension as Compute reports it. */
export interface SimVmExtension {
  name: string;
  publisher: string;
  /** e.g. "NetworkWatcherAgentLinux". */
  type: string;
  typeHandlerVersion: string;
  provisioningState: "Succeeded" | "Failed" | "Creating";
}

/** Power state codes Compute reports as "PowerState/<state>". */
export type SimPowerState = "running" | "deallocated" | "stopped" | "starting" | "deallocating";

/** A virtual machine. */
export interface SimVm {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** Compute's own unique id of the VM (a GUID). */
  vmId: string;
  osType: "Linux" | "Windows";
  vmSize: string;
  powerState: SimPowerState;
  /** Image offer for readability, e.g. "0001-com-ubuntu-server-jammy". */
  imageOffer: string;
  imagePublisher: string;
  imageSku: string;
  extensions: SimVmExtension[];
  tags: Record<string, string>;
}

/** One IP configuration of a NIC. */
export interface SimIpConfiguration {
  name: string;
  privateIpAddress: string;
  subnetId: string;
  publicIpId?: string;
}

/** A network interface. */
export interface SimNic {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  vmId?: string;
  nsgId?: string;
  enableIPForwarding: boolean;
  macAddress: string;
  ipConfigurations: SimIpConfiguration[];
}

/** A public IP address. */
export interface SimPublicIp {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  ipAddress: string;
  sku: "Basic" | "Standard";
  allocation: "Static" | "Dynamic";
}

/** One custom NSG rule (single and plural fields folded into lists; rendered the way Azure does). */
export interface SimSecurityRule {
  name: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  /** "Tcp" | "Udp" | "Icmp" | "*" */
  protocol: string;
  /** Addresses, CIDRs or service tags ("Internet", "VirtualNetwork", "AzureCloud", "*"). */
  sourceAddressPrefixes: string[];
  /** "22", "8000-9000", "*". */
  destinationPortRanges: string[];
  destinationAddressPrefixes: string[];
  description?: string;
  /** Simulator-only: the rule disappears after this instant (JIT grants). Never rendered. */
  expiresAt?: string;
}

/** A network security group. */
export interface SimNsg {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  rules: SimSecurityRule[];
  /** Subnets the NSG is associated with (NIC associations come from SimNic.nsgId). */
  subnetIds: string[];
}

/** A Network Watcher (one per subscription and region, in NetworkWatcherRG). */
export interface SimNetworkWatcher {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
}

/** An NSG flow log (a child of the watcher of the NSG's region). */
export interface SimFlowLog {
  id: string;
  subscriptionId: string;
  watcherId: string;
  name: string;
  location: string;
  targetResourceId: string;
  storageId: string;
  enabled: boolean;
  retentionDays: number;
  trafficAnalytics: boolean;
}

/** A packet capture filter exactly as sent on the wire. */
export interface SimCaptureFilter {
  protocol?: string;
  localIPAddress?: string;
  remoteIPAddress?: string;
  localPort?: string;
  remotePort?: string;
}

/** A packet capture session. Its Running/Stopped state is computed from the clock when read. */
export interface SimPacketCapture {
  id: string;
  subscriptionId: string;
  watcherId: string;
  name: string;
  target: string;
  targetType: "AzureVM" | "AzureVMSS";
  bytesToCapturePerPacket: number;
  totalBytesPerSession: number;
  timeLimitInSeconds: number;
  storageId?: string;
  storagePath?: string;
  filePath?: string;
  filters: SimCaptureFilter[];
  /** ISO 8601; the capture runs from here until timeLimitInSeconds elapse or it is stopped. */
  createdAt: string;
  provisioningState: "Updating" | "Succeeded" | "Failed" | "Deleting";
  /** Why provisioning failed (the LRO error and the queryStatus error). */
  failure?: { code: string; message: string };
  /** Set by a manual stop. */
  stoppedAt?: string;
  stopReason?: string;
}

/** A resource the estate only needs for ids (storage accounts, app gateways, registries, ...). */
export interface SimResource {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** ARM type, e.g. "Microsoft.Storage/storageAccounts". */
  type: string;
  /** Free-form facts shown in docs (e.g. { supportsHttpsTrafficOnly: "false" }). */
  properties: Record<string, string | number | boolean>;
}

/** Metadata of one recommendation (assessment key). */
export interface SimAssessmentMetadata {
  key: string;
  displayName: string;
  severity: "Low" | "Medium" | "High";
  description: string;
  remediationDescription: string;
  /** "Compute" | "Networking" | "Data" | "IdentityAndAccess" | "IoT" */
  categories: string[];
  userImpact: "Low" | "Moderate" | "High";
  implementationEffort: "Low" | "Moderate" | "High";
  threats: string[];
  policyDefinitionId?: string;
}

/** One assessment: a recommendation evaluated on one resource. */
export interface SimAssessment {
  key: string;
  subscriptionId: string;
  /** The assessed resource (a VM, NSG, storage account, registry, or a subscription "/subscriptions/x"). */
  resourceId: string;
  status: "Healthy" | "Unhealthy" | "NotApplicable";
  cause?: string;
  description?: string;
  additionalData?: Record<string, string>;
  firstEvaluationDate: string;
  statusChangeDate: string;
}

/** One finding below an assessment (a CVE in an image, a missing patch, ...). */
export interface SimSubAssessment {
  /** The sub-assessment name (a GUID). */
  name: string;
  assessmentKey: string;
  subscriptionId: string;
  /** The parent assessment's resource (e.g. the registry). */
  resourceId: string;
  /** Vendor finding id (properties.id on the wire). */
  findingId: string;
  displayName: string;
  severity: "Low" | "Medium" | "High";
  statusCode: "Healthy" | "Unhealthy" | "NotApplicable";
  category: string;
  description: string;
  remediation: string;
  impact: string;
  timeGenerated: string;
  /** Wire additionalData (assessedResourceType, cve[], patchable, repositoryName, imageDigest, ...). */
  additionalData: Record<string, unknown>;
}

/** A secure score control definition; per-subscription counts and scores are computed. */
export interface SimScoreControl {
  /** The control name (a GUID). */
  name: string;
  displayName: string;
  maxScore: number;
  /** Assessment keys that count towards the control. */
  assessmentKeys: string[];
}

/** A Defender for Cloud security alert. */
export interface SimAlert {
  /** Alert name (what get/dismiss/resolve take). */
  name: string;
  subscriptionId: string;
  /** Set for resource-group level alerts (the id then contains the group). */
  resourceGroup?: string;
  ascLocation: string;
  alertType: string;
  displayName: string;
  description: string;
  severity: "Informational" | "Low" | "Medium" | "High";
  intent: string;
  status: "Active" | "Resolved" | "Dismissed";
  startTimeUtc: string;
  endTimeUtc: string;
  timeGeneratedUtc: string;
  resourceIds: string[];
  compromisedEntity: string;
  remediationSteps: string[];
  extendedProperties: Record<string, string>;
}

/** One port of a VM in a JIT policy (wire shape). */
export interface SimJitPolicyPort {
  number: number;
  protocol: "TCP" | "UDP" | "*";
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  maxRequestAccessDuration: string;
}

/** One port of one VM in a JIT request (wire shape; "Expired" is computed when rendering). */
export interface SimJitRequestPort {
  number: number;
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  endTimeUtc: string;
  status: "Initiated" | "Revoked";
  statusReason: "Expired" | "UserRequested" | "NewerRequestInitiated";
  mappedPort?: number;
}

/** One JIT access request recorded on a policy. */
export interface SimJitRequest {
  virtualMachines: { id: string; ports: SimJitRequestPort[] }[];
  startTimeUtc: string;
  requestor: string;
  justification?: string;
}

/** A JIT network access policy (one per resource group and region, usually "default"). */
export interface SimJitPolicy {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  name: string;
  kind: string;
  virtualMachines: { id: string; ports: SimJitPolicyPort[]; publicIpAddress?: string }[];
  requests: SimJitRequest[];
}

/** Knobs of simulated service behaviour that tests may change. */
export interface SimLimits {
  /** Running captures allowed per subscription and region (Network Watcher's own limit is larger; demo-sized). */
  maxRunningCapturesPerRegion: number;
}

/** Everything the simulator serves. */
export interface Estate {
  subscriptions: SimSubscription[];
  vms: SimVm[];
  nics: SimNic[];
  publicIps: SimPublicIp[];
  nsgs: SimNsg[];
  networkWatchers: SimNetworkWatcher[];
  flowLogs: SimFlowLog[];
  packetCaptures: SimPacketCapture[];
  /** Storage accounts, application gateways, container registries and other id-only resources. */
  resources: SimResource[];
  assessmentMetadata: SimAssessmentMetadata[];
  assessments: SimAssessment[];
  subAssessments: SimSubAssessment[];
  scoreControls: SimScoreControl[];
  alerts: SimAlert[];
  jitPolicies: SimJitPolicy[];
  /** Storage account id the demo bot should write captures to. */
  captureStorageAccountId: string;
  limits: SimLimits;
}

/** Compares ARM ids and names the way ARM does (case-insensitive). */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  // Exact match first: lower-casing long ids on every comparison dominates large-estate listings.
  return a === b || (a.length === b.length && a.toLowerCase() === b.toLowerCase());
}

/** The subscription id in an ARM id or path ("/subscriptions/<id>/..."), if any. */
export function subscriptionOf(id: string): string | undefined {
  const match = /\/subscriptions\/([^/?#]+)/i.exec(id);
  return match?.[1];
}

/** The resource group in an ARM id, if any. */
export function resourceGroupOf(id: string): string | undefined {
  const match = /\/resourceGroups\/([^/?#]+)/i.exec(id);
  return match?.[1];
}

/** The last segment of an ARM id (the resource name). */
export function nameOf(id: string): string {
  const parts = id.split("/").filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? "";
}

/**
 * Where Network Watcher writes a capture file in the given storage account: the container is
 * "network-watcher-logs" and the blob path names the VM and the start time, as Azure does.
 */
export function captureStoragePath(storageAccountId: string, vmId: string, start: Date): string {
  const account = nameOf(storageAccountId).toLowerCase();
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const vmPath = vmId.replace(/^\/+/, "").toLowerCase();
  const day = `${start.getUTCFullYear()}/${p(start.getUTCMonth() + 1)}/${p(start.getUTCDate())}`;
  const file = `packetcapture_${p(start.getUTCHours())}_${p(start.getUTCMinutes())}_${p(start.getUTCSeconds())}_${p(start.getUTCMilliseconds(), 3)}.cap`;
  return `https://${account}.blob.core.windows.net/network-watcher-logs/${vmPath}/${day}/${file}`;
}
