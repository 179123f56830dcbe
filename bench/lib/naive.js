"use strict";
/**
 * The obvious alternative: what a script written against the same SDKs would do to answer the same questions,
 * resource by resource. It lists each subscription's VMs (the one list call everybody makes) and then asks ARM about
 * each VM separately. It gets the same bounded concurrency as the bot (4 requests in flight) so the comparison is
 * about the number of requests, not about parallelism. It is a lower bound on such a script: it asks only about
 * VMs (not storage, registries, gateways) and never reads a page twice.
 *
 * - recommendations: assessments.get(vmId, key, {expand: "metadata"}) for each VM and each of the 7 VM
 *   recommendation keys the simulator seeds (updates, endpoint protection, vulnerability assessment, disk
 *   encryption, JIT, internet-facing NSG, unmanaged containers); 404 = not assessed.
 * - exposure: virtualMachines.instanceView per VM (power state), networkInterfaces.get per NIC,
 *   networkSecurityGroups.get for the NIC's NSG, publicIPAddresses.get per public IP, jitNetworkAccessPolicies.list
 *   per subscription.
 */
const { ComputeManagementClient } = require("@azure/arm-compute");
const { NetworkManagementClient } = require("@azure/arm-network");
const { SecurityCenter } = require("@azure/arm-security");
const { bearerTokenAuthenticationPolicyName } = require("@azure/core-rest-pipeline");
const { SEEDED_ASSESSMENT_KEYS: KEYS } = require("../../dist/simulator");

const VM_KEYS = [
  KEYS.systemUpdates,
  KEYS.endpointProtection,
  KEYS.vulnerabilityAssessment,
  KEYS.diskEncryption,
  KEYS.jit,
  KEYS.internetFacingNsg,
  KEYS.unmanagedContainers,
];

const credential = { getToken: async () => ({ token: "unused", expiresOnTimestamp: Date.now() + 3_600_000 }) };

function clientsFor(endpoint, token, subscriptionId, onRequest) {
  const opts = { endpoint, allowInsecureConnection: true };
  const auth = {
    name: "benchStaticToken",
    async sendRequest(request, next) {
      onRequest();
      request.headers.set("authorization", `Bearer ${token}`);
      return next(request);
    },
  };
  const make = (C) => {
    const c = new C(credential, subscriptionId, opts);
    c.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    c.pipeline.addPolicy(auth);
    return c;
  };
  return { security: make(SecurityCenter), network: make(NetworkManagementClient), compute: make(ComputeManagementClient) };
}

async function collect(pages) {
  const out = [];
  for await (const x of pages) out.push(x);
  return out;
}

/** Runs tasks with at most `limit` in flight. */
async function pool(tasks, limit) {
  let i = 0;
  const results = new Array(tasks.length);
  async function worker() {
    while (i < tasks.length) {
      const index = i++;
      results[index] = await tasks[index]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const segment = (id, name) => {
  const parts = id.split("/");
  const i = parts.findIndex((p) => p.toLowerCase() === name.toLowerCase());
  return i >= 0 ? parts[i + 1] : undefined;
};
const last = (id) => id.split("/").pop();
const notFound = (err) => err && (err.statusCode === 404 || err.code === "ResourceNotFound" || err.code === "NotFound");

async function listVms(all, limit) {
  const perSub = await pool(all.map((c) => () => collect(c.compute.virtualMachines.listAll())), limit);
  return perSub.flatMap((vms, i) => vms.map((vm) => ({ vm, c: all[i] })));
}

/** "show high recommendations", one VM and one key at a time. Returns the high-severity unhealthy findings. */
async function naiveRecommendations({ endpoint, token, subscriptionIds, concurrency = 4 }) {
  let requests = 0;
  const all = subscriptionIds.map((s) => clientsFor(endpoint, token, s, () => (requests += 1)));
  const vms = await listVms(all, concurrency);
  const tasks = [];
  for (const { vm, c } of vms) {
    for (const key of VM_KEYS) {
      tasks.push(async () => {
        try {
          const a = await c.security.assessments.get(vm.id, key, { expand: "metadata" });
          return a.status?.code === "Unhealthy" && a.metadata?.severity === "High" ? 1 : 0;
        } catch (err) {
          if (notFound(err)) return 0;
          throw err;
        }
      });
    }
  }
  const found = (await pool(tasks, concurrency)).reduce((a, b) => a + b, 0);
  return { requests, findings: found, vms: vms.length };
}

/** "which VMs are exposed to the internet?", one VM, NIC, NSG and public IP at a time. */
async function naiveExposure({ endpoint, token, subscriptionIds, concurrency = 4 }) {
  let requests = 0;
  const all = subscriptionIds.map((s) => clientsFor(endpoint, token, s, () => (requests += 1)));
  const vms = await listVms(all, concurrency);
  await pool(all.map((c) => () => collect(c.security.jitNetworkAccessPolicies.list())), concurrency);
  const tasks = [];
  const exposed = new Set();
  for (const { vm, c } of vms) {
    const rg = segment(vm.id, "resourceGroups");
    tasks.push(() => c.compute.virtualMachines.instanceView(rg, vm.name));
    for (const ref of vm.properties?.networkProfile?.networkInterfaces ?? vm.networkProfile?.networkInterfaces ?? []) {
      tasks.push(async () => {
        const nic = await c.network.networkInterfaces.get(segment(ref.id, "resourceGroups"), last(ref.id));
        const inner = [];
        if (nic.networkSecurityGroup?.id) {
          const id = nic.networkSecurityGroup.id;
          inner.push(async () => {
            const nsg = await c.network.networkSecurityGroups.get(segment(id, "resourceGroups"), last(id));
            const open = (nsg.securityRules ?? []).some(
              (r) => r.access === "Allow" && r.direction === "Inbound" && ["*", "Internet", "0.0.0.0/0"].includes(r.sourceAddressPrefix ?? ""),
            );
            if (open) exposed.add(vm.id);
          });
        }
        for (const ipc of nic.ipConfigurations ?? []) {
          const pip = ipc.publicIPAddress?.id;
          if (pip) inner.push(() => c.network.publicIPAddresses.get(segment(pip, "resourceGroups"), last(pip)));
        }
        // Sequential inside one NIC: the script needs the NIC before it knows what else to ask.
        for (const t of inner) await t();
      });
    }
  }
  await pool(tasks, concurrency);
  return { requests, findings: exposed.size, vms: vms.length };
}

module.exports = { naiveRecommendations, naiveExposure, VM_KEYS };
