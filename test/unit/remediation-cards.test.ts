import { remediationListView } from "../../src/cards/remediation-list";
import { alertFixForm, remediationCard } from "../../src/cards/remediation";
import { createCardRenderer } from "../../src/cards/render";
import { reportCard } from "../../src/cards/report";
import type { RemediationRecord } from "../../src/domain/remediation-record";
import { cardText } from "../helpers/cards";
import { cardProblems } from "../helpers/validate-card";

const cards = createCardRenderer();
const T0 = "2030-01-15T10:00:00.000Z";
const RULE_ID = "/subscriptions/s1/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/nsg-web/securityRules/Allow-SSH";
const rule = (source: string) => ({
  protocol: "Tcp",
  access: "Allow" as const,
  direction: "Inbound" as const,
  priority: 100,
  sourceAddressPrefix: source,
  sourceAddressPrefixes: [],
  sourcePortRange: "*",
  sourcePortRanges: [],
  destinationAddressPrefix: "*",
  destinationAddressPrefixes: [],
  destinationPortRange: "22",
  destinationPortRanges: [],
  sourceApplicationSecurityGroupIds: [],
  destinationApplicationSecurityGroupIds: [],
});

function change(overrides: Partial<RemediationRecord> = {}): RemediationRecord {
  return {
    kind: "rule",
    target: { kind: "rule", ruleId: RULE_ID },
    resourceId: RULE_ID,
    resourceName: "rule Allow-SSH of nsg-web (rg-web)",
    title: "Tighten rule Allow-SSH of nsg-web",
    finding: "Allow-SSH allows Tcp port 22 from Internet: the whole internet.",
    before: { kind: "rule", rule: rule("Internet") },
    after: { kind: "rule", rule: rule("203.0.113.0/24") },
    warning: "Traffic from elsewhere is refused.",
    id: "CABCDEF",
    requester: { id: "alice", name: "Alice Analyst" },
    createdAt: T0,
    status: "pending",
    approvalRequired: true,
    conversationId: "conv",
    cards: [],
    ...overrides,
  };
}

const decided = { decidedBy: { id: "bob", name: "Bob Approver" }, decidedAt: "2030-01-15T10:05:00.000Z" };

