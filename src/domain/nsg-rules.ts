/**
 * NSG rule reading and effective inbound evaluation for traffic from the internet.
 *
 * How Azure evaluates inbound traffic (learn.microsoft.com, "How network security groups filter network traffic"):
 * the subnet's NSG is evaluated first, then the NIC's NSG; traffic must be allowed by every NSG that exists on
 * the path. Within one NSG the rule with the lowest priority number that matches decides, and Azure's default
 * rules (65000 and up) come after every custom rule. `DenyAllInBound` (65500) always exists, so traffic that no
 * rule matches is denied even when the data we were given left the default rules out.
 *
 * Everything here answers one question: "can an arbitrary host on the internet reach this port?". A rule takes
 * part only when one of its source prefixes is internet-wide (see {@link isInternetSource}); an allow for one
 * partner address is not internet exposure, and a deny for one attacker's range does not close a port to the
 * internet.
 */
import { cidrContains, MIN_SOURCE_PREFIX, parseCidr, parseIp } from "./ip";
import type { NetworkSecurityGroup, RuleAccess, SecurityRule } from "./model";

/** Highest TCP/UDP port number. */
export const MAX_PORT = 65535;

/** An inclusive range of ports. */
export interface PortRange {
  from: number;
  to: number;
}

/** Every port, as `*` means. */
export const ALL_PORTS: Readonly<PortRange> = Object.freeze({ from: 0, to: MAX_PORT });

/** The transport protocols inbound evaluation is asked about. */
export type TransportProtocol = "Tcp" | "Udp";

// ---------------------------------------------------------------------------------------------------------------
// Port ranges

/**
 * Reads one port range as Azure writes it: `"22"`, `"1000-2000"`, `"*"` (also `"Any"`), surrounding spaces
 * allowed. Returns undefined for anything else (reversed ranges, numbers above 65535, words), so callers decide
 * what unreadable data means instead of guessing here.
 */
export function parsePortRange(text: string): PortRange | undefined {
  const t = text.trim();
  if (t === "*" || t.toLowerCase() === "any") return { ...ALL_PORTS };
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > MAX_PORT || to > MAX_PORT || from > to) return undefined;
  return { from, to };
}

/**
 * Reads a rule's port list (`destinationPortRanges`); each entry may itself be a comma-separated list
 * (`"22,3389"`), as some tools write it. Returns the ranges merged and sorted, plus the entries it could not
 * read. Azure validates ranges on write, so `invalid` is non-empty only for data we do not understand.
 */
export function parsePortList(specs: readonly string[]): { ranges: PortRange[]; invalid: string[] } {
  const ranges: PortRange[] = [];
  const invalid: string[] = [];
  for (const spec of specs) {
    for (const part of spec.split(",")) {
      if (part.trim() === "") continue;
      const r = parsePortRange(part);
      if (r) ranges.push(r);
      else invalid.push(part.trim());
    }
  }
  return { ranges: mergeRanges(ranges), invalid };
}

/** Sorts ranges and joins overlapping or adjacent ones (`22`, `23-25` → `22-25`). */
export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/** Ports present in both lists. */
export function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from <= to) out.push({ from, to });
    }
  }
  return mergeRanges(out);
}

/** Ports in `a` that are not in `b`. */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  let rest = mergeRanges(a);
  for (const y of mergeRanges(b)) {
    const next: PortRange[] = [];
    for (const x of rest) {
      if (y.to < x.from || y.from > x.to) {
        next.push(x);
        continue;
      }
      if (x.from < y.from) next.push({ from: x.from, to: y.from - 1 });
      if (x.to > y.to) next.push({ from: y.to + 1, to: x.to });
    }
    rest = next;
  }
  return rest;
}

/** True when `port` is inside one of the ranges. */
export function rangesContain(ranges: readonly PortRange[], port: number): boolean {
  return ranges.some((r) => port >= r.from && port <= r.to);
}

