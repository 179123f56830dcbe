/**
 * Pure functions from Azure SDK models (already deserialised by the SDK, so `properties.*` is
 * flattened) to the domain types of src/domain/model.ts. No I/O here, so every rule is table-tested.
 *
 * Conventions: ids are kept exactly as Azure wrote them; anything derived from an id (subscription,
 * resource group, ascLocation, parent resource) is parsed case-insensitively; single and plural
 * fields (sourceAddressPrefix / sourceAddressPrefixes …) are folded into one list.
 */
import type { VirtualMachine as SdkVirtualMachine, VirtualMachineExtension } from "@azure/arm-compute";
import type {
  FlowLog as SdkFlowLog,
  NetworkInterface as SdkNetworkInterface,
  NetworkSecurityGroup as SdkNetworkSecurityGroup,
  NetworkWatcher as SdkNetworkWatcher,
  PacketCaptureQueryStatusResult,
  PacketCaptureResult,
  PublicIPAddress,
  SecurityRule as SdkSecurityRule,
} from "@azure/arm-network";
import type {
  Alert,
  JitNetworkAccessPolicy,
  JitNetworkAccessRequest,
  SecureScoreControlDetails,
  SecureScoreItem,
  SecurityAssessmentMetadataResponse,
  SecurityAssessmentResponse,
  SecuritySubAssessment,
} from "@azure/arm-security";
import type {
  AlertSeverity,
  AlertStatus,
  Assessment,
  AssessmentStatus,
  CaptureFilter,
  CaptureState,
  CaptureStatus,
  FlowLog,
  JitGrant,
  JitPolicy,
  JitPolicyPort,
  JitProtocol,
  NetworkInterface,
  NetworkSecurityGroup,
  NetworkWatcher,
  PacketCapture,
  PublicIpAddress,
  ScoreControl,
  SecureScore,
  SecurityAlert,
  SecurityRule,
  Severity,
  SubAssessment,
  VirtualMachine,
} from "../domain/model";
import { nameOf, parentOfExtension, resourceGroupOf, resourceKey, segmentAfter, subscriptionOf } from "./resource-id";

// ---------------------------------------------------------------- small helpers

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** ISO string of a Date or a date-ish string; undefined when absent or unparseable. */
export function isoTime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === "string" && value.length > 0) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
  }
  return undefined;
}

/** Folds a single field and its plural twin into one de-duplicated list, dropping empties. */
export function foldSinglePlural(single: string | undefined | null, plural: readonly string[] | undefined | null): string[] {
  const out: string[] = [];
  for (const value of [single, ...(plural ?? [])]) {
    if (typeof value === "string" && value.trim() !== "" && !out.includes(value)) out.push(value);
  }
  return out;
}

function ids(list: readonly ({ id?: string } | undefined)[] | undefined): string[] {
  return (list ?? []).map((item) => item?.id).filter((id): id is string => typeof id === "string" && id !== "");
}

function subscriptionFrom(id: string | undefined, fallback: string): string {
  return (id && subscriptionOf(id)) || fallback;
}

/** Reads an Azure resource id out of resourceDetails, which some responses spell `Id` (Resource Graph style). */
export function resourceDetailsId(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const record = details as Record<string, unknown>;
  return str(record["id"]) ?? str(record["Id"]) ?? str(record["ID"]);
}

/** "high" / "HIGH" / "High" → "High"; unknown → undefined. */
export function normaliseSeverity(value: unknown): Severity | undefined {
  if (typeof value !== "string") return undefined;
  switch (value.toLowerCase()) {
    case "high":
    case "critical":
      return "High";
    case "medium":
      return "Medium";
    case "low":
      return "Low";
    default:
      return undefined;
  }
}

function normaliseAlertSeverity(value: unknown): AlertSeverity {
  if (typeof value === "string" && value.toLowerCase() === "informational") return "Informational";
  return normaliseSeverity(value) ?? "Informational";
}

function normaliseAssessmentStatus(value: unknown): AssessmentStatus {
  switch (typeof value === "string" ? value.toLowerCase() : "") {
    case "healthy":
      return "Healthy";
    case "unhealthy":
      return "Unhealthy";
    default:
      return "NotApplicable";
  }
}

