/**
 * The writes of remediation (issue 10) through the real SDK clients: JIT policies, NSG security rules, NIC IP
 * forwarding, flow logs and alert states. Each fix reads and writes exactly what it changes: one security rule (never
 * the whole NSG), one VM's entry of a JIT policy (the policy's other VMs are re-read and written back unchanged), one
 * NIC property (the NIC is read and written back whole, as ARM requires for a NIC PUT).
 *
 * Reads here are never cached: a preview and the check before a write must see Azure as it is now. After a write the
 * gateway's cached reads of that kind are dropped, so the next `exposure` shows the change.
 */
import type { FlowLog as SdkFlowLog, SecurityRule as SdkSecurityRule } from "@azure/arm-network";
import type { JitNetworkAccessPolicy, JitNetworkAccessPolicyVirtualMachine, JitNetworkAccessPortRule } from "@azure/arm-security";
import { isRestError } from "@azure/core-rest-pipeline";
import { AppError } from "../domain/errors";
import type { AlertStatus } from "../domain/model";
import type { FlowLogSettings, JitPortSetting, RemediationState, RemediationTarget, RuleSettings } from "../domain/remediation";
import type { RemediationGateway } from "../domain/remediation-ports";
import type { ClientFactory } from "./clients";
import { toAppError } from "./errors";
import { nameOf, parseJitPolicyId, parseWatcherId, resourceGroupOf, resourceKey, segmentAfter, subscriptionOf } from "./resource-id";

/** What the operations need from the gateway that owns them. */
export interface RemediationDeps {
  factory: ClientFactory;
  /** Poll interval of long-running operations (Azure's Retry-After wins when sent). */
  pollMs: number;
  /** Throws AppError("BadInput") for a subscription the bot does not watch. */
  assertWatched(subscriptionId: string): void;
  /** Drops the cached reads of one kind (e.g. "networkSecurityGroups") after a write in `subscriptionId`. */
  invalidate(kind: string, subscriptionId: string): void;
  logger: { info(obj: object, msg?: string): void };
}

function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined || value === "") throw new AppError("BadInput", `"${id}" is not ${what}.`);
  return value;
}

/** Parts of `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/networkSecurityGroups/{nsg}/securityRules/{rule}`. */
export function parseRuleId(id: string): { subscriptionId: string; resourceGroup: string; nsgName: string; ruleName: string } {
  return {
    subscriptionId: need(subscriptionOf(id), "a security rule id", id),
    resourceGroup: need(resourceGroupOf(id), "a security rule id", id),
    nsgName: need(segmentAfter(id, "networkSecurityGroups"), "a security rule id", id),
    ruleName: need(segmentAfter(id, "securityRules", "last"), "a security rule id", id),
  };
}

/** Parts of a NIC id. */
export function parseNicId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  return {
    subscriptionId: need(subscriptionOf(id), "a network interface id", id),
    resourceGroup: need(resourceGroupOf(id), "a network interface id", id),
    name: need(segmentAfter(id, "networkInterfaces"), "a network interface id", id),
  };
}

/** Parts of a Defender alert id (subscription or resource-group level). */
export function parseAlertId(id: string): { subscriptionId: string; resourceGroup?: string; location: string; name: string } {
  const resourceGroup = resourceGroupOf(id);
  return {
    subscriptionId: need(subscriptionOf(id), "an alert id", id),
    ...(resourceGroup ? { resourceGroup } : {}),
    location: need(segmentAfter(id, "locations"), "an alert id", id),
    name: need(segmentAfter(id, "alerts", "last"), "an alert id", id),
  };
}

// ---------------------------------------------------------------- mapping SDK ⇄ domain (pure, table-tested)

function protocolOf(value: unknown): JitPortSetting["protocol"] {
  const upper = typeof value === "string" ? value.toUpperCase() : "*";
  return upper === "TCP" || upper === "UDP" ? upper : "*";
}

