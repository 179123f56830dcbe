import { auditLogCard, auditLogView, AUDIT_PAGE_SIZE } from "../../src/cards/audit-log";
import { jitApprovalCard } from "../../src/cards/jit-approval";
import { jitListCard, jitListView, JIT_LIST_PAGE_SIZE } from "../../src/cards/jit-list";
import { jitNoticeCard, type JitNoticeKind } from "../../src/cards/jit-notice";
import { FORM_MAX_VMS, jitRequestForm } from "../../src/cards/jit-request-form";
import { createCardRenderer } from "../../src/cards/render";
import type { ExposedVm } from "../../src/domain/exposure";
import { jitJustification } from "../../src/domain/jit-record";
import type { AuditEntry } from "../../src/store/store";
import { cardText } from "../helpers/cards";
import { cardProblems } from "../helpers/validate-card";
import { ids, jitGrant, jitPolicy } from "../domain/builders";
import { APPROVER, at, grantedRecord, jitRecord } from "../domain/jit-record-builders";

const cards = createCardRenderer();
const size = (card: unknown) => Buffer.byteLength(JSON.stringify(card));

describe("JIT approval card", () => {
  test("when a request is pending, then the card is valid 1.5 with Approve/Deny as Action.Execute carrying the request id", () => {
    const { card, summary } = jitApprovalCard(cards, jitRecord(), { approversNotified: 2 });
    expect(cardProblems(card)).toEqual([]);
    expect(card.version).toBe("1.5");
    expect((card.actions as any[]).map((a) => ({ type: a.type, verb: a.verb, data: a.data }))).toEqual([
      { type: "Action.Execute", verb: "jit.approve", data: { requestId: "JABCDEF" } },
      { type: "Action.Execute", verb: "jit.deny", data: { requestId: "JABCDEF" } },
    ]);
    const text = cardText(card);
    for (const expected of ["Alice Analyst", "vm-web-01 (rg-app)", "22 (TCP)", "203.0.113.7", "1 h", "patching", "10:30 UTC", "Sent to 2 approvers", "jit approve JABCDEF"]) {
      expect(text).toContain(expected);
    }
    expect(JSON.stringify(card)).toContain('"id":"reason"');
    expect(summary).toContain("JABCDEF");
  });

  test.each([
    ["approved (opening)", jitRecord({ status: "approved", decidedBy: APPROVER, decidedAt: at(2).toISOString() }), "Approved by Bob Approver at 10:02 UTC; opening access"],
    ["granted", grantedRecord(), "Approved by Bob Approver at 10:05 UTC, access until 11:05 UTC."],
    ["granted without review", grantedRecord({ decidedBy: { id: jitRecord().requester.id, name: "Alice Analyst" } }), "Opened at 10:05 UTC (approval not required), access until 11:05 UTC."],
    ["granted, then ended", grantedRecord({ accessEndedAt: at(66).toISOString() }), "Expired: access ended at 11:05 UTC"],
    ["denied", jitRecord({ status: "denied", decidedBy: APPROVER, decidedAt: at(3).toISOString(), reason: "use the bastion" }), "Denied by Bob Approver at 10:03 UTC."],
    ["expired undecided", jitRecord({ status: "expired", decidedAt: at(31).toISOString(), reason: "No one decided" }), "Expired: nobody decided within 30 min"],
    ["failed", jitRecord({ status: "failed", decidedBy: APPROVER, decidedAt: at(3).toISOString(), reason: "Missing permission X." }), "but opening access failed"],
  ])("when a request is %s, then the card says so and has no buttons", (_state, record, expected) => {
    const { card } = jitApprovalCard(cards, record);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain(expected);
    expect(card.actions ?? []).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('"id":"reason"');
    if (record.reason && record.status !== "expired") expect(cardText(card)).toContain(record.reason);
  });

  test("when someone who may not decide clicks, then the notice is shown above the unchanged card", () => {
    const { card } = jitApprovalCard(cards, jitRecord(), { notice: "You cannot approve your own request; another approver has to decide it." });
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain("You cannot approve your own request");
    expect((card.actions as any[]).length).toBe(2);
  });

  test("when the justification and names hold template syntax, then they come out literally", () => {
    const record = jitRecord({ justification: "${1+1} {{x}} $root", requester: { id: "x", name: "${name}" } });
    const { card } = jitApprovalCard(cards, record);
    const text = cardText(card);
    expect(text).toContain("${1+1} {{x}} $root");
    expect(text).toContain("${name}");
  });

  test("when a restricted port was asked in another spelling, then the card shows what Azure receives and what was typed", () => {
    const record = jitRecord({ source: "10.0.0.5", ports: [{ number: 3389, protocol: "TCP", source: "10.0.0.5/32" }] });
    expect(cardText(jitApprovalCard(cards, record).card)).toContain("3389: 10.0.0.5/32 (you typed 10.0.0.5)");
  });

  test("when the justification is as long as allowed, then the card stays far below the budget", () => {
    const { card } = jitApprovalCard(cards, jitRecord({ justification: "x".repeat(500), reason: "y".repeat(300) }));
    expect(size(card)).toBeLessThan(8 * 1024);
  });
});

