/**
 * Domain types: what the bot knows about an Azure estate, free of any SDK type.
 * src/azure maps SDK models into these; everything above src/azure reads only these.
 */

/** Recommendation severity as Defender for Cloud reports it. */
export type Severity = "High" | "Medium" | "Low";
/** Alert severity (alerts add Informational). */
export type AlertSeverity = Severity | "Informational";

/** Secure score of one subscription (the `ascScore` initiative). */
export interface SecureScore {
  subscriptionId: string;
  current: number;
  max: number;
  /** 0..1 */
  percentage: number;
  /** Number of resources the score is weighted by (Defender's own weighting). */
  weight: number;
}

/** One secure score control of one subscription. */
export interface ScoreControl {
  subscriptionId: string;
  /** Control name (a GUID in Azure). */
  name: string;
  displayName: string;
  current: number;
  max: number;
  percentage: number;
  healthyResourceCount: number;
  unhealthyResourceCount: number;
  notApplicableResourceCount: number;
  weight: number;
}

export type AssessmentStatus = "Healthy" | "Unhealthy" | "NotApplicable";

/** One assessment of one resource (a recommendation applied to a resource). */
export interface Assessment {
  /** Full ARM id of the assessment. */
  id: string;
  subscriptionId: string;
  /** Assessment key (metadata name, a GUID) shared by every resource assessed by the same recommendation. */
  key: string;
  displayName: string;
  /** The assessed resource's ARM id. */
  resourceId: string;
  status: AssessmentStatus;
  /** Why the status is what it is, when Azure says. */
  cause?: string;
  severity: Severity;
  description?: string;
  remediation?: string;
  categories: string[];
  portalUrl?: string;
}

/** One finding below an assessment, e.g. one CVE in one container image. */
export interface SubAssessment {
  id: string;
  subscriptionId: string;
  /** Key of the parent assessment. */
  assessmentKey: string;
  displayName: string;
  severity: Severity;
  status: AssessmentStatus;
  /** The resource the parent assessment is about (registry, VM, SQL server). */
  resourceId: string;
  category?: string;
  remediation?: string;
  /** "ContainerRegistryVulnerability" | "ServerVulnerabilityAssessment" | "SqlServerVulnerability" | other. */
  kind: string;
  cves: string[];
  patchable?: boolean;
  repositoryName?: string;
  imageDigest?: string;
}

export type AlertStatus = "Active" | "Resolved" | "Dismissed";

/** A Defender for Cloud security alert. */
export interface SecurityAlert {
  id: string;
  /** Alert name; what get/dismiss/resolve take. */
  name: string;
  subscriptionId: string;
  /** The ascLocation segment of the alert id. */
  location: string;
  displayName: string;
  alertType: string;
  severity: AlertSeverity;
  status: AlertStatus;
  intent?: string;
  description?: string;
  /** ISO 8601 */
  startTime: string;
  /** ISO 8601 */
  timeGenerated: string;
  /** Azure resources the alert is about. */
  resourceIds: string[];
  compromisedEntity?: string;
  remediationSteps: string[];
  portalUrl?: string;
}

/** A virtual machine. */
export interface VirtualMachine {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  osType?: "Windows" | "Linux";
  /** "running" | "deallocated" | "stopped" | ... when known. */
  powerState?: string;
  nicIds: string[];
  /** Installed VM extension types, e.g. "NetworkWatcherAgentLinux". */
  extensionTypes: string[];
}

export interface IpConfiguration {
  name: string;
  privateIpAddress?: string;
  publicIpId?: string;
  subnetId?: string;
}

/** A network interface. */
export interface NetworkInterface {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  vmId?: string;
  nsgId?: string;
  ipForwarding: boolean;
  ipConfigurations: IpConfiguration[];
}

/** A public IP address. */
export interface PublicIpAddress {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  ipAddress?: string;
  /** "Basic" | "Standard" */
  sku?: string;
  /** Id of the IP configuration it is attached to (NIC id + /ipConfigurations/x), if any. */
  ipConfigurationId?: string;
}

