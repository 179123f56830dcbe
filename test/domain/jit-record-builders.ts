/** Builders for stored JIT requests: a pending request by Alice for vm-web-01 port 22, every field overridable. */
import type { JitRequestRecord } from "../../src/domain/jit-record";
import { ids, RG, SUB } from "./builders";

export const CREATED = new Date("2030-01-01T10:00:00.000Z");
export const at = (minutes: number): Date => new Date(CREATED.getTime() + minutes * 60_000);
export const REQUESTER = { id: "00000000-0000-0000-0000-00000000a11c", name: "Alice Analyst" };
export const APPROVER = { id: "00000000-0000-0000-0000-000000000b0b", name: "Bob Approver" };

export function jitRecord(overrides: Partial<JitRequestRecord> = {}): JitRequestRecord {
  return {
    id: "JABCDEF",
    requester: { ...REQUESTER },
    vm: { id: ids.vm("vm-web-01"), name: "vm-web-01" },
    policyId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default`,
    ports: [{ number: 22, protocol: "TCP", source: "203.0.113.7" }],
    source: "203.0.113.7",
    durationMs: 60 * 60_000,
    justification: "patching",
    createdAt: CREATED.toISOString(),
    status: "pending",
    conversationId: "conv-alice",
    cards: [],
    ...overrides,
  };
}

/** Granted by Bob at +5 min for an hour. */
export function grantedRecord(overrides: Partial<JitRequestRecord> = {}): JitRequestRecord {
  return jitRecord({
    status: "granted",
    decidedBy: { ...APPROVER },
    decidedAt: at(5).toISOString(),
    initiatedAt: at(5).toISOString(),
    grantEndTime: at(65).toISOString(),
    ...overrides,
  });
}