/** How many distinct ports the ranges cover. */
export function portCount(ranges: readonly PortRange[]): number {
  return mergeRanges(ranges).reduce((n, r) => n + (r.to - r.from + 1), 0);
}

/** Writes a range back the way Azure does: `*`, `22` or `1000-2000`. Reads back through {@link parsePortRange}. */
export function formatPortRange(range: PortRange): string {
  if (range.from === ALL_PORTS.from && range.to === ALL_PORTS.to) return "*";
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Protocols and prefixes

/** True when a rule's protocol (`Tcp`, `Udp`, `Icmp`, `*`, `Any`, ...) covers the given transport protocol. */
export function protocolMatches(ruleProtocol: string, protocol: TransportProtocol): boolean {
  const p = ruleProtocol.trim().toLowerCase();
  return p === "*" || p === "any" || p === protocol.toLowerCase();
}

/** What a rule's source (or destination) prefix stands for. */
export type PrefixKind =
  /** `*`, `Any`, `Internet`, `0.0.0.0/0`, `::/0`, or a public range wider than JIT accepts as a source. */
  | "internet"
  /** Entirely inside private, loopback, link-local or shared (CGNAT) address space. */
  | "private"
  /** A specific public address, or a public range narrow enough to be one organisation's. */
  | "public"
  /** A service tag such as `VirtualNetwork`, `AzureLoadBalancer`, `AzureCloud`, `Storage.WestEurope`. */
  | "serviceTag";

const INTERNET_WORDS = new Set(["*", "any", "internet", "0.0.0.0/0", "::/0"]);

/** RFC 1918, shared address space (RFC 6598), loopback, link-local; IPv6 unique-local, link-local, loopback. */
const PRIVATE_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
  "::1/128",
];

/**
 * Classifies a source or destination prefix (see {@link PrefixKind}); words are compared case-insensitively.
 *
 * A public range counts as internet-wide when it is wider than the widest range a JIT request may name
 * (`MIN_SOURCE_PREFIX` in ip.ts: broader than /8 for IPv4, /32 for IPv6): one rule of the product, so a range
 * the bot refuses as "too wide to be where you connect from" is the same range it calls "open to the internet"
 * in an NSG. `0.0.0.0/1` or `20.0.0.0/7` is therefore as open as `*`; `20.0.0.0/8` is one (large) party.
 */
export function classifyPrefix(prefix: string): PrefixKind {
  const p = prefix.trim();
  if (INTERNET_WORDS.has(p.toLowerCase())) return "internet";
  const cidr = parseCidr(p);
  if (!cidr) return "serviceTag";
  if (PRIVATE_RANGES.some((range) => cidrContains(range, cidr))) return "private";
  return cidr.prefix < MIN_SOURCE_PREFIX[cidr.address.version] ? "internet" : "public";
}

/**
 * True when traffic from anywhere on the internet matches this source prefix: `*`, `Any`, `Internet`,
 * `0.0.0.0/0`, `::/0` (any case), and public ranges broader than /8 (IPv4) or /32 (IPv6).
 * Private ranges, specific public addresses and service tags such as `VirtualNetwork` or `AzureLoadBalancer`
 * are not.
 */
export function isInternetSource(prefix: string): boolean {
  return classifyPrefix(prefix) === "internet";
}

/**
 * Whether a rule's destination prefixes cover the NIC address traffic arrives at (Azure evaluates inbound
 * rules after the public address is translated to the private one). Tags and application security groups
 * cannot be resolved here: an Allow is assumed to cover the address and a Deny is assumed not to, so an
 * uncertain answer shows a port as open rather than hiding an exposure.
 */
