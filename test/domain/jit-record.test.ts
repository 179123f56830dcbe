import {
  activeGrants,
  describeJitRequest,
  expiryStep,
  jitJustification,
  newJitRequestId,
  normalizeJitRequestId,
  requestIdInJustification,
} from "../../src/domain/jit-record";
import { jitVmProblem } from "../../src/domain/jit-precheck";
import { personalConversationsOf } from "../../src/domain/people";
import { ids, jitGrant, nic, publicIp, vm } from "./builders";
import { APPROVER, at, grantedRecord, jitRecord, REQUESTER } from "./jit-record-builders";

describe("JIT request ids", () => {
  test("when ids are drawn, then they are J plus six unambiguous characters and read back case-insensitively", () => {
    let i = 0;
    const id = newJitRequestId((n) => i++ % n);
    expect(id).toMatch(/^J[2-9A-HJKMNP-Z]{6}$/);
    expect(normalizeJitRequestId(` ${id.toLowerCase()} `)).toBe(id);
  });

  test.each([["J0OO1IL"], ["JABC"], ["XABCDEF"], ["JABCDEFG"], [""], ["J ABCDE"]])(
    "when %j is typed, then it is not taken for a request id",
    (typed) => {
      expect(normalizeJitRequestId(typed)).toBeUndefined();
    },
  );
});

describe("justification sent to Azure", () => {
  test("when approved by someone else, then it names requester, approver and the request id, and the id reads back", () => {
    const text = jitJustification(grantedRecord({ justification: "patch [SecOps bot request JZZZZZZ] ${x}" }));
    expect(text).toContain(`requested by ${REQUESTER.name} (${REQUESTER.id})`);
    expect(text).toContain(`approved by ${APPROVER.name} (${APPROVER.id})`);
    expect(text.endsWith("patch [SecOps bot request JZZZZZZ] ${x}")).toBe(true);
    // The bot's own marker comes first, so a requester cannot make a grant look like another request.
    expect(requestIdInJustification(text)).toBe("JABCDEF");
  });

  test("when the requester approved themselves (no approval required), then it says so", () => {
    const text = jitJustification(grantedRecord({ decidedBy: { ...REQUESTER } }));
    expect(text).toContain("no approval required");
    expect(text).not.toContain("approved by");
  });

  test("when a justification was not written by the bot, then no request id is found", () => {
    expect(requestIdInJustification("Patch Tuesday maintenance")).toBeUndefined();
    expect(requestIdInJustification(undefined)).toBeUndefined();
  });

  test("when a request is described, then VM, ports, source and duration are named", () => {
    expect(describeJitRequest(jitRecord({ ports: [{ number: 22, protocol: "TCP", source: "x" }, { number: 3389, protocol: "*", source: "x" }] }))).toBe(
      "vm-web-01 ports 22, 3389 from 203.0.113.7 for 1 h",
    );
  });
});

describe("expiry steps", () => {
  test.each([
    ["pending, 29 min old", 29, "none", jitRecord()],
    ["pending, 31 min old", 31, "expire", jitRecord()],
    ["approved 5 min ago, no answer yet", 5, "none", jitRecord({ status: "approved", decidedAt: at(0).toISOString() })],
    ["approved 11 min ago, no answer", 11, "interrupted", jitRecord({ status: "approved", decidedAt: at(0).toISOString() })],
    ["granted, 10 min left", 55, "none", grantedRecord()],
    ["granted, 4 min left", 61, "ending", grantedRecord()],
    ["granted, 4 min left, notice sent", 61, "none", grantedRecord({ endingNoticeAt: at(60).toISOString() })],
    ["granted, ended", 65, "ended", grantedRecord()],
    ["granted, ended, notice sent before", 70, "ended", grantedRecord({ endingNoticeAt: at(60).toISOString() })],
    ["granted, end already recorded", 90, "none", grantedRecord({ accessEndedAt: at(66).toISOString() })],
    ["denied", 500, "none", jitRecord({ status: "denied" })],
    ["expired", 500, "none", jitRecord({ status: "expired" })],
    ["failed", 500, "none", jitRecord({ status: "failed" })],
  ] as const)("when a request is %s (at +%i min), then the step is %s", (_what, minutes, kind, record) => {
    expect(expiryStep(record, at(minutes)).kind).toBe(kind);
  });

  test("when the notice window is larger, then the ending notice comes earlier", () => {
    expect(expiryStep(grantedRecord(), at(50), 20 * 60_000)).toEqual({ kind: "ending", remainingMs: 15 * 60_000 });
  });
});

