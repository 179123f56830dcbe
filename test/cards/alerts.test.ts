import { alertDetailView, alertsView, ALERTS_PAGE_SIZE } from "../../src/cards/alerts";
import { selectAlerts } from "../../src/domain/alerts";
import { alert, ids, SUB2 } from "../domain/builders";
import { ctx, long, NOW, render } from "./support";

const alerts = [
  alert({ name: "a-old", displayName: "Failed SSH brute force attack", severity: "Medium", timeGenerated: "2029-12-30T08:00:00Z", intent: "PreAttack" }),
  alert({ name: "a-new", displayName: "Suspicious process executed", severity: "High", timeGenerated: "2030-01-01T09:30:00Z", intent: "Execution", remediationSteps: ["Isolate the VM.", "Check the process tree."], description: "A process ran from a temp folder.", portalUrl: "https://portal.azure.com/#alert" }),
  alert({ name: "a-sub", subscriptionId: SUB2, displayName: "ARM operation from a suspicious IP", severity: "Informational", resourceIds: [`/subscriptions/${SUB2}`], timeGenerated: "2030-01-01T06:00:00Z" }),
  alert({ name: "a-resolved", displayName: "Old resolved alert", status: "Resolved", timeGenerated: "2030-01-01T11:00:00Z" }),
];
const numbered = selectAlerts(alerts, { now: NOW }).map((a, i) => ({ alert: a, number: i + 1 }));

describe("alerts view", () => {
  test("when alerts are active, then they are listed newest first with number, severity, resource, time, intent and age", () => {
    const view = alertsView({ alerts: numbered }, ctx({ command: "alerts" }));
    const items = view.sections[0]!.items;
    expect(items.map((i) => [i.badge, i.title])).toEqual([
      ["HIGH", "#1 Suspicious process executed"],
      ["INFO", "#2 ARM operation from a suspicious IP"],
      ["MED", "#3 Failed SSH brute force attack"],
    ]);
    expect(items[0]!.lines).toEqual(["vm-web-01 · Contoso Production / rg-app", "2030-01-01 09:30 UTC · Execution"]);
    expect(items[0]!.value).toBe("2h ago");
    expect(items[1]!.lines![0]).toBe("subscription Contoso Dev");
    const r = render(view);
    expect(r.text).not.toContain("Old resolved alert");
    expect(r.commands).toEqual(["alerts 1"]);
    expect(r.card).toMatchSnapshot();
  });

  test("when filtered by severity and window, then numbers stay those of the full list", () => {
    const view = alertsView({ alerts: numbered.filter((n) => n.alert.severity === "Medium"), severity: "Medium", window: "7d" }, ctx({ command: "alerts medium last 7d" }));
    expect(view.title).toBe("Alerts (Medium), last 7d");
    expect(view.sections[0]!.items.map((i) => i.title)).toEqual(["#3 Failed SSH brute force attack"]);
  });

  test("when no alert matches, then the card says so", () => {
    const view = alertsView({ alerts: [], severity: "High", window: "24h" }, ctx({ command: "alerts high last 24h" }));
    expect(render(view).text).toContain("No high-severity active alerts in the last 24h.");
  });

  test("when one alert is asked for, then its description, numbered remediation steps and portal link are shown", () => {
    const view = alertDetailView(numbered[0]!, ctx({ command: "alerts 1" }));
    const r = render(view);
    expect(view.title).toBe("Suspicious process executed");
    expect(r.text).toContain("A process ran from a temp folder.");
    expect(r.text).toContain("1. Isolate the VM.");
    expect(r.text).toContain("2. Check the process tree.");
    expect(r.card.actions).toContainEqual(expect.objectContaining({ type: "Action.OpenUrl", url: "https://portal.azure.com/#alert" }));
    expect(r.card).toMatchSnapshot();
  });

  test("when there are hundreds of long alerts, then one page shows, the card stays under budget and the next page is offered", () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      alert({ name: `n-${i}`, displayName: long("Alert", 400), intent: long("Intent", 200), timeGenerated: new Date(NOW.getTime() - i * 60_000).toISOString(), resourceIds: [ids.vm(long("vm", 80).replace(/ /g, "-"))] }),
    );
    const list = selectAlerts(many, { now: NOW }).map((a, i) => ({ alert: a, number: i + 1 }));
    const view = alertsView({ alerts: list }, ctx({ command: "alerts" }));
    expect(view.sections[0]!.items).toHaveLength(ALERTS_PAGE_SIZE);
    expect(render(view).commands).toContain("alerts page 2");
    const detail = alertDetailView({ alert: { ...many[0]!, description: long("Description", 5000), remediationSteps: Array.from({ length: 40 }, () => long("Step", 900)) } }, ctx({ command: "alerts x" }));
    expect(detail.sections[1]!.more).toBe("28 more steps in the portal.");
    render(detail);
  });
});
