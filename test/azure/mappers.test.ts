/**
 * Mapper tests: official Azure REST examples, served from a local http server and read with the
 * real SDK clients (so the SDK's own deserialisation runs), then mapped to domain types.
 */
import { ClientFactory, type SubscriptionClients } from "../../src/azure/clients";
import {
  foldSinglePlural,
  isOverallScore,
  mapAlert,
  mapAssessment,
  mapCaptureStatus,
  mapExtensionTypes,
  mapFlowLog,
  mapJitPolicy,
  mapJitRequest,
  mapNetworkInterface,
  mapNetworkSecurityGroup,
  mapNetworkWatcher,
  mapPacketCapture,
  mapPublicIpAddress,
  mapScoreControl,
  mapSecureScore,
  mapSubAssessment,
  mapVirtualMachine,
  normaliseAlertStatus,
  normaliseSeverity,
  powerStateOf,
  resourceDetailsId,
  type AssessmentMetadataInfo,
} from "../../src/azure/mappers";
import { exampleBody, startExampleServer, type ExampleServer, type Route } from "./support/example-server";

const SUB = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";
const NET_SUB = "subid";

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// A custom NSG rule using the plural fields, added to the official NSG example (whose custom rule list is empty).
const nsgBody = clone(exampleBody("nsg-list-all.json"));
nsgBody.value[0].properties.securityRules = [
  {
    name: "allow-mgmt",
    id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1/securityRules/allow-mgmt",
    properties: {
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRanges: ["22", "3389"],
      sourceAddressPrefixes: ["203.0.113.0/24", "198.51.100.7"],
      destinationAddressPrefix: "*",
      access: "Allow",
      priority: 300,
      direction: "Inbound",
    },
  },
  {
    name: "allow-web",
    id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1/securityRules/allow-web",
    properties: {
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: "443",
      sourceAddressPrefix: "Internet",
      destinationAddressPrefix: "*",
      access: "Allow",
      priority: 100,
      direction: "Inbound",
    },
  },
];
nsgBody.value[0].properties.networkInterfaces = [
  { id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/test-nic" },
];
nsgBody.value[0].properties.flowLogs = [
  { id: "/subscriptions/subid/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw1/flowLogs/fl1" },
];

// Assessments as Resource Graph rows and some live answers spell them: capitalised resourceDetails keys.
const capitalisedAssessments = clone(exampleBody("assessments-list.json"));
for (const item of capitalisedAssessments.value) {
  const details = item.properties.resourceDetails;
  item.properties.resourceDetails = { Source: details.source, Id: details.id };
}

// No VM examples ship in the reference folder; these follow the 2026-03-01 wire shape.
const VM_ID = "/subscriptions/subid/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm-web-01";
const vmList = {
  value: [
    {
      id: VM_ID,
      name: "vm-web-01",
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      properties: {
        hardwareProfile: { vmSize: "Standard_B2s" },
        storageProfile: { osDisk: { osType: "Linux", createOption: "FromImage", name: "osdisk" } },
        osProfile: { computerName: "vm-web-01", adminUsername: "azureuser", linuxConfiguration: {} },
        networkProfile: {
          networkInterfaces: [
            { id: "/subscriptions/subid/resourceGroups/RG1/providers/Microsoft.Network/networkInterfaces/vm-web-01-nic", properties: { primary: true } },
          ],
        },
        provisioningState: "Succeeded",
      },
      resources: [
        {
          id: `${VM_ID}/extensions/NetworkWatcherAgentLinux`,
          name: "NetworkWatcherAgentLinux",
          type: "Microsoft.Compute/virtualMachines/extensions",
          location: "westeurope",
          properties: { publisher: "Microsoft.Azure.NetworkWatcher", type: "NetworkWatcherAgentLinux", typeHandlerVersion: "1.4" },
        },
      ],
    },
    {
      id: "/subscriptions/subid/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm-db-01",
      name: "vm-db-01",
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      properties: {
        storageProfile: { osDisk: { createOption: "FromImage" } },
        osProfile: { computerName: "vm-db-01", windowsConfiguration: { provisionVMAgent: true } },
        networkProfile: { networkInterfaces: [] },
      },
    },
  ],
};
const vmStatusList = {
  value: [
    {
      // Lower-cased by the service, as status listings often are: the merge must ignore case.
      id: VM_ID.toLowerCase(),
      name: "vm-web-01",
      location: "westeurope",
      properties: {
        instanceView: {
          statuses: [
            { code: "ProvisioningState/succeeded", level: "Info" },
            { code: "PowerState/running", level: "Info", displayStatus: "VM running" },
          ],
        },
      },
    },
  ],
};

const routes: Route[] = [
  { method: "GET", path: /\/providers\/Microsoft\.Security\/secureScores$/, body: { value: [exampleBody("secure-score-get.json")] } },
  { method: "GET", path: /\/secureScoreControls$/, body: exampleBody("secure-score-controls-list.json") },
  { method: "GET", path: /^\/subscriptions\/caps\/providers\/Microsoft\.Security\/assessments$/, body: capitalisedAssessments },
  { method: "GET", path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Security\/assessments$/, body: exampleBody("assessments-list.json") },
  { method: "GET", path: /\/providers\/Microsoft\.Security\/assessments\/[^/]+$/, body: exampleBody("assessment-get-metadata.json") },
  { method: "GET", path: /\/providers\/Microsoft\.Security\/subAssessments$/, body: exampleBody("subassessments-list.json") },
  { method: "GET", path: /\/providers\/Microsoft\.Security\/alerts$/, body: exampleBody("alerts-list.json") },
  { method: "GET", path: /\/providers\/Microsoft\.Security\/jitNetworkAccessPolicies$/, body: exampleBody("jit-list.json") },
  { method: "POST", path: /\/jitNetworkAccessPolicies\/default\/initiate$/, status: 202, body: exampleBody("jit-initiate.json", "202") },
  { method: "GET", path: /\/Microsoft\.Network\/networkSecurityGroups$/, body: nsgBody },
  { method: "GET", path: /\/Microsoft\.Network\/networkInterfaces$/, body: exampleBody("nic-list-all.json") },
  { method: "GET", path: /\/Microsoft\.Network\/publicIPAddresses$/, body: exampleBody("public-ip-list-all.json") },
  { method: "GET", path: /\/Microsoft\.Network\/networkWatchers$/, body: exampleBody("network-watcher-list-all.json") },
  { method: "GET", path: /\/networkWatchers\/nw1\/flowLogs$/, body: exampleBody("flow-logs-list.json") },
  { method: "GET", path: /\/networkWatchers\/nw1\/packetCaptures\/pc1$/, body: exampleBody("packet-capture-get.json") },
  {
    method: "GET",
    path: /\/networkWatchers\/nw1\/packetCaptures\/bare$/,
    body: { name: "bare", id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/nw1/packetCaptures/bare", properties: { target: "/x", storageLocation: {} } },
  },
  { method: "POST", path: /\/packetCaptures\/pc1\/queryStatus$/, body: exampleBody("packet-capture-status.json") },
  { method: "GET", path: /\/Microsoft\.Compute\/virtualMachines$/, query: /statusOnly=true/, body: vmStatusList },
  { method: "GET", path: /\/Microsoft\.Compute\/virtualMachines$/, body: vmList },
  {
    method: "GET",
    path: /\/virtualMachines\/vm-web-01\/extensions$/,
    body: { value: vmList.value[0].resources },
  },
];

let server: ExampleServer;
let clients: (sub: string) => SubscriptionClients;

beforeAll(async () => {
  server = await startExampleServer(routes);
  const factory = new ClientFactory({ endpoint: server.url, staticToken: "example-token", retry: { maxRetries: 0 } });
  clients = (sub) => factory.for(sub);
});

afterAll(async () => {
  await server.close();
});

describe("Defender for Cloud mappers", () => {
  it("when the secure score example is read, then the ascScore maps to current/max/percentage/weight", async () => {
    const items = await collect(clients(SUB).security.secureScores.list());
    const overall = items.filter(isOverallScore).map((s) => mapSecureScore(s, "fallback"));
    expect(overall).toEqual([{ subscriptionId: SUB, current: 23.53, max: 39, percentage: 0.6033, weight: 67 }]);
  });

  it("when score controls are read, then each control keeps its GUID name, counts and flattened score", async () => {
    const controls = (await collect(clients(SUB).security.secureScoreControls.list())).map((c) => mapScoreControl(c, SUB));
    expect(controls).toHaveLength(12);
    expect(controls[0]).toEqual({
      subscriptionId: SUB,
      name: "a9909064-42b4-4d34-8143-275477afe18b",
      displayName: "Protect applications against DDoS attacks",
      current: 0,
      max: 0,
      percentage: 0,
      healthyResourceCount: 0,
      unhealthyResourceCount: 0,
      notApplicableResourceCount: 1,
      weight: 0,
    });
    expect(controls[1]).toMatchObject({ displayName: "Enable MFA", current: 10, max: 10, percentage: 1, healthyResourceCount: 1, weight: 1 });
  });

  it("when assessments carry no inline metadata, then severity and texts come from the metadata lookup", async () => {
    const raw = await collect(clients(SUB).security.assessments.list(`subscriptions/${SUB}`));
    const metadata = new Map<string, AssessmentMetadataInfo>([
      [
        "21300918-b2e3-0346-785f-c77ff57d243b",
        { severity: "High", categories: ["Compute"], remediation: "Install EP", description: "EP missing" },
      ],
    ]);
    const mapped = raw.map((a) => mapAssessment(a, SUB, metadata));
    expect(mapped).toHaveLength(2);
    expect(mapped[0]).toEqual({
      id: `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1/providers/Microsoft.Security/assessments/21300918-b2e3-0346-785f-c77ff57d243b`,
      subscriptionId: SUB,
      key: "21300918-b2e3-0346-785f-c77ff57d243b",
      displayName: "Install endpoint protection solution on virtual machine scale sets",
      resourceId: `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1`,
      status: "Healthy",
      severity: "High",
      categories: ["Compute"],
      description: "EP missing",
      remediation: "Install EP",
    });
    expect(mapped[1]).toMatchObject({ status: "NotApplicable", cause: "OffByPolicy" });
  });

  it("when no metadata is known for an assessment, then its severity falls back to Medium", async () => {
    const raw = await collect(clients(SUB).security.assessments.list(`subscriptions/${SUB}`));
    expect(mapAssessment(raw[0], SUB).severity).toBe("Medium");
  });

  it("when resourceDetails arrive capitalised (Source/Id), then the resource id is still read", async () => {
    const raw = await collect(clients("caps").security.assessments.list("subscriptions/caps"));
    const mapped = raw.map((a) => mapAssessment(a, "caps"));
    expect(mapped.map((a) => a.resourceId)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss1`,
      `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss2`,
    ]);
    // The subscription comes from the ids, not from the scope that was listed.
    expect(mapped[0].subscriptionId).toBe(SUB);
  });

  it("when an assessment is read with $expand=links, then its portal link is kept", async () => {
    const resourceId = `subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss2`;
    const item = await clients(SUB).security.assessments.get(resourceId, "21300918-b2e3-0346-785f-c77ff57d243b", { expand: "links" });
    expect(mapAssessment(item, SUB).portalUrl).toBe(
      "https://www.portal.azure.com/?fea#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/21300918-b2e3-0346-785f-c77ff57d243b",
    );
  });

  it("when container registry sub-assessments are read, then CVEs, image and parent registry are mapped", async () => {
    const raw = await collect(clients(SUB).security.subAssessments.listAll(`subscriptions/${SUB}`));
    expect(raw.map((s) => mapSubAssessment(s, SUB))).toEqual([
      {
        id: `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.ContainerRegistry/registries/myRegistry/providers/Microsoft.Security/assessments/21300918-b2e3-0346-785f-c77ff57d243b/subAssessments/8c98f353-8b41-4e77-979b-6adeecd5d168`,
        subscriptionId: SUB,
        assessmentKey: "21300918-b2e3-0346-785f-c77ff57d243b",
        displayName: "'Back Orifice' Backdoor",
        severity: "High",
        status: "Unhealthy",
        resourceId: `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.ContainerRegistry/registries/myRegistry`,
        category: "Backdoors and trojan horses",
        remediation:
          "Use a recent anti-virus program to remove this backdoor and check your system regularly with anti-virus software.",
        kind: "ContainerRegistryVulnerability",
        cves: ["CVE-2019-12345"],
        patchable: true,
        repositoryName: "myRepo",
        imageDigest: "c186fc44-3154-4ce2-ba18-b719d895c3b0",
      },
    ]);
  });

  it("when alerts are read, then location comes from the id, New counts as Active and only Azure resources are kept", async () => {
    const alerts = (await collect(clients(SUB).security.alerts.list())).map((a) => mapAlert(a, SUB));
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      name: "2518298467986649999_4d25bfef-2d77-4a08-adc0-3e35715cc92a",
      subscriptionId: SUB,
      location: "westeurope",
      displayName: "Azure Security Center test alert (not a threat)",
      alertType: "VM_EICAR",
      severity: "High",
      status: "Active",
      intent: "Execution",
      startTime: "2020-02-22T00:00:00.000Z",
      timeGenerated: "2020-02-23T13:47:58.000Z",
      resourceIds: [`/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1`],
      compromisedEntity: "vm1",
      remediationSteps: ["No further action is needed."],
    });
    expect(alerts[0].portalUrl).toMatch(/^https:\/\/portal\.azure\.com\//);
    expect(alerts[1]).toMatchObject({ severity: "Medium", alertType: "VM_SuspiciousScreenSaver" });
  });

  it("when JIT policies are read, then ports fold their source prefixes and requests become grants", async () => {
    const policies = (await collect(clients(SUB).security.jitNetworkAccessPolicies.list())).map((p) => mapJitPolicy(p, SUB));
    expect(policies).toHaveLength(1);
    const vm1 = `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1`;
    expect(policies[0]).toMatchObject({
      id: `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default`,
      subscriptionId: SUB,
      resourceGroup: "myRg1",
      location: "westeurope",
      name: "default",
      virtualMachines: [
        {
          vmId: vm1,
          ports: [
            { number: 22, protocol: "*", allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT3H" },
            { number: 3389, protocol: "*", allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT3H" },
          ],
        },
      ],
    });
    expect(policies[0].grants).toEqual([
      {
        vmId: vm1,
        port: 3389,
        source: "192.127.0.2",
        startTime: "2018-05-17T08:06:45.569Z",
        endTime: "2018-05-17T09:06:45.569Z",
        status: "Initiated",
        requestor: "barbara@contoso.com",
        justification: "testing a new version of the product",
      },
    ]);
  });

  it("when JIT is initiated, then the wire body carries endTimeUtc and the source, and the 202 answer maps to grants", async () => {
    const vm1 = `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1`;
    const response = await clients(SUB).security.jitNetworkAccessPolicies.initiate("myRg1", "westeurope", "default", {
      virtualMachines: [{ id: vm1, ports: [{ number: 3389, allowedSourceAddressPrefix: "192.127.0.2", endTimeUtc: new Date("2030-01-01T00:00:00Z") }] }],
      justification: "testing",
    });
    const sent = server.requests.find((r) => r.method === "POST" && r.url.includes("/initiate"));
    expect(JSON.parse(sent!.body)).toEqual({
      virtualMachines: [{ id: vm1, ports: [{ number: 3389, allowedSourceAddressPrefix: "192.127.0.2", endTimeUtc: "2030-01-01T00:00:00.000Z" }] }],
      justification: "testing",
    });
    // The example answers for another subscription's vm1: filtering by the requested VM then finds nothing.
    expect(mapJitRequest(response, vm1)).toEqual([]);
    expect(mapJitRequest(response)).toEqual([
      expect.objectContaining({ port: 3389, source: "192.127.0.2", status: "Initiated", endTime: "2018-07-12T09:53:03.365Z" }),
    ]);
  });
});

describe("network mappers", () => {
  it("when NSGs are read, then single and plural fields fold into lists and default rules are flagged", async () => {
    const nsgs = (await collect(clients(NET_SUB).network.networkSecurityGroups.listAll())).map((n) => mapNetworkSecurityGroup(n, NET_SUB));
    const nsg1 = nsgs[0];
    expect(nsg1).toMatchObject({ name: "nsg1", location: "westus", subscriptionId: "subid" });
    expect(nsg1.rules.slice(0, 2)).toEqual([
      {
        name: "allow-web",
        priority: 100,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePrefixes: ["Internet"],
        destinationPorts: ["443"],
        destinationPrefixes: ["*"],
        isDefault: false,
      },
      {
        name: "allow-mgmt",
        priority: 300,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePrefixes: ["203.0.113.0/24", "198.51.100.7"],
        destinationPorts: ["22", "3389"],
        destinationPrefixes: ["*"],
        isDefault: false,
      },
    ]);
    const defaults = nsg1.rules.filter((r) => r.isDefault);
    expect(defaults.map((r) => r.name)).toEqual(
      expect.arrayContaining(["AllowVnetInBound", "DenyAllInBound", "AllowInternetOutBound", "DenyAllOutBound"]),
    );
    expect(defaults.find((r) => r.name === "DenyAllInBound")).toMatchObject({ access: "Deny", priority: 65500, sourcePrefixes: ["*"] });
    expect(nsg1.nicIds).toEqual(["/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/test-nic"]);
    expect(nsg1.flowLogIds).toHaveLength(1);
  });

  it("when NICs are read, then VM, NSG, IP forwarding and IP configurations map", async () => {
    const nics = (await collect(clients(NET_SUB).network.networkInterfaces.listAll())).map((n) => mapNetworkInterface(n, NET_SUB));
    expect(nics[0]).toEqual({
      id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/test-nic",
      subscriptionId: "subid",
      name: "test-nic",
      location: "eastus",
      vmId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1",
      nsgId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg",
      ipForwarding: false,
      ipConfigurations: [
        {
          name: "ipconfig1",
          privateIpAddress: "172.20.2.4",
          publicIpId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/publicIPAddresses/test-ip",
          subnetId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/rg1-vnet/subnets/default",
        },
      ],
    });
    expect(nics[1].vmId).toBeUndefined();
  });

  it("when public IPs are read, then address and attachment map, absent ones stay absent", async () => {
    const pips = (await collect(clients(NET_SUB).network.publicIPAddresses.listAll())).map((p) => mapPublicIpAddress(p, NET_SUB));
    expect(pips).toEqual([
      {
        id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/publicIPAddresses/testDNS-ip",
        subscriptionId: "subid",
        name: "testDNS-ip",
        location: "westus",
        ipConfigurationId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/testDNS649/ipConfigurations/ipconfig1",
      },
      {
        id: "/subscriptions/subid/resourceGroups/rg2/providers/Microsoft.Network/publicIPAddresses/ip01",
        subscriptionId: "subid",
        name: "ip01",
        location: "westus",
        ipAddress: "40.85.154.247",
        ipConfigurationId:
          "/subscriptions/subid/resourceGroups/rg2/providers/Microsoft.Network/loadBalancers/testLb/frontendIPConfigurations/LoadBalancerFrontEnd",
      },
    ]);
  });

  it("when watchers and their flow logs are read, then resource group and target map", async () => {
    const watchers = (await collect(clients(NET_SUB).network.networkWatchers.listAll())).map((w) => mapNetworkWatcher(w, NET_SUB));
    expect(watchers.map((w) => [w.name, w.resourceGroup, w.location])).toEqual([
      ["nw1", "rg1", "eastus"],
      ["nw2", "rg1", "westus"],
    ]);
    const flowLogs = (await collect(clients(NET_SUB).network.flowLogs.list("rg1", "nw1"))).map((f) => mapFlowLog(f, NET_SUB));
    expect(flowLogs[0]).toEqual({
      id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/тц1/FlowLogs/flowLog1",
      subscriptionId: "subid",
      targetResourceId: "/subscriptions/subid/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/vm5-nsg",
      enabled: true,
      storageId: "/subscriptions/subid/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wzstorage002",
    });
    // The second flow log lives in another subscription: its own id wins over the one listed.
    expect(flowLogs[1].subscriptionId).toBe("96e68903-0a56-4819-9987-8d08ad6a1f99");
  });

  it("when a packet capture is read, then watcher, target, limits, storage and filters map", async () => {
    const capture = await clients(NET_SUB).network.packetCaptures.get("rg1", "nw1", "pc1");
    expect(mapPacketCapture(capture, NET_SUB)).toEqual({
      id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/nw1/packetCaptures/pc1",
      subscriptionId: "subid",
      name: "pc1",
      watcherId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/nw1",
      targetVmId: "/subscriptions/subid/resourceGroups/rg2/providers/Microsoft.Compute/virtualMachines/vm1",
      provisioningState: "Updating",
      timeLimitSeconds: 100,
      totalBytesPerSession: 100000,
      bytesToCapturePerPacket: 10000,
      storageId: "/subscriptions/subid/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/pcstore",
      storagePath: "https://mytestaccountname.blob.core.windows.net/capture/pc1.cap",
      filters: [{ protocol: "TCP", localIpAddress: "10.0.0.4", localPort: "80" }],
    });
  });

  it("when a capture omits its limits, then Azure's documented defaults apply", async () => {
    const capture = await clients(NET_SUB).network.packetCaptures.get("rg1", "nw1", "bare");
    expect(mapPacketCapture(capture, NET_SUB)).toMatchObject({ timeLimitSeconds: 18000, totalBytesPerSession: 1073741824, bytesToCapturePerPacket: 0, filters: [] });
  });

  it("when a capture's status is queried, then state, start time and stop reason map", async () => {
    const status = await clients(NET_SUB).network.packetCaptures.beginGetStatusAndWait("rg1", "nw1", "pc1", { updateIntervalInMs: 1 });
    expect(mapCaptureStatus(status, "pc1")).toEqual({
      name: "pc1",
      state: "Stopped",
      startTime: "2016-09-07T12:35:24.000Z",
      stopReason: "TimeExceeded",
      errors: [],
    });
  });
});

describe("compute mappers", () => {
  it("when the VM list and its statusOnly twin are merged, then power state, OS, NICs and extensions map", async () => {
    const compute = clients(NET_SUB).compute;
    const [models, statuses] = await Promise.all([
      collect(compute.virtualMachines.listAll()),
      collect(compute.virtualMachines.listAll({ statusOnly: "true" })),
    ]);
    const byId = new Map(statuses.map((s) => [s.id!.toLowerCase(), s]));
    const vms = models.map((vm) => mapVirtualMachine(vm, NET_SUB, byId.get(vm.id!.toLowerCase())));
    expect(vms[0]).toEqual({
      id: VM_ID,
      subscriptionId: "subid",
      resourceGroup: "RG1",
      name: "vm-web-01",
      location: "westeurope",
      osType: "Linux",
      powerState: "running",
      nicIds: ["/subscriptions/subid/resourceGroups/RG1/providers/Microsoft.Network/networkInterfaces/vm-web-01-nic"],
      extensionTypes: ["NetworkWatcherAgentLinux"],
    });
    expect(vms[1]).toEqual({
      id: "/subscriptions/subid/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm-db-01",
      subscriptionId: "subid",
      resourceGroup: "RG1",
      name: "vm-db-01",
      location: "westeurope",
      osType: "Windows",
      nicIds: [],
      extensionTypes: [],
    });
    const statusOnly = server.requests.find((r) => r.url.includes("statusOnly=true"));
    expect(statusOnly?.url).toContain("api-version=2026-03-01");
  });

  it("when a VM's extensions are listed, then their types (not the resource type) are returned", async () => {
    const result = await clients(NET_SUB).compute.virtualMachineExtensions.list("RG1", "vm-web-01");
    expect(mapExtensionTypes(result.value ?? [])).toEqual(["NetworkWatcherAgentLinux"]);
  });

  it("when every client sends a request, then each carries the static token and none a real credential", () => {
    expect(server.requests.length).toBeGreaterThan(10);
    expect(new Set(server.requests.map((r) => r.authorization))).toEqual(new Set(["Bearer example-token"]));
  });
});

describe("pure helpers", () => {
  it.each([
    [undefined, undefined, []],
    ["*", undefined, ["*"]],
    ["", ["10.0.0.0/8"], ["10.0.0.0/8"]],
    ["10.0.0.1", ["10.0.0.1", "10.0.0.2"], ["10.0.0.1", "10.0.0.2"]],
    [null, null, []],
  ])("when folding %p and %p, then the list is %p", (single, plural, expected) => {
    expect(foldSinglePlural(single as string | undefined, plural as string[] | undefined)).toEqual(expected);
  });

  it.each([
    ["High", "High"],
    ["high", "High"],
    ["MEDIUM", "Medium"],
    ["low", "Low"],
    ["Critical", "High"],
    ["Informational", undefined],
    [42, undefined],
  ])("when severity is %p, then it normalises to %p", (input, expected) => {
    expect(normaliseSeverity(input)).toBe(expected);
  });

  it.each([
    ["Active", "Active"],
    ["New", "Active"],
    ["InProgress", "Active"],
    ["resolved", "Resolved"],
    ["Dismissed", "Dismissed"],
  ])("when an alert status is %p, then it maps to %p", (input, expected) => {
    expect(normaliseAlertStatus(input)).toBe(expected);
  });

  it.each([
    [{ source: "Azure", id: "/a" }, "/a"],
    [{ Source: "Azure", Id: "/b" }, "/b"],
    [{ source: "OnPremise" }, undefined],
    [null, undefined],
  ])("when resourceDetails is %p, then the id read is %p", (details, expected) => {
    expect(resourceDetailsId(details)).toBe(expected);
  });

  it.each([
    [[{ code: "ProvisioningState/succeeded" }, { code: "PowerState/deallocated" }], "deallocated"],
    [[{ code: "powerstate/running" }], "running"],
    [[{ code: "ProvisioningState/succeeded" }], undefined],
    [undefined, undefined],
  ])("when instance view statuses are %p, then the power state is %p", (statuses, expected) => {
    expect(powerStateOf(statuses)).toBe(expected);
  });
});
