/**
 * IPv4 and IPv6 addresses and CIDR ranges, and the rule for what may be a JIT source (DESIGN §3.7): one concrete
 * address or a bounded range, never "anyone on the internet".
 */

/** One IP address; `value` is the address as an unsigned integer (32 bits for v4, 128 for v6). */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/** A CIDR range as written: the address may have host bits set (see {@link networkOf}). */
export interface Cidr {
  address: IpAddress;
  /** 0..32 for v4, 0..128 for v6. A bare address parses with the full length. */
  prefix: number;
}

/**
 * The widest ranges accepted as a JIT source. A v4 /8 is 1/256 of the internet; anything wider is a big slice
 * of the internet rather than "where I connect from". For v6, /32 is what a registry allocates to one ISP, so a
 * shorter prefix spans several providers' networks.
 */
export const MIN_SOURCE_PREFIX = { 4: 8, 6: 32 } as const;

const BITS = { 4: 32, 6: 128 } as const;
const V4_MAPPED_PREFIX = 0xffffn << 32n;

function bitsOf(version: 4 | 6): number {
  return BITS[version];
}

function maxValue(version: 4 | 6): bigint {
  return (1n << BigInt(bitsOf(version))) - 1n;
}

function parseV4Value(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    // "010" is octal to some tools and decimal to others; refusing it avoids opening the wrong address.
    if (part.length > 1 && part.startsWith("0")) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6Groups(parts: string[], allowV4Tail: boolean): number[] | undefined {
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (allowV4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseV4Value(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseV6Value(text: string): bigint | undefined {
  // Zone ids (fe80::1%eth0) and brackets mean nothing to an NSG, so they are not addresses here.
  if (!/^[0-9a-f:.]+$/i.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = halves[0] === "" ? [] : parseV6Groups(halves[0].split(":"), false);
    const tail = halves[1] === "" ? [] : parseV6Groups(halves[1].split(":"), true);
    if (head === undefined || tail === undefined) return undefined;
    // "::" stands for at least one group of zeros (RFC 4291 §2.2).
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = parseV6Groups(text.split(":"), true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/**
 * Reads an IPv4 address (dotted decimal, no leading zeros) or an IPv6 address (full, compressed with `::`, or with
 * a dotted IPv4 tail such as `::ffff:192.0.2.1`). Returns undefined for anything else, including surrounding
 * whitespace, zone ids and brackets.
 */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseV4Value(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = text.includes(":") ? parseV6Value(text) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** True when `text` is one IPv4 or IPv6 address. */
export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/**
 * Reads `address/prefix` (or a bare address, as a /32 or /128). The address may have host bits set
 * (`10.1.2.3/24`); {@link checkSource} refuses that for JIT, {@link networkOf} clears them.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  if (slash === -1) return { address, prefix: bitsOf(address.version) };
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > bitsOf(address.version) ? undefined : { address, prefix };
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/**
 * Writes an address in its canonical form: dotted decimal for v4, RFC 5952 for v6 (lower case, no leading
 * zeros, the longest run of two or more zero groups as `::`, the first on a tie; IPv4-mapped as `::ffff:a.b.c.d`).
 */
export function formatIp(address: IpAddress): string {
  if (address.version === 4) return formatV4(address.value);
  if (address.value >> 32n === 0xffffn) return `::ffff:${formatV4(address.value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Writes a range as `address/prefix`, the address canonical and as given (host bits are not cleared). */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefix}`;
}

function hostMask(version: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(bitsOf(version) - prefix)) - 1n;
}

/** The range with its host bits cleared: `10.1.2.3/24` → `10.1.2.0/24`. */
export function networkOf(cidr: Cidr): Cidr {
  const mask = maxValue(cidr.address.version) ^ hostMask(cidr.address.version, cidr.prefix);
  return { address: { version: cidr.address.version, value: cidr.address.value & mask }, prefix: cidr.prefix };
}

function toCidr(x: string | Cidr | IpAddress): Cidr | undefined {
  if (typeof x === "string") return parseCidr(x.trim());
  if ("prefix" in x) return x;
  return { address: x, prefix: bitsOf(x.version) };
}

/**
 * True when every address of `inner` lies in `outer` (host bits of `outer` ignored). Strings that do not parse,
 * and a v4 against a v6 range, give false: an IPv4-mapped v6 address is not treated as its v4 address.
 */
export function cidrContains(outer: string | Cidr, inner: string | Cidr | IpAddress): boolean {
  const o = toCidr(outer);
  const i = toCidr(inner);
  if (o === undefined || i === undefined || o.address.version !== i.address.version) return false;
  if (i.prefix < o.prefix) return false;
  const net = networkOf(o);
  return networkOf({ address: i.address, prefix: o.prefix }).address.value === net.address.value;
}

/** True when both name exactly the same set of addresses (`10.0.0.5` and `10.0.0.5/32`, `::1` and `0::1`). */
export function sameRange(a: string | Cidr | IpAddress, b: string | Cidr | IpAddress): boolean {
  const x = toCidr(a);
  const y = toCidr(b);
  if (x === undefined || y === undefined) return false;
  return (
    x.address.version === y.address.version &&
    x.prefix === y.prefix &&
    networkOf(x).address.value === networkOf(y).address.value
  );
}

/** The outcome of {@link checkSource}: the parsed range, or why it may not be a JIT source. */
export type SourceCheck = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** Words people use for "anyone"; Azure reads `*` and `Internet` that way in NSG rules. */
const ANYONE = new Set(["*", "any", "internet", "anywhere", "all", "0.0.0.0/0", "::/0", "0/0"]);

const EXAMPLES = "your public address (e.g. 203.0.113.7) or your network's range (e.g. 203.0.113.0/24); IPv6 works too (e.g. 2001:db8::1)";

/**
 * Decides whether `text` may be a JIT source: one address, or a CIDR no wider than /8 (v4) or /32 (v6), with no
 * host bits set. IPv4-mapped v6 ranges (`::ffff:0:0/96`) are held to the v4 limit, since they name v4 addresses.
 * Refused, each with a reason that says what to give instead: `*`, `Any`, `Internet`, `0.0.0.0/0`, `::/0`, service
 * tags and other words, wider ranges, `10.1.2.3/24` (suggesting `10.1.2.0/24`) and the unspecified address.
 */
export function checkSource(text: string): SourceCheck {
  const s = text.trim();
  const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  if (s === "") return { ok: false, reason: `Say where you will connect from: ${EXAMPLES}.` };
  if (ANYONE.has(s.toLowerCase())) {
    return {
      ok: false,
      reason: `"${shown}" means anyone on the internet, which is what JIT exists to prevent. Give ${EXAMPLES}.`,
    };
  }
  const cidr = parseCidr(s);
  if (cidr === undefined) {
    return { ok: false, reason: `"${shown}" is not an IP address or CIDR range (service tags are not accepted). Give ${EXAMPLES}.` };
  }
  const { version, value } = cidr.address;
  if (cidr.prefix === 0) {
    return {
      ok: false,
      reason: `"${shown}" means anyone on the internet, which is what JIT exists to prevent. Give ${EXAMPLES}.`,
    };
  }
  const mapped = version === 6 && cidr.prefix >= 96 && value >> 32n === 0xffffn;
  const minPrefix = mapped ? 96 + MIN_SOURCE_PREFIX[4] : MIN_SOURCE_PREFIX[version];
  const coversMapped = version === 6 && cidr.prefix < 96 && cidrContains(cidr, { address: { version: 6, value: V4_MAPPED_PREFIX }, prefix: 96 });
  if (cidr.prefix < minPrefix || coversMapped) {
    return {
      ok: false,
      reason:
        `"${shown}" is too wide: ranges wider than /${MIN_SOURCE_PREFIX[4]} (IPv4) or /${MIN_SOURCE_PREFIX[6]} (IPv6) ` +
        `span a large part of the internet, so they are refused for JIT. Give ${EXAMPLES}.`,
    };
  }
  const net = networkOf(cidr);
  if (net.address.value !== value) {
    return {
      ok: false,
      reason: `"${shown}" has host bits set after the /${cidr.prefix}; did you mean ${formatCidr(net)} (the range) or ${formatIp(cidr.address)} (the one address)?`,
    };
  }
  if (value === 0n && cidr.prefix === bitsOf(version)) {
    return { ok: false, reason: `"${shown}" is the unspecified address, not a place anyone connects from. Give ${EXAMPLES}.` };
  }
  return { ok: true, cidr };
}

/** True for a single address or a bounded CIDR range; see {@link checkSource} for the rules and the reasons. */
export function isConcreteSource(text: string): boolean {
  return checkSource(text).ok;
}
