/**
 * The seeded estate: two Contoso subscriptions with readable, hand-placed VMs that between them show
 * every finding DESIGN §1 names (docs/simulator.md has the table), plus an optional generated
 * "fleet" that scales the VM count for benchmarks. Deterministic for a given seed and `now`.
 */
import { ASSESSMENT_METADATA, KEYS, SCORE_CONTROLS } from "./catalog";
import {
  captureStoragePath,
  type Estate,
  type SimAlert,
  type SimAssessment,
  type SimFlowLog,
  type SimJitPolicy,
  type SimJitPolicyPort,
  type SimNic,
  type SimNsg,
  type SimPowerState,
  type SimSecurityRule,
  type SimSubAssessment,
  type SimSubscription,
  type SimVm,
  type SimVmExtension,
} from "./estate";
import { ensureJitDenyRules } from "./nsg-rules";
import { createPrng, type Prng } from "./prng";

/** Options of {@link generateEstate}. */
export interface GenerateEstateOptions {
  /** PRNG seed (default 1): ids, fleet layout and random facts. */
  seed?: number;
  /** Number of subscriptions (default 2: "Contoso Production", "Contoso Dev"). */
  subscriptions?: number;
  /** Total VM count; the named VMs are always kept, extra ones form a generated fleet. */
  vms?: number;
  /** Reference time for alert, assessment, JIT and capture timestamps (default: the current time). */
  now?: Date;
}

type Health = "Healthy" | "Unhealthy" | "NotApplicable";
const H: Health = "Healthy";
const U: Health = "Unhealthy";
const NA: Health = "NotApplicable";

interface VmHealth {
  updates: Health;
  endpoint: Health;
  va: Health;
  disk: Health;
  jit: Health;
  inet: Health;
  ipfwd: Health;
  containers?: Health;
}

interface NamedVm {
  name: string;
  sub: 0 | 1;
  rg: string;
  region: string;
  os: "Linux" | "Windows";
  power: SimPowerState;
  size: string;
  subnet: string;
  nsg: string;
  pip?: { sku: "Basic" | "Standard"; ip: string };
  nwAgent: boolean;
  mde: boolean;
  ipForwarding?: boolean;
  role: string;
  health: VmHealth;
}

interface NamedNsg {
  name: string;
  sub: 0 | 1;
  rg: string;
  region: string;
  rules: SimSecurityRule[];
  flowLog?: { enabled: boolean; trafficAnalytics: boolean };
}

interface NamedJit {
  sub: 0 | 1;
  rg: string;
  region: string;
  vms: { vm: string; ports: SimJitPolicyPort[] }[];
}

interface SubnetSpec {
  sub: 0 | 1;
  region: string;
  vnet: string;
  subnet: string;
  /** First three octets, e.g. "10.1.1". */
  prefix: string;
}

const allow = (
  name: string,
  priority: number,
  source: string[],
  ports: string[],
  protocol = "Tcp",
  description?: string,
): SimSecurityRule => ({
  name,
  priority,
  direction: "Inbound",
  access: "Allow",
  protocol,
  sourceAddressPrefixes: source,
  destinationPortRanges: ports,
  destinationAddressPrefixes: ["*"],
  description,
});
const deny = (name: string, priority: number, source: string[], ports: string[], description?: string): SimSecurityRule => ({
  ...allow(name, priority, source, ports, "*", description),
  access: "Deny",
});

const SUBNETS: Record<string, SubnetSpec> = {
  "prod-web": { sub: 0, region: "westeurope", vnet: "vnet-prod-weu", subnet: "snet-web", prefix: "10.1.1" },
  "prod-data": { sub: 0, region: "westeurope", vnet: "vnet-prod-weu", subnet: "snet-data", prefix: "10.1.2" },
  "prod-app": { sub: 0, region: "westeurope", vnet: "vnet-prod-weu", subnet: "snet-app", prefix: "10.1.3" },
  "prod-nva": { sub: 0, region: "westeurope", vnet: "vnet-prod-weu", subnet: "snet-nva", prefix: "10.1.4" },
  "prod-mgmt": { sub: 0, region: "northeurope", vnet: "vnet-prod-neu", subnet: "snet-mgmt", prefix: "10.2.1" },
  "dev-build": { sub: 1, region: "eastus", vnet: "vnet-dev-eus", subnet: "snet-build", prefix: "10.10.2" },
  "dev-dev": { sub: 1, region: "eastus", vnet: "vnet-dev-eus", subnet: "snet-dev", prefix: "10.10.1" },
  "dev-web": { sub: 1, region: "westeurope", vnet: "vnet-dev-weu", subnet: "snet-web", prefix: "10.11.1" },
};