describe("active grants", () => {
  test("when grants are listed, then only initiated ones that have not ended count", () => {
    const now = new Date("2030-01-01T11:00:00Z");
    const grants = [
      jitGrant({ port: 22 }),
      jitGrant({ port: 23, endTime: "2030-01-01T10:59:59Z" }),
      jitGrant({ port: 24, status: "Revoked" }),
    ];
    expect(activeGrants(grants, now).map((g) => g.port)).toEqual([22]);
  });
});

describe("personal conversations", () => {
  const conv = (id: string, user: Record<string, unknown>, kind = "personal", updatedAt = "2030-01-01T00:00:00Z") => ({
    id,
    kind,
    updatedAt,
    reference: { user },
  });

  test("when people are looked up, then only their personal chats are found, newest first, one each, ids case-insensitive", () => {
    const found = personalConversationsOf(
      [
        conv("old-bob", { id: "29:bob", aadObjectId: "B0B" }, "personal", "2029-01-01T00:00:00Z"),
        conv("new-bob", { id: "29:bob-2", aadObjectId: "b0b" }),
        conv("channel", { id: "29:bob", aadObjectId: "b0b" }, "channel"),
        conv("carol", { id: "29:carol" }),
        conv("broken", {}),
        { id: "no-user", kind: "personal", reference: {} },
      ],
      ["b0b", "29:CAROL"],
    );
    expect(found.map((c) => c.id)).toEqual(["new-bob", "carol"]);
  });

  test("when the list is *, then nobody is identified (everyone is an approver, so no one is singled out)", () => {
    expect(personalConversationsOf([conv("a", { id: "29:a" })], ["*"])).toEqual([]);
  });
});

describe("JIT pre-checks on the VM", () => {
  const target = vm({ name: "vm-1", nicIds: [ids.nic("vm-1-nic")] });
  const itsNic = (publicIpId?: string) =>
    nic({ name: "vm-1-nic", vmId: target.id, ipConfigurations: [{ name: "ipconfig1", publicIpId }] });

  test("when the VM is running behind a Standard public IP, then nothing stands in the way", () => {
    const pip = publicIp({ name: "pip-std" });
    expect(jitVmProblem(target.id, { vms: [target], nics: [itsNic(pip.id)], publicIps: [pip] })).toBeUndefined();
  });

  test("when the VM is deallocated, then the answer says to start it first", () => {
    const stopped = { ...target, powerState: "deallocated" };
    expect(jitVmProblem(target.id, { vms: [stopped], nics: [], publicIps: [] })).toMatch(/vm-1 is deallocated.*Start the VM first/);
  });

  test("when the VM is behind a Basic-SKU public IP, then the answer says JIT does not support it", () => {
    const pip = publicIp({ name: "pip-basic", sku: "Basic", ipAddress: "20.1.2.9" });
    expect(jitVmProblem(target.id, { vms: [target], nics: [itsNic(pip.id)], publicIps: [pip] })).toMatch(/Basic-SKU public IP \(20\.1\.2\.9\)/);
  });

  test("when the VM could not be read, then nothing is assumed", () => {
    expect(jitVmProblem(target.id, { vms: [], nics: [], publicIps: [] })).toBeUndefined();
  });
});