/** A JIT policy port as the domain keeps it (the plural prefixes win when Azure sends both). */
export function toJitPortSetting(port: JitNetworkAccessPortRule): JitPortSetting {
  const prefixes = (port.allowedSourceAddressPrefixes ?? []).filter((p) => p !== "");
  return {
    number: port.number,
    protocol: protocolOf(port.protocol),
    ...(prefixes.length > 0 ? { allowedSourceAddressPrefixes: prefixes } : { allowedSourceAddressPrefix: port.allowedSourceAddressPrefix ?? "*" }),
    maxRequestAccessDuration: port.maxRequestAccessDuration,
  };
}

/** The SDK port for a domain port; the two prefix fields are mutually exclusive on the wire. */
export function toSdkJitPort(port: JitPortSetting): JitNetworkAccessPortRule {
  const prefixes = port.allowedSourceAddressPrefixes ?? [];
  return {
    number: port.number,
    protocol: port.protocol,
    maxRequestAccessDuration: port.maxRequestAccessDuration,
    ...(prefixes.length > 0 ? { allowedSourceAddressPrefixes: [...prefixes] } : { allowedSourceAddressPrefix: port.allowedSourceAddressPrefix ?? "*" }),
  };
}

function text(value: string | undefined | null): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A security rule's writable properties, as read. */
export function toRuleSettings(rule: SdkSecurityRule): RuleSettings {
  const access = typeof rule.access === "string" && rule.access.toLowerCase() === "deny" ? "Deny" : "Allow";
  const direction = typeof rule.direction === "string" && rule.direction.toLowerCase() === "outbound" ? "Outbound" : "Inbound";
  const ids = (groups: { id?: string }[] | undefined): string[] => (groups ?? []).map((g) => g.id ?? "").filter((id) => id !== "");
  const settings: RuleSettings = {
    protocol: rule.protocol ?? "*",
    access,
    direction,
    priority: rule.priority ?? 0,
    sourceAddressPrefixes: [...(rule.sourceAddressPrefixes ?? [])],
    sourcePortRanges: [...(rule.sourcePortRanges ?? [])],
    destinationAddressPrefixes: [...(rule.destinationAddressPrefixes ?? [])],
    destinationPortRanges: [...(rule.destinationPortRanges ?? [])],
    sourceApplicationSecurityGroupIds: ids(rule.sourceApplicationSecurityGroups),
    destinationApplicationSecurityGroupIds: ids(rule.destinationApplicationSecurityGroups),
  };
  const optional: [keyof RuleSettings, string | undefined][] = [
    ["sourceAddressPrefix", text(rule.sourceAddressPrefix)],
    ["sourcePortRange", text(rule.sourcePortRange)],
    ["destinationAddressPrefix", text(rule.destinationAddressPrefix)],
    ["destinationPortRange", text(rule.destinationPortRange)],
    ["description", text(rule.description)],
  ];
  for (const [key, value] of optional) if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  return settings;
}

/** The SDK rule for a PUT: a singular field only when its plural twin is empty (ARM refuses both at once). */
export function toSdkRule(s: RuleSettings): SdkSecurityRule {
  const pair = (single: string | undefined, plural: string[], singleKey: string, pluralKey: string): Record<string, unknown> =>
    plural.length > 0 ? { [pluralKey]: [...plural] } : single !== undefined ? { [singleKey]: single } : {};
  const groups = (ids: string[], key: string): Record<string, unknown> => (ids.length > 0 ? { [key]: ids.map((id) => ({ id })) } : {});
  return {
    protocol: s.protocol,
    access: s.access,
    direction: s.direction,
    priority: s.priority,
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...pair(s.sourceAddressPrefix, s.sourceAddressPrefixes, "sourceAddressPrefix", "sourceAddressPrefixes"),
    ...pair(s.sourcePortRange, s.sourcePortRanges, "sourcePortRange", "sourcePortRanges"),
    ...pair(s.destinationAddressPrefix, s.destinationAddressPrefixes, "destinationAddressPrefix", "destinationAddressPrefixes"),
    ...pair(s.destinationPortRange, s.destinationPortRanges, "destinationPortRange", "destinationPortRanges"),
    ...groups(s.sourceApplicationSecurityGroupIds, "sourceApplicationSecurityGroups"),
    ...groups(s.destinationApplicationSecurityGroupIds, "destinationApplicationSecurityGroups"),
  } as SdkSecurityRule;
}

