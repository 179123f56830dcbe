import { AppError } from "../../src/domain/errors";
import {
  DEFAULT_JIT_LIMITS,
  endTimeFor,
  findJitPolicy,
  validateJitRequest,
  type JitLimits,
  type JitPolicyMatch,
  type JitRequestInput,
} from "../../src/domain/jit-rules";
import type { JitPolicy, JitPolicyPort } from "../../src/domain/model";

const MIN = 60_000;
const H = 60 * MIN;
const VM_ID = "/subscriptions/sub-1/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01";

function port(overrides: Partial<JitPolicyPort> = {}): JitPolicyPort {
  return { number: 22, protocol: "TCP", allowedSourcePrefixes: ["*"], maxRequestAccessDuration: "PT3H", ...overrides };
}

function policy(ports: JitPolicyPort[], overrides: Partial<JitPolicy> = {}): JitPolicy {
  return {
    id: "/subscriptions/sub-1/resourceGroups/rg-web/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
    subscriptionId: "sub-1",
    resourceGroup: "rg-web",
    location: "westeurope",
    name: "default",
    virtualMachines: [{ vmId: VM_ID, ports }],
    grants: [],
    ...overrides,
  };
}

function match(ports: JitPolicyPort[] = [port()]): JitPolicyMatch {
  return { policy: policy(ports), vmId: VM_ID };
}

function input(overrides: Partial<JitRequestInput> = {}): JitRequestInput {
  return { vmName: "vm-web-01", ports: [22], duration: "1h", source: "203.0.113.7", justification: "patching CVE-2024-1234", ...overrides };
}

const LIMITS: JitLimits = { maxDuration: "PT3H", defaultDuration: "PT1H", maxJustificationLength: 500 };

/** The BadInput message, failing the test when something else (or nothing) is thrown. */
function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("BadInput");
    return (e as AppError).userMessage;
  }
  throw new Error("expected BadInput");
}

