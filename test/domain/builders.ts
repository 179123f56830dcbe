/**
 * Test data builders for domain types: sensible defaults, every field overridable.
 */
import type {
  Assessment,
  FlowLog,
  JitGrant,
  JitPolicy,
  NetworkInterface,
  NetworkSecurityGroup,
  NetworkWatcher,
  PublicIpAddress,
  ScoreControl,
  SecureScore,
  SecurityAlert,
  SecurityRule,
  SubAssessment,
  VirtualMachine,
} from "../../src/domain/model";
import type { ExposureInput } from "../../src/domain/exposure";

export const SUB = "11111111-1111-1111-1111-111111111111";
export const SUB2 = "22222222-2222-2222-2222-222222222222";
export const RG = "rg-app";

export const ids = {
  vm: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
  nic: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}`,
  pip: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/publicIPAddresses/${name}`,
  nsg: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}`,
  vnet: (name = "vnet-1", sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`,
  subnet: (name = "default", vnet = "vnet-1", sub = SUB, rg = RG) => `${ids.vnet(vnet, sub, rg)}/subnets/${name}`,
  storage: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
  registry: (name: string, sub = SUB, rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`,
};

export function rule(overrides: Partial<SecurityRule> = {}): SecurityRule {
  return {
    name: "AllowSsh",
    priority: 100,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourcePrefixes: ["*"],
    destinationPorts: ["22"],
    destinationPrefixes: ["*"],
    isDefault: false,
    ...overrides,
  };
}

/** Azure's inbound default rules, as the NSG API returns them in defaultSecurityRules. */
export function defaultInboundRules(): SecurityRule[] {
  return [
    rule({ name: "AllowVnetInBound", priority: 65000, protocol: "*", sourcePrefixes: ["VirtualNetwork"], destinationPorts: ["*"], destinationPrefixes: ["VirtualNetwork"], isDefault: true }),
    rule({ name: "AllowAzureLoadBalancerInBound", priority: 65001, protocol: "*", sourcePrefixes: ["AzureLoadBalancer"], destinationPorts: ["*"], isDefault: true }),
    rule({ name: "DenyAllInBound", priority: 65500, access: "Deny", protocol: "*", sourcePrefixes: ["*"], destinationPorts: ["*"], isDefault: true }),
  ];
}

export function nsg(overrides: Partial<NetworkSecurityGroup> & { name?: string } = {}): NetworkSecurityGroup {
  const name = overrides.name ?? "nsg-1";
  return {
    id: ids.nsg(name, overrides.subscriptionId ?? SUB),
    subscriptionId: SUB,
    name,
    location: "westeurope",
    rules: defaultInboundRules(),
    subnetIds: [],
    nicIds: [],
    flowLogIds: [],
    ...overrides,
  };
}

export function vm(overrides: Partial<VirtualMachine> & { name?: string } = {}): VirtualMachine {
  const name = overrides.name ?? "vm-web-01";
  const sub = overrides.subscriptionId ?? SUB;
  const rg = overrides.resourceGroup ?? RG;
  return {
    id: ids.vm(name, sub, rg),
    subscriptionId: sub,
    resourceGroup: rg,
    name,
    location: "westeurope",
    osType: "Linux",
    powerState: "running",
    nicIds: [ids.nic(`${name}-nic`, sub, rg)],
    extensionTypes: [],
    ...overrides,
  };
}

export function nic(overrides: Partial<NetworkInterface> & { name?: string } = {}): NetworkInterface {
  const name = overrides.name ?? "vm-web-01-nic";
  return {
    id: ids.nic(name, overrides.subscriptionId ?? SUB),
    subscriptionId: SUB,
    name,
    location: "westeurope",
    ipForwarding: false,
    ipConfigurations: [{ name: "ipconfig1", privateIpAddress: "10.0.0.4", subnetId: ids.subnet() }],
    ...overrides,
  };
}

export function publicIp(overrides: Partial<PublicIpAddress> & { name?: string } = {}): PublicIpAddress {
  const name = overrides.name ?? "pip-1";
  return {
    id: ids.pip(name, overrides.subscriptionId ?? SUB),
    subscriptionId: SUB,
    name,
    location: "westeurope",
    ipAddress: "20.1.2.3",
    sku: "Standard",
    ...overrides,
  };
}

export function watcher(overrides: Partial<NetworkWatcher> = {}): NetworkWatcher {
  const sub = overrides.subscriptionId ?? SUB;
  const location = overrides.location ?? "westeurope";
  return {
    id: `/subscriptions/${sub}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${location}`,
    subscriptionId: sub,
    resourceGroup: "NetworkWatcherRG",
    name: `NetworkWatcher_${location}`,
    location,
    ...overrides,
  };
}

export function flowLog(overrides: Partial<FlowLog> = {}): FlowLog {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/flowLogs/fl-1`,
    subscriptionId: SUB,
    targetResourceId: ids.nsg("nsg-1"),
    enabled: true,
    ...overrides,
  };
}