/** A flow log's managed properties, as read. */
export function toFlowLogSettings(flowLog: SdkFlowLog): FlowLogSettings {
  return {
    targetResourceId: flowLog.targetResourceId ?? "",
    storageId: flowLog.storageId ?? "",
    enabled: flowLog.enabled === true,
    retentionDays: flowLog.retentionPolicy?.enabled === false ? 0 : flowLog.retentionPolicy?.days ?? 0,
  };
}

function alertStatusOf(value: unknown): AlertStatus {
  const lower = typeof value === "string" ? value.toLowerCase() : "";
  return lower === "dismissed" ? "Dismissed" : lower === "resolved" ? "Resolved" : "Active";
}

// ---------------------------------------------------------------- the operations

/** Reads and writes remediation targets; the ARM gateway delegates to one instance. */
export class RemediationOperations implements RemediationGateway {
  constructor(private readonly deps: RemediationDeps) {}

  async readRemediationState(target: RemediationTarget): Promise<RemediationState> {
    switch (target.kind) {
      case "jit": {
        const policy = await this.readJitPolicy(target.policyId);
        const entry = policy?.virtualMachines.find((v) => resourceKey(v.id) === resourceKey(target.vmId));
        return { kind: "jit", ports: entry ? entry.ports.map(toJitPortSetting) : null };
      }
      case "rule": {
        const r = parseRuleId(target.ruleId);
        const rule = await this.call(r.subscriptionId, `reading rule ${r.ruleName} of ${r.nsgName}`, async (clients) => {
          try {
            return await clients.network.securityRules.get(r.resourceGroup, r.nsgName, r.ruleName);
          } catch (error) {
            if (isNotFound(error)) return undefined;
            throw error;
          }
        });
        return { kind: "rule", rule: rule ? toRuleSettings(rule) : null };
      }
      case "forwarding": {
        const n = parseNicId(target.nicId);
        const nic = await this.call(n.subscriptionId, `reading network interface ${n.name}`, (clients) =>
          clients.network.networkInterfaces.get(n.resourceGroup, n.name),
        );
        return { kind: "forwarding", enableIPForwarding: nic.enableIPForwarding === true };
      }
      case "flowlogs": {
        const flowLog = await this.readFlowLog(target.flowLogId);
        return { kind: "flowlogs", flowLog: flowLog ? toFlowLogSettings(flowLog) : null };
      }
      case "alert": {
        const a = parseAlertId(target.alertId);
        const alert = await this.call(a.subscriptionId, `reading alert ${a.name}`, (clients) =>
          a.resourceGroup
            ? clients.security.alerts.getResourceGroupLevel(a.location, a.name, a.resourceGroup)
            : clients.security.alerts.getSubscriptionLevel(a.location, a.name),
        );
        return { kind: "alert", status: alertStatusOf(alert.status) };
      }
    }
  }

  async applyRemediation(target: RemediationTarget, desired: RemediationState): Promise<void> {
    if (desired.kind !== target.kind) throw new AppError("Internal", "That change does not fit its resource.");
    switch (target.kind) {
      case "jit":
        return this.writeJit(target.policyId, target.vmId, (desired as RemediationState & { kind: "jit" }).ports);
      case "rule":
        return this.writeRule(target.ruleId, (desired as RemediationState & { kind: "rule" }).rule);
      case "forwarding":
        return this.writeForwarding(target.nicId, (desired as RemediationState & { kind: "forwarding" }).enableIPForwarding);
      case "flowlogs":
        return this.writeFlowLog(target.flowLogId, target.location, (desired as RemediationState & { kind: "flowlogs" }).flowLog);
      case "alert":
        return this.writeAlert(target.alertId, (desired as RemediationState & { kind: "alert" }).status);
    }
  }

  // ------------------------------------------------------------ JIT policy