describe("validateJitRequest: accepted requests", () => {
  it("when everything is within the policy, then it returns the checked request ready for Azure", () => {
    expect(validateJitRequest(input(), match(), LIMITS)).toEqual({
      vmId: VM_ID,
      vmName: "vm-web-01",
      policyId: match().policy.id,
      ports: [{ number: 22, protocol: "TCP", source: "203.0.113.7" }],
      source: "203.0.113.7",
      durationMs: H,
      justification: "patching CVE-2024-1234",
    });
  });

  it("when the justification contains ${...} and quotes, then it is kept literally", () => {
    const v = validateJitRequest(input({ justification: '  ${1+1} "x" ${user.name}  ' }), match(), LIMITS);
    expect(v.justification).toBe('${1+1} "x" ${user.name}');
  });

  it("when the policy port is UDP, then the protocol is carried from the policy", () => {
    const v = validateJitRequest(input({ ports: [500] }), match([port({ number: 500, protocol: "UDP" })]), LIMITS);
    expect(v.ports[0]?.protocol).toBe("UDP");
  });

  it("when no port is given and the policy has one port, then that port is used", () => {
    const v = validateJitRequest(input({ ports: undefined }), match([port({ number: 3389 })]), LIMITS);
    expect(v.ports.map((p) => p.number)).toEqual([3389]);
  });

  it("when a port is repeated, then it is opened once", () => {
    const v = validateJitRequest(input({ ports: [22, 22, 3389] }), match([port(), port({ number: 3389 })]), LIMITS);
    expect(v.ports.map((p) => p.number)).toEqual([22, 3389]);
  });

  it("when no duration is given, then the default is used", () => {
    expect(validateJitRequest(input({ duration: undefined }), match(), LIMITS).durationMs).toBe(H);
  });

  it("when no duration is given and the limits have no default, then one hour is used", () => {
    const limits = { maxDuration: "PT3H", maxJustificationLength: 500 };
    expect(validateJitRequest(input({ duration: "  " }), match(), limits).durationMs).toBe(H);
  });

  it("when no duration is given and the policy allows less than the default, then the default is capped", () => {
    const v = validateJitRequest(input({ duration: undefined }), match([port({ maxRequestAccessDuration: "PT30M" })]), LIMITS);
    expect(v.durationMs).toBe(30 * MIN);
  });

  it("when the duration equals both limits, then it is accepted", () => {
    expect(validateJitRequest(input({ duration: "PT3H" }), match(), LIMITS).durationMs).toBe(3 * H);
  });

  it("when the source is a bounded CIDR on an unrestricted port, then it is sent as typed", () => {
    const v = validateJitRequest(input({ source: " 203.0.113.0/24 " }), match([port({ allowedSourcePrefixes: [] })]), LIMITS);
    expect(v.ports[0]?.source).toBe("203.0.113.0/24");
    expect(v.source).toBe("203.0.113.0/24");
  });

  it("when the source equals an allowed prefix in another spelling, then the policy's spelling is sent", () => {
    const restricted = match([port({ allowedSourcePrefixes: ["203.0.113.7/32", "2001:DB8::/48"] })]);
    expect(validateJitRequest(input({ source: "203.0.113.7" }), restricted, LIMITS).ports[0]?.source).toBe("203.0.113.7/32");
    expect(validateJitRequest(input({ source: "2001:db8:0::/48" }), restricted, LIMITS).ports[0]?.source).toBe("2001:DB8::/48");
  });

  it("when ports restrict sources differently, then each port gets its own verbatim prefix", () => {
    const m = match([port({ allowedSourcePrefixes: ["10.0.0.5"] }), port({ number: 3389, allowedSourcePrefixes: ["10.0.0.5/32"] })]);
    const v = validateJitRequest(input({ ports: [22, 3389], source: "10.0.0.5" }), m, LIMITS);
    expect(v.ports.map((p) => p.source)).toEqual(["10.0.0.5", "10.0.0.5/32"]);
  });

  it("when the justification is exactly the maximum length, then it is accepted", () => {
    const text = "a".repeat(500);
    expect(validateJitRequest(input({ justification: text }), match(), LIMITS).justification).toBe(text);
  });

  it("when the justification has emoji, then length counts characters, not UTF-16 units", () => {
    const text = "🔧".repeat(300);
    expect(() => validateJitRequest(input({ justification: `${text} x` }), match(), LIMITS)).not.toThrow();
  });
});

