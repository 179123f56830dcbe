/**
 * Things about a VM that make a JIT request pointless, found before anyone is asked to approve it (facts §9):
 * a VM that is not running, and a VM behind a Basic-SKU public IP (Azure reports those as "Unsupported" for JIT).
 */
import { nicsOfVm } from "./exposure";
import type { NetworkInterface, PublicIpAddress, VirtualMachine } from "./model";
import { sameId } from "./resource-ids";

const NOT_RUNNING = new Set(["deallocated", "deallocating", "stopped", "stopping"]);

/**
 * Why JIT access to this VM cannot work, or undefined when nothing is known against it (including when the VM
 * could not be read: the initiate call will then say what Azure thinks).
 */
export function jitVmProblem(
  vmId: string,
  input: { vms: readonly VirtualMachine[]; nics: readonly NetworkInterface[]; publicIps: readonly PublicIpAddress[] },
): string | undefined {
  const vm = input.vms.find((v) => sameId(v.id, vmId));
  if (vm === undefined) return undefined;
  const power = vm.powerState?.toLowerCase();
  if (power !== undefined && NOT_RUNNING.has(power)) {
    return `${vm.name} is ${power}, so there is nothing to connect to. Start the VM first, then request access.`;
  }
  for (const nic of nicsOfVm(vm, input.nics)) {
    for (const config of nic.ipConfigurations) {
      const pip =
        (config.publicIpId !== undefined ? input.publicIps.find((p) => sameId(p.id, config.publicIpId)) : undefined) ??
        input.publicIps.find((p) => sameId(p.ipConfigurationId, `${nic.id}/ipConfigurations/${config.name}`));
      if (pip?.sku?.toLowerCase() === "basic") {
        return (
          `${vm.name} is behind a Basic-SKU public IP (${pip.ipAddress ?? pip.name}), which JIT does not support (Azure reports it as "Unsupported"). ` +
          `Upgrade the public IP to the Standard SKU, then request access.`
        );
      }
    }
  }
  return undefined;
}