const NAMED_NSGS: readonly NamedNsg[] = [
  {
    name: "nsg-web-prod",
    sub: 0,
    rg: "rg-web-prod",
    region: "westeurope",
    rules: [
      allow("Allow-SSH-Internet", 100, ["Internet"], ["22"], "Tcp", "Temporary: vendor support access"),
      allow("Allow-HTTPS", 110, ["*"], ["443"]),
    ],
    flowLog: { enabled: true, trafficAnalytics: true },
  },
  {
    name: "nsg-web-02",
    sub: 0,
    rg: "rg-web-prod",
    region: "westeurope",
    rules: [
      deny("Deny-SSH-Internet", 100, ["Internet"], ["22"], "Blocks the allow rule below"),
      allow("Allow-SSH-Internet", 200, ["Internet"], ["22"]),
      allow("Allow-HTTP", 300, ["Internet"], ["80"]),
    ],
  },
  {
    name: "nsg-data-prod",
    sub: 0,
    rg: "rg-data-prod",
    region: "westeurope",
    rules: [allow("Allow-SQL-VNet", 100, ["VirtualNetwork"], ["1433"])],
    flowLog: { enabled: true, trafficAnalytics: false },
  },
  {
    name: "nsg-app-prod",
    sub: 0,
    rg: "rg-app-prod",
    region: "westeurope",
    rules: [
      allow("Allow-App-Range", 200, ["Internet"], ["1024-65535"], "Tcp", "Overly broad: opened for a load test"),
      allow("Allow-SSH-AzureCloud", 210, ["AzureCloud"], ["22"], "Tcp", "CI agents"),
    ],
  },
  { name: "nsg-api-prod", sub: 0, rg: "rg-app-prod", region: "westeurope", rules: [allow("Allow-HTTPS-VNet", 100, ["VirtualNetwork"], ["443"])] },
  {
    name: "nsg-nva-prod",
    sub: 0,
    rg: "rg-network-prod",
    region: "westeurope",
    rules: [allow("Allow-VNet-All", 100, ["VirtualNetwork"], ["*"], "*"), deny("Deny-Internet-All", 4000, ["Internet"], ["*"])],
  },
  { name: "nsg-mgmt-prod", sub: 0, rg: "rg-mgmt-prod", region: "northeurope", rules: [] },
  {
    name: "nsg-build-dev",
    sub: 1,
    rg: "rg-build-dev",
    region: "eastus",
    rules: [allow("Allow-SSH-Any", 100, ["0.0.0.0/0"], ["22"]), allow("Allow-Jenkins", 110, ["Internet"], ["8080"])],
    flowLog: { enabled: false, trafficAnalytics: false },
  },
  { name: "nsg-dev", sub: 1, rg: "rg-dev", region: "eastus", rules: [allow("Allow-RDP-Any", 100, ["*"], ["3389"])] },
  {
    name: "nsg-web-dev",
    sub: 1,
    rg: "rg-web-dev",
    region: "westeurope",
    rules: [allow("Allow-HTTPS-Internet", 100, ["Internet"], ["443"])],
    flowLog: { enabled: true, trafficAnalytics: false },
  },
];

const healthy: VmHealth = { updates: H, endpoint: H, va: H, disk: H, jit: NA, inet: NA, ipfwd: H };

const NAMED_VMS: readonly NamedVm[] = [
  {
    name: "vm-web-01", sub: 0, rg: "rg-web-prod", region: "westeurope", os: "Linux", power: "running", size: "Standard_D2s_v5",
    subnet: "prod-web", nsg: "nsg-web-prod", pip: { sku: "Standard", ip: "20.61.14.21" }, nwAgent: true, mde: true, role: "web",
    health: { ...healthy, updates: U, va: U, disk: U, jit: U, inet: U, containers: H },
  },
  {
    name: "vm-web-02", sub: 0, rg: "rg-web-prod", region: "westeurope", os: "Linux", power: "running", size: "Standard_B2s",
    subnet: "prod-web", nsg: "nsg-web-02", pip: { sku: "Basic", ip: "20.61.14.37" }, nwAgent: false, mde: true, role: "web",
    health: { ...healthy, updates: U, inet: H },
  },
  {
    name: "vm-sql-01", sub: 0, rg: "rg-data-prod", region: "westeurope", os: "Windows", power: "running", size: "Standard_E4s_v5",
    subnet: "prod-data", nsg: "nsg-data-prod", nwAgent: true, mde: false, role: "sql",
    health: { ...healthy, updates: U, endpoint: U, jit: H },
  },
  {
    name: "vm-app-01", sub: 0, rg: "rg-app-prod", region: "westeurope", os: "Linux", power: "running", size: "Standard_D4s_v5",
    subnet: "prod-app", nsg: "nsg-app-prod", pip: { sku: "Standard", ip: "20.61.15.8" }, nwAgent: true, mde: true, role: "app",
    health: { ...healthy, va: U, disk: U, jit: U, inet: U, containers: U },
  },
  {
    name: "vm-api-01", sub: 0, rg: "rg-app-prod", region: "westeurope", os: "Windows", power: "running", size: "Standard_D2s_v5",
    subnet: "prod-app", nsg: "nsg-api-prod", nwAgent: true, mde: true, role: "api",
    health: { ...healthy, jit: H },
  },
  {
    name: "vm-nva-01", sub: 0, rg: "rg-network-prod", region: "westeurope", os: "Linux", power: "running", size: "Standard_D2s_v5",
    subnet: "prod-nva", nsg: "nsg-nva-prod", pip: { sku: "Standard", ip: "20.61.16.2" }, nwAgent: true, mde: false, ipForwarding: true,
    role: "nva", health: { ...healthy, endpoint: U, inet: H, ipfwd: U },
  },
  {
    name: "vm-jump-01", sub: 0, rg: "rg-mgmt-prod", region: "northeurope", os: "Windows", power: "running", size: "Standard_B2ms",
    subnet: "prod-mgmt", nsg: "nsg-mgmt-prod", pip: { sku: "Standard", ip: "52.169.40.12" }, nwAgent: false, mde: true, role: "jump",
    health: { ...healthy, va: U, jit: H, inet: H },
  },
  {
    name: "vm-ops-01", sub: 0, rg: "rg-mgmt-prod", region: "northeurope", os: "Linux", power: "running", size: "Standard_B2s",
    subnet: "prod-mgmt", nsg: "nsg-mgmt-prod", nwAgent: false, mde: true, role: "ops",
    health: { ...healthy, updates: U },
  },
  {
    name: "vm-build-01", sub: 1, rg: "rg-build-dev", region: "eastus", os: "Linux", power: "running", size: "Standard_D4s_v5",
    subnet: "dev-build", nsg: "nsg-build-dev", pip: { sku: "Standard", ip: "20.120.33.5" }, nwAgent: false, mde: false, role: "build",
    health: { ...healthy, updates: U, endpoint: U, va: U, disk: U, jit: U, inet: U },
  },
  {
    name: "vm-dev-01", sub: 1, rg: "rg-dev", region: "eastus", os: "Windows", power: "deallocated", size: "Standard_D2s_v5",
    subnet: "dev-dev", nsg: "nsg-dev", pip: { sku: "Standard", ip: "20.120.34.77" }, nwAgent: true, mde: true, role: "dev",
    health: { updates: NA, endpoint: NA, va: NA, disk: U, jit: U, inet: U, ipfwd: H },
  },
  {
    name: "vm-dev-02", sub: 1, rg: "rg-dev", region: "eastus", os: "Linux", power: "running", size: "Standard_B2s",
    subnet: "dev-dev", nsg: "nsg-dev", nwAgent: true, mde: true, role: "dev",
    health: { ...healthy, jit: H },
  },
  {
    name: "vm-test-01", sub: 1, rg: "rg-dev", region: "eastus", os: "Linux", power: "running", size: "Standard_B1s",
    subnet: "dev-dev", nsg: "nsg-dev", nwAgent: false, mde: true, role: "test",
    health: { ...healthy, updates: U, disk: U },
  },
  {
    name: "vm-web-03", sub: 1, rg: "rg-web-dev", region: "westeurope", os: "Linux", power: "running", size: "Standard_B2s",
    subnet: "dev-web", nsg: "nsg-web-dev", pip: { sku: "Standard", ip: "20.73.200.9" }, nwAgent: true, mde: true, role: "web",
    health: { ...healthy, jit: H, inet: H, containers: H },
  },
];

