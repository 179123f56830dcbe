import {
  canonicalState,
  describeChanges,
  isOpenSource,
  planAlert,
  planFlowLogs,
  planForwarding,
  planJit,
  planRule,
  propertyChanges,
  ruleProblem,
  sameState,
  type JitPortSetting,
  type RemediationState,
  type RuleSettings,
} from "../../src/domain/remediation";
import {
  decideFix,
  FIX_APPROVAL_TIMEOUT_MS,
  isStuck,
  newChangeId,
  normalizeChangeId,
  undoProblem,
  undoProposal,
  UNDO_WINDOW_MS,
  type RemediationRecord,
} from "../../src/domain/remediation-record";

const NSG = "/subscriptions/s1/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/nsg-web";
const STORAGE = "/subscriptions/s1/resourceGroups/rg-sec/providers/Microsoft.Storage/storageAccounts/stlogs";
const T0 = Date.parse("2030-01-15T10:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const ALICE = { id: "alice-id", name: "Alice" };
const BOB = { id: "bob-id", name: "Bob" };

function rule(overrides: Partial<RuleSettings> = {}): RuleSettings {
  return {
    protocol: "Tcp",
    access: "Allow",
    direction: "Inbound",
    priority: 100,
    sourceAddressPrefix: "Internet",
    sourceAddressPrefixes: [],
    sourcePortRange: "*",
    sourcePortRanges: [],
    destinationAddressPrefix: "*",
    destinationAddressPrefixes: [],
    destinationPortRange: "22",
    destinationPortRanges: [],
    sourceApplicationSecurityGroupIds: [],
    destinationApplicationSecurityGroupIds: [],
    description: "vendor access",
    ...overrides,
  };
}

const port = (number: number, extra: Partial<JitPortSetting> = {}): JitPortSetting => ({
  number,
  protocol: "*",
  allowedSourceAddressPrefix: "*",
  maxRequestAccessDuration: "PT3H",
  ...extra,
});

function change(overrides: Partial<RemediationRecord> = {}): RemediationRecord {
  return {
    kind: "forwarding",
    target: { kind: "forwarding", nicId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1" },
    resourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1",
    resourceName: "network interface nic1 (rg)",
    title: "Turn off IP forwarding on nic1",
    finding: "nic1 forwards",
    before: { kind: "forwarding", enableIPForwarding: true },
    after: { kind: "forwarding", enableIPForwarding: false },
    id: "CABCDEF",
    requester: ALICE,
    createdAt: at(0).toISOString(),
    status: "pending",
    approvalRequired: true,
    conversationId: "conv",
    cards: [],
    ...overrides,
  };
}

describe("planning a rule fix", () => {
  test("when the internet-wide source is narrowed, then only the source changes and other sources and properties stay", () => {
    const before: RemediationState & { kind: "rule" } = { kind: "rule", rule: rule({ sourceAddressPrefix: undefined, sourceAddressPrefixes: ["Internet", "10.0.0.0/8"] }) };
    const after = planRule(before, { from: "203.0.113.0/24" }, "Allow-SSH");
    expect(after.rule).toEqual({ ...before.rule, sourceAddressPrefix: undefined, sourceAddressPrefixes: ["10.0.0.0/8", "203.0.113.0/24"] });
    const single = planRule({ kind: "rule", rule: rule() }, { from: "203.0.113.7" }, "Allow-SSH");
    expect(single.rule).toMatchObject({ sourceAddressPrefix: "203.0.113.7", sourceAddressPrefixes: [], destinationPortRange: "22", description: "vendor access" });
    expect(propertyChanges({ kind: "rule", rule: rule() }, single)).toEqual([
      { property: "properties.sourceAddressPrefix", current: "Internet", proposed: "203.0.113.7" },
    ]);
  });

  test("when the rule is deleted, then the proposed state is no rule and the preview says so", () => {
    const after = planRule({ kind: "rule", rule: rule() }, { delete: true }, "Allow-SSH");
    expect(after).toEqual({ kind: "rule", rule: null });
    const [only] = propertyChanges({ kind: "rule", rule: rule() }, after);
    expect(only).toMatchObject({ property: "securityRule", proposed: expect.stringContaining("deleted") });
    expect(only!.current).toContain("Allow Inbound Tcp port 22 from Internet");
  });

  test.each([
    ["*", "means anyone on the internet"],
    ["0.0.0.0/0", "means anyone on the internet"],
    ["AzureCloud", "service tags are not accepted"],
    ["10.1.2.3/24", "did you mean 10.1.2.0/24"],
    ["1.0.0.0/4", "too wide"],
  ])("when the new source is %j, then it is refused (%s)", (source, message) => {
    expect(() => planRule({ kind: "rule", rule: rule() }, { from: source }, "Allow-SSH")).toThrow(message);
  });

  test.each([
    ["a rule that only allows a concrete range", rule({ sourceAddressPrefix: "198.51.100.0/24" }), "does not allow traffic from the whole internet"],
    ["a deny rule", rule({ access: "Deny" }), "only inbound Allow rules"],
    ["an outbound rule", rule({ direction: "Outbound" }), "only inbound Allow rules"],
  ])("when the fix targets %s, then it is refused", (_what, r, message) => {
    expect(() => planRule({ kind: "rule", rule: r }, { delete: true }, "R")).toThrow(message);
  });

  test("when the rule is one of JIT's own, or gone, then nothing is planned", () => {
    expect(ruleProblem(rule(), "SecurityCenter-JITRule_1_Allow_22")).toContain("managed by Defender");
    expect(() => planRule({ kind: "rule", rule: null }, { delete: true }, "R")).toThrow("does not exist");
  });

  test.each([["*"], ["Internet"], ["internet"], ["Any"], ["0.0.0.0/0"], ["::/0"]])("when a source is %j, then it counts as the whole internet", (s) => {
    expect(isOpenSource(s)).toBe(true);
  });

  test.each([["10.0.0.0/8"], ["VirtualNetwork"], ["203.0.113.7"]])("when a source is %j, then it does not", (s) => {
    expect(isOpenSource(s)).toBe(false);
  });
});

describe("planning the other fixes", () => {
  test("when JIT is enabled, then new ports get PT3H and any source, and ports already in the policy are kept as they are", () => {
    const restricted = port(3389, { protocol: "TCP", allowedSourceAddressPrefixes: ["10.2.1.0/24"], maxRequestAccessDuration: "PT1H", allowedSourceAddressPrefix: undefined });
    const after = planJit({ kind: "jit", ports: [restricted] }, [22, 3389], "vm1");
    expect(after.ports).toEqual([restricted, port(22)]);
    expect(planJit({ kind: "jit", ports: null }, [22], "vm1").ports).toEqual([port(22)]);
    expect(() => planJit({ kind: "jit", ports: [port(22)] }, [22], "vm1")).toThrow("already covers port 22");
    expect(() => planJit({ kind: "jit", ports: null }, [70000], "vm1")).toThrow("not a port number");
    expect(propertyChanges({ kind: "jit", ports: [restricted] }, after, "vm1")).toEqual([
      { property: "properties.virtualMachines[vm1].ports[22]", current: "(none)", proposed: "protocol *, from *, up to PT3H" },
    ]);
  });

  test("when IP forwarding is on, then the fix turns it off; when it is off, there is nothing to do", () => {
    expect(planForwarding({ kind: "forwarding", enableIPForwarding: true }, "nic1")).toEqual({ kind: "forwarding", enableIPForwarding: false });
    expect(() => planForwarding({ kind: "forwarding", enableIPForwarding: false }, "nic1")).toThrow("already off");
  });

  test("when an NSG has no flow log, then one is created into the storage account; a disabled one is enabled and keeps its retention", () => {
    expect(planFlowLogs({ kind: "flowlogs", flowLog: null }, NSG, STORAGE, "nsg-web").flowLog).toEqual({ targetResourceId: NSG, storageId: STORAGE, enabled: true, retentionDays: 90 });
    const disabled = { targetResourceId: NSG, storageId: "/subscriptions/s1/x/storageAccounts/old", enabled: false, retentionDays: 7 };
    const after = planFlowLogs({ kind: "flowlogs", flowLog: disabled }, NSG, STORAGE, "nsg-web");
    expect(after.flowLog).toEqual({ ...disabled, storageId: STORAGE, enabled: true });
    expect(propertyChanges({ kind: "flowlogs", flowLog: disabled }, after).map((c) => c.property)).toEqual(["properties.enabled", "properties.storageId"]);
    expect(() => planFlowLogs({ kind: "flowlogs", flowLog: { ...disabled, storageId: STORAGE.toUpperCase(), enabled: true } }, NSG, STORAGE, "nsg-web")).toThrow("already has an enabled flow log");
  });

  test("when an alert is dismissed, resolved or reactivated, then only a different status is planned", () => {
    expect(planAlert({ kind: "alert", status: "Active" }, "dismiss", "a1")).toEqual({ kind: "alert", status: "Dismissed" });
    expect(planAlert({ kind: "alert", status: "Dismissed" }, "activate", "a1")).toEqual({ kind: "alert", status: "Active" });
    expect(() => planAlert({ kind: "alert", status: "Resolved" }, "resolve", "a1")).toThrow("already resolved");
  });
});

describe("comparing states (the changed-since-preview check)", () => {
  test("when Azure folds one source into the singular field or changes case, then the states are the same", () => {
    const a: RemediationState = { kind: "rule", rule: rule({ sourceAddressPrefix: "Internet", sourceAddressPrefixes: [] }) };
    const b: RemediationState = { kind: "rule", rule: rule({ sourceAddressPrefix: undefined, sourceAddressPrefixes: ["internet"], protocol: "TCP" }) };
    expect(sameState(a, b)).toBe(true);
    expect(sameState({ kind: "jit", ports: [port(22), port(3389)] }, { kind: "jit", ports: [port(3389), port(22)] })).toBe(true);
  });

  test.each<[string, RemediationState, RemediationState]>([
    ["a rule's priority", { kind: "rule", rule: rule() }, { kind: "rule", rule: rule({ priority: 110 }) }],
    ["a rule's ports", { kind: "rule", rule: rule() }, { kind: "rule", rule: rule({ destinationPortRange: "3389" }) }],
    ["a rule that vanished", { kind: "rule", rule: rule() }, { kind: "rule", rule: null }],
    ["a JIT port's duration", { kind: "jit", ports: [port(22)] }, { kind: "jit", ports: [port(22, { maxRequestAccessDuration: "PT1H" })] }],
    ["a flow log's storage", { kind: "flowlogs", flowLog: { targetResourceId: NSG, storageId: STORAGE, enabled: false, retentionDays: 7 } }, { kind: "flowlogs", flowLog: { targetResourceId: NSG, storageId: `${STORAGE}2`, enabled: false, retentionDays: 7 } }],
    ["an alert's status", { kind: "alert", status: "Active" }, { kind: "alert", status: "Resolved" }],
  ])("when %s differs, then the states differ", (_what, a, b) => {
    expect(sameState(a, b)).toBe(false);
    expect(canonicalState(a)).not.toBe(canonicalState(b));
  });

  test("when changes are described for the audit log, then the line is bounded", () => {
    const long = Array.from({ length: 50 }, (_, i) => ({ property: `p${i}`, current: "x".repeat(40), proposed: "y".repeat(40) }));
    expect(describeChanges(long).length).toBeLessThanOrEqual(600);
    expect(describeChanges([])).toBe("no property changes");
  });
});

describe("a change's life", () => {
  test("when ids are drawn, then they are C plus six unambiguous characters and read back case-insensitively", () => {
    let i = 0;
    const id = newChangeId((n) => i++ % n);
    expect(id).toMatch(/^C[2-9A-HJKMNP-Z]{6}$/);
    expect(normalizeChangeId(` ${id.toLowerCase()} `)).toBe(id);
    expect(normalizeChangeId("JABCDEF")).toBeUndefined();
  });

  test("when an approver other than the proposer approves, then it is approved; the proposer and late clicks are refused", () => {
    const approved = decideFix(change(), { decision: "approve", person: BOB, now: at(5), note: " checked " });
    expect(approved).toMatchObject({ outcome: "approved", record: { status: "approved", decidedBy: BOB, note: "checked" } });
    expect(decideFix(change(), { decision: "approve", person: { id: "ALICE-ID", name: "Alice" }, now: at(5) })).toMatchObject({
      outcome: "refused",
      error: { code: "Forbidden" },
    });
    const late = decideFix(approved.record, { decision: "approve", person: BOB, now: at(6) });
    expect(late).toMatchObject({ outcome: "refused", error: { code: "Conflict" } });
    expect(late.outcome === "refused" && late.error.userMessage).toContain("already approved by Bob");
  });

  test("when a proposal waited longer than an hour, then the decision expires it", () => {
    const result = decideFix(change(), { decision: "approve", person: BOB, now: new Date(T0 + FIX_APPROVAL_TIMEOUT_MS + 1) });
    expect(result).toMatchObject({ outcome: "expired", record: { status: "expired" } });
  });

  test("when approval is not required, then only the proposer confirms", () => {
    const own = change({ approvalRequired: false });
    expect(decideFix(own, { decision: "confirm", person: ALICE, now: at(1) })).toMatchObject({ outcome: "approved", record: { decidedBy: ALICE } });
    expect(decideFix(own, { decision: "confirm", person: BOB, now: at(1) })).toMatchObject({ outcome: "refused" });
    expect(decideFix(change(), { decision: "confirm", person: ALICE, now: at(1) })).toMatchObject({ outcome: "refused" });
  });

  test("when an applied change is undone, then the undo writes back the previous value from what was read back", () => {
    const applied = change({ status: "applied", appliedAt: at(10).toISOString(), readBack: { kind: "forwarding", enableIPForwarding: false } });
    expect(undoProblem(applied, at(20))).toBeUndefined();
    const undo = undoProposal(applied);
    expect(undo).toMatchObject({ before: { enableIPForwarding: false }, after: { enableIPForwarding: true }, target: applied.target });
    expect(undo.title).toBe("Undo CABCDEF: turn off IP forwarding on nic1");
  });

  test.each<[string, RemediationRecord, RemediationRecord | undefined, number, string]>([
    ["not applied", change({ status: "failed" }), undefined, 20, "was not applied"],
    ["older than 24 h", change({ status: "applied", appliedAt: at(10).toISOString() }), undefined, 10 + UNDO_WINDOW_MS / 60_000 + 1, "more than 24 h ago"],
    ["already undone", change({ status: "applied", appliedAt: at(10).toISOString() }), change({ id: "CUNDONE", status: "applied", appliedAt: at(15).toISOString() }), 20, "already undone by CUNDONE"],
    ["an undo waiting", change({ status: "applied", appliedAt: at(10).toISOString() }), change({ id: "CUNDONE" }), 20, "waiting for a decision"],
    ["itself an undo", change({ status: "applied", appliedAt: at(10).toISOString(), undoOf: "CFIRST" }), undefined, 20, "itself an undo"],
  ])("when the change is %s, then undo is refused", (_what, record, undo, minutes, message) => {
    expect(undoProblem(record, at(minutes), undo)).toContain(message);
  });

  test("when a denied or failed undo exists, then the change can be undone again", () => {
    const applied = change({ status: "applied", appliedAt: at(10).toISOString() });
    expect(undoProblem(applied, at(20), change({ id: "CUNDONE", status: "denied" }))).toBeUndefined();
  });

  test("when an approved change never reported back, then it counts as interrupted after 15 min", () => {
    const approved = change({ status: "approved", decidedAt: at(0).toISOString() });
    expect(isStuck(approved, at(10))).toBe(false);
    expect(isStuck(approved, at(16))).toBe(true);
  });
});
