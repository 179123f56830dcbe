/**
 * Microsoft.Compute as @azure/arm-compute 24.1.0 (TypeSpec client, api-version 2026-03-01) calls
 * it: virtual machines (listAll with statusOnly, list by group, get with $expand=instanceView,
 * instanceView) and VM extensions. Paths come from dist/commonjs/api/virtualMachines/operations.js.
 */
import { findById, paged, type SimContext } from "./context";
import { sameId, type SimNic, type SimVm, type SimVmExtension } from "./estate";
import { hashGuid } from "./prng";
import { type Route, type RouteRequest } from "./router";

/** The api-version of @azure/arm-compute 24.1.0. */
export const COMPUTE_API_VERSION = "2026-03-01";
const V = COMPUTE_API_VERSION;
const COMPUTE = "providers/Microsoft.Compute";

const POWER_DISPLAY: Record<string, string> = {
  running: "VM running",
  deallocated: "VM deallocated",
  stopped: "VM stopped",
  starting: "VM starting",
  deallocating: "VM deallocating",
};

function renderExtension(vm: SimVm, e: SimVmExtension): unknown {
  return {
    id: `${vm.id}/extensions/${e.name}`,
    name: e.name,
    type: "Microsoft.Compute/virtualMachines/extensions",
    location: vm.location,
    properties: {
      publisher: e.publisher,
      type: e.type,
      typeHandlerVersion: e.typeHandlerVersion,
      autoUpgradeMinorVersion: true,
      provisioningState: e.provisioningState,
      settings: {},
    },
  };
}

function renderInstanceView(vm: SimVm, created: string): unknown {
  const running = vm.powerState === "running";
  return {
    computerName: vm.name,
    osName: vm.osType === "Linux" ? "ubuntu" : "Windows Server 2022 Datacenter Azure Edition",
    osVersion: vm.osType === "Linux" ? "22.04" : "10.0.20348",
    ...(running
      ? {
          vmAgent: {
            vmAgentVersion: vm.osType === "Linux" ? "2.10.0.8" : "2.7.41491.1102",
            statuses: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Ready", message: "Guest Agent is running", time: created }],
          },
          extensions: vm.extensions.map((e) => ({
            name: e.name,
            type: `${e.publisher}.${e.type}`,
            typeHandlerVersion: e.typeHandlerVersion,
            statuses: [{ code: `ProvisioningState/${e.provisioningState.toLowerCase()}`, level: "Info", displayStatus: "Provisioning succeeded" }],
          })),
        }
      : {}),
    hyperVGeneration: "V2",
    statuses: [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time: created },
      { code: `PowerState/${vm.powerState}`, level: "Info", displayStatus: POWER_DISPLAY[vm.powerState] ?? vm.powerState },
    ],
  };
}