const jitPort = (number: number, extra: Partial<SimJitPolicyPort> = {}): SimJitPolicyPort => ({
  number,
  protocol: "*",
  allowedSourceAddressPrefix: "*",
  maxRequestAccessDuration: "PT3H",
  ...extra,
});

const NAMED_JIT: readonly NamedJit[] = [
  {
    sub: 0, rg: "rg-data-prod", region: "westeurope",
    // RDP to the SQL VM only from the management subnet (a restricted source).
    vms: [{ vm: "vm-sql-01", ports: [jitPort(3389, { protocol: "TCP", allowedSourceAddressPrefix: "10.2.1.0/24" })] }],
  },
  { sub: 0, rg: "rg-app-prod", region: "westeurope", vms: [{ vm: "vm-api-01", ports: [jitPort(3389)] }] },
  { sub: 0, rg: "rg-mgmt-prod", region: "northeurope", vms: [{ vm: "vm-jump-01", ports: [jitPort(3389), jitPort(22)] }] },
  { sub: 1, rg: "rg-dev", region: "eastus", vms: [{ vm: "vm-dev-02", ports: [jitPort(22, { protocol: "TCP" })] }] },
  {
    sub: 1, rg: "rg-web-dev", region: "westeurope",
    vms: [
      {
        vm: "vm-web-03",
        ports: [
          {
            number: 22,
            protocol: "TCP",
            allowedSourceAddressPrefixes: ["203.0.113.0/24", "198.51.100.0/24"],
            maxRequestAccessDuration: "PT3H",
          },
        ],
      },
    ],
  },
];

/** Regions without a Network Watcher, by named subscription index. */
const REGIONS_WITHOUT_WATCHER: ReadonlyArray<{ sub: number; region: string }> = [{ sub: 0, region: "northeurope" }];