describe("JIT notices", () => {
  test.each(["granted", "denied", "failed", "expired", "ending", "ended", "interrupted"] as JitNoticeKind[])(
    "when the requester is told the request was %s, then the card is valid and names the VM and request",
    (kind) => {
      const record = kind === "denied" ? jitRecord({ status: "denied", decidedBy: APPROVER, reason: "no" }) : grantedRecord();
      const { card } = jitNoticeCard(cards, kind, record, at(61));
      expect(cardProblems(card)).toEqual([]);
      const text = cardText(card);
      expect(text).toContain("vm-web-01 (port 22)");
      expect(text).toContain("Request JABCDEF");
    },
  );

  test("when access ends soon, then the notice says when and how long is left", () => {
    const text = cardText(jitNoticeCard(cards, "ending", grantedRecord(), at(61)).card);
    expect(text).toContain("ends at 11:05 UTC, in 4 min");
  });
});

describe("jit list view", () => {
  const now = new Date("2030-01-01T11:00:00Z");
  const exposedVm = (name: string, ports: number[], ip = "20.1.2.3"): ExposedVm => ({
    vmId: ids.vm(name),
    vmName: name,
    subscriptionId: "s",
    resourceGroup: "rg-app",
    location: "westeurope",
    nicId: ids.nic(`${name}-nic`),
    nicName: `${name}-nic`,
    ipConfigurationName: "ipconfig1",
    publicIpId: ids.pip(`${name}-pip`),
    publicIpAddress: ip,
    noNsg: false,
    openManagementPorts: ports,
    managementExposed: ports.length > 0,
    openPorts: [],
    allowingRules: [],
    jitProtectedPorts: [],
    unprotectedManagementPorts: ports,
    jitProtected: false,
    caveats: [],
  });

  test("when grants were opened through the bot, then they name the requester and approver; others show Azure's requestor", () => {
    const record = grantedRecord({ grantEndTime: "2030-01-01T12:00:00Z" });
    const policy = jitPolicy({
      grants: [
        jitGrant({ justification: jitJustification(record), requestor: "bot-identity" }),
        jitGrant({ port: 3389, requestor: "megan@contoso.com", justification: "Patch Tuesday", source: "198.51.100.1" }),
        jitGrant({ port: 5985, status: "Revoked" }),
      ],
    });
    const view = jitListView({ policies: [policy], records: [record], exposed: [], warnings: [], now });
    const grants = view.sections.find((s) => s.title === "Active grants")!;
    expect(grants.items.map((i) => i.lines?.[0])).toEqual([
      "Alice Analyst, approved by Bob Approver · from 203.0.113.7",
      "megan@contoso.com · from 198.51.100.1",
    ]);
    expect(grants.items[0]!.value).toBe("until 12:00 UTC");
  });

  test("when the bot granted access that Azure does not list, then its own record still shows the grant", () => {
    const record = grantedRecord({ grantEndTime: "2030-01-01T11:30:00Z" });
    const view = jitListView({ policies: [jitPolicy()], records: [record], exposed: [], warnings: [], now });
    expect(view.sections.find((s) => s.title === "Active grants")!.items.map((i) => i.title)).toEqual(["vm-web-01 port 22"]);
  });

  test("when policies restrict sources, then each port shows protocol, longest duration and the allowed sources", () => {
    const policy = jitPolicy({
      virtualMachines: [
        {
          vmId: ids.vm("vm-sql"),
          ports: [
            { number: 3389, protocol: "TCP", allowedSourcePrefixes: ["10.2.1.0/24"], maxRequestAccessDuration: "PT3H" },
            { number: 22, protocol: "*", allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT30M" },
          ],
        },
      ],
    });
    const item = jitListView({ policies: [policy], records: [], exposed: [], warnings: [], now }).sections[0]!.items[0]!;
    expect(item.lines).toEqual([
      "Port 3389 (TCP) · up to 3 h · only from 10.2.1.0/24",
      "Port 22 (any protocol) · up to 30 min · from any one address or range you name",
      "rg-app · westeurope",
    ]);
  });

  test("when exposed VMs lack JIT, then each VM is listed once with its ports and the recommendation", () => {
    const view = jitListView({
      policies: [],
      records: [],
      exposed: [exposedVm("vm-b", [22]), exposedVm("vm-a", [3389], "20.9.9.9"), exposedVm("vm-b", [3389], "20.1.1.1"), exposedVm("vm-c", [])],
      warnings: [],
      now,
    });
    const section = view.sections.find((s) => s.title === "Not protected")!;
    expect(section.items.map((i) => [i.title, i.lines![0]])).toEqual([
      ["vm-a", "Open to the internet without JIT: port 3389 on 20.9.9.9"],
      ["vm-b", "Open to the internet without JIT: port 22, 3389 on 20.1.2.3, 20.1.1.1"],
    ]);
    expect(section.subtitle).toContain("just-in-time network access control");
  });

  test("when there are many JIT VMs, then the list pages with a next-page button and the card stays under 28 KB", () => {
    const vms = Array.from({ length: 35 }, (_, i) => ({
      vmId: ids.vm(`vm-${String(i).padStart(2, "0")}`),
      ports: [22, 3389, 5985, 5986].map((number) => ({ number, protocol: "TCP" as const, allowedSourcePrefixes: ["203.0.113.0/24", "198.51.100.0/24"], maxRequestAccessDuration: "PT3H" })),
    }));
    const input = { policies: [jitPolicy({ virtualMachines: vms })], records: [], exposed: Array.from({ length: 40 }, (_, i) => exposedVm(`x-${i}`, [22, 3389])), warnings: ["Could not read JIT policies in subscription s2: Forbidden"], now };
    const first = jitListCard(cards, { ...input, page: 0 }).card;
    expect(cardProblems(first)).toEqual([]);
    expect(size(first)).toBeLessThan(28 * 1024);
    const text = cardText(first);
    expect(text).toContain("vm-00");
    expect(text).not.toContain(`vm-${JIT_LIST_PAGE_SIZE}`);
    expect(text).toContain('25 more: type "jit list page 2"');
    expect(text).toContain("30 more VMs");
    expect(JSON.stringify((first.actions as any[])[0])).toContain("jit list page 2");
    const last = cardText(jitListCard(cards, { ...input, page: 3 }).card);
    expect(last).toContain("vm-30");
    expect(last).toContain("page 4 of 4");
  });

  test("when nothing is JIT-enabled, then the sections say so instead of showing empty lists", () => {
    const { card } = jitListCard(cards, { policies: [], records: [], exposed: [], warnings: [], now });
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain("No VM has a JIT policy that I can see.");
  });
});

describe("audit log view", () => {
  const entry = (i: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
    at: new Date(Date.UTC(2030, 0, 1, 10, 0, 0) - i * 60_000).toISOString(),
    actorId: `actor-${i}`,
    actorName: `Person ${i}`,
    action: "jit:request",
    target: `J${String(i).padStart(6, "A")}`,
    result: i % 3 === 0 ? "denied" : "ok",
    detail: "d".repeat(300),
    ...overrides,
  });

  test("when there are many long entries, then each page stays under 28 KB and offers the next page", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i, { actorName: "N".repeat(500), target: "T".repeat(500) }));
    const { card } = auditLogCard(cards, { entries, windowMs: 86_400_000, page: 0, truncated: true, command: "audit last 24h" });
    expect(cardProblems(card)).toEqual([]);
    expect(size(card)).toBeLessThan(28 * 1024);
    const text = cardText(card);
    expect(text).toContain(`${1000 - AUDIT_PAGE_SIZE} more: type "audit last 24h page 2"`);
    expect(text).toContain("Only the newest 1000 entries");
    expect(text).toContain("…");
  });

  test("when an entry is shown, then who, when, what, target, result and detail are there", () => {
    const view = auditLogView({ entries: [entry(0, { detail: "vm-web-01 port 22 from 203.0.113.7" })], windowMs: 3_600_000, page: 0, truncated: false, command: "audit last 1h" });
    expect(view.sections[0]!.items[0]).toEqual({
      title: "jit:request",
      badge: "DENIED",
      color: "attention",
      lines: ["Person 0 · 2030-01-01 10:00 UTC", "Target: JAAAAA0", "vm-web-01 port 22 from 203.0.113.7"],
    });
    expect(view.subtitle).toBe("Last 1 h, newest first");
    expect(view.facts).toEqual([{ title: "Refused", value: "1" }]);
  });

  test("when the window is empty, then the card says nothing was recorded", () => {
    const { card } = auditLogCard(cards, { entries: [], windowMs: 3_600_000, page: 0, truncated: false, command: "audit last 1h" });
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain("Nothing was recorded in this window.");
  });
});