export function assessment(overrides: Partial<Assessment> = {}): Assessment {
  const resourceId = overrides.resourceId ?? ids.vm("vm-web-01");
  const key = overrides.key ?? "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27";
  return {
    id: `${resourceId}/providers/Microsoft.Security/assessments/${key}`,
    subscriptionId: SUB,
    key,
    displayName: "System updates should be installed on your machines",
    resourceId,
    status: "Unhealthy",
    severity: "High",
    categories: ["Compute"],
    ...overrides,
  };
}

export function subAssessment(overrides: Partial<SubAssessment> = {}): SubAssessment {
  return {
    id: `${ids.registry("acr1")}/providers/Microsoft.Security/assessments/c0b7cfc6-3172-465a-b378-53c7ff2cc0d5/subAssessments/s1`,
    subscriptionId: SUB,
    assessmentKey: "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5",
    displayName: "openssl: CVE-2024-0001",
    severity: "High",
    status: "Unhealthy",
    resourceId: ids.registry("acr1"),
    kind: "ContainerRegistryVulnerability",
    cves: ["CVE-2024-0001"],
    patchable: true,
    repositoryName: "shop/web",
    imageDigest: "sha256:aaa",
    ...overrides,
  };
}

export function alert(overrides: Partial<SecurityAlert> = {}): SecurityAlert {
  const name = overrides.name ?? "2517000000000000000_abc";
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Security/locations/westeurope/alerts/${name}`,
    name,
    subscriptionId: SUB,
    location: "westeurope",
    displayName: "Suspicious SSH login",
    alertType: "VM_SshBruteForce",
    severity: "High",
    status: "Active",
    startTime: "2030-01-01T09:00:00Z",
    timeGenerated: "2030-01-01T10:00:00Z",
    resourceIds: [ids.vm("vm-web-01")],
    remediationSteps: [],
    ...overrides,
  };
}

export function jitGrant(overrides: Partial<JitGrant> = {}): JitGrant {
  return {
    vmId: ids.vm("vm-web-01"),
    port: 22,
    source: "203.0.113.7",
    startTime: "2030-01-01T09:00:00Z",
    endTime: "2030-01-01T12:00:00Z",
    status: "Initiated",
    ...overrides,
  };
}

export function jitPolicy(overrides: Partial<JitPolicy> = {}): JitPolicy {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default`,
    subscriptionId: SUB,
    resourceGroup: RG,
    location: "westeurope",
    name: "default",
    virtualMachines: [
      {
        vmId: ids.vm("vm-web-01"),
        ports: [{ number: 22, protocol: "TCP", allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT3H" }],
      },
    ],
    grants: [],
    ...overrides,
  };
}

export function secureScore(overrides: Partial<SecureScore> = {}): SecureScore {
  return { subscriptionId: SUB, current: 30, max: 60, percentage: 0.5, weight: 10, ...overrides };
}

export function control(overrides: Partial<ScoreControl> = {}): ScoreControl {
  return {
    subscriptionId: SUB,
    name: "1195afff-c881-495e-9bc5-1486211ae03f",
    displayName: "Enable MFA",
    current: 5,
    max: 10,
    percentage: 0.5,
    healthyResourceCount: 1,
    unhealthyResourceCount: 1,
    notApplicableResourceCount: 0,
    weight: 1,
    ...overrides,
  };
}

/**
 * One VM (vm-web-01) with one NIC (10.0.0.4 in subnet vnet-1/default) and a Standard public IP, no NSG, no JIT,
 * a Network Watcher in its region; override any list.
 */
export function estate(overrides: Partial<ExposureInput> = {}): ExposureInput {
  const theNic = nic({ vmId: ids.vm("vm-web-01") });
  theNic.ipConfigurations[0].publicIpId = ids.pip("pip-1");
  return {
    vms: [vm()],
    nics: [theNic],
    publicIps: [publicIp()],
    nsgs: [],
    watchers: [watcher()],
    flowLogs: [],
    assessments: [],
    jitPolicies: [],
    ...overrides,
  };
}

/** A NIC NSG for vm-web-01-nic with the given custom rules (plus the defaults). */
export function nicNsg(rules: SecurityRule[], overrides: Partial<NetworkSecurityGroup> = {}): NetworkSecurityGroup {
  return nsg({ name: "nsg-nic", rules: [...rules, ...defaultInboundRules()], nicIds: [ids.nic("vm-web-01-nic")], ...overrides });
}

/** A subnet NSG for vnet-1/default with the given custom rules (plus the defaults). */
export function subnetNsg(rules: SecurityRule[], overrides: Partial<NetworkSecurityGroup> = {}): NetworkSecurityGroup {
  return nsg({ name: "nsg-subnet", rules: [...rules, ...defaultInboundRules()], subnetIds: [ids.subnet()], ...overrides });
}
