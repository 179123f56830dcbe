import { alertDedupeKey, alertSeverityOf, parseAlertPayload } from "../../src/domain/alert-payload";
import type { IncomingAlert } from "../../src/domain/incoming-alert";

const NOW = new Date("2025-06-01T12:00:00Z");
const VM = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01";
const STORAGE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/st1";

/** An Azure Monitor metric alert in the common alert schema, as an action group webhook sends it. */
function commonMetricAlert(essentials: Record<string, unknown> = {}, alertContext: Record<string, unknown> = {}) {
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        alertId: "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330",
        alertRule: "High outbound flows",
        severity: "Sev2",
        signalType: "Metric",
        monitorCondition: "Fired",
        monitoringService: "Platform",
        alertTargetIDs: [STORAGE.toLowerCase(), VM.toLowerCase()],
        configurationItems: ["vm-web-01"],
        originAlertId: "3f2d4487-b0fc-4125-8bd5-7ad17384221e_PipeLineAlertRG_microsoft.insights_metricAlerts_WCUS-R2-Gen2_-117781227",
        firedDateTime: "2025-06-01T11:58:24.3713213Z",
        description: "Outbound flows above 1000",
        essentialsVersion: "1.0",
        alertContextVersion: "1.0",
        ...essentials,
      },
      alertContext: {
        properties: null,
        conditionType: "SingleResourceMultipleMetricCriteria",
        condition: { windowSize: "PT5M", allOf: [{ metricName: "Outbound Flows", metricNamespace: "Microsoft.Compute/virtualMachines", operator: "GreaterThan", threshold: "1000", timeAggregation: "Average", metricValue: 12000 }] },
        ...alertContext,
      },
    },
  };
}

/** A Defender for Cloud alert in its ARM resource shape (workflow automation forwarding the alert). */
function defenderArm(properties: Record<string, unknown> = {}) {
  return {
    id: "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Security/locations/westeurope/alerts/2518301663_a1b2",
    name: "2518301663_a1b2",
    type: "Microsoft.Security/Locations/alerts",
    properties: {
      systemAlertId: "2518301663_a1b2",
      alertType: "Network_AnomalousOutgoingTcpSegments",
      alertDisplayName: "Anomalous outgoing network traffic detected",
      severity: "Medium",
      status: "Active",
      description: "vm-web-01 sent more TCP segments than usual.",
      startTimeUtc: "2025-06-01T11:00:00.000Z",
      resourceIdentifiers: [
        { type: "LogAnalytics", workspaceId: "w", workspaceSubscriptionId: "s", workspaceResourceGroup: "g", agentId: "a" },
        { type: "AzureResource", azureResourceId: VM },
      ],
      remediationSteps: ["Check the process sending the traffic", "Isolate the VM if needed"],
      alertUri: "https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/2518301663_a1b2",
      ...properties,
    },
  };
}

function ok(body: unknown): IncomingAlert {
  const r = parseAlertPayload(body, NOW);
  if (!r.ok) throw new Error(`expected an alert, got: ${r.reason}`);
  return r.alert;
}

