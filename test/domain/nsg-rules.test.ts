import fc from "fast-check";
import {
  classifyPrefix,
  evaluateInbound,
  formatPortRange,
  intersectRanges,
  isInternetSource,
  mergeRanges,
  openInboundPorts,
  parsePortList,
  parsePortRange,
  portCount,
  protocolMatches,
  rangesContain,
  subtractRanges,
  type PortRange,
} from "../../src/domain/nsg-rules";
import { ids, nsg, nicNsg, rule, subnetNsg } from "./builders";

describe("parsePortRange", () => {
  test.each<[string, PortRange | undefined]>([
    ["22", { from: 22, to: 22 }],
    [" 1000 - 2000 ", { from: 1000, to: 2000 }],
    ["*", { from: 0, to: 65535 }],
    ["Any", { from: 0, to: 65535 }],
    ["0", { from: 0, to: 0 }],
    ["65535", { from: 65535, to: 65535 }],
    ["65536", undefined],
    ["2000-1000", undefined],
    ["22-", undefined],
    ["ssh", undefined],
    ["", undefined],
    ["22,23", undefined],
  ])("when given %j, then it reads %j", (text, expected) => {
    expect(parsePortRange(text)).toEqual(expected);
  });

  test("when any valid range is formatted and read back, then it is the same range", () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
      .map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
    fc.assert(fc.property(range, (r) => expect(parsePortRange(formatPortRange(r))).toEqual(r)));
  });

  test("when a range is written backwards or past 65535, then it is not read", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 65534 }), (a, b) => {
        fc.pre(a > b);
        expect(parsePortRange(`${a}-${b}`)).toBeUndefined();
      }),
    );
    fc.assert(fc.property(fc.integer({ min: 65536, max: 99999 }), (p) => expect(parsePortRange(String(p))).toBeUndefined()));
  });
});

describe("port range lists", () => {
  test.each<[string[], PortRange[], string[]]>([
    [["22,3389", "80"], [{ from: 22, to: 22 }, { from: 80, to: 80 }, { from: 3389, to: 3389 }], []],
    [["22", "23-25"], [{ from: 22, to: 25 }], []],
    [["1000-2000", "1500-3000"], [{ from: 1000, to: 3000 }], []],
    [["22", "ssh"], [{ from: 22, to: 22 }], ["ssh"]],
    [[], [], []],
  ])("when the rule lists %j, then the ranges are %j and unreadable entries %j", (specs, ranges, invalid) => {
    expect(parsePortList(specs)).toEqual({ ranges, invalid });
  });

  test.each<[PortRange[], PortRange[], PortRange[], PortRange[]]>([
    // a, b, a∩b, a−b
    [[{ from: 0, to: 65535 }], [{ from: 22, to: 22 }], [{ from: 22, to: 22 }], [{ from: 0, to: 21 }, { from: 23, to: 65535 }]],
    [[{ from: 1000, to: 2000 }], [{ from: 1500, to: 3000 }], [{ from: 1500, to: 2000 }], [{ from: 1000, to: 1499 }]],
    [[{ from: 10, to: 20 }], [{ from: 30, to: 40 }], [], [{ from: 10, to: 20 }]],
  ])("when intersecting %j with %j, then the overlap is %j and the rest %j", (a, b, both, rest) => {
    expect(intersectRanges(a, b)).toEqual(both);
    expect(subtractRanges(a, b)).toEqual(rest);
  });

  test("when ranges are merged, intersected or subtracted, then port membership follows set logic", () => {
    const r = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }))
      .map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
    fc.assert(
      fc.property(fc.array(r, { maxLength: 6 }), fc.array(r, { maxLength: 6 }), fc.integer({ min: 0, max: 310 }), (a, b, port) => {
        const inA = rangesContain(a, port);
        const inB = rangesContain(b, port);
        expect(rangesContain(mergeRanges(a), port)).toBe(inA);
        expect(rangesContain(intersectRanges(a, b), port)).toBe(inA && inB);
        expect(rangesContain(subtractRanges(a, b), port)).toBe(inA && !inB);
      }),
    );
  });

  test("when counting ports, then overlapping ranges count once", () => {
    expect(portCount([{ from: 1, to: 100 }, { from: 50, to: 150 }])).toBe(150);
    expect(portCount(parsePortList(["*"]).ranges)).toBe(65536);
  });
});

