import {
  JIT_APPROVAL_TIMEOUT_MS,
  approveWithoutReview,
  decide,
  expireIfStale,
  initiationFor,
  isStale,
  markFailed,
  markGranted,
  newJitRequest,
  type JitRequest,
  type JitRequestStatus,
} from "../../src/domain/jit-request";
import type { ValidatedJitRequest } from "../../src/domain/jit-rules";

const CREATED = new Date("2030-01-01T10:00:00.000Z");
const at = (minutes: number): Date => new Date(CREATED.getTime() + minutes * 60_000);

const VALIDATED: ValidatedJitRequest = {
  vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web-01",
  vmName: "vm-web-01",
  policyId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
  ports: [{ number: 22, protocol: "TCP", source: "203.0.113.7" }],
  source: "203.0.113.7",
  durationMs: 60 * 60_000,
  justification: "patch ${1+1}",
};

const ALICE = { id: "AAAA-1111", name: "Alice" };

function pending(overrides: Partial<JitRequest> = {}): JitRequest {
  return { ...newJitRequest({ id: "r1", requester: ALICE, validated: VALIDATED, now: CREATED }), ...overrides };
}

function frozen(r: JitRequest): JitRequest {
  return Object.freeze({ ...r, ports: Object.freeze(r.ports.map((p) => Object.freeze({ ...p }))) as JitRequest["ports"] });
}

describe("newJitRequest", () => {
  it("when created from a validated request, then it is pending with everything copied", () => {
    expect(pending()).toEqual({
      id: "r1",
      requester: ALICE,
      vm: { id: VALIDATED.vmId, name: "vm-web-01" },
      policyId: VALIDATED.policyId,
      ports: VALIDATED.ports,
      source: "203.0.113.7",
      durationMs: 3_600_000,
      justification: "patch ${1+1}",
      createdAt: "2030-01-01T10:00:00.000Z",
      status: "pending",
    });
  });
});

describe("decide", () => {
  it("when another person approves a pending request, then it is approved by them and the original is untouched", () => {
    const request = frozen(pending());
    const result = decide(request, { decision: "approve", approverId: "BBBB-2222", approverName: "Bob", now: at(5), reason: "ok" });
    expect(result).toEqual({
      outcome: "approved",
      request: { ...request, status: "approved", decidedBy: { id: "BBBB-2222", name: "Bob" }, decidedAt: at(5).toISOString(), reason: "ok" },
    });
    expect(request.status).toBe("pending");
  });

  it("when another person denies with a reason, then it is denied and the reason is kept", () => {
    const result = decide(frozen(pending()), { decision: "deny", approverId: "b", now: at(1), reason: "  no ticket " });
    expect(result.outcome).toBe("denied");
    expect(result.request).toMatchObject({ status: "denied", reason: "no ticket", decidedBy: { id: "b", name: "b" } });
  });

  it.each(["approve", "deny"] as const)("when the requester tries to %s their own request, then it is refused as Forbidden", (decision) => {
    const request = frozen(pending());
    const result = decide(request, { decision, approverId: " aaaa-1111 ", now: at(1) });
    expect(result.outcome).toBe("refused");
    expect(result.request).toBe(request);
    expect(result).toMatchObject({ error: { code: "Forbidden", userMessage: `You cannot ${decision} your own request; another approver has to decide it.` } });
  });

  it("when exactly 30 minutes have passed, then it can still be decided", () => {
    expect(decide(pending(), { decision: "approve", approverId: "b", now: at(30) }).outcome).toBe("approved");
  });

  it("when more than 30 minutes have passed, then it expires instead and says how long it waited", () => {
    const request = frozen(pending());
    const result = decide(request, { decision: "approve", approverId: "b", now: at(42) });
    expect(result.outcome).toBe("expired");
    expect(result.request).toMatchObject({ status: "expired", decidedAt: at(42).toISOString() });
    expect(result.request.decidedBy).toBeUndefined();
    expect(result).toMatchObject({
      error: { code: "Conflict", userMessage: expect.stringMatching(/expired: it waited 42 min, longer than the 30 min allowed.*jit request/) },
    });
    expect(request.status).toBe("pending");
  });

  it("when a stale request is clicked by its own requester, then it still expires", () => {
    expect(decide(pending(), { decision: "approve", approverId: ALICE.id, now: at(31) }).outcome).toBe("expired");
  });

  it.each<[JitRequestStatus, Partial<JitRequest>, RegExp]>([
    ["approved", { decidedBy: { id: "b", name: "Bob" }, decidedAt: "2030-01-01T10:42:00.000Z" }, /already approved by Bob at 10:42 UTC/],
    ["granted", { decidedBy: { id: "b", name: "Bob" }, decidedAt: "2030-01-01T10:42:00.000Z" }, /already approved by Bob/],
    ["denied", { decidedBy: { id: "c", name: "Carol" }, decidedAt: "2030-01-01T10:05:00.000Z" }, /already denied by Carol at 10:05 UTC/],
    ["expired", {}, /expired without a decision.*jit request/],
    ["failed", { reason: "Azure said no" }, /approved but opening access failed: Azure said no/],
  ])("when the request is already %s, then a decision is refused as a Conflict saying what happened", (status, extra, message) => {
    const request = frozen(pending({ status, ...extra }));
    const result = decide(request, { decision: "approve", approverId: "d", now: at(1) });
    expect(result.outcome).toBe("refused");
    expect(result.request).toBe(request);
    expect(result).toMatchObject({ error: { code: "Conflict", userMessage: expect.stringMatching(message) } });
  });
});