describe("Azure Monitor common alert schema", () => {
  test("when a metric alert fires on a VM, then it reads as an azure-monitor alert with the rule, metric, VM first and the fired time", () => {
    expect(ok(commonMetricAlert())).toEqual({
      id: "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330",
      source: "azure-monitor",
      name: "High outbound flows",
      alertType: "Outbound Flows",
      severity: "Medium",
      description: "Outbound flows above 1000",
      resourceIds: [VM.toLowerCase(), STORAGE.toLowerCase()],
      firedAt: "2025-06-01T11:58:24.371Z",
      condition: "Fired",
      remediationSteps: [],
    });
  });

  test.each([
    ["Sev0", "High"],
    ["Sev1", "High"],
    ["Sev2", "Medium"],
    ["Sev3", "Low"],
    ["Sev4", "Informational"],
    ["sev3", "Low"],
    ["bogus", "Informational"],
    [undefined, "Informational"],
  ])("when the severity is %p, then it reads as %p", (severity, expected) => {
    expect(alertSeverityOf(severity)).toBe(expected);
    expect(ok(commonMetricAlert({ severity })).severity).toBe(expected);
  });

  test("when an activity log alert fires, then its operation is the alert type", () => {
    const alert = ok(commonMetricAlert({ signalType: "Activity Log" }, { condition: undefined, operationName: "Microsoft.Compute/virtualMachines/write" }));
    expect(alert.alertType).toBe("Microsoft.Compute/virtualMachines/write");
  });

  test("when a log alert has no metric or operation, then the signal type is the alert type", () => {
    expect(ok(commonMetricAlert({ signalType: "Log" }, { condition: { allOf: [{ searchQuery: "Heartbeat" }] } })).alertType).toBe("Log");
  });

  test("when the alert is resolved, then the condition says so and its dedupe key differs from the fired one", () => {
    const fired = ok(commonMetricAlert());
    const resolved = ok(commonMetricAlert({ monitorCondition: "Resolved" }));
    expect(resolved.condition).toBe("Resolved");
    expect(alertDedupeKey(resolved)).not.toBe(alertDedupeKey(fired));
    expect(alertDedupeKey(ok(commonMetricAlert()))).toBe(alertDedupeKey(fired));
  });

  test("when the fired time is missing or unreadable, then the time it arrived stands in", () => {
    expect(ok(commonMetricAlert({ firedDateTime: "yesterday" })).firedAt).toBe(NOW.toISOString());
  });

  test("when there are hundreds of targets and a huge description, then both are bounded", () => {
    const targets = Array.from({ length: 300 }, (_, i) => `${STORAGE}${i}`);
    const alert = ok(commonMetricAlert({ alertTargetIDs: targets, description: "x".repeat(10_000) }));
    expect(alert.resourceIds).toHaveLength(50);
    expect(alert.description!.length).toBeLessThanOrEqual(2000);
  });

  test.each([
    [{ schemaId: "azureMonitorCommonAlertSchema" }, "data.essentials"],
    [commonMetricAlert({ alertId: "" }), "alertId is missing"],
    [commonMetricAlert({ alertRule: 7 }), "alertRule is missing"],
    [{ schemaId: "AzureMonitorMetricAlert", data: {} }, 'turn on "Enable the common alert schema"'],
  ])("when the body is %p, then it is refused saying %p", (body, reason) => {
    const r = parseAlertPayload(body, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe("Defender for Cloud alerts", () => {
  test("when the ARM alert shape arrives, then it reads as a defender alert about the VM with its steps and portal link", () => {
    expect(ok(defenderArm())).toEqual({
      id: "2518301663_a1b2",
      source: "defender",
      name: "Anomalous outgoing network traffic detected",
      alertType: "Network_AnomalousOutgoingTcpSegments",
      severity: "Medium",
      description: "vm-web-01 sent more TCP segments than usual.",
      resourceIds: [VM],
      firedAt: "2025-06-01T11:00:00.000Z",
      remediationSteps: ["Check the process sending the traffic", "Isolate the VM if needed"],
      portalUrl: "https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/2518301663_a1b2",
      condition: "Active",
    });
  });

  test("when the flat PascalCase shape (Logic App trigger / continuous export) arrives, then it reads the same way", () => {
    const alert = ok({
      SystemAlertId: "2518301663_a1b2",
      AlertType: "VM_SshBruteForceFailed",
      AlertDisplayName: "Failed SSH brute force attack",
      Severity: "High",
      StartTimeUtc: "2025-06-01T10:00:00Z",
      Description: "Failed brute force attempts on vm-web-01",
      RemediationSteps: '["Block the source address","Use JIT"]',
      Entities: [{ $id: "4", ResourceId: VM, Type: "azure-resource" }, { $id: "5", Address: "203.0.113.9", Type: "ip" }],
      AlertUri: "http://not-https.example/alert",
    });
    expect(alert).toMatchObject({
      id: "2518301663_a1b2",
      source: "defender",
      name: "Failed SSH brute force attack",
      alertType: "VM_SshBruteForceFailed",
      severity: "High",
      resourceIds: [VM],
      remediationSteps: ["Block the source address", "Use JIT"],
      firedAt: "2025-06-01T10:00:00.000Z",
    });
    expect(alert.portalUrl).toBeUndefined();
  });

  test("when the ARM shape lacks systemAlertId, then its name is the id", () => {
    expect(ok(defenderArm({ systemAlertId: undefined })).id).toBe("2518301663_a1b2");
  });

  test("when a Defender alert has no display name, then its type is its name", () => {
    expect(ok(defenderArm({ alertDisplayName: undefined })).name).toBe("Network_AnomalousOutgoingTcpSegments");
  });

  test("when the same Defender alert is read twice, then the dedupe keys match (ids compared without case)", () => {
    expect(alertDedupeKey(ok(defenderArm()))).toBe(alertDedupeKey(ok(defenderArm({ systemAlertId: "2518301663_A1B2" }))));
  });
});

describe("bodies that are not alerts", () => {
  test.each([
    [null],
    [[]],
    ["text"],
    [42],
    [{}],
    [{ hello: "world" }],
    [{ properties: { foo: 1 } }],
  ])("when the body is %p, then it is refused with a reason", (body) => {
    const r = parseAlertPayload(body, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(10);
  });
});