describe("source prefixes", () => {
  test.each<[string, boolean]>([
    ["*", true],
    ["Internet", true],
    ["INTERNET", true],
    ["0.0.0.0/0", true],
    ["::/0", true],
    ["Any", true],
    ["any", true],
    ["0.0.0.0/1", true],
    ["20.0.0.0/7", true],
    ["10.0.0.0/7", true],
    ["2000::/3", true],
    ["2001:db8::/31", true],
    ["10.0.0.0/8", false],
    ["172.16.0.0/12", false],
    ["192.168.1.0/24", false],
    ["100.64.0.0/10", false],
    ["VirtualNetwork", false],
    ["AzureLoadBalancer", false],
    ["AzureCloud", false],
    ["203.0.113.5", false],
    ["203.0.113.0/24", false],
    ["20.0.0.0/8", false],
    ["20.0.0.0/9", false],
    ["127.0.0.1", false],
    ["fd00::/8", false],
    ["fe80::/10", false],
    ["2001:db8::/32", false],
  ])("when the source is %j, then internet-wide is %s", (prefix, expected) => {
    expect(isInternetSource(prefix)).toBe(expected);
  });

  test.each<[string, string]>([
    ["10.1.2.3", "private"],
    ["203.0.113.5/32", "public"],
    ["VirtualNetwork", "serviceTag"],
    ["Storage.WestEurope", "serviceTag"],
    ["0.0.0.0/0", "internet"],
  ])("when classifying %j, then it is %s", (prefix, kind) => {
    expect(classifyPrefix(prefix)).toBe(kind);
  });

  test.each<[string, "Tcp" | "Udp", boolean]>([
    ["Tcp", "Tcp", true],
    ["TCP", "Tcp", true],
    ["*", "Udp", true],
    ["Any", "Tcp", true],
    ["Udp", "Tcp", false],
    ["Icmp", "Tcp", false],
  ])("when a rule's protocol is %s and traffic is %s, then it matches: %s", (ruleProtocol, protocol, expected) => {
    expect(protocolMatches(ruleProtocol, protocol)).toBe(expected);
  });
});