function destinationMatches(rule: SecurityRule, destinationIp: string | undefined): boolean {
  const address = destinationIp === undefined ? undefined : parseIp(destinationIp.trim());
  if (address === undefined || rule.destinationPrefixes.length === 0) return true;
  return rule.destinationPrefixes.some((prefix) => {
    const p = prefix.trim().toLowerCase();
    if (p === "*" || p === "any" || p === "virtualnetwork" || p === "0.0.0.0/0" || p === "::/0") return true;
    const cidr = parseCidr(p);
    if (cidr) return cidrContains(cidr, address);
    return rule.access === "Allow";
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** A rule that decided (part of) an evaluation, with the NSG it belongs to. */
export interface RuleDecision {
  nsgId: string;
  nsgName: string;
  ruleName: string;
  priority: number;
  access: RuleAccess;
  protocol: string;
  sourcePrefixes: string[];
  /** Port ranges as written on the rule. */
  destinationPorts: string[];
  isDefault: boolean;
  /** True for Azure's `DenyAllInBound` when the data did not include it but it applies anyway. */
  implicit: boolean;
}

/** Options for evaluation. */
export interface EvaluationOptions {
  /** The NIC's private address; rules whose destination prefixes exclude it do not apply. */
  destinationIp?: string;
}

/** The result of {@link evaluateInbound}. */
export interface InboundEvaluation {
  allowed: boolean;
  /**
   * The rule that decided in each NSG that was evaluated, in evaluation order (subnet, then NIC). Evaluation
   * stops at the first NSG that denies, as Azure's does. Empty when no NSG applies.
   */
  decidingRules: RuleDecision[];
  /** True when no NSG applies at all, so nothing filters the traffic. */
  noNsg: boolean;
}

/** A run of ports and the rule that decided it in one NSG. */
export interface PortDecision {
  range: PortRange;
  rule: RuleDecision;
}

/** A run of ports open to the internet, with the allowing rule of each NSG on the path. */
export interface OpenPortRange {
  range: PortRange;
  protocol: TransportProtocol;
  /** One allowing rule per NSG (subnet first); empty when no NSG applies. */
  rules: RuleDecision[];
}

function isDefaultRule(rule: SecurityRule): boolean {
  return rule.isDefault || rule.priority >= 65000;
}

/**
 * Order in which Azure evaluates one NSG's rules: custom before default, lower priority number first, and
 * (for data that breaks Azure's unique-priority rule) Deny before Allow, then name for a stable answer.
 */
export function compareRules(a: SecurityRule, b: SecurityRule): number {
  return (
    Number(isDefaultRule(a)) - Number(isDefaultRule(b)) ||
    a.priority - b.priority ||
    (a.access === b.access ? 0 : a.access === "Deny" ? -1 : 1) ||
    a.name.localeCompare(b.name)
  );
}

function decisionOf(nsg: NetworkSecurityGroup, rule: SecurityRule): RuleDecision {
  return {
    nsgId: nsg.id,
    nsgName: nsg.name,
    ruleName: rule.name,
    priority: rule.priority,
    access: rule.access,
    protocol: rule.protocol,
    sourcePrefixes: [...rule.sourcePrefixes],
    destinationPorts: [...rule.destinationPorts],
    isDefault: isDefaultRule(rule),
    implicit: false,
  };
}

function implicitDenyAll(nsg: NetworkSecurityGroup): RuleDecision {
  return {
    nsgId: nsg.id,
    nsgName: nsg.name,
    ruleName: "DenyAllInBound",
    priority: 65500,
    access: "Deny",
    protocol: "*",
    sourcePrefixes: ["*"],
    destinationPorts: ["*"],
    isDefault: true,
    implicit: true,
  };
}

/** True when the rule applies to inbound internet traffic of this protocol (ports aside). */
function appliesToInternetInbound(rule: SecurityRule, protocol: TransportProtocol, options: EvaluationOptions): boolean {
  return (
    rule.direction.toLowerCase() === "inbound" &&
    protocolMatches(rule.protocol, protocol) &&
    rule.sourcePrefixes.some(isInternetSource) &&
    destinationMatches(rule, options.destinationIp)
  );
}

/**
 * Decides every port of one NSG for inbound internet traffic: a list of runs that together cover 0..65535,
 * each with the rule that decided it (the implicit `DenyAllInBound` for ports no rule matched).
 */
export function decideNsgInbound(
  nsg: NetworkSecurityGroup,
  protocol: TransportProtocol,
  options: EvaluationOptions = {},
): PortDecision[] {
  const decisions: PortDecision[] = [];
  let undecided: PortRange[] = [{ ...ALL_PORTS }];
  for (const rule of [...nsg.rules].sort(compareRules)) {
    if (undecided.length === 0) break;
    if (!appliesToInternetInbound(rule, protocol, options)) continue;
    const { ranges } = parsePortList(rule.destinationPorts);
    const decided = intersectRanges(undecided, ranges);
    if (decided.length === 0) continue;
    const decision = decisionOf(nsg, rule);
    for (const range of decided) decisions.push({ range, rule: decision });
    undecided = subtractRanges(undecided, ranges);
  }
  if (undecided.length > 0) {
    const deny = implicitDenyAll(nsg);
    for (const range of undecided) decisions.push({ range, rule: deny });
  }
  return decisions.sort((a, b) => a.range.from - b.range.from);
}

/**
 * Evaluates whether a host on the internet can reach `port` over `protocol`, given the NSGs on the path in
 * Azure's inbound order: subnet NSG first, then NIC NSG (pass only the ones that exist). With no NSG at all the
 * traffic is not filtered.
 *
 * @param nsgs the NSGs that apply, subnet first then NIC
 * @param _fromInternet always true: the source is the internet (kept so the call reads as a sentence)
 */
export function evaluateInbound(
  nsgs: readonly NetworkSecurityGroup[],
  port: number,
  protocol: TransportProtocol,
  _fromInternet: true = true,
  options: EvaluationOptions = {},
): InboundEvaluation {
  if (nsgs.length === 0) return { allowed: true, decidingRules: [], noNsg: true };
  const decidingRules: RuleDecision[] = [];
  for (const nsg of nsgs) {
    const hit = decideNsgInbound(nsg, protocol, options).find((d) => port >= d.range.from && port <= d.range.to);
    // decideNsgInbound covers every port, so a miss only happens for a port outside 0..65535.
    const rule = hit?.rule ?? implicitDenyAll(nsg);
    decidingRules.push(rule);
    if (rule.access === "Deny") return { allowed: false, decidingRules, noNsg: false };
  }
  return { allowed: true, decidingRules, noNsg: false };
}

function sameRules(a: readonly RuleDecision[], b: readonly RuleDecision[]): boolean {
  return a.length === b.length && a.every((r, i) => r.nsgId === b[i].nsgId && r.ruleName === b[i].ruleName);
}

/**
 * Every port a host on the internet can reach over `protocol` through the given NSGs (subnet first, then NIC),
 * as runs of ports with the rule that allowed each run in each NSG. With no NSG, every port is open.
 */
export function openInboundPorts(
  nsgs: readonly NetworkSecurityGroup[],
  protocol: TransportProtocol,
  options: EvaluationOptions = {},
): OpenPortRange[] {
  let open: { range: PortRange; rules: RuleDecision[] }[] = [{ range: { ...ALL_PORTS }, rules: [] }];
  for (const nsg of nsgs) {
    const allows = decideNsgInbound(nsg, protocol, options).filter((d) => d.rule.access === "Allow");
    const next: typeof open = [];
    for (const cur of open) {
      for (const allow of allows) {
        const from = Math.max(cur.range.from, allow.range.from);
        const to = Math.min(cur.range.to, allow.range.to);
        if (from <= to) next.push({ range: { from, to }, rules: [...cur.rules, allow.rule] });
      }
    }
    open = next.sort((a, b) => a.range.from - b.range.from);
  }
  // Adjacent runs allowed by the same rules read better as one ("1000-2000", not "1000-1499" and "1500-2000").
  const merged: typeof open = [];
  for (const run of open) {
    const last = merged[merged.length - 1];
    if (last && last.range.to + 1 === run.range.from && sameRules(last.rules, run.rules)) last.range.to = run.range.to;
    else merged.push({ range: { ...run.range }, rules: run.rules });
  }
  return merged.map((m) => ({ ...m, protocol }));
}
