import { parseFixArgs, splitRule } from "../../src/bot/commands/fix";
import { parseAlertId, parseRuleId, toJitPortSetting, toRuleSettings, toSdkJitPort, toSdkRule } from "../../src/azure/remediation";

describe("fix grammar", () => {
  test.each<[string, unknown]>([
    ["jit vm-web-01", { intent: { kind: "jit", vm: "vm-web-01" } }],
    ["JIT rg-web/vm-web-01 port 22,3389", { intent: { kind: "jit", vm: "rg-web/vm-web-01", ports: [22, 3389] } }],
    ["rule nsg-web/Allow-SSH from 203.0.113.0/24", { intent: { kind: "rule", nsg: "nsg-web", rule: "Allow-SSH", fix: { from: "203.0.113.0/24" } } }],
    ["rule rg-web/nsg-web/Allow-SSH delete", { intent: { kind: "rule", nsg: "rg-web/nsg-web", rule: "Allow-SSH", fix: { delete: true } } }],
    ["rule nsg-web Allow-SSH DELETE", { intent: { kind: "rule", nsg: "nsg-web", rule: "Allow-SSH", fix: { delete: true } } }],
    ["rule nsg-web/Allow-SSH", { askRule: { nsg: "nsg-web", rule: "Allow-SSH" } }],
    ["forwarding vm-nva-01-nic", { intent: { kind: "forwarding", nic: "vm-nva-01-nic" } }],
    ["flowlogs nsg-app", { intent: { kind: "flowlogs", nsg: "nsg-app" } }],
    ["alert 3 dismiss because scanner ${x} traffic", { intent: { kind: "alert", alert: "3", action: "dismiss", reason: "scanner ${x} traffic" } }],
    ["alert 2518_abc resolve because fixed", { intent: { kind: "alert", alert: "2518_abc", action: "resolve", reason: "fixed" } }],
    ["alert 2518_abc", { alertForm: "2518_abc" }],
  ])("when %j is typed, then it reads as intended", (line, expected) => {
    expect(parseFixArgs(line)).toEqual(expected);
  });

  test.each([
    ["", "Say what to fix"],
    ["firewall vm-1", `I can't fix "firewall"`],
    ["jit", "Name the VM"],
    ["jit vm-1 vm-2", "don't understand"],
    ["jit vm-1 port ssh", "is not a port number"],
    ["rule nsg-web/Allow-SSH from 1.2.3.4 delete", "Either narrow the source"],
    ["rule Allow-SSH from 1.2.3.4", "Name the rule as <nsg>/<rule>"],
    ["rule nsg-web/Allow-SSH from 1.2.3.4 5.6.7.8", "Give one source"],
    ["alert 3 dismiss", `Say why, after "because"`],
    ["alert 3 because why", "Say what to do with the alert"],
    ["forwarding", "Name the network interface"],
  ])("when %j is typed, then the answer explains (%s)", (line, message) => {
    expect(() => parseFixArgs(line)).toThrow(message);
  });

  test("when a rule is named with a leading slash or empty parts, then it is refused", () => {
    expect(() => splitRule(["/nsg/rule"])).toThrow("<nsg>/<rule>");
    expect(() => splitRule(["nsg/"])).toThrow("<nsg>/<rule>");
  });
});

describe("remediation SDK mapping", () => {
  test("when a rule is read and written back, then every writable property survives and ARM gets one of each singular/plural pair", () => {
    const read = toRuleSettings({
      protocol: "Tcp",
      access: "Allow",
      direction: "Inbound",
      priority: 100,
      sourceAddressPrefix: "Internet",
      sourceAddressPrefixes: [],
      sourcePortRange: "*",
      destinationAddressPrefixes: ["10.0.0.4", "10.0.0.5"],
      destinationPortRange: "22",
      destinationPortRanges: [],
      destinationApplicationSecurityGroups: [{ id: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/applicationSecurityGroups/asg1" }],
      description: "vendor",
    });
    expect(read).toMatchObject({ sourceAddressPrefix: "Internet", destinationAddressPrefixes: ["10.0.0.4", "10.0.0.5"], description: "vendor" });
    expect(read.destinationAddressPrefix).toBeUndefined();
    const written = toSdkRule(read) as Record<string, unknown>;
    expect(written).toEqual({
      protocol: "Tcp",
      access: "Allow",
      direction: "Inbound",
      priority: 100,
      description: "vendor",
      sourceAddressPrefix: "Internet",
      sourcePortRange: "*",
      destinationAddressPrefixes: ["10.0.0.4", "10.0.0.5"],
      destinationPortRange: "22",
      destinationApplicationSecurityGroups: [{ id: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/applicationSecurityGroups/asg1" }],
    });
  });

  test("when JIT ports move between Azure and the domain, then the two source fields stay mutually exclusive", () => {
    const restricted = toJitPortSetting({ number: 22, protocol: "tcp", allowedSourceAddressPrefix: "", allowedSourceAddressPrefixes: ["10.0.0.0/24"], maxRequestAccessDuration: "PT1H" });
    expect(restricted).toEqual({ number: 22, protocol: "TCP", allowedSourceAddressPrefixes: ["10.0.0.0/24"], maxRequestAccessDuration: "PT1H" });
    expect(toSdkJitPort(restricted)).toEqual({ number: 22, protocol: "TCP", allowedSourceAddressPrefixes: ["10.0.0.0/24"], maxRequestAccessDuration: "PT1H" });
    expect(toSdkJitPort(toJitPortSetting({ number: 3389, protocol: "*", maxRequestAccessDuration: "PT3H" }))).toEqual({
      number: 3389,
      protocol: "*",
      allowedSourceAddressPrefix: "*",
      maxRequestAccessDuration: "PT3H",
    });
  });

  test("when ids are parsed, then rule and alert parts come out, and a wrong id is refused", () => {
    expect(parseRuleId("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1/securityRules/r1")).toEqual({
      subscriptionId: "s1",
      resourceGroup: "rg",
      nsgName: "nsg1",
      ruleName: "r1",
    });
    expect(parseAlertId("/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/a1")).toEqual({ subscriptionId: "s1", location: "westeurope", name: "a1" });
    expect(parseAlertId("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/alerts/a1")).toMatchObject({ resourceGroup: "rg" });
    expect(() => parseRuleId("/subscriptions/s1/resourceGroups/rg")).toThrow("is not a security rule id");
  });
});