/** Alert statuses: 2021-11-01 says Active/Resolved/Dismissed, newer payloads say New/InProgress. */
export function normaliseAlertStatus(value: unknown): AlertStatus {
  switch (typeof value === "string" ? value.toLowerCase() : "") {
    case "resolved":
      return "Resolved";
    case "dismissed":
      return "Dismissed";
    default:
      return "Active";
  }
}

// ---------------------------------------------------------------- Defender for Cloud

/** The `ascScore` secure score of one subscription. */
export function mapSecureScore(item: SecureScoreItem, subscriptionId: string): SecureScore {
  return {
    subscriptionId: subscriptionFrom(item.id, subscriptionId),
    current: num(item.current),
    max: num(item.max),
    percentage: num(item.percentage),
    weight: num(item.weight),
  };
}

/** True for the overall score (the `ascScore` initiative), as opposed to other initiatives' scores. */
export function isOverallScore(item: SecureScoreItem): boolean {
  return (item.name ?? "").toLowerCase() === "ascscore";
}

/** One secure score control. */
export function mapScoreControl(item: SecureScoreControlDetails, subscriptionId: string): ScoreControl {
  const name = item.name ?? (item.id ? nameOf(item.id) : "");
  return {
    subscriptionId: subscriptionFrom(item.id, subscriptionId),
    name,
    displayName: item.displayName ?? item.definition?.displayName ?? name,
    current: num(item.current),
    max: num(item.max),
    percentage: num(item.percentage),
    healthyResourceCount: num(item.healthyResourceCount),
    unhealthyResourceCount: num(item.unhealthyResourceCount),
    notApplicableResourceCount: num(item.notApplicableResourceCount),
    weight: num(item.weight),
  };
}

/** What the bot needs from assessment metadata (inline `metadata` or the assessmentMetadata list). */
export interface AssessmentMetadataInfo {
  displayName?: string;
  severity?: Severity;
  description?: string;
  remediation?: string;
  categories: string[];
}

/** Metadata of one recommendation, keyed by its name (the assessment key). */
export function mapAssessmentMetadata(item: SecurityAssessmentMetadataResponse): { key: string; info: AssessmentMetadataInfo } {
  const info: AssessmentMetadataInfo = { categories: [...(item.categories ?? [])] };
  const displayName = str(item.displayName);
  const severity = normaliseSeverity(item.severity);
  const description = str(item.description);
  const remediation = str(item.remediationDescription);
  if (displayName) info.displayName = displayName;
  if (severity) info.severity = severity;
  if (description) info.description = description;
  if (remediation) info.remediation = remediation;
  return { key: (item.name ?? (item.id ? nameOf(item.id) : "")).toLowerCase(), info };
}

/** The assessment key of an assessment: its name, or the id segment after /assessments/. */
export function assessmentKeyOf(item: { id?: string; name?: string }): string {
  return item.name ?? (item.id ? (segmentAfter(item.id, "assessments", "last") ?? "") : "");
}

/** True when the assessment carries its own metadata with a severity (no lookup needed). */
export function hasInlineSeverity(item: SecurityAssessmentResponse): boolean {
  return normaliseSeverity(item.metadata?.severity) !== undefined;
}

/** Severity used when neither the assessment nor the metadata list says; documented in docs/azure-access.md. */
export const UNKNOWN_SEVERITY: Severity = "Medium";

/**
 * One assessment. `metadata` is looked up by assessment key (lower case) when the list response
 * carries no inline metadata, which is the normal case for `assessments.list`.
 */