/** Builds the Microsoft.Compute routes. */
export function computeRoutes(ctx: SimContext): Route[] {
  const { estate } = ctx;
  const S = "/subscriptions/{subscriptionId}";
  const RG = `${S}/resourceGroups/{resourceGroupName}`;
  const sub = (req: RouteRequest): string => req.params["subscriptionId"] ?? "";
  const rg = (req: RouteRequest): string => req.params["resourceGroupName"] ?? "";
  const created = (vm: SimVm): string => {
    // A stable creation time per VM, some months before now.
    const days = 60 + (Number.parseInt(hashGuid(vm.id).slice(0, 4), 16) % 300);
    return new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
  };

  /** NICs by lower-cased VM id, built once per request (a page of 50 VMs must not scan all NICs 50 times). */
  const nicIndex = (): Map<string, SimNic[]> => {
    const index = new Map<string, SimNic[]>();
    for (const nic of estate.nics) {
      if (!nic.vmId) continue;
      const key = nic.vmId.toLowerCase();
      const list = index.get(key) ?? [];
      list.push(nic);
      index.set(key, list);
    }
    return index;
  };
  const renderVm = (vm: SimVm, withInstanceView: boolean, index: Map<string, SimNic[]> = nicIndex()): unknown => {
    const nics = index.get(vm.id.toLowerCase()) ?? [];
    const diskName = `${vm.name}_OsDisk_1_${hashGuid(vm.id).replace(/-/g, "")}`;
    const time = created(vm);
    return {
      id: vm.id,
      name: vm.name,
      type: "Microsoft.Compute/virtualMachines",
      location: vm.location,
      tags: vm.tags,
      properties: {
        vmId: vm.vmId,
        hardwareProfile: { vmSize: vm.vmSize },
        storageProfile: {
          imageReference: { publisher: vm.imagePublisher, offer: vm.imageOffer, sku: vm.imageSku, version: "latest" },
          osDisk: {
            osType: vm.osType,
            name: diskName,
            createOption: "FromImage",
            caching: "ReadWrite",
            managedDisk: {
              storageAccountType: "Premium_LRS",
              id: `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/disks/${diskName}`,
            },
            deleteOption: "Delete",
            diskSizeGB: vm.osType === "Linux" ? 30 : 127,
          },
          dataDisks: [],
        },
        osProfile: {
          computerName: vm.name,
          adminUsername: "azureuser",
          ...(vm.osType === "Linux"
            ? { linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } }
            : { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } }),
          secrets: [],
          allowExtensionOperations: true,
        },
        networkProfile: {
          networkInterfaces: nics.map((n, i) => ({ id: n.id, properties: { primary: i === 0 } })),
        },
        provisioningState: "Succeeded",
        timeCreated: time,
        ...(withInstanceView ? { instanceView: renderInstanceView(vm, time) } : {}),
      },
      resources: vm.extensions.map((e) => renderExtension(vm, e)),
    };
  };
  const findVm = (req: RouteRequest): SimVm =>
    findById(
      estate.vms,
      `/subscriptions/${sub(req)}/resourceGroups/${rg(req)}/${COMPUTE}/virtualMachines/${req.params["vmName"] ?? ""}`,
      "Microsoft.Compute/virtualMachines",
      req.params["vmName"] ?? "",
      rg(req),
    );
  const expandInstanceView = (req: RouteRequest): boolean => (req.query.get("$expand") ?? "").toLowerCase() === "instanceview";

  return [
    {
      method: "GET", template: `${S}/${COMPUTE}/virtualMachines`, apiVersion: V,
      handle: (req) => {
        const statusOnly = (req.query.get("statusOnly") ?? "").toLowerCase() === "true";
        const vms = estate.vms.filter((v) => sameId(v.subscriptionId, sub(req)));
        const index = nicIndex();
        return paged(ctx, req, vms, (vm) => renderVm(vm, statusOnly || expandInstanceView(req), index), V);
      },
    },
    {
      method: "GET", template: `${RG}/${COMPUTE}/virtualMachines`, apiVersion: V,
      handle: (req) => {
        const vms = estate.vms.filter((v) => sameId(v.subscriptionId, sub(req)) && sameId(v.resourceGroup, rg(req)));
        const index = nicIndex();
        return paged(ctx, req, vms, (vm) => renderVm(vm, expandInstanceView(req), index), V);
      },
    },
    { method: "GET", template: `${RG}/${COMPUTE}/virtualMachines/{vmName}`, apiVersion: V, handle: (req) => ({ status: 200, body: renderVm(findVm(req), expandInstanceView(req)) }) },
    {
      method: "GET", template: `${RG}/${COMPUTE}/virtualMachines/{vmName}/instanceView`, apiVersion: V,
      handle: (req) => {
        const vm = findVm(req);
        return { status: 200, body: renderInstanceView(vm, created(vm)) };
      },
    },
    {
      method: "GET", template: `${RG}/${COMPUTE}/virtualMachines/{vmName}/extensions`, apiVersion: V,
      handle: (req) => {
        const vm = findVm(req);
        return { status: 200, body: { value: vm.extensions.map((e) => renderExtension(vm, e)) } };
      },
    },
    {
      method: "GET", template: `${RG}/${COMPUTE}/virtualMachines/{vmName}/extensions/{extensionName}`, apiVersion: V,
      handle: (req) => {
        const vm = findVm(req);
        const ext = vm.extensions.find((e) => sameId(e.name, req.params["extensionName"]));
        if (!ext) {
          return {
            status: 404,
            body: { error: { code: "NotFound", message: `Extension '${req.params["extensionName"] ?? ""}' of virtual machine '${vm.name}' was not found.` } },
          };
        }
        return { status: 200, body: renderExtension(vm, ext) };
      },
    },
  ];
}