  private async readJitPolicy(policyId: string): Promise<JitNetworkAccessPolicy | undefined> {
    const p = parseJitPolicyId(policyId);
    return this.call(p.subscriptionId, `reading JIT policy ${p.name} of ${p.resourceGroup}`, async (clients) => {
      try {
        return await clients.security.jitNetworkAccessPolicies.get(p.resourceGroup, p.location, p.name);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  /** Rewrites one VM's entry; the other VMs are written back as just read. A policy left with no VM is deleted. */
  private async writeJit(policyId: string, vmId: string, ports: JitPortSetting[] | null): Promise<void> {
    const p = parseJitPolicyId(policyId);
    this.deps.assertWatched(p.subscriptionId);
    const current = await this.readJitPolicy(policyId);
    const existing = current?.virtualMachines ?? [];
    const at = existing.findIndex((v) => resourceKey(v.id) === resourceKey(vmId));
    const mine: JitNetworkAccessPolicyVirtualMachine[] =
      ports === null
        ? []
        : [{ id: at >= 0 ? existing[at]!.id : vmId, ports: ports.map(toSdkJitPort), ...(at >= 0 && existing[at]!.publicIpAddress ? { publicIpAddress: existing[at]!.publicIpAddress } : {}) }];
    const virtualMachines = at >= 0 ? [...existing.slice(0, at), ...mine, ...existing.slice(at + 1)] : [...existing, ...mine];
    await this.write("jitPolicies", p.subscriptionId, `changing JIT policy ${p.name} of ${p.resourceGroup}`, async (clients) => {
      if (virtualMachines.length === 0) {
        if (current) await clients.security.jitNetworkAccessPolicies.delete(p.resourceGroup, p.location, p.name);
        return;
      }
      await clients.security.jitNetworkAccessPolicies.createOrUpdate(p.resourceGroup, p.location, p.name, {
        kind: current?.kind ?? "Basic",
        virtualMachines,
      });
    });
    // Defender writes JIT's deny rules into the VM's NSG when a VM joins a policy.
    this.deps.invalidate("networkSecurityGroups", p.subscriptionId);
    this.deps.logger.info({ subscriptionId: p.subscriptionId, policy: policyId, vmId, ports: ports?.map((x) => x.number) ?? null }, "JIT policy changed");
  }

  // ------------------------------------------------------------ NSG rule

  private async writeRule(ruleId: string, rule: RuleSettings | null): Promise<void> {
    const r = parseRuleId(ruleId);
    this.deps.assertWatched(r.subscriptionId);
    const options = { updateIntervalInMs: this.deps.pollMs };
    await this.write("networkSecurityGroups", r.subscriptionId, `${rule === null ? "deleting" : "changing"} rule ${r.ruleName} of ${r.nsgName}`, async (clients) => {
      if (rule === null) await clients.network.securityRules.beginDeleteAndWait(r.resourceGroup, r.nsgName, r.ruleName, options);
      else await clients.network.securityRules.beginCreateOrUpdateAndWait(r.resourceGroup, r.nsgName, r.ruleName, toSdkRule(rule), options);
    });
    this.deps.logger.info({ subscriptionId: r.subscriptionId, rule: ruleId, deleted: rule === null }, "NSG rule changed");
  }

  // ------------------------------------------------------------ NIC

  private async writeForwarding(nicId: string, enableIPForwarding: boolean): Promise<void> {
    const n = parseNicId(nicId);
    this.deps.assertWatched(n.subscriptionId);
    await this.write("networkInterfaces", n.subscriptionId, `changing network interface ${n.name}`, async (clients) => {
      // A NIC PUT replaces the whole resource: send it back as just read, with only this property changed.
      const nic = await clients.network.networkInterfaces.get(n.resourceGroup, n.name);
      await clients.network.networkInterfaces.beginCreateOrUpdateAndWait(n.resourceGroup, n.name, { ...nic, enableIPForwarding }, {
        updateIntervalInMs: this.deps.pollMs,
      });
    });
    this.deps.logger.info({ subscriptionId: n.subscriptionId, nic: nicId, enableIPForwarding }, "NIC changed");
  }

  // ------------------------------------------------------------ flow log

  private async readFlowLog(flowLogId: string): Promise<SdkFlowLog | undefined> {
    const f = parseWatcherId(flowLogId, "flowLogs");
    const name = f.childName ?? "";
    return this.call(f.subscriptionId, `reading flow log ${name}`, async (clients) => {
      try {
        return await clients.network.flowLogs.get(f.resourceGroup, f.watcherName, name);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  private async writeFlowLog(flowLogId: string, location: string, settings: FlowLogSettings | null): Promise<void> {
    const f = parseWatcherId(flowLogId, "flowLogs");
    const name = f.childName ?? "";
    this.deps.assertWatched(f.subscriptionId);
    const options = { updateIntervalInMs: this.deps.pollMs };
    const existing = await this.readFlowLog(flowLogId);
    await this.write("flowLogs", f.subscriptionId, `${settings === null ? "deleting" : "changing"} flow log ${name}`, async (clients) => {
      if (settings === null) {
        if (existing) await clients.network.flowLogs.beginDeleteAndWait(f.resourceGroup, f.watcherName, name, options);
        return;
      }
      const body: SdkFlowLog = {
        location: existing?.location ?? location,
        ...(existing?.tags ? { tags: existing.tags } : {}),
        targetResourceId: settings.targetResourceId,
        storageId: settings.storageId,
        enabled: settings.enabled,
        retentionPolicy: { days: settings.retentionDays, enabled: settings.retentionDays > 0 },
        // Version 2 records bytes and packets; an existing flow log keeps its own format and traffic analytics.
        format: existing?.format ?? { type: "JSON", version: 2 },
        ...(existing?.flowAnalyticsConfiguration ? { flowAnalyticsConfiguration: existing.flowAnalyticsConfiguration } : {}),
      };
      await clients.network.flowLogs.beginCreateOrUpdateAndWait(f.resourceGroup, f.watcherName, name, body, options);
    });
    this.deps.logger.info({ subscriptionId: f.subscriptionId, flowLog: flowLogId, enabled: settings?.enabled ?? null }, "flow log changed");
  }

  // ------------------------------------------------------------ alert

  private async writeAlert(alertId: string, status: AlertStatus): Promise<void> {
    const a = parseAlertId(alertId);
    this.deps.assertWatched(a.subscriptionId);
    const verb = status === "Dismissed" ? "dismissing" : status === "Resolved" ? "resolving" : "reactivating";
    await this.write("alerts", a.subscriptionId, `${verb} alert ${a.name}`, async (clients) => {
      const alerts = clients.security.alerts;
      if (a.resourceGroup !== undefined) {
        if (status === "Dismissed") await alerts.updateResourceGroupLevelStateToDismiss(a.location, a.name, a.resourceGroup);
        else if (status === "Resolved") await alerts.updateResourceGroupLevelStateToResolve(a.location, a.name, a.resourceGroup);
        else await alerts.updateResourceGroupLevelStateToActivate(a.location, a.name, a.resourceGroup);
      } else if (status === "Dismissed") await alerts.updateSubscriptionLevelStateToDismiss(a.location, a.name);
      else if (status === "Resolved") await alerts.updateSubscriptionLevelStateToResolve(a.location, a.name);
      else await alerts.updateSubscriptionLevelStateToActivate(a.location, a.name);
    });
    this.deps.logger.info({ subscriptionId: a.subscriptionId, alert: nameOf(alertId), status }, "alert state changed");
  }

  // ------------------------------------------------------------ plumbing

  private async call<T>(subscriptionId: string, operation: string, work: (clients: ReturnType<ClientFactory["for"]>) => Promise<T>): Promise<T> {
    try {
      return await work(this.deps.factory.for(subscriptionId));
    } catch (error) {
      throw toAppError(error, { subscriptionId, operation });
    }
  }

  /** A write: cached reads of `kind` are dropped even when it fails (a failed write may have changed something). */
  private async write(kind: string, subscriptionId: string, operation: string, work: (clients: ReturnType<ClientFactory["for"]>) => Promise<void>): Promise<void> {
    try {
      await this.call(subscriptionId, operation, work);
    } finally {
      this.deps.invalidate(kind, subscriptionId);
    }
  }
}