export function mapAssessment(
  item: SecurityAssessmentResponse,
  subscriptionId: string,
  metadata?: ReadonlyMap<string, AssessmentMetadataInfo>,
): Assessment {
  const id = item.id ?? "";
  const key = assessmentKeyOf(item);
  const looked = metadata?.get(key.toLowerCase());
  const inline = item.metadata;
  const resourceId =
    resourceDetailsId(item.resourceDetails) ?? parentOfExtension(id, "Microsoft.Security/assessments") ?? "";
  const assessment: Assessment = {
    id,
    subscriptionId: subscriptionFrom(resourceId || id, subscriptionId),
    key,
    displayName: str(item.displayName) ?? str(inline?.displayName) ?? looked?.displayName ?? key,
    resourceId,
    status: normaliseAssessmentStatus(item.status?.code),
    severity: normaliseSeverity(inline?.severity) ?? looked?.severity ?? UNKNOWN_SEVERITY,
    categories: inline?.categories ? [...inline.categories] : [...(looked?.categories ?? [])],
  };
  const cause = str(item.status?.cause) ?? str(item.status?.description);
  const description = str(inline?.description) ?? looked?.description;
  const remediation = str(inline?.remediationDescription) ?? looked?.remediation;
  const portalUrl = str(item.links?.azurePortalUri);
  if (cause) assessment.cause = cause;
  if (description) assessment.description = description;
  if (remediation) assessment.remediation = remediation;
  if (portalUrl) assessment.portalUrl = portalUrl;
  return assessment;
}

/** One sub-assessment (e.g. one CVE in one container image). */
export function mapSubAssessment(item: SecuritySubAssessment, subscriptionId: string): SubAssessment {
  const id = item.id ?? "";
  const additional = (item.additionalData ?? {}) as Record<string, unknown>;
  const kind = str(additional["assessedResourceType"]) ?? "Unknown";
  const cveList = Array.isArray(additional["cve"]) ? (additional["cve"] as unknown[]) : [];
  const cves = cveList
    .map((cve) => (typeof cve === "object" && cve !== null ? str((cve as Record<string, unknown>)["title"]) : str(cve)))
    .filter((title): title is string => title !== undefined);
  const parent = parentOfExtension(id, "Microsoft.Security/assessments") ?? resourceDetailsId(item.resourceDetails) ?? "";
  const sub: SubAssessment = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    assessmentKey: segmentAfter(id, "assessments", "last") ?? "",
    displayName: str(item.displayName) ?? item.name ?? "",
    severity: normaliseSeverity(item.status?.severity) ?? UNKNOWN_SEVERITY,
    status: normaliseAssessmentStatus(item.status?.code),
    resourceId: parent,
    kind,
    cves,
  };
  const category = str(item.category);
  const remediation = str(item.remediation);
  const repositoryName = str(additional["repositoryName"]);
  const imageDigest = str(additional["imageDigest"]);
  if (category) sub.category = category;
  if (remediation) sub.remediation = remediation;
  if (typeof additional["patchable"] === "boolean") sub.patchable = additional["patchable"];
  if (repositoryName) sub.repositoryName = repositoryName;
  if (imageDigest) sub.imageDigest = imageDigest;
  return sub;
}

/** One Defender for Cloud alert. `location` is the ascLocation segment of the alert id. */
export function mapAlert(item: Alert, subscriptionId: string): SecurityAlert {
  const id = item.id ?? "";
  const startTime = isoTime(item.startTimeUtc) ?? isoTime(item.timeGeneratedUtc) ?? "";
  const resourceIds: string[] = [];
  for (const identifier of item.resourceIdentifiers ?? []) {
    const resourceId = str((identifier as { azureResourceId?: unknown }).azureResourceId);
    if (identifier.type === "AzureResource" && resourceId && !resourceIds.includes(resourceId)) resourceIds.push(resourceId);
  }
  const alert: SecurityAlert = {
    id,
    name: item.name ?? nameOf(id),
    subscriptionId: subscriptionFrom(id, subscriptionId),
    location: segmentAfter(id, "locations", "last") ?? "",
    displayName: str(item.alertDisplayName) ?? str(item.alertType) ?? item.name ?? "",
    alertType: item.alertType ?? "",
    severity: normaliseAlertSeverity(item.severity),
    status: normaliseAlertStatus(item.status),
    startTime,
    timeGenerated: isoTime(item.timeGeneratedUtc) ?? startTime,
    resourceIds,
    remediationSteps: [...(item.remediationSteps ?? [])],
  };
  const intent = str(item.intent);
  const description = str(item.description);
  const compromisedEntity = str(item.compromisedEntity);
  const portalUrl = str(item.alertUri);
  if (intent) alert.intent = intent;
  if (description) alert.description = description;
  if (compromisedEntity) alert.compromisedEntity = compromisedEntity;
  if (portalUrl) alert.portalUrl = portalUrl;
  return alert;
}