describe("JIT request form", () => {
  const vms = [{ title: "vm-api-01 (rg-app) · port 3389", value: ids.vm("vm-api-01") }];

  test("when the form is shown, then it is a valid 1.5 card with a VM picker, the inputs and one Action.Execute", () => {
    const { card } = jitRequestForm(cards, { vms });
    expect(cardProblems(card)).toEqual([]);
    const json = JSON.stringify(card);
    for (const id of ["vm", "ports", "duration", "source", "justification"]) expect(json).toContain(`"id":"${id}"`);
    expect((card.actions as any[]).map((a) => [a.type, a.verb])).toEqual([["Action.Execute", "jit.request"]]);
    expect(json).toContain(ids.vm("vm-api-01"));
    expect(json).toContain('"value":"1h"');
    expect(json).not.toContain("${");
  });

  test("when the form comes back after a mistake, then the problem is on top and what was typed is kept literally", () => {
    const { card } = jitRequestForm(cards, {
      vms,
      error: '"*" means anyone on the internet',
      values: { vm: ids.vm("vm-api-01"), ports: "3389", duration: "30m", source: "*", justification: "${1+1}" },
    });
    expect(cardProblems(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(cardText(card)).toContain("means anyone on the internet");
    expect(json).toContain('"value":"${1+1}"');
    expect(json).toContain('"value":"30m"');
  });

  test("when there are more VMs than the picker holds, then it shows the first ones, says so and stays under 28 KB", () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ title: `vm-${i} (rg-long-resource-group-name) · port 22, 3389`, value: ids.vm(`vm-${i}`) }));
    const { card } = jitRequestForm(cards, { vms: many });
    expect(cardProblems(card)).toEqual([]);
    expect(size(card)).toBeLessThan(28 * 1024);
    expect(cardText(card)).toContain(`Showing ${FORM_MAX_VMS} of 2000`);
  });
});