describe("validateJitRequest: refused requests, one clear message per rule", () => {
  const twoPorts = [port(), port({ number: 3389, maxRequestAccessDuration: "PT2H" })];
  const restricted = [port({ allowedSourcePrefixes: ["10.1.2.0/24", "198.51.100.4"] })];

  it.each<[string, Partial<JitRequestInput>, JitPolicyPort[], RegExp]>([
    ["no port is given and the policy has several", { ports: undefined }, twoPorts, /vm-web-01 has JIT on ports 22, 3389; say which, e.g. "port 22"/],
    ["an empty port list is given and the policy has several", { ports: [] }, twoPorts, /say which/],
    ["the port is not in the policy", { ports: [80] }, twoPorts, /Port 80 is not in vm-web-01's JIT policy\. Allowed ports: 22, 3389\./],
    ["several ports are not in the policy", { ports: [80, 443, 22] }, twoPorts, /Ports 80, 443 are not in vm-web-01's JIT policy/],
    ["a port number is out of range", { ports: [70000] }, twoPorts, /70000 is not a port number; ports are 1–65535/],
    ["a port number is not an integer", { ports: [22.5] }, twoPorts, /22\.5 is not a port number/],
    ["the duration is unreadable", { duration: "soon" }, twoPorts, /"soon" is not a duration I can read.*1h30m/],
    ["the duration is zero", { duration: "PT0S" }, twoPorts, /must be longer than zero/],
    [
      "the duration is over the policy's maximum",
      { ports: [3389], duration: "150m" },
      twoPorts,
      /2 h 30 min is too long: vm-web-01's JIT policy allows at most 2 h on port 3389, and this bot allows at most 3 h \(JIT_MAX_DURATION\)\. Ask for 2 h or less\./,
    ],
    [
      "the duration is over JIT_MAX_DURATION",
      { duration: "4h" },
      [port({ maxRequestAccessDuration: "PT24H" })],
      /4 h is too long: .*allows at most 1 d on port 22, and this bot allows at most 3 h \(JIT_MAX_DURATION\)\. Ask for 3 h or less\./,
    ],
    [
      "several ports are asked for and one has a shorter maximum",
      { ports: [22, 3389], duration: "3h" },
      twoPorts,
      /allows at most 2 h on port 3389/,
    ],
    ["the source is missing", { source: undefined }, twoPorts, /Say where you will connect from, e\.g\. "from 203\.0\.113\.7"/],
    ["the source is missing on a restricted port", { source: " " }, restricted, /vm-web-01 accepts: 10\.1\.2\.0\/24, 198\.51\.100\.4\./],
    ["the source is *", { source: "*" }, twoPorts, /"\*" means anyone on the internet/],
    ["the source is Internet", { source: "Internet" }, twoPorts, /"Internet" means anyone on the internet/],
    ["the source is 0.0.0.0/0", { source: "0.0.0.0/0" }, twoPorts, /means anyone on the internet/],
    ["the source is ::/0", { source: "::/0" }, twoPorts, /means anyone on the internet/],
    ["the source is too wide", { source: "10.0.0.0/6" }, twoPorts, /too wide/],
    ["the source is a service tag", { source: "AzureCloud" }, twoPorts, /not an IP address or CIDR range/],
    [
      "the source is inside an allowed prefix but not one of them",
      { source: "10.1.2.3" },
      restricted,
      /10\.1\.2\.3 is not an allowed source for port 22 on vm-web-01\. 10\.1\.2\.3 is inside 10\.1\.2\.0\/24, but Azure matches the allowed sources exactly.*Choose one of: 10\.1\.2\.0\/24, 198\.51\.100\.4 \(e\.g\. "from 10\.1\.2\.0\/24"\)/,
    ],
    [
      "the source is outside every allowed prefix",
      { source: "203.0.113.7" },
      restricted,
      /203\.0\.113\.7 is not an allowed source for port 22 on vm-web-01\. Choose one of: 10\.1\.2\.0\/24, 198\.51\.100\.4 \(e\.g\. "from 10\.1\.2\.0\/24"\)/,
    ],
    [
      "the restricted port only allows sources the bot refuses",
      { source: "203.0.113.7" },
      [port({ allowedSourcePrefixes: ["0.0.0.0/1"] })],
      /only allows sources this bot refuses \(0\.0\.0\.0\/1\)\. Ask an administrator/,
    ],
    ["the justification is missing", { justification: undefined }, twoPorts, /Say why you need access: end the request with "because <reason>"/],
    ["the justification is blank", { justification: "   " }, twoPorts, /Say why you need access/],
    ["the justification is only quotes", { justification: '""' }, twoPorts, /Say why you need access/],
    ["the justification is too long", { justification: "x".repeat(501) }, twoPorts, /The justification is 501 characters; keep it to 500 or fewer\./],
  ])("when %s, then it says so", (_what, overrides, ports, message) => {
    expect(badInput(() => validateJitRequest(input(overrides), match(ports), LIMITS))).toMatch(message);
  });

  it("when the VM has no JIT policy, then the message suggests jit list", () => {
    expect(badInput(() => validateJitRequest(input({ vmName: " vm-db-02 " }), undefined, LIMITS))).toBe(
      'vm-db-02 is not enabled for JIT access, or I cannot see its JIT policy. Type "jit list" to see the VMs you can request.',
    );
  });

  it("when the policy does not list the VM, then it is treated as not JIT-enabled", () => {
    const m = { policy: policy([port()]), vmId: VM_ID.replace("vm-web-01", "vm-other") };
    expect(badInput(() => validateJitRequest(input(), m, LIMITS))).toMatch(/not enabled for JIT access.*jit list/);
  });

  it("when the policy lists the VM with no ports, then it says the policy needs fixing", () => {
    expect(badInput(() => validateJitRequest(input(), match([]), LIMITS))).toMatch(/lists no ports/);
  });

  it("when several rules fail, then every problem is reported at once, one line each", () => {
    const message = badInput(() =>
      validateJitRequest(input({ ports: [80], duration: "0m", source: "*", justification: "" }), match(), LIMITS),
    );
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/Port 80 is not in/),
      expect.stringMatching(/longer than zero/),
      expect.stringMatching(/anyone on the internet/),
      expect.stringMatching(/Say why/),
    ]);
  });

  it("when several restricted ports refuse the same source, then the problem is not repeated", () => {
    const same = { allowedSourcePrefixes: ["10.1.2.0/24"] };
    const m = match([port(same), port({ number: 3389, ...same })]);
    const message = badInput(() => validateJitRequest(input({ ports: [22, 3389], source: "203.0.113.7" }), m, LIMITS));
    expect(message.split("\n")).toHaveLength(2);
  });

  it("when JIT_MAX_DURATION is unreadable, then it is a Config error naming the variable", () => {
    const limits = { ...LIMITS, maxDuration: "3 hours-ish" };
    expect(() => validateJitRequest(input(), match(), limits)).toThrow(expect.objectContaining({ code: "Config", userMessage: expect.stringContaining("JIT_MAX_DURATION") }));
  });

  it("when the policy's maximum duration is unreadable, then it is an AzureError naming the port", () => {
    expect(() => validateJitRequest(input(), match([port({ maxRequestAccessDuration: "P1M" })]), LIMITS)).toThrow(
      expect.objectContaining({ code: "AzureError", userMessage: expect.stringContaining("port 22") }),
    );
  });
});