function normaliseJitProtocol(value: unknown): JitProtocol {
  if (typeof value === "string") {
    const upper = value.toUpperCase();
    if (upper === "TCP" || upper === "UDP") return upper;
  }
  return "*";
}

/** Grants from one JIT request (one per VM port), optionally only for one VM. */
export function mapJitRequest(request: JitNetworkAccessRequest, onlyVmId?: string): JitGrant[] {
  const grants: JitGrant[] = [];
  const startTime = isoTime(request.startTimeUtc) ?? "";
  for (const vm of request.virtualMachines ?? []) {
    if (onlyVmId !== undefined && resourceKey(vm.id) !== resourceKey(onlyVmId)) continue;
    for (const port of vm.ports ?? []) {
      const sources = foldSinglePlural(port.allowedSourceAddressPrefix, port.allowedSourceAddressPrefixes);
      const grant: JitGrant = {
        vmId: vm.id,
        port: num(port.number),
        startTime,
        endTime: isoTime(port.endTimeUtc) ?? "",
        // Azure also reports transitional states ("Initiating"); only Revoked means the rule is gone.
        status: typeof port.status === "string" && port.status.toLowerCase() === "revoked" ? "Revoked" : "Initiated",
      };
      if (sources.length > 0) grant.source = sources.join(",");
      if (str(request.requestor)) grant.requestor = request.requestor;
      if (str(request.justification)) grant.justification = request.justification;
      grants.push(grant);
    }
  }
  return grants;
}

/** One JIT network access policy with its request history flattened into grants. */
export function mapJitPolicy(item: JitNetworkAccessPolicy, subscriptionId: string): JitPolicy {
  const id = item.id ?? "";
  return {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    resourceGroup: resourceGroupOf(id) ?? "",
    location: str(item.location) ?? segmentAfter(id, "locations") ?? "",
    name: item.name ?? nameOf(id),
    virtualMachines: (item.virtualMachines ?? []).map((vm) => {
      const ports: JitPolicyPort[] = (vm.ports ?? []).map((port) => ({
        number: num(port.number),
        protocol: normaliseJitProtocol(port.protocol),
        allowedSourcePrefixes: foldSinglePlural(port.allowedSourceAddressPrefix, port.allowedSourceAddressPrefixes),
        maxRequestAccessDuration: port.maxRequestAccessDuration ?? "PT3H",
      }));
      return vm.publicIpAddress ? { vmId: vm.id, ports, publicIpAddress: vm.publicIpAddress } : { vmId: vm.id, ports };
    }),
    grants: (item.requests ?? []).flatMap((request) => mapJitRequest(request)),
  };
}

// ---------------------------------------------------------------- Compute

/** "PowerState/running" → "running", from instance view statuses. */
export function powerStateOf(statuses: readonly { code?: string }[] | undefined): string | undefined {
  for (const status of statuses ?? []) {
    const code = status.code ?? "";
    if (code.toLowerCase().startsWith("powerstate/")) return code.slice("powerstate/".length);
  }
  return undefined;
}

/**
 * Extension types a VM listing carries for free, from its `resources` (child extension resources).
 * The instance view's extension `type` is not used: it is "<publisher>.<type>"
 * ("Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentLinux") and cannot be split reliably
 * because types may contain dots themselves ("MDE.Linux").
 */
export function extensionTypesOf(vm: SdkVirtualMachine): string[] {
  return mapExtensionTypes(vm.resources ?? []);
}

/** Extension types from a `virtualMachineExtensions.list` answer. */
export function mapExtensionTypes(extensions: readonly VirtualMachineExtension[]): string[] {
  const types: string[] = [];
  for (const extension of extensions) {
    const type = extension.typePropertiesType;
    if (type && !types.includes(type)) types.push(type);
  }
  return types;
}

function osTypeOf(vm: SdkVirtualMachine): "Windows" | "Linux" | undefined {
  const declared = vm.storageProfile?.osDisk?.osType;
  if (typeof declared === "string") {
    if (declared.toLowerCase() === "windows") return "Windows";
    if (declared.toLowerCase() === "linux") return "Linux";
  }
  if (vm.osProfile?.windowsConfiguration) return "Windows";
  if (vm.osProfile?.linuxConfiguration) return "Linux";
  return undefined;
}

