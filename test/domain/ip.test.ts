import { isIP } from "node:net";
import fc from "fast-check";
import {
  checkSource,
  cidrContains,
  formatCidr,
  formatIp,
  isConcreteSource,
  isIp,
  networkOf,
  parseCidr,
  parseIp,
  sameRange,
} from "../../src/domain/ip";

describe("parseIp and formatIp", () => {
  it.each([
    ["10.1.2.3", 4, "10.1.2.3"],
    ["0.0.0.0", 4, "0.0.0.0"],
    ["255.255.255.255", 4, "255.255.255.255"],
    ["2001:db8:0:0:0:0:0:1", 6, "2001:db8::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", 6, "2001:db8::1"],
    ["2001:db8::1", 6, "2001:db8::1"],
    ["::1", 6, "::1"],
    ["::", 6, "::"],
    ["1::", 6, "1::"],
    ["fe80::", 6, "fe80::"],
    ["2001:db8:0:1:1:1:1:1", 6, "2001:db8:0:1:1:1:1:1"],
    ["2001:db8::1:0:0:1", 6, "2001:db8::1:0:0:1"],
    ["2001:0:0:1:0:0:0:1", 6, "2001:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1"],
    ["1:2:3:4:5:6:7::", 6, "1:2:3:4:5:6:7:0"],
    ["::ffff:192.0.2.1", 6, "::ffff:192.0.2.1"],
    ["::ffff:c000:201", 6, "::ffff:192.0.2.1"],
    ["64:ff9b::192.0.2.33", 6, "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:1.2.3.4", 6, "1:2:3:4:5:6:102:304"],
  ])("when given %p, then it is IPv%p and formats canonically as %p", (text, version, canonical) => {
    const ip = parseIp(text);
    expect(ip?.version).toBe(version);
    expect(formatIp(ip!)).toBe(canonical);
  });

  it.each([
    ["empty", ""],
    ["an octet over 255", "10.1.2.256"],
    ["three octets", "10.1.2"],
    ["five octets", "1.2.3.4.5"],
    ["a leading zero", "10.01.2.3"],
    ["surrounding whitespace", " 10.1.2.3"],
    ["two ::", "1::2::3"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["seven groups without ::", "1:2:3:4:5:6:7"],
    [":: with eight other groups", "1:2:3:4::5:6:7:8"],
    ["a five-digit group", "12345::1"],
    ["a non-hex group", "g::1"],
    ["a triple colon", "1:::2"],
    ["a lone leading colon", ":1:2:3:4:5:6:7"],
    ["a zone id", "fe80::1%eth0"],
    ["brackets", "[::1]"],
    ["a v4 tail that is not last", "::1.2.3.4:1"],
    ["a bad v4 tail", "::ffff:1.2.3.999"],
    ["a hostname", "example.com"],
    ["a CIDR", "10.0.0.0/8"],
  ])("when given %s, then it is not an address", (_what, text) => {
    expect(parseIp(text)).toBeUndefined();
    expect(isIp(text)).toBe(false);
  });

  it("when given any IPv4 address, then it parses and formats back to the same text", () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        expect(formatIp(parseIp(text)!)).toBe(text);
      }),
    );
  });

  it("when given any IPv6 form, then it parses, and its canonical form parses to the same value and is stable", () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const ip = parseIp(text);
        expect(ip?.version).toBe(6);
        const canonical = formatIp(ip!);
        expect(parseIp(canonical)).toEqual(ip);
        expect(formatIp(parseIp(canonical)!)).toBe(canonical);
        expect(isIP(canonical)).toBe(6);
      }),
    );
  });

  it("when given any 128-bit value, then its canonical form is never longer than needed and Node agrees it is IPv6", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const text = formatIp({ version: 6, value });
        expect(isIP(text)).toBe(6);
        expect(parseIp(text)).toEqual({ version: 6, value });
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
      }),
    );
  });

  it("when given arbitrary short strings of address characters, then it agrees with Node on what is an address", () => {
    const chars = fc.constantFrom("0", "1", "f", "a", ":", ".", "9", "2", "5");
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 20 }), (text) => {
        // Node accepts leading zeros in IPv4 octets; this module refuses them on purpose.
        const nodeSays = /(^|[.:])0\d/.test(text) && text.includes(".") ? 0 : isIP(text);
        expect(parseIp(text)?.version ?? 0).toBe(nodeSays);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["10.1.2.3", "10.1.2.3/32"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["::1", "::1/128"],
    ["10.1.2.3/24", "10.1.2.3/24"],
  ])("when given %p, then it reads as %p", (text, formatted) => {
    expect(formatCidr(parseCidr(text)!)).toBe(formatted);
  });

  it.each([["10.0.0.0/33"], ["::/129"], ["10.0.0.0/"], ["10.0.0.0/08"], ["10.0.0.0/-1"], ["10.0.0.0/8/8"], ["/8"], ["x/8"]])(
    "when given %p, then it is not a CIDR",
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it("when a range has host bits set, then networkOf clears them", () => {
    expect(formatCidr(networkOf(parseCidr("10.1.2.3/24")!))).toBe("10.1.2.0/24");
    expect(formatCidr(networkOf(parseCidr("2001:db8::ff/120")!))).toBe("2001:db8::/120");
  });

  it("when given any v4 address and prefix, then address/prefix round-trips", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        expect(formatCidr(parseCidr(`${ip}/${prefix}`)!)).toBe(`${ip}/${prefix}`);
      }),
    );
  });
});