const SUBSCRIPTION_NAMES = ["Contoso Production", "Contoso Dev"];
const ASC_LOCATIONS = ["westeurope", "centralus"];
const FLEET_REGIONS = ["westeurope", "northeurope", "eastus"];
const FLEET_ROLES = ["web", "app", "api", "worker", "batch", "cache"];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Builds the seeded estate. */
export function generateEstate(options: GenerateEstateOptions = {}): Estate {
  const seed = options.seed ?? 1;
  const subscriptionCount = Math.max(1, Math.floor(options.subscriptions ?? 2));
  const now = options.now ?? new Date();
  const prng = createPrng(seed);
  const iso = (offsetMs: number): string => new Date(now.getTime() + offsetMs).toISOString();
  const tenantId = prng.guid();

  const subscriptions: SimSubscription[] = [];
  for (let i = 0; i < subscriptionCount; i++) {
    subscriptions.push({
      id: prng.guid(),
      displayName: SUBSCRIPTION_NAMES[i] ?? `Contoso Subscription ${i + 1}`,
      tenantId,
      ascLocation: ASC_LOCATIONS[i] ?? "westeurope",
    });
  }
  // With a single subscription, the "dev" VMs move into it.
  const subOf = (index: number): SimSubscription => subscriptions[Math.min(index, subscriptions.length - 1)];

  const estate: Estate = {
    subscriptions,
    vms: [],
    nics: [],
    publicIps: [],
    nsgs: [],
    networkWatchers: [],
    flowLogs: [],
    packetCaptures: [],
    resources: [],
    assessmentMetadata: ASSESSMENT_METADATA.map((m) => ({ ...m, categories: [...m.categories], threats: [...m.threats] })),
    assessments: [],
    subAssessments: [],
    scoreControls: SCORE_CONTROLS.map((c) => ({ ...c, assessmentKeys: [...c.assessmentKeys] })),
    alerts: [],
    jitPolicies: [],
    captureStorageAccountId: "",
    limits: { maxRunningCapturesPerRegion: 10 },
  };

  const rid = (subId: string, rg: string, type: string, name: string): string =>
    `/subscriptions/${subId}/resourceGroups/${rg}/providers/${type}/${name}`;
  const networkRg = (sub: SimSubscription): string => (sub === subscriptions[0] ? "rg-network-prod" : sub === subscriptions[1] ? "rg-network-dev" : "rg-network");
  const subnetId = (spec: SubnetSpec): string => {
    const sub = subOf(spec.sub);
    return `${rid(sub.id, networkRg(sub), "Microsoft.Network/virtualNetworks", spec.vnet)}/subnets/${spec.subnet}`;
  };
  const nextHost = new Map<string, number>();
  const allocateIp = (prefix: string): string => {
    const host = nextHost.get(prefix) ?? 4;
    nextHost.set(prefix, host + 1);
    return `${prefix}.${host}`;
  };
  const mac = (): string => prng.hex(12).toUpperCase().replace(/(..)(?=.)/g, "$1-");

  // ---- Supporting resources (storage, app gateway, registries) ----
  const prod = subOf(0);
  const dev = subOf(1);
  const addResource = (sub: SimSubscription, rg: string, type: string, name: string, location: string, properties: Record<string, string | number | boolean> = {}): string => {
    const id = rid(sub.id, rg, type, name);
    estate.resources.push({ id, subscriptionId: sub.id, resourceGroup: rg, name, location, type, properties });
    return id;
  };
  const prodLogs = addResource(prod, "rg-data-prod", "Microsoft.Storage/storageAccounts", "stcontosoprodlogs", "westeurope", { supportsHttpsTrafficOnly: true });
  const legacyStorage = addResource(prod, "rg-data-prod", "Microsoft.Storage/storageAccounts", "stcontosolegacy01", "westeurope", { supportsHttpsTrafficOnly: false });
  estate.captureStorageAccountId = addResource(prod, "rg-security-prod", "Microsoft.Storage/storageAccounts", "stcontosocaptures", "westeurope", { supportsHttpsTrafficOnly: true });
  const devLogs = addResource(dev, "rg-build-dev", "Microsoft.Storage/storageAccounts", "stcontosodevlogs", "eastus", { supportsHttpsTrafficOnly: true });
  const appGateway = addResource(prod, "rg-web-prod", "Microsoft.Network/applicationGateways", "agw-web-prod", "westeurope", { sku: "Standard_v2", wafEnabled: false });
  const prodRegistry = addResource(prod, "rg-app-prod", "Microsoft.ContainerRegistry/registries", "acrcontosoprod", "westeurope", { sku: "Premium" });
  const devRegistry = addResource(dev, "rg-build-dev", "Microsoft.ContainerRegistry/registries", "acrcontosodev", "eastus", { sku: "Basic" });

  // ---- NSGs ----
  const nsgByName = new Map<string, SimNsg>();
  for (const spec of NAMED_NSGS) {
    const sub = subOf(spec.sub);
    const nsg: SimNsg = {
      id: rid(sub.id, spec.rg, "Microsoft.Network/networkSecurityGroups", spec.name),
      subscriptionId: sub.id,
      resourceGroup: spec.rg,
      name: spec.name,
      location: spec.region,
      rules: spec.rules.map((r) => ({ ...r, sourceAddressPrefixes: [...r.sourceAddressPrefixes], destinationPortRanges: [...r.destinationPortRanges], destinationAddressPrefixes: [...r.destinationAddressPrefixes] })),
      subnetIds: [],
    };
    estate.nsgs.push(nsg);
    nsgByName.set(spec.name, nsg);
  }

  // ---- VMs, NICs, public IPs ----
  const vmByName = new Map<string, SimVm>();
  const nicByVm = new Map<string, SimNic>();
  const healthByVm = new Map<string, VmHealth>();
  const addVm = (spec: {
    name: string; sub: SimSubscription; rg: string; region: string; os: "Linux" | "Windows"; power: SimPowerState; size: string;
    subnetId: string; ip: string; nsgId?: string; pip?: { sku: "Basic" | "Standard"; ip: string }; nwAgent: boolean; mde: boolean;
    ipForwarding: boolean; role: string;
  }): SimVm => {
    const id = rid(spec.sub.id, spec.rg, "Microsoft.Compute/virtualMachines", spec.name);
    const extensions: SimVmExtension[] = [
      spec.os === "Linux"
        ? { name: "AzureMonitorLinuxAgent", publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent", typeHandlerVersion: "1.33", provisioningState: "Succeeded" }
        : { name: "AzureMonitorWindowsAgent", publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorWindowsAgent", typeHandlerVersion: "1.30", provisioningState: "Succeeded" },
    ];
    if (spec.nwAgent) {
      const type = spec.os === "Linux" ? "NetworkWatcherAgentLinux" : "NetworkWatcherAgentWindows";
      extensions.push({ name: "AzureNetworkWatcherExtension", publisher: "Microsoft.Azure.NetworkWatcher", type, typeHandlerVersion: "1.4", provisioningState: "Succeeded" });
    }
    if (spec.mde) {
      const type = spec.os === "Linux" ? "MDE.Linux" : "MDE.Windows";
      extensions.push({ name: type, publisher: "Microsoft.Azure.AzureDefenderForServers", type, typeHandlerVersion: "1.0", provisioningState: "Succeeded" });
    }
    const image =
      spec.os === "Linux"
        ? { imagePublisher: "Canonical", imageOffer: "0001-com-ubuntu-server-jammy", imageSku: "22_04-lts-gen2" }
        : { imagePublisher: "MicrosoftWindowsServer", imageOffer: "WindowsServer", imageSku: "2022-datacenter-azure-edition" };
    const vm: SimVm = {
      id, subscriptionId: spec.sub.id, resourceGroup: spec.rg, name: spec.name, location: spec.region, vmId: prng.guid(),
      osType: spec.os, vmSize: spec.size, powerState: spec.power, ...image, extensions, tags: { role: spec.role },
    };
    estate.vms.push(vm);
    let publicIpId: string | undefined;
    if (spec.pip) {
      publicIpId = rid(spec.sub.id, spec.rg, "Microsoft.Network/publicIPAddresses", `pip-${spec.name}`);
      estate.publicIps.push({
        id: publicIpId, subscriptionId: spec.sub.id, resourceGroup: spec.rg, name: `pip-${spec.name}`, location: spec.region,
        ipAddress: spec.pip.ip, sku: spec.pip.sku, allocation: spec.pip.sku === "Basic" ? "Dynamic" : "Static",
      });
    }
    const nicName = `${spec.name}-nic`;
    const nic: SimNic = {
      id: rid(spec.sub.id, spec.rg, "Microsoft.Network/networkInterfaces", nicName), subscriptionId: spec.sub.id, resourceGroup: spec.rg,
      name: nicName, location: spec.region, vmId: id, nsgId: spec.nsgId, enableIPForwarding: spec.ipForwarding, macAddress: mac(),
      ipConfigurations: [{ name: "ipconfig1", privateIpAddress: spec.ip, subnetId: spec.subnetId, publicIpId }],
    };
    estate.nics.push(nic);
    vmByName.set(spec.name, vm);
    nicByVm.set(id.toLowerCase(), nic);
    return vm;
  };

  for (const spec of NAMED_VMS) {
    const subnet = SUBNETS[spec.subnet];
    if (!subnet) throw new Error(`unknown subnet ${spec.subnet}`);
    const vm = addVm({
      name: spec.name, sub: subOf(spec.sub), rg: spec.rg, region: spec.region, os: spec.os, power: spec.power, size: spec.size,
      subnetId: subnetId(subnet), ip: allocateIp(subnet.prefix), nsgId: nsgByName.get(spec.nsg)?.id, pip: spec.pip,
      nwAgent: spec.nwAgent, mde: spec.mde, ipForwarding: spec.ipForwarding ?? false, role: spec.role,
    });
    healthByVm.set(vm.id, spec.health);
  }

  // ---- JIT policies (and the deny rules JIT writes into the VM's NSG) ----
  for (const spec of NAMED_JIT) {
    const sub = subOf(spec.sub);
    const policy: SimJitPolicy = {
      id: `/subscriptions/${sub.id}/resourceGroups/${spec.rg}/providers/Microsoft.Security/locations/${spec.region}/jitNetworkAccessPolicies/default`,
      subscriptionId: sub.id, resourceGroup: spec.rg, location: spec.region, name: "default", kind: "Basic", virtualMachines: [], requests: [],
    };
    for (const entry of spec.vms) {
      const vm = vmByName.get(entry.vm);
      if (!vm) continue;
      const nic = nicByVm.get(vm.id.toLowerCase());
      const pip = estate.publicIps.find((p) => p.id === nic?.ipConfigurations[0]?.publicIpId);
      policy.virtualMachines.push({ id: vm.id, ports: entry.ports.map((p) => ({ ...p })), publicIpAddress: pip?.ipAddress });
      ensureJitDenyRules(estate, vm, entry.ports.map((p) => p.number));
    }
    estate.jitPolicies.push(policy);
  }
  // A grant from yesterday on the jump box (ended long ago: reported as Revoked/Expired).
  const jumpPolicy = estate.jitPolicies.find((p) => p.virtualMachines.some((v) => v.id === vmByName.get("vm-jump-01")?.id));
  const jump = vmByName.get("vm-jump-01");
  if (jumpPolicy && jump) {
    jumpPolicy.requests.push({
      virtualMachines: [
        { id: jump.id, ports: [{ number: 3389, allowedSourceAddressPrefix: "198.51.100.23", endTimeUtc: iso(-23 * HOUR), status: "Initiated", statusReason: "UserRequested" }] },
      ],
      startTimeUtc: iso(-25 * HOUR),
      requestor: "megan.bowen@contoso.com",
      justification: "Patch Tuesday maintenance",
    });
  }

  // ---- Generated fleet ----
  const fleetSize = Math.max(0, Math.floor(options.vms ?? NAMED_VMS.length) - NAMED_VMS.length);
  addFleet(estate, prng, fleetSize, subscriptions, rid, networkRg, allocateIp, healthByVm, addVm);

  // ---- Network Watchers and flow logs ----
  const regionsBySub = new Map<string, Set<string>>();
  for (const vm of estate.vms) {
    const set = regionsBySub.get(vm.subscriptionId) ?? new Set<string>();
    set.add(vm.location);
    regionsBySub.set(vm.subscriptionId, set);
  }
  for (const [subId, regions] of regionsBySub) {
    const subIndex = subscriptions.findIndex((s) => s.id === subId);
    for (const region of [...regions].sort()) {
      if (REGIONS_WITHOUT_WATCHER.some((r) => r.sub === subIndex && r.region === region)) continue;
      const name = `NetworkWatcher_${region}`;
      estate.networkWatchers.push({
        id: rid(subId, "NetworkWatcherRG", "Microsoft.Network/networkWatchers", name), subscriptionId: subId, resourceGroup: "NetworkWatcherRG", name, location: region,
      });
    }
  }
  const flowLogFor = (nsg: SimNsg, enabled: boolean, trafficAnalytics: boolean, storageId: string): SimFlowLog | undefined => {
    const watcher = estate.networkWatchers.find((w) => w.subscriptionId === nsg.subscriptionId && w.location === nsg.location);
    if (!watcher) return undefined;
    const name = `fl-${nsg.name}`;
    return { id: `${watcher.id}/flowLogs/${name}`, subscriptionId: nsg.subscriptionId, watcherId: watcher.id, name, location: nsg.location, targetResourceId: nsg.id, storageId, enabled, retentionDays: 30, trafficAnalytics };
  };
  for (const spec of NAMED_NSGS) {
    const nsg = nsgByName.get(spec.name);
    if (!nsg || !spec.flowLog) continue;
    const flowLog = flowLogFor(nsg, spec.flowLog.enabled, spec.flowLog.trafficAnalytics, nsg.subscriptionId === dev.id && dev !== prod ? devLogs : prodLogs);
    if (flowLog) estate.flowLogs.push(flowLog);
  }
  for (const nsg of estate.nsgs) {
    if (!nsg.name.startsWith("nsg-fleet-") || !prng.chance(0.5)) continue;
    const flowLog = flowLogFor(nsg, true, false, prodLogs);
    if (flowLog) estate.flowLogs.push(flowLog);
  }

  // ---- Assessments ----
  const assess = (key: string, sub: SimSubscription | string, resourceId: string, status: Health, extra: Partial<SimAssessment> = {}): void => {
    estate.assessments.push({
      key, subscriptionId: typeof sub === "string" ? sub : sub.id, resourceId, status,
      firstEvaluationDate: iso(-30 * DAY), statusChangeDate: iso(-(prng.int(1, 20) * DAY)), ...extra,
    });
  };
  for (const vm of estate.vms) {
    const h = healthByVm.get(vm.id);
    if (!h) continue;
    const deallocated = vm.powerState === "deallocated";
    const extra = (status: Health): Partial<SimAssessment> =>
      status === NA && deallocated ? { cause: "VmDeallocated", description: "The virtual machine is deallocated." } : {};
    assess(KEYS.systemUpdates, vm.subscriptionId, vm.id, h.updates, extra(h.updates));
    assess(KEYS.endpointProtection, vm.subscriptionId, vm.id, h.endpoint, extra(h.endpoint));
    assess(KEYS.vulnerabilityAssessment, vm.subscriptionId, vm.id, h.va, extra(h.va));
    assess(KEYS.diskEncryption, vm.subscriptionId, vm.id, h.disk);
    assess(KEYS.jit, vm.subscriptionId, vm.id, h.jit);
    assess(KEYS.internetFacingNsg, vm.subscriptionId, vm.id, h.inet);
    assess(KEYS.ipForwarding, vm.subscriptionId, vm.id, h.ipfwd);
    if (h.containers) assess(KEYS.unmanagedContainers, vm.subscriptionId, vm.id, h.containers);
  }
  for (const r of estate.resources) {
    if (r.type === "Microsoft.Storage/storageAccounts") assess(KEYS.secureTransfer, r.subscriptionId, r.id, r.id === legacyStorage ? U : H);
  }
  assess(KEYS.waf, prod, appGateway, U);
  assess(KEYS.registryVulnerabilities, prod, prodRegistry, U, { additionalData: { subAssessmentsLink: `${prodRegistry}/providers/Microsoft.Security/assessments/${KEYS.registryVulnerabilities}/subAssessments` } });
  if (devRegistry !== prodRegistry) assess(KEYS.registryVulnerabilities, dev, devRegistry, H);
  for (const sub of subscriptions) {
    const subScope = `/subscriptions/${sub.id}`;
    const missing = [...(regionsBySub.get(sub.id) ?? [])].filter((region) => !estate.networkWatchers.some((w) => w.subscriptionId === sub.id && w.location === region));
    assess(KEYS.networkWatcher, sub, subScope, missing.length > 0 ? U : H, missing.length > 0 ? { description: `No Network Watcher in: ${missing.sort().join(", ")}` } : {});
    assess(KEYS.mfa, sub, subScope, H);
  }

  // ---- Container image findings (sub-assessments of the registry assessment) ----
  estate.subAssessments.push(...registryFindings(prng, prod.id, prodRegistry, iso));

  // ---- Alerts ----
  estate.alerts.push(...seededAlerts(prng, subscriptions, subOf, vmByName, legacyStorage, iso));

  // ---- A capture that ran yesterday ----
  const web01 = vmByName.get("vm-web-01");
  const weuWatcher = estate.networkWatchers.find((w) => w.subscriptionId === web01?.subscriptionId && w.location === "westeurope");
  if (web01 && weuWatcher) {
    const createdAt = new Date(now.getTime() - 26 * HOUR);
    estate.packetCaptures.push({
      id: `${weuWatcher.id}/packetCaptures/pc-vm-web-01-baseline`, subscriptionId: web01.subscriptionId, watcherId: weuWatcher.id, name: "pc-vm-web-01-baseline",
      target: web01.id, targetType: "AzureVM", bytesToCapturePerPacket: 0, totalBytesPerSession: 1073741824, timeLimitInSeconds: 300,
      storageId: estate.captureStorageAccountId, storagePath: captureStoragePath(estate.captureStorageAccountId, web01.id, createdAt),
      filters: [{ protocol: "TCP", localPort: "443" }], createdAt: createdAt.toISOString(), provisioningState: "Succeeded",
    });
  }
  return estate;
}

type AddVm = (spec: {
  name: string; sub: SimSubscription; rg: string; region: string; os: "Linux" | "Windows"; power: SimPowerState; size: string;
  subnetId: string; ip: string; nsgId?: string; pip?: { sku: "Basic" | "Standard"; ip: string }; nwAgent: boolean; mde: boolean;
  ipForwarding: boolean; role: string;
}) => SimVm;

/** Generated VMs in resource groups of 50, one NSG per group, with randomised findings. */
function addFleet(
  estate: Estate,
  prng: Prng,
  count: number,
  subscriptions: SimSubscription[],
  rid: (subId: string, rg: string, type: string, name: string) => string,
  networkRg: (sub: SimSubscription) => string,
  allocateIp: (prefix: string) => string,
  healthByVm: Map<string, VmHealth>,
  addVm: AddVm,
): void {
  const groupSize = 50;
  const pick = (p: number): Health => (prng.chance(p) ? H : U);
  for (let i = 0; i < count; i++) {
    const group = Math.floor(i / groupSize);
    const sub = subscriptions[group % subscriptions.length];
    const region = FLEET_REGIONS[group % FLEET_REGIONS.length] ?? "westeurope";
    const rg = `rg-fleet-${String(group + 1).padStart(3, "0")}`;
    const nsgName = `nsg-fleet-${String(group + 1).padStart(3, "0")}`;
    let nsg = estate.nsgs.find((n) => n.name === nsgName && n.subscriptionId === sub.id);
    if (!nsg) {
      const openSsh = prng.chance(0.2);
      nsg = {
        id: rid(sub.id, rg, "Microsoft.Network/networkSecurityGroups", nsgName), subscriptionId: sub.id, resourceGroup: rg, name: nsgName, location: region,
        rules: [
          allow("Allow-HTTPS", 100, ["Internet"], ["443"]),
          ...(openSsh ? [allow("Allow-SSH-Internet", 110, ["Internet"], ["22"])] : []),
        ],
        subnetIds: [],
      };
      estate.nsgs.push(nsg);
    }
    const sshOpen = nsg.rules.some((r) => r.destinationPortRanges.includes("22"));
    const role = prng.pick(FLEET_ROLES);
    const name = `vm-${role}-${String(i + 1).padStart(4, "0")}`;
    const os = prng.chance(0.7) ? "Linux" : "Windows";
    const roll = prng.next();
    const pip = roll < 0.02 ? { sku: "Basic" as const, ip: `20.${prng.int(40, 250)}.${prng.int(0, 255)}.${prng.int(1, 254)}` }
      : roll < 0.15 ? { sku: "Standard" as const, ip: `20.${prng.int(40, 250)}.${prng.int(0, 255)}.${prng.int(1, 254)}` } : undefined;
    const ipForwarding = prng.chance(0.01);
    const power: SimPowerState = prng.chance(0.1) ? "deallocated" : "running";
    const subnetPrefix = `10.${100 + (group % 100)}.${Math.floor(group / 100) % 256}`;
    const vm = addVm({
      name, sub, rg, region, os, power, size: prng.pick(["Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5"]),
      subnetId: `${rid(sub.id, networkRg(sub), "Microsoft.Network/virtualNetworks", `vnet-fleet-${region}`)}/subnets/snet-${rg}`,
      ip: allocateIp(subnetPrefix), nsgId: nsg.id, pip, nwAgent: prng.chance(0.6), mde: prng.chance(0.8), ipForwarding, role,
    });
    healthByVm.set(vm.id, {
      updates: pick(0.6), endpoint: pick(0.8), va: pick(0.7), disk: pick(0.5),
      jit: pip && sshOpen ? U : NA, inet: pip ? (sshOpen ? U : H) : NA, ipfwd: ipForwarding ? U : H,
    });
  }
}

/** CVE findings in the production registry's images. */
function registryFindings(prng: Prng, subscriptionId: string, registryId: string, iso: (offsetMs: number) => string): SimSubAssessment[] {
  const digest = (): string => `sha256:${prng.hex(64)}`;
  const images = { frontend: digest(), orders: digest(), reports: digest() };
  const findings: Array<{ repo: keyof typeof images; repositoryName: string; cve: string; title: string; severity: "Low" | "Medium" | "High"; patchable: boolean; cvss: number; pkg: string }> = [
    { repo: "frontend", repositoryName: "web/frontend", cve: "CVE-2023-44487", title: "HTTP/2 Rapid Reset in nghttp2", severity: "High", patchable: true, cvss: 7.5, pkg: "nghttp2" },
    { repo: "frontend", repositoryName: "web/frontend", cve: "CVE-2023-38545", title: "SOCKS5 heap buffer overflow in curl", severity: "High", patchable: true, cvss: 9.8, pkg: "curl" },
    { repo: "frontend", repositoryName: "web/frontend", cve: "CVE-2019-1010022", title: "Stack guard protection bypass in glibc", severity: "Low", patchable: false, cvss: 3.3, pkg: "glibc" },
    { repo: "orders", repositoryName: "api/orders", cve: "CVE-2021-44228", title: "Remote code execution in Apache Log4j (Log4Shell)", severity: "High", patchable: true, cvss: 10, pkg: "log4j-core" },
    { repo: "orders", repositoryName: "api/orders", cve: "CVE-2022-22965", title: "Remote code execution in Spring Framework (Spring4Shell)", severity: "High", patchable: true, cvss: 9.8, pkg: "spring-beans" },
    { repo: "orders", repositoryName: "api/orders", cve: "CVE-2023-2650", title: "Slow processing of ASN.1 object identifiers in OpenSSL", severity: "Medium", patchable: true, cvss: 6.5, pkg: "openssl" },
    { repo: "reports", repositoryName: "jobs/reports", cve: "CVE-2023-4863", title: "Heap buffer overflow in libwebp", severity: "High", patchable: true, cvss: 8.8, pkg: "libwebp" },
    { repo: "reports", repositoryName: "jobs/reports", cve: "CVE-2022-40897", title: "Regular expression denial of service in setuptools", severity: "Medium", patchable: true, cvss: 5.9, pkg: "setuptools" },
  ];
  return findings.map((f, i) => ({
    name: prng.guid(),
    assessmentKey: KEYS.registryVulnerabilities,
    subscriptionId,
    resourceId: registryId,
    findingId: f.cve,
    displayName: `${f.cve}: ${f.title}`,
    severity: f.severity,
    statusCode: "Unhealthy",
    category: "Vulnerability",
    description: `${f.title}. Affected package: ${f.pkg}.`,
    remediation: f.patchable ? `Upgrade ${f.pkg} to a fixed version and rebuild the image.` : "No fix is available yet; mitigate or accept the risk.",
    impact: f.severity === "High" ? "3" : f.severity === "Medium" ? "2" : "1",
    timeGenerated: iso(-(i + 1) * 3 * HOUR),
    additionalData: {
      assessedResourceType: "ContainerRegistryVulnerability",
      type: "Vulnerability",
      cvss: { "3.0": { base: f.cvss, cvssVectorString: "" } },
      patchable: f.patchable,
      cve: [{ title: f.cve, link: `https://nvd.nist.gov/vuln/detail/${f.cve}` }],
      publishedTime: "2023-01-01T00:00:00.000Z",
      vendorReferences: [{ title: f.cve, link: `https://nvd.nist.gov/vuln/detail/${f.cve}` }],
      repositoryName: f.repositoryName,
      imageDigest: images[f.repo],
    },
  }));
}

/** About eight alerts of mixed severity over the last days. */
function seededAlerts(
  prng: Prng,
  subscriptions: SimSubscription[],
  subOf: (index: number) => SimSubscription,
  vmByName: Map<string, SimVm>,
  legacyStorage: string,
  iso: (offsetMs: number) => string,
): SimAlert[] {
  const alerts: SimAlert[] = [];
  const add = (spec: {
    resourceId: string; subscription: SimSubscription; rg?: string; alertType: string; displayName: string; description: string;
    severity: SimAlert["severity"]; intent: string; status: SimAlert["status"]; hoursAgo: number; entity: string; steps: string[];
    extended?: Record<string, string>;
  }): void => {
    const ticks = String(2517000000000000000n + BigInt(prng.int(0, 999_999_999)) * 1000n + BigInt(alerts.length));
    alerts.push({
      name: `${ticks}_${prng.guid()}`,
      subscriptionId: spec.subscription.id,
      resourceGroup: spec.rg,
      ascLocation: spec.subscription.ascLocation,
      alertType: spec.alertType,
      displayName: spec.displayName,
      description: spec.description,
      severity: spec.severity,
      intent: spec.intent,
      status: spec.status,
      startTimeUtc: iso(-spec.hoursAgo * HOUR),
      endTimeUtc: iso(-spec.hoursAgo * HOUR + 20 * 60_000),
      timeGeneratedUtc: iso(-spec.hoursAgo * HOUR + 35 * 60_000),
      resourceIds: [spec.resourceId],
      compromisedEntity: spec.entity,
      remediationSteps: spec.steps,
      extendedProperties: spec.extended ?? {},
    });
  };
  const vmAlert = (vmName: string, rest: Omit<Parameters<typeof add>[0], "resourceId" | "subscription" | "rg" | "entity">): void => {
    const vm = vmByName.get(vmName);
    const subscription = subscriptions.find((s) => s.id === vm?.subscriptionId);
    if (!vm || !subscription) return;
    add({ ...rest, resourceId: vm.id, subscription, rg: vm.resourceGroup, entity: vm.name });
  };
  vmAlert("vm-web-01", {
    alertType: "Network_AnomalousOutgoingTcpSegments",
    displayName: "Anomalous outgoing network traffic detected",
    description:
      "Network traffic analysis detected that vm-web-01 sent more TCP segments than usual in the last hour (about 12 times its 30-day baseline), mostly to 185.220.101.45 on port 443. This can indicate data exfiltration, a compromised host taking part in a denial-of-service attack, or a misbehaving application.",
    severity: "Medium", intent: "Exfiltration", status: "Active", hoursAgo: 3,
    steps: ["Capture traffic on the VM to see what it sends.", "Check running processes and recent logins.", "Isolate the VM if the traffic is not expected."],
    extended: { "Destination IP": "185.220.101.45", "Destination port": "443", "Segments sent": "1843220", "Baseline segments": "151400" },
  });
  vmAlert("vm-web-01", {
    alertType: "Network_CommunicationWithC2",
    displayName: "Network communication with a malicious machine detected",
    description: "Network traffic analysis indicates that vm-web-01 communicated with what is possibly a command-and-control center.",
    severity: "High", intent: "CommandAndControl", status: "Active", hoursAgo: 26,
    steps: ["Review the destination address and the process that opened the connection.", "Run a full antimalware scan."],
    extended: { "Destination IP": "185.220.101.45" },
  });
  vmAlert("vm-build-01", {
    alertType: "Network_TrafficFromUnrecommendedIP",
    displayName: "Traffic detected from IP addresses recommended for blocking",
    description:
      "Microsoft Defender for Cloud detected inbound traffic from IP addresses that are recommended to be blocked. This typically occurs when this IP address doesn't communicate regularly with this resource. Alternatively, the IP address has been flagged as malicious by threat intelligence sources.",
    severity: "Low", intent: "PreAttack", status: "Active", hoursAgo: 20,
    steps: ["Restrict the NSG rule that admits this traffic.", "Apply just-in-time access to management ports."],
    extended: { "Source IPs": "45.155.205.233, 89.248.165.74", "Destination port": "22" },
  });
  vmAlert("vm-build-01", {
    alertType: "VM_SshBruteForceFailed",
    displayName: "Failed SSH brute force attack",
    description: "Failed brute force attacks were detected from the following attackers: 45.155.205.233 (1241 attempts) against vm-build-01.",
    severity: "Medium", intent: "PreAttack", status: "Active", hoursAgo: 30,
    steps: ["Close SSH to the Internet or protect it with just-in-time access.", "Use SSH keys instead of passwords."],
  });
  vmAlert("vm-jump-01", {
    alertType: "VM_RDPBruteForceFailed",
    displayName: "Failed RDP Brute Force Attack",
    description: "Several failed RDP logins were detected against vm-jump-01 from 193.106.191.12 (348 attempts).",
    severity: "Medium", intent: "PreAttack", status: "Active", hoursAgo: 50,
    steps: ["Keep RDP behind just-in-time access.", "Enforce strong passwords and account lockout."],
  });
  vmAlert("vm-app-01", {
    alertType: "VM_SuspiciousProcessExecuted",
    displayName: "Suspicious process executed",
    description: "A process with a name commonly used by crypto miners (xmrig) was executed on vm-app-01 from /tmp.",
    severity: "High", intent: "Execution", status: "Active", hoursAgo: 6,
    steps: ["Kill the process and remove the binary.", "Rotate credentials that were present on the machine."],
  });
  vmAlert("vm-sql-01", {
    alertType: "VM_AmMalwareRemoved",
    displayName: "Antimalware Action Taken",
    description: "Microsoft Antimalware removed Trojan:Win32/Wacatac.B!ml from C:\\Users\\Public\\Downloads on vm-sql-01.",
    severity: "Low", intent: "Execution", status: "Resolved", hoursAgo: 96,
    steps: ["No further action is needed unless the threat returns."],
  });
  const prod = subOf(0);
  add({
    resourceId: legacyStorage, subscription: prod, rg: "rg-data-prod", entity: "stcontosolegacy01",
    alertType: "Storage.Blob_TorAnomaly",
    displayName: "Access from a Tor exit node to a storage account",
    description: "Someone accessed the storage account stcontosolegacy01 from an IP address known to be an active Tor exit node.",
    severity: "Medium", intent: "Exfiltration", status: "Dismissed", hoursAgo: 120,
    steps: ["Review the operations performed.", "Require secure transfer and restrict network access."],
  });
  const dev = subOf(1);
  add({
    resourceId: `/subscriptions/${dev.id}`, subscription: dev, entity: dev.displayName,
    alertType: "ARM_OperationFromSuspiciousIP",
    displayName: "Azure Resource Manager operation from suspicious IP address",
    description: "Azure Resource Manager operations were invoked from an IP address that threat intelligence associates with suspicious activity.",
    severity: "Informational", intent: "Execution", status: "Active", hoursAgo: 12,
    steps: ["Verify the operations and the account that performed them."],
  });
  return alerts;
}