/**
 * One VM. `status` is the same VM from `listAll({statusOnly: "true"})`, which carries the instance
 * view (power state) that the plain listing does not.
 */
export function mapVirtualMachine(vm: SdkVirtualMachine, subscriptionId: string, status?: SdkVirtualMachine): VirtualMachine {
  const id = vm.id ?? "";
  const mapped: VirtualMachine = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    resourceGroup: resourceGroupOf(id) ?? "",
    name: vm.name ?? nameOf(id),
    location: vm.location ?? "",
    nicIds: ids(vm.networkProfile?.networkInterfaces),
    extensionTypes: [...new Set([...extensionTypesOf(vm), ...(status ? extensionTypesOf(status) : [])])],
  };
  const osType = osTypeOf(vm) ?? (status ? osTypeOf(status) : undefined);
  const powerState = powerStateOf(status?.instanceView?.statuses) ?? powerStateOf(vm.instanceView?.statuses);
  if (osType) mapped.osType = osType;
  if (powerState) mapped.powerState = powerState;
  return mapped;
}

// ---------------------------------------------------------------- Network

/** One NIC. */
export function mapNetworkInterface(nic: SdkNetworkInterface, subscriptionId: string): NetworkInterface {
  const id = nic.id ?? "";
  const mapped: NetworkInterface = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    name: nic.name ?? nameOf(id),
    location: nic.location ?? "",
    ipForwarding: nic.enableIPForwarding === true,
    ipConfigurations: (nic.ipConfigurations ?? []).map((config) => {
      const out: NetworkInterface["ipConfigurations"][number] = { name: config.name ?? (config.id ? nameOf(config.id) : "") };
      if (config.privateIPAddress) out.privateIpAddress = config.privateIPAddress;
      if (config.publicIPAddress?.id) out.publicIpId = config.publicIPAddress.id;
      if (config.subnet?.id) out.subnetId = config.subnet.id;
      return out;
    }),
  };
  if (nic.virtualMachine?.id) mapped.vmId = nic.virtualMachine.id;
  if (nic.networkSecurityGroup?.id) mapped.nsgId = nic.networkSecurityGroup.id;
  return mapped;
}

/** One public IP address. */
export function mapPublicIpAddress(pip: PublicIPAddress, subscriptionId: string): PublicIpAddress {
  const id = pip.id ?? "";
  const mapped: PublicIpAddress = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    name: pip.name ?? nameOf(id),
    location: pip.location ?? "",
  };
  if (pip.ipAddress) mapped.ipAddress = pip.ipAddress;
  if (pip.sku?.name) mapped.sku = pip.sku.name;
  if (pip.ipConfiguration?.id) mapped.ipConfigurationId = pip.ipConfiguration.id;
  return mapped;
}

/** One NSG rule with single/plural fields folded. */
export function mapSecurityRule(rule: SdkSecurityRule, isDefault: boolean): SecurityRule {
  const access = typeof rule.access === "string" && rule.access.toLowerCase() === "deny" ? "Deny" : "Allow";
  const direction = typeof rule.direction === "string" && rule.direction.toLowerCase() === "outbound" ? "Outbound" : "Inbound";
  return {
    name: rule.name ?? (rule.id ? nameOf(rule.id) : ""),
    priority: num(rule.priority),
    direction,
    access,
    protocol: rule.protocol ?? "*",
    sourcePrefixes: foldSinglePlural(rule.sourceAddressPrefix, rule.sourceAddressPrefixes),
    destinationPorts: foldSinglePlural(rule.destinationPortRange, rule.destinationPortRanges),
    destinationPrefixes: foldSinglePlural(rule.destinationAddressPrefix, rule.destinationAddressPrefixes),
    isDefault,
  };
}

/** One NSG: custom rules first, then Azure's default rules, both in priority order. */
export function mapNetworkSecurityGroup(nsg: SdkNetworkSecurityGroup, subscriptionId: string): NetworkSecurityGroup {
  const id = nsg.id ?? "";
  const byPriority = (a: SecurityRule, b: SecurityRule): number => a.priority - b.priority;
  const custom = (nsg.securityRules ?? []).map((rule) => mapSecurityRule(rule, false)).sort(byPriority);
  const defaults = (nsg.defaultSecurityRules ?? []).map((rule) => mapSecurityRule(rule, true)).sort(byPriority);
  return {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    name: nsg.name ?? nameOf(id),
    location: nsg.location ?? "",
    rules: [...custom, ...defaults],
    subnetIds: ids(nsg.subnets),
    nicIds: ids(nsg.networkInterfaces),
    flowLogIds: ids(nsg.flowLogs),
  };
}