describe("evaluateInbound with one NSG", () => {
  const allow22 = rule({ name: "AllowSsh", priority: 200 });
  test.each([
    {
      when: "an allow from * covers the port",
      rules: [allow22],
      port: 22,
      allowed: true,
      decidedBy: "AllowSsh",
    },
    {
      when: "a deny at a lower priority number covers the port",
      rules: [allow22, rule({ name: "DenySsh", priority: 100, access: "Deny" })],
      port: 22,
      allowed: false,
      decidedBy: "DenySsh",
    },
    {
      when: "a deny comes at a higher priority number than the allow",
      rules: [allow22, rule({ name: "DenySsh", priority: 300, access: "Deny" })],
      port: 22,
      allowed: true,
      decidedBy: "AllowSsh",
    },
    {
      when: "a deny and an allow match at the same priority",
      rules: [rule({ name: "A-Allow", priority: 200 }), rule({ name: "Z-Deny", priority: 200, access: "Deny" })],
      port: 22,
      allowed: false,
      decidedBy: "Z-Deny",
    },
    {
      when: "the port is inside an allowed range",
      rules: [rule({ name: "AllowRange", destinationPorts: ["1000-2000"] })],
      port: 1500,
      allowed: true,
      decidedBy: "AllowRange",
    },
    {
      when: "the port is just past an allowed range",
      rules: [rule({ name: "AllowRange", destinationPorts: ["1000-2000"] })],
      port: 2001,
      allowed: false,
      decidedBy: "DenyAllInBound",
    },
    {
      when: "the port is one of a rule's listed ports",
      rules: [rule({ name: "AllowMgmt", destinationPorts: ["22", "3389"] })],
      port: 3389,
      allowed: true,
      decidedBy: "AllowMgmt",
    },
    {
      when: "the allow is only for the VirtualNetwork service tag",
      rules: [rule({ name: "AllowVnetSsh", sourcePrefixes: ["VirtualNetwork"] })],
      port: 22,
      allowed: false,
      decidedBy: "DenyAllInBound",
    },
    {
      when: "the allow is only from a private range",
      rules: [rule({ name: "AllowCorp", sourcePrefixes: ["10.0.0.0/8"] })],
      port: 22,
      allowed: false,
      decidedBy: "DenyAllInBound",
    },
    {
      when: "the allow uses the Internet service tag",
      rules: [rule({ name: "AllowInternet", sourcePrefixes: ["Internet"] })],
      port: 22,
      allowed: true,
      decidedBy: "AllowInternet",
    },
    {
      when: "the allow is for UDP only",
      rules: [rule({ name: "AllowUdp", protocol: "Udp" })],
      port: 22,
      allowed: false,
      decidedBy: "DenyAllInBound",
    },
    {
      when: "the allow is outbound",
      rules: [rule({ name: "AllowOut", direction: "Outbound" })],
      port: 22,
      allowed: false,
      decidedBy: "DenyAllInBound",
    },
    {
      when: "a deny names only one public address before a broad allow",
      rules: [rule({ name: "DenyAttacker", priority: 100, access: "Deny", sourcePrefixes: ["198.51.100.7/32"] }), allow22],
      port: 22,
      allowed: true,
      decidedBy: "AllowSsh",
    },
    {
      when: "a custom allow sits at the highest custom priority (4096)",
      rules: [rule({ name: "AllowLate", priority: 4096 })],
      port: 22,
      allowed: true,
      decidedBy: "AllowLate",
    },
    {
      when: "a wildcard deny precedes a specific allow",
      rules: [rule({ name: "DenyAll", priority: 100, access: "Deny", protocol: "*", destinationPorts: ["*"] }), allow22],
      port: 22,
      allowed: false,
      decidedBy: "DenyAll",
    },
  ])("when $when, then allowed is $allowed (decided by $decidedBy)", ({ rules, port, allowed, decidedBy }) => {
    const result = evaluateInbound([nicNsg(rules)], port, "Tcp", true);
    expect(result.allowed).toBe(allowed);
    expect(result.decidingRules.map((r) => r.ruleName)).toEqual([decidedBy]);
    expect(result.noNsg).toBe(false);
  });

  test("when the data has no default rules and nothing matches, then Azure's DenyAllInBound still denies", () => {
    const bare = nsg({ rules: [rule({ name: "AllowWeb", destinationPorts: ["443"] })] });
    const result = evaluateInbound([bare], 22, "Tcp", true);
    expect(result.allowed).toBe(false);
    expect(result.decidingRules[0]).toMatchObject({ ruleName: "DenyAllInBound", implicit: true, priority: 65500 });
  });

  test("when a default rule in the data carries a low priority number, then custom rules still come first", () => {
    const odd = nsg({
      rules: [rule({ name: "DenyAllInBound", priority: 100, access: "Deny", destinationPorts: ["*"], isDefault: true }), rule({ priority: 300 })],
    });
    expect(evaluateInbound([odd], 22, "Tcp", true).allowed).toBe(true);
  });

  test.each([
    { when: "the rule's destination excludes the NIC address", destination: ["10.0.1.0/24"], allowed: false },
    { when: "the rule's destination includes the NIC address", destination: ["10.0.0.0/24"], allowed: true },
    { when: "the rule's destination is the VirtualNetwork tag", destination: ["VirtualNetwork"], allowed: true },
  ])("when $when, then allowed is $allowed", ({ destination, allowed }) => {
    const rules = [rule({ destinationPrefixes: destination })];
    expect(evaluateInbound([nicNsg(rules)], 22, "Tcp", true, { destinationIp: "10.0.0.4" }).allowed).toBe(allowed);
  });
});