describe("isStale and expireIfStale", () => {
  it.each([
    [29, "pending", false],
    [30, "pending", false],
    [31, "pending", true],
    [90, "approved", false],
  ] as const)("when %p minutes have passed on a %s request, then stale is %p", (minutes, status, stale) => {
    const request = pending({ status });
    expect(isStale(request, at(minutes))).toBe(stale);
    expect(expireIfStale(request, at(minutes)) === request).toBe(!stale);
  });

  it("when a stale request is expired, then the reason says nobody decided in time", () => {
    expect(expireIfStale(pending(), at(31))).toMatchObject({ status: "expired", reason: "No one decided within 30 min." });
  });

  it("when the timeout is read, then it is 30 minutes", () => {
    expect(JIT_APPROVAL_TIMEOUT_MS).toBe(1_800_000);
  });
});

describe("approveWithoutReview", () => {
  it("when approval is not required, then the request is approved with the requester recorded as decider", () => {
    expect(approveWithoutReview(frozen(pending()), at(0))).toMatchObject({
      status: "approved",
      decidedBy: ALICE,
      reason: expect.stringContaining("JIT_REQUIRE_APPROVAL=false"),
    });
  });

  it("when the request is not pending, then it throws a Conflict", () => {
    expect(() => approveWithoutReview(pending({ status: "denied" }), at(0))).toThrow(expect.objectContaining({ code: "Conflict" }));
  });
});

describe("initiationFor, markGranted and markFailed", () => {
  const approved = (): JitRequest => pending({ status: "approved", decidedBy: { id: "b", name: "Bob" }, decidedAt: at(5).toISOString() });

  it("when an approved request is executed, then the initiate call opens its ports until the duration after now", () => {
    expect(initiationFor(approved(), at(10))).toEqual({
      policyId: VALIDATED.policyId,
      vmId: VALIDATED.vmId,
      ports: [{ number: 22, source: "203.0.113.7", endTime: at(70) }],
      justification: "patch ${1+1}",
    });
  });

  it("when Azure accepted, then the approved request becomes granted with its end time", () => {
    expect(markGranted(frozen(approved()), at(70))).toMatchObject({ status: "granted", grantEndTime: at(70).toISOString() });
  });

  it("when a retried invoke grants twice, then the second is a Conflict", () => {
    const granted = markGranted(approved(), at(70));
    expect(() => markGranted(granted, at(71))).toThrow(expect.objectContaining({ code: "Conflict" }));
  });

  it("when opening access failed, then the approved request becomes failed with the reason", () => {
    expect(markFailed(frozen(approved()), "VM has a Basic public IP")).toMatchObject({ status: "failed", reason: "VM has a Basic public IP" });
  });

  it("when a pending request is marked failed, then it is a Conflict", () => {
    expect(() => markFailed(pending(), "x")).toThrow(expect.objectContaining({ code: "Conflict", userMessage: expect.stringMatching(/still pending/) }));
  });
});