export type RuleAccess = "Allow" | "Deny";
export type RuleDirection = "Inbound" | "Outbound";

/** One NSG security rule, with single and plural fields folded into lists. */
export interface SecurityRule {
  name: string;
  priority: number;
  direction: RuleDirection;
  access: RuleAccess;
  /** "Tcp" | "Udp" | "Icmp" | "*" ... */
  protocol: string;
  sourcePrefixes: string[];
  /** Port ranges as written: "22", "1000-2000", "*". */
  destinationPorts: string[];
  destinationPrefixes: string[];
  /** True for Azure's default rules (65000+). */
  isDefault: boolean;
}

/** A network security group. */
export interface NetworkSecurityGroup {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
  /** Custom rules and default rules together. */
  rules: SecurityRule[];
  subnetIds: string[];
  nicIds: string[];
  flowLogIds: string[];
}

/** A Network Watcher (one per region per subscription). */
export interface NetworkWatcher {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
}

/** An NSG (or VNet) flow log. */
export interface FlowLog {
  id: string;
  subscriptionId: string;
  targetResourceId: string;
  enabled: boolean;
  storageId?: string;
}

export type JitProtocol = "TCP" | "UDP" | "*";

export interface JitPolicyPort {
  number: number;
  protocol: JitProtocol;
  /** Sources the policy allows; empty or ["*"] means any concrete address the requester names. */
  allowedSourcePrefixes: string[];
  /** ISO 8601 duration, e.g. "PT3H". */
  maxRequestAccessDuration: string;
}

/** One access grant in a JIT policy's request history. */
export interface JitGrant {
  vmId: string;
  port: number;
  source?: string;
  /** ISO 8601 */
  startTime: string;
  /** ISO 8601 */
  endTime: string;
  status: "Initiated" | "Revoked";
  requestor?: string;
  justification?: string;
}

/** A JIT network access policy (one per resource group and region, usually named "default"). */
export interface JitPolicy {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  name: string;
  virtualMachines: { vmId: string; ports: JitPolicyPort[]; publicIpAddress?: string }[];
  grants: JitGrant[];
}

/** What the bot asks JIT to open. */
export interface JitInitiation {
  policyId: string;
  vmId: string;
  ports: { number: number; source: string; endTime: Date }[];
  justification: string;
}

export type CaptureState = "NotStarted" | "Running" | "Stopped" | "Error" | "Unknown";

/** A Network Watcher packet capture. */
export interface PacketCapture {
  id: string;
  subscriptionId: string;
  name: string;
  watcherId: string;
  targetVmId: string;
  provisioningState?: string;
  timeLimitSeconds: number;
  totalBytesPerSession: number;
  bytesToCapturePerPacket: number;
  storageId?: string;
  storagePath?: string;
  filters: CaptureFilter[];
}

export interface CaptureFilter {
  protocol?: "TCP" | "UDP" | "Any";
  localPort?: string;
  remotePort?: string;
  remoteIpAddress?: string;
  localIpAddress?: string;
}

export interface CaptureStatus {
  name: string;
  state: CaptureState;
  startTime?: string;
  stopReason?: string;
  errors: string[];
}

/** What the bot asks Network Watcher to capture. */
export interface CaptureRequest {
  watcherId: string;
  name: string;
  targetVmId: string;
  timeLimitSeconds: number;
  totalBytesPerSession: number;
  bytesToCapturePerPacket: number;
  storageId: string;
  filters: CaptureFilter[];
}

/** A subscription that could not be read in a fan-out; shown as a warning, never a failed turn. */
export interface SubscriptionFailure {
  subscriptionId: string;
  /** AppError code, e.g. "Forbidden", "Throttled", "AzureUnavailable". */
  code: string;
  message: string;
}

/** The result of reading something across every watched subscription. */
export interface Gathered<T> {
  items: T[];
  failures: SubscriptionFailure[];
}