describe("change card", () => {
  test("when a change waits for approval, then the card shows resource, diff, approvers and rollback, with Approve/Deny", () => {
    const { card, summary } = remediationCard(cards, change(), { approvers: "an approver other than Alice Analyst", approversNotified: 2 });
    expect(cardProblems(card)).toEqual([]);
    expect(card.version).toBe("1.5");
    expect((card.actions as any[]).map((a) => [a.type, a.verb, a.data.changeId])).toEqual([
      ["Action.Execute", "fix.approve", "CABCDEF"],
      ["Action.Execute", "fix.deny", "CABCDEF"],
    ]);
    const text = cardText(card);
    for (const expected of [RULE_ID, "properties.sourceAddressPrefix", "Internet", "203.0.113.0/24", "an approver other than Alice Analyst", "undo CABCDEF", "expires at 11:00 UTC", "Sent to 2 approvers", "Traffic from elsewhere is refused."]) {
      expect(text).toContain(expected);
    }
    expect(summary).toContain("CABCDEF");
  });

  test.each<[string, Partial<RemediationRecord>, string]>([
    ["approved", { status: "approved", ...decided }, "Approved by Bob Approver at 10:05 UTC; applying the change…"],
    ["applied", { status: "applied", ...decided, appliedAt: "2030-01-15T10:06:00.000Z", readBack: { kind: "rule", rule: rule("203.0.113.0/24") } }, "Read back from Azure: as proposed"],
    ["failed", { status: "failed", ...decided, error: "Access denied: missing 'Microsoft.Network/networkSecurityGroups/securityRules/write'." }, "Azure refused the change"],
    ["stale", { status: "stale", ...decided, readBack: { kind: "rule", rule: rule("198.51.100.0/24") } }, "changed after the preview, so nothing was written"],
    ["denied", { status: "denied", ...decided, note: "vendor still needs it" }, "Denied by Bob Approver at 10:05 UTC"],
    ["expired", { status: "expired" }, "Expired: nobody decided within 1 h"],
    ["confirmable", { approvalRequired: false }, "presses Apply (approval not required)"],
  ])("when the change is %s, then the card says so and stays valid", (_state, overrides, expected) => {
    const { card } = remediationCard(cards, change(overrides), { now: new Date("2030-01-15T10:10:00.000Z") });
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain(expected);
    const verbs = ((card.actions ?? []) as any[]).map((a) => a.verb ?? a.data?.command);
    if (overrides.status === "applied") expect(verbs).toEqual(["undo CABCDEF"]);
    else if (overrides.approvalRequired === false) expect(verbs).toEqual(["fix.confirm"]);
    else expect(verbs).toEqual([]);
  });

  test("when a change was applied more than 24 h ago or undone, then no Undo button is offered", () => {
    const applied = change({ status: "applied", ...decided, appliedAt: "2030-01-15T10:06:00.000Z" });
    expect(remediationCard(cards, applied, { now: new Date("2030-01-16T10:07:00.000Z") }).card.actions ?? []).toEqual([]);
    const undone = remediationCard(cards, { ...applied, undoneBy: "CUNDOIT", undoneAt: "2030-01-15T11:00:00.000Z" }, { now: new Date("2030-01-15T12:00:00.000Z") });
    expect(undone.card.actions ?? []).toEqual([]);
    expect(cardText(undone.card)).toContain("Undone by CUNDOIT at 11:00 UTC");
  });

  test("when user and Azure text holds template syntax or is very long, then it comes out literally and the card stays small", () => {
    const r = change({ reason: "because ${secret} and more", finding: "x".repeat(5000), resourceName: "${name}" });
    const { card } = remediationCard(cards, r);
    const text = cardText(card);
    expect(text).toContain("because ${secret} and more");
    expect(text).toContain("${name}");
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(10 * 1024);
  });
});

describe("alert form and change list", () => {
  test("when the alert form is rendered after a mistake, then it is valid, keeps what was typed and shows the answer", () => {
    const { card } = alertFixForm(cards, {
      alertId: "/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/a1",
      alertName: "a1",
      displayName: "Suspicious ${x}",
      status: "Active",
      resource: "vm-web-01",
      values: { action: "resolve", reason: "ticket ${y}" },
      error: "Say why.",
    });
    expect(cardProblems(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).toContain('"value":"resolve"');
    expect(json).toContain('"value":"ticket ${y}"');
    expect(cardText(card)).toContain("Suspicious ${x}");
    expect((card.actions as any[])[0]).toMatchObject({ type: "Action.Execute", verb: "fix.alert", data: { alertId: expect.stringContaining("/alerts/a1") } });
  });

  test("when changes are listed, then the newest come first with their state and undo offers", () => {
    const now = new Date("2030-01-15T12:00:00.000Z");
    const records = [
      change({ id: "COLDONE", createdAt: "2030-01-15T09:00:00.000Z", status: "denied", ...decided }),
      change({ id: "CNEWONE", createdAt: "2030-01-15T11:00:00.000Z", status: "applied", ...decided, appliedAt: "2030-01-15T11:01:00.000Z" }),
    ];
    const view = remediationListView(records, now);
    expect(view.sections[0]!.items.map((i) => [i.title.slice(0, 7), i.badge])).toEqual([
      ["CNEWONE", "APPLIED"],
      ["COLDONE", "DENIED"],
    ]);
    expect(view.buttons).toEqual([{ title: "Undo CNEWONE", command: "undo CNEWONE" }]);
    const { card } = reportCard(cards, view, "changes");
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain('Undo: "undo CNEWONE" until 2030-01-16 11:01 UTC');
  });
});