/** One Network Watcher. */
export function mapNetworkWatcher(watcher: SdkNetworkWatcher, subscriptionId: string): NetworkWatcher {
  const id = watcher.id ?? "";
  return {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    resourceGroup: resourceGroupOf(id) ?? "",
    name: watcher.name ?? nameOf(id),
    location: watcher.location ?? "",
  };
}

/** One flow log. */
export function mapFlowLog(flowLog: SdkFlowLog, subscriptionId: string): FlowLog {
  const id = flowLog.id ?? "";
  const mapped: FlowLog = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    targetResourceId: flowLog.targetResourceId ?? "",
    enabled: flowLog.enabled === true,
  };
  if (flowLog.storageId) mapped.storageId = flowLog.storageId;
  return mapped;
}

function normaliseCaptureProtocol(value: unknown): CaptureFilter["protocol"] {
  if (typeof value !== "string") return undefined;
  const upper = value.toUpperCase();
  if (upper === "TCP" || upper === "UDP") return upper;
  return upper === "ANY" ? "Any" : undefined;
}

/** One packet capture. `watcherId` is the id up to `/packetCaptures/`. */
export function mapPacketCapture(capture: PacketCaptureResult, subscriptionId: string): PacketCapture {
  const id = capture.id ?? "";
  const watcherId = parentOfChild(id, "packetCaptures");
  const mapped: PacketCapture = {
    id,
    subscriptionId: subscriptionFrom(id, subscriptionId),
    name: capture.name ?? nameOf(id),
    watcherId,
    targetVmId: capture.target ?? "",
    timeLimitSeconds: num(capture.timeLimitInSeconds, 18000),
    totalBytesPerSession: num(capture.totalBytesPerSession, 1073741824),
    bytesToCapturePerPacket: num(capture.bytesToCapturePerPacket),
    filters: (capture.filters ?? []).map((filter) => {
      const out: CaptureFilter = {};
      const protocol = normaliseCaptureProtocol(filter.protocol);
      if (protocol) out.protocol = protocol;
      if (filter.localPort) out.localPort = filter.localPort;
      if (filter.remotePort) out.remotePort = filter.remotePort;
      if (filter.remoteIPAddress) out.remoteIpAddress = filter.remoteIPAddress;
      if (filter.localIPAddress) out.localIpAddress = filter.localIPAddress;
      return out;
    }),
  };
  if (capture.provisioningState) mapped.provisioningState = capture.provisioningState;
  if (capture.storageLocation?.storageId) mapped.storageId = capture.storageLocation.storageId;
  if (capture.storageLocation?.storagePath) mapped.storagePath = capture.storageLocation.storagePath;
  return mapped;
}

function parentOfChild(id: string, childType: string): string {
  const marker = `/${childType}/`.toLowerCase();
  const at = id.toLowerCase().lastIndexOf(marker);
  return at > 0 ? id.slice(0, at) : "";
}

function normaliseCaptureState(value: unknown): CaptureState {
  switch (typeof value === "string" ? value.toLowerCase() : "") {
    case "notstarted":
      return "NotStarted";
    case "running":
      return "Running";
    case "stopped":
      return "Stopped";
    case "error":
      return "Error";
    default:
      return "Unknown";
  }
}

/** A capture's query-status answer. */
export function mapCaptureStatus(result: PacketCaptureQueryStatusResult, fallbackName: string): CaptureStatus {
  const status: CaptureStatus = {
    name: result.name ?? (result.id ? nameOf(result.id) : fallbackName),
    state: normaliseCaptureState(result.packetCaptureStatus),
    errors: [...(result.packetCaptureError ?? [])],
  };
  const startTime = isoTime(result.captureStartTime);
  const stopReason = str(result.stopReason);
  if (startTime) status.startTime = startTime;
  if (stopReason) status.stopReason = stopReason;
  return status;
}