describe("evaluateInbound with subnet and NIC NSGs", () => {
  const subnetAllow = subnetNsg([rule({ name: "SubnetAllowSsh" })]);
  const subnetDeny = subnetNsg([rule({ name: "SubnetDenySsh", access: "Deny" })]);
  const nicAllow = nicNsg([rule({ name: "NicAllowSsh" })]);
  const nicDeny = nicNsg([rule({ name: "NicDenySsh", access: "Deny" })]);
  const nicNothing = nicNsg([]);

  test.each([
    { when: "both allow", nsgs: [subnetAllow, nicAllow], allowed: true, rules: ["SubnetAllowSsh", "NicAllowSsh"] },
    { when: "the subnet allows and the NIC denies", nsgs: [subnetAllow, nicDeny], allowed: false, rules: ["SubnetAllowSsh", "NicDenySsh"] },
    { when: "the subnet allows and the NIC has only defaults", nsgs: [subnetAllow, nicNothing], allowed: false, rules: ["SubnetAllowSsh", "DenyAllInBound"] },
    { when: "the subnet denies (the NIC is never reached)", nsgs: [subnetDeny, nicAllow], allowed: false, rules: ["SubnetDenySsh"] },
    { when: "only a subnet NSG exists and it allows", nsgs: [subnetAllow], allowed: true, rules: ["SubnetAllowSsh"] },
    { when: "no NSG exists at all", nsgs: [], allowed: true, rules: [] },
  ])("when $when, then allowed is $allowed with deciding rules $rules", ({ nsgs, allowed, rules }) => {
    const result = evaluateInbound(nsgs, 22, "Tcp", true);
    expect(result.allowed).toBe(allowed);
    expect(result.decidingRules.map((r) => r.ruleName)).toEqual(rules);
    expect(result.noNsg).toBe(nsgs.length === 0);
  });

  test("when deciding rules are reported, then each names its NSG", () => {
    const result = evaluateInbound([subnetAllow, nicAllow], 22, "Tcp", true);
    expect(result.decidingRules.map((r) => r.nsgName)).toEqual(["nsg-subnet", "nsg-nic"]);
    expect(result.decidingRules[1].nsgId).toBe(ids.nsg("nsg-nic"));
  });
});

describe("openInboundPorts", () => {
  test("when one NSG allows a port and a range, then exactly those runs are open", () => {
    const open = openInboundPorts([nicNsg([rule({ name: "Ssh" }), rule({ name: "App", priority: 110, destinationPorts: ["1000-2000"] })])], "Tcp");
    expect(open.map((o) => [formatPortRange(o.range), o.rules.map((r) => r.ruleName)])).toEqual([
      ["22", ["Ssh"]],
      ["1000-2000", ["App"]],
    ]);
  });

  test("when the subnet and NIC NSGs allow overlapping ranges, then only the overlap is open, with both rules", () => {
    const open = openInboundPorts(
      [subnetNsg([rule({ name: "S", destinationPorts: ["1000-2000"] })]), nicNsg([rule({ name: "N", destinationPorts: ["1500-3000"] })])],
      "Tcp",
    );
    expect(open).toHaveLength(1);
    expect(open[0].range).toEqual({ from: 1500, to: 2000 });
    expect(open[0].rules.map((r) => r.ruleName)).toEqual(["S", "N"]);
  });

  test("when a deny carves a hole in an allow-all, then the allow-all is open around the hole", () => {
    const open = openInboundPorts(
      [nicNsg([rule({ name: "Deny22", priority: 100, access: "Deny" }), rule({ name: "All", priority: 200, destinationPorts: ["*"] })])],
      "Tcp",
    );
    expect(open.map((o) => formatPortRange(o.range))).toEqual(["0-21", "23-65535"]);
  });

  test("when there is no NSG, then every port is open", () => {
    expect(openInboundPorts([], "Udp")).toEqual([{ range: { from: 0, to: 65535 }, rules: [], protocol: "Udp" }]);
  });
});