describe("cidrContains and sameRange", () => {
  it.each([
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["10.1.2.0/24", "10.1.2.0/25", true],
    ["10.1.2.0/25", "10.1.2.0/24", false],
    ["10.1.2.3/24", "10.1.2.200", true],
    ["10.1.2.3", "10.1.2.3", true],
    ["10.1.2.3/32", "10.1.2.4", false],
    ["0.0.0.0/0", "192.0.2.1", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["::/0", "10.0.0.1", false],
    ["10.0.0.0/8", "::ffff:10.0.0.1", false],
    ["not-an-ip", "10.0.0.1", false],
    ["10.0.0.0/8", "nope", false],
  ])("when %p contains %p?, then %p", (outer, inner, expected) => {
    expect(cidrContains(outer, inner)).toBe(expected);
  });

  it("when given an address object, then it is treated as a single-address range", () => {
    expect(cidrContains("192.0.2.0/24", parseIp("192.0.2.9")!)).toBe(true);
  });

  it("when any v4 range is checked against its own addresses, then it contains them", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (ip, prefix, other) => {
        const range = `${ip}/${prefix}`;
        expect(cidrContains(range, ip)).toBe(true);
        // Containment agrees with comparing the first `prefix` bits.
        const a = parseIp(ip)!.value >> BigInt(32 - prefix);
        const b = parseIp(other)!.value >> BigInt(32 - prefix);
        expect(cidrContains(range, other)).toBe(a === b);
      }),
    );
  });

  it.each([
    ["10.0.0.5", "10.0.0.5/32", true],
    ["2001:db8::1", "2001:0db8:0::1/128", true],
    ["10.0.0.0/24", "10.0.0.0/25", false],
    ["10.0.0.5", "::ffff:10.0.0.5", false],
    ["x", "x", false],
  ])("when %p and %p are compared, then sameRange is %p", (a, b, expected) => {
    expect(sameRange(a, b)).toBe(expected);
  });
});

describe("checkSource and isConcreteSource", () => {
  it.each([
    ["one IPv4 address", "203.0.113.7"],
    ["a private address", "10.1.2.3"],
    ["an IPv4 /24", "203.0.113.0/24"],
    ["the widest IPv4 allowed, /8", "10.0.0.0/8"],
    ["one IPv6 address", "2001:db8::1"],
    ["an IPv6 /64", "2001:db8:1:2::/64"],
    ["the widest IPv6 allowed, /32", "2001:db8::/32"],
    ["an IPv4-mapped /104", "::ffff:10.0.0.0/104"],
    ["surrounding spaces", "  203.0.113.7 "],
  ])("when given %s, then it is concrete", (_what, text) => {
    expect(isConcreteSource(text)).toBe(true);
    expect(checkSource(text)).toMatchObject({ ok: true });
  });

  it.each([
    ["*", "*", /anyone on the internet/],
    ["Internet", "Internet", /anyone on the internet/],
    ["any", "Any", /anyone on the internet/],
    ["0.0.0.0/0", "0.0.0.0/0", /anyone on the internet/],
    ["::/0", "::/0", /anyone on the internet/],
    ["another /0", "192.0.2.1/0", /anyone on the internet/],
    ["an IPv4 range wider than /8", "10.0.0.0/7", /too wide.*\/8 \(IPv4\)/],
    ["an IPv6 range wider than /32", "2001:db8::/31", /too wide.*\/32 \(IPv6\)/],
    ["all IPv4-mapped addresses", "::ffff:0.0.0.0/96", /too wide/],
    ["a v6 range covering the IPv4-mapped block", "::/64", /too wide/],
    ["a service tag", "VirtualNetwork", /not an IP address or CIDR range \(service tags/],
    ["a hostname", "office.example.com", /not an IP address/],
    ["empty text", "  ", /Say where you will connect from/],
    ["host bits set", "10.1.2.3/24", /did you mean 10\.1\.2\.0\/24 \(the range\) or 10\.1\.2\.3/],
    ["the unspecified v4 address", "0.0.0.0", /unspecified address/],
    ["the unspecified v6 address", "::", /unspecified address/],
  ])("when given %s, then it is refused with a reason", (_what, text, reason) => {
    expect(isConcreteSource(text)).toBe(false);
    const result = checkSource(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("when any refusal is explained, then the reason offers an example of what to give", () => {
    for (const text of ["*", "10.0.0.0/7", "VirtualNetwork", "0.0.0.0"]) {
      const result = checkSource(text);
      expect(!result.ok && result.reason).toMatch(/203\.0\.113\.7/);
    }
  });

  it("when given any single IPv4 address other than 0.0.0.0, then it is concrete", () => {
    fc.assert(
      fc.property(fc.ipV4().filter((ip) => ip !== "0.0.0.0"), (ip) => {
        expect(isConcreteSource(ip)).toBe(true);
      }),
    );
  });

  it("when given any v4 network, then it is concrete exactly when its prefix is /8 or longer", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const net = formatCidr(networkOf(parseCidr(`${ip}/${prefix}`)!));
        const unspecified = net === "0.0.0.0/32";
        expect(isConcreteSource(net)).toBe(prefix >= 8 && !unspecified);
      }),
    );
  });
});
