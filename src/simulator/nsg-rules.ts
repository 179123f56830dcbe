/**
 * The NSG rules just-in-time access writes, as Defender for Cloud does: a deny rule per JIT port
 * at the bottom of the custom range when a VM joins a policy, and a time-limited allow rule for
 * the requested source above it when access is initiated. Allow rules vanish when they expire.
 */
import { sameId, type Estate, type SimNsg, type SimSecurityRule, type SimVm } from "./estate";
import { hashGuid } from "./prng";

const JIT_PREFIX = "SecurityCenter-JITRule";

function nicAndNsg(estate: Estate, vm: SimVm): { nsg?: SimNsg; privateIp: string } {
  const nic = estate.nics.find((n) => sameId(n.vmId, vm.id));
  const nsg = estate.nsgs.find((n) => sameId(n.id, nic?.nsgId));
  return { nsg, privateIp: nic?.ipConfigurations[0]?.privateIpAddress ?? "*" };
}

function freePriority(nsg: SimNsg, start: number, step: 1 | -1): number {
  let priority = start;
  while (nsg.rules.some((r) => r.direction === "Inbound" && r.priority === priority)) priority += step;
  return priority;
}

const isJitRuleFor = (rule: SimSecurityRule, privateIp: string): boolean =>
  rule.name.startsWith(JIT_PREFIX) && rule.destinationAddressPrefixes.includes(privateIp);

/** Rules visible at `now`: expired JIT allow rules are gone. */
export function visibleRules(nsg: SimNsg, now: Date): SimSecurityRule[] {
  return nsg.rules.filter((r) => r.expiresAt === undefined || Date.parse(r.expiresAt) > now.getTime());
}

/** Makes sure each JIT port of the VM has its deny rule in the VM's NSG. */
export function ensureJitDenyRules(estate: Estate, vm: SimVm, ports: number[]): void {
  const { nsg, privateIp } = nicAndNsg(estate, vm);
  if (!nsg) return;
  for (const port of ports) {
    const exists = nsg.rules.some((r) => isJitRuleFor(r, privateIp) && r.access === "Deny" && r.destinationPortRanges.includes(String(port)));
    if (exists) continue;
    nsg.rules.push({
      name: `${JIT_PREFIX}_${hashGuid(`${vm.id}:${port}`).slice(0, 8)}_Deny_${port}`,
      priority: freePriority(nsg, 4096, -1),
      direction: "Inbound",
      access: "Deny",
      protocol: "*",
      sourceAddressPrefixes: ["*"],
      destinationPortRanges: [String(port)],
      destinationAddressPrefixes: [privateIp],
      description: `ASC JIT Network Access rule for policy 'default' of VM '${vm.name}'.`,
    });
  }
}

/** Removes every JIT rule (deny and allow) for the VM. */
export function removeJitRules(estate: Estate, vm: SimVm): void {
  const { nsg, privateIp } = nicAndNsg(estate, vm);
  if (!nsg) return;
  nsg.rules = nsg.rules.filter((r) => !isJitRuleFor(r, privateIp));
}

/** Adds the allow rule of one JIT grant, replacing an earlier grant's rule for the same port. */
export function addJitAllowRule(estate: Estate, vm: SimVm, port: number, protocol: string, sources: string[], endTimeUtc: string): void {
  const { nsg, privateIp } = nicAndNsg(estate, vm);
  if (!nsg) return;
  nsg.rules = nsg.rules.filter(
    (r) => !(isJitRuleFor(r, privateIp) && r.access === "Allow" && r.destinationPortRanges.includes(String(port))),
  );
  nsg.rules.push({
    name: `${JIT_PREFIX}_${hashGuid(`${vm.id}:${port}:${endTimeUtc}`).slice(0, 8)}_Allow_${port}`,
    priority: freePriority(nsg, 100, 1),
    direction: "Inbound",
    access: "Allow",
    protocol: protocol === "TCP" ? "Tcp" : protocol === "UDP" ? "Udp" : "*",
    sourceAddressPrefixes: sources,
    destinationPortRanges: [String(port)],
    destinationAddressPrefixes: [privateIp],
    description: `ASC JIT Network Access rule for policy 'default' of VM '${vm.name}'.`,
    expiresAt: endTimeUtc,
  });
}