describe("findJitPolicy", () => {
  const other = "/subscriptions/sub-2/resourceGroups/rg-ops/providers/Microsoft.Compute/virtualMachines/vm-web-01";
  const p1 = policy([port()]);
  const p2 = policy([port()], { id: "p2", virtualMachines: [{ vmId: other, ports: [port()] }] });

  it.each([
    ["its name in another case", "VM-WEB-01", [p1], VM_ID],
    ["resource-group/name", "rg-ops/vm-web-01", [p1, p2], other],
    ["its full id", VM_ID.toUpperCase(), [p1, p2], VM_ID],
  ])("when the VM is named by %s, then its policy entry is found", (_what, name, policies, vmId) => {
    expect(findJitPolicy(name, policies)?.vmId).toBe(vmId);
  });

  it("when no policy lists the VM, then it returns undefined", () => {
    expect(findJitPolicy("vm-db-02", [p1, p2])).toBeUndefined();
  });

  it("when the name matches VMs in two resource groups, then it asks for resource-group/name", () => {
    expect(badInput(() => findJitPolicy("vm-web-01", [p1, p2]))).toBe(
      '"vm-web-01" matches 2 JIT-enabled VMs. Name one as resource-group/name: rg-web/vm-web-01, rg-ops/vm-web-01.',
    );
  });

  it("when the name matches VMs in same-named resource groups of two subscriptions, then it asks for the full id", () => {
    const p3 = policy([port()], { virtualMachines: [{ vmId: VM_ID.replace("sub-1", "sub-3"), ports: [port()] }] });
    expect(badInput(() => findJitPolicy("vm-web-01", [p1, p3]))).toMatch(/full resource id/);
  });
});

describe("endTimeFor", () => {
  it("when access is decided at a time, then it ends the duration later", () => {
    expect(endTimeFor(new Date("2030-01-01T10:00:00Z"), 90 * MIN).toISOString()).toBe("2030-01-01T11:30:00.000Z");
  });
});

describe("DEFAULT_JIT_LIMITS", () => {
  it("when no limits are configured, then the documented defaults apply", () => {
    expect(DEFAULT_JIT_LIMITS).toEqual({ maxDuration: "PT3H", defaultDuration: "PT1H", maxJustificationLength: 500 });
  });
});
