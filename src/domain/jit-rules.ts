/**
 * What a JIT request may ask for (DESIGN §3.7, facts §9): ports from the VM's JIT policy, a duration within both
 * the policy and JIT_MAX_DURATION, a concrete source that the policy port accepts verbatim, and a justification.
 */
import { AppError } from "./errors";
import { formatDuration, parseDuration } from "./durations";
import { checkSource, cidrContains, sameRange } from "./ip";
import type { JitPolicy, JitPolicyPort, JitProtocol } from "./model";

/** A person's `jit request`, as parsed from the command (nothing checked yet). */
export interface JitRequestInput {
  /** The VM name (or id) as typed. */
  vmName: string;
  /** Requested ports; none means "the policy's only port". */
  ports?: number[];
  /** Duration as typed (`2h`, `PT2H`); none means the default. */
  duration?: string;
  /** Source address or CIDR as typed. */
  source?: string;
  /** Why, as typed after `because`. */
  justification?: string;
}

/** A JIT policy and the VM in it that a request is about. */
export interface JitPolicyMatch {
  policy: JitPolicy;
  /** ARM id of the VM, as the policy lists it (compared case-insensitively). */
  vmId: string;
}

/** Bounds from configuration. */
export interface JitLimits {
  /** JIT_MAX_DURATION, ISO 8601 (e.g. "PT3H"): the longest grant this bot asks for, whatever the policy says. */
  maxDuration: string;
  /** Used when the request gives no duration, capped at the effective maximum. Default "PT1H". */
  defaultDuration?: string;
  /** Longest justification, in characters. */
  maxJustificationLength: number;
}

/** The limits DESIGN §3.2 documents as defaults. */
export const DEFAULT_JIT_LIMITS: JitLimits = { maxDuration: "PT3H", defaultDuration: "PT1H", maxJustificationLength: 500 };

/** One port of a checked request, ready for Azure. */
export interface ValidatedJitPort {
  number: number;
  /** Carried from the policy port. */
  protocol: JitProtocol;
  /**
   * The source to send for this port. When the policy port restricts sources, this is the allowed prefix exactly
   * as the policy writes it (Azure matches verbatim), which may differ in spelling from what was typed.
   */
  source: string;
}

/** A JIT request that passed every rule. */
export interface ValidatedJitRequest {
  vmId: string;
  /** The VM's name from its id (Azure's spelling, not the typed one). */
  vmName: string;
  policyId: string;
  ports: ValidatedJitPort[];
  /** The source as typed (trimmed). */
  source: string;
  durationMs: number;
  /** Trimmed, otherwise exactly as typed. */
  justification: string;
}

/** Words in an allowed-prefix list that mean "no restriction" (Azure writes `*`). */
const UNRESTRICTED = new Set(["*", "any", "internet"]);

function lastSegment(id: string): string {
  const parts = id.split("/").filter((p) => p !== "");
  return parts[parts.length - 1] ?? id;
}

function resourceGroupOf(id: string): string | undefined {
  const m = /\/resourceGroups\/([^/]+)\//i.exec(id);
  return m?.[1];
}

function list(items: readonly (string | number)[]): string {
  return items.join(", ");
}

/**
 * Finds the JIT policy entry for a VM named as a person would: its name, `resourceGroup/name`, or its full ARM id
 * (all case-insensitive). Undefined when no policy lists it (the VM is not JIT-enabled).
 *
 * @throws AppError("BadInput") when the name matches VMs in several resource groups or subscriptions
 */
export function findJitPolicy(vmName: string, policies: readonly JitPolicy[]): JitPolicyMatch | undefined {
  const wanted = vmName.trim().toLowerCase();
  const matches: JitPolicyMatch[] = [];
  for (const policy of policies) {
    for (const vm of policy.virtualMachines) {
      const id = vm.vmId.toLowerCase();
      const name = lastSegment(id);
      const qualified = `${resourceGroupOf(id) ?? ""}/${name}`;
      if (id === wanted || name === wanted || qualified === wanted) matches.push({ policy, vmId: vm.vmId });
    }
  }
  if (matches.length > 1) {
    const names = matches.map((m) => `${resourceGroupOf(m.vmId) ?? "?"}/${lastSegment(m.vmId)}`);
    const unique = new Set(names.map((n) => n.toLowerCase()));
    const hint =
      unique.size === names.length
        ? `Name one as resource-group/name: ${list(names)}.`
        : `Give the full resource id of the one you mean.`;
    throw new AppError("BadInput", `"${vmName.trim()}" matches ${matches.length} JIT-enabled VMs. ${hint}`);
  }
  return matches[0];
}

function readLimit(text: string, what: () => AppError): number {
  try {
    return parseDuration(text);
  } catch {
    throw what();
  }
}

function isRestricted(port: JitPolicyPort): boolean {
  const prefixes = port.allowedSourcePrefixes.map((p) => p.trim()).filter((p) => p !== "");
  return prefixes.length > 0 && !prefixes.some((p) => UNRESTRICTED.has(p.toLowerCase()));
}

/**
 * Checks a JIT request against the VM's policy and the bot's limits. Every problem found is reported at once, one
 * line each, so the person can fix the whole command in one go.
 *
 * Choices made here:
 * - No `port` given: the policy's port when it has exactly one; otherwise the person must say which (asking for
 *   every management port at once should be deliberate).
 * - No duration: `limits.defaultDuration` (PT1H), capped at the policy and JIT_MAX_DURATION.
 * - A restricted policy port only accepts one of its allowed prefixes, as Azure matches them verbatim; a typed
 *   source naming the same range in another spelling (`10.0.0.5` for `10.0.0.5/32`) is sent in the policy's
 *   spelling, a narrower one is refused with the choices listed.
 * - A justification must contain a letter or digit and be at most `maxJustificationLength` characters.
 *
 * @param match the VM's policy entry, or undefined when the VM is not JIT-enabled
 * @throws AppError("BadInput") listing every problem; AppError("Config") when JIT_MAX_DURATION is unreadable;
 *   AppError("AzureError") when the policy's own duration is unreadable
 */
export function validateJitRequest(
  input: JitRequestInput,
  match: JitPolicyMatch | undefined,
  limits: JitLimits,
): ValidatedJitRequest {
  const typedName = input.vmName.trim();
  const vm = match?.policy.virtualMachines.find((v) => v.vmId.toLowerCase() === match.vmId.toLowerCase());
  if (match === undefined || vm === undefined) {
    throw new AppError(
      "BadInput",
      `${typedName} is not enabled for JIT access, or I cannot see its JIT policy. Type "jit list" to see the VMs you can request.`,
    );
  }
  const vmName = lastSegment(vm.vmId);
  if (vm.ports.length === 0) {
    throw new AppError("BadInput", `${vmName}'s JIT policy lists no ports, so there is nothing to open. Ask an administrator to fix the policy.`);
  }

  const problems: string[] = [];
  const ports = choosePorts(input.ports, vm.ports, vmName, problems);
  const durationMs = chooseDuration(input.duration, ports ?? vm.ports, vmName, limits, problems);
  const sources = chooseSources(input.source, ports, vmName, problems);
  const justification = checkJustification(input.justification, limits.maxJustificationLength, problems);

  if (problems.length > 0 || ports === undefined || sources === undefined || durationMs === undefined || justification === undefined) {
    throw new AppError("BadInput", [...new Set(problems)].join("\n"));
  }
  return {
    vmId: vm.vmId,
    vmName,
    policyId: match.policy.id,
    ports: ports.map((p, i) => ({ number: p.number, protocol: p.protocol, source: sources[i] })),
    source: input.source!.trim(),
    durationMs,
    justification,
  };
}

function choosePorts(
  requested: readonly number[] | undefined,
  policyPorts: readonly JitPolicyPort[],
  vmName: string,
  problems: string[],
): JitPolicyPort[] | undefined {
  const allowed = [...new Set(policyPorts.map((p) => p.number))].sort((a, b) => a - b);
  if (requested === undefined || requested.length === 0) {
    if (allowed.length === 1) return policyPorts.filter((p) => p.number === allowed[0]).slice(0, 1);
    problems.push(`${vmName} has JIT on ports ${list(allowed)}; say which, e.g. "port ${allowed[0]}" (or "port ${allowed.join(",")}" for all).`);
    return undefined;
  }
  const wanted = [...new Set(requested)];
  const invalid = wanted.filter((n) => !Number.isInteger(n) || n < 1 || n > 65535);
  if (invalid.length > 0) {
    problems.push(`${list(invalid)} ${invalid.length === 1 ? "is not a port number" : "are not port numbers"}; ports are 1–65535.`);
    return undefined;
  }
  const missing = wanted.filter((n) => !allowed.includes(n));
  if (missing.length > 0) {
    const which = missing.length === 1 ? `Port ${missing[0]} is` : `Ports ${list(missing)} are`;
    problems.push(`${which} not in ${vmName}'s JIT policy. Allowed ports: ${list(allowed)}.`);
    return undefined;
  }
  // A policy may list one number twice (TCP and UDP); JIT opens a port number, so the first entry speaks for it.
  return wanted.map((n) => policyPorts.find((p) => p.number === n)!);
}

function chooseDuration(
  typed: string | undefined,
  ports: readonly JitPolicyPort[],
  vmName: string,
  limits: JitLimits,
  problems: string[],
): number | undefined {
  const configMax = readLimit(
    limits.maxDuration,
    () => new AppError("Config", `JIT_MAX_DURATION "${limits.maxDuration}" is not an ISO 8601 duration such as PT3H.`),
  );
  // The strictest port decides: one request opens every port for the same time.
  let policyMax = Number.POSITIVE_INFINITY;
  let policyMaxPort = ports[0];
  for (const port of ports) {
    const max = readLimit(
      port.maxRequestAccessDuration,
      () => new AppError("AzureError", `${vmName}'s JIT policy has a maximum duration I cannot read ("${port.maxRequestAccessDuration}") on port ${port.number}.`),
    );
    if (max < policyMax) {
      policyMax = max;
      policyMaxPort = port;
    }
  }
  const effectiveMax = Math.min(policyMax, configMax);

  if (typed === undefined || typed.trim() === "") {
    const fallback = limits.defaultDuration ?? "PT1H";
    const defaultMs = readLimit(fallback, () => new AppError("Config", `The default JIT duration "${fallback}" is not an ISO 8601 duration such as PT1H.`));
    return Math.min(defaultMs, effectiveMax);
  }
  let ms: number;
  try {
    ms = parseDuration(typed);
  } catch (e) {
    problems.push(e instanceof AppError ? e.userMessage : `"${typed}" is not a duration.`);
    return undefined;
  }
  if (ms <= 0) {
    problems.push(`The duration must be longer than zero, e.g. "for 1h".`);
    return undefined;
  }
  if (ms > effectiveMax) {
    problems.push(
      `${formatDuration(ms)} is too long: ${vmName}'s JIT policy allows at most ${formatDuration(policyMax)} on port ${policyMaxPort.number}, ` +
        `and this bot allows at most ${formatDuration(configMax)} (JIT_MAX_DURATION). Ask for ${formatDuration(effectiveMax)} or less.`,
    );
    return undefined;
  }
  return ms;
}

function chooseSources(
  typed: string | undefined,
  ports: readonly JitPolicyPort[] | undefined,
  vmName: string,
  problems: string[],
): string[] | undefined {
  const source = typed?.trim() ?? "";
  const restricted = (ports ?? []).filter(isRestricted);
  const choicesFor = (port: JitPolicyPort): string[] =>
    port.allowedSourcePrefixes.map((p) => p.trim()).filter((p) => checkSource(p).ok);

  if (source === "") {
    const choices = [...new Set(restricted.flatMap(choicesFor))];
    const offer = choices.length > 0 ? ` ${vmName} accepts: ${list(choices)}.` : "";
    problems.push(`Say where you will connect from, e.g. "from 203.0.113.7" or "from 203.0.113.0/24".${offer}`);
    return undefined;
  }
  const check = checkSource(source);
  if (!check.ok) {
    problems.push(check.reason);
    return undefined;
  }
  if (ports === undefined) return undefined;

  const result: string[] = [];
  for (const port of ports) {
    if (!isRestricted(port)) {
      result.push(source);
      continue;
    }
    const allowed = port.allowedSourcePrefixes.map((p) => p.trim()).filter((p) => p !== "");
    const same = allowed.find((p) => p === source) ?? allowed.find((p) => sameRange(p, check.cidr));
    if (same !== undefined) {
      result.push(same);
      continue;
    }
    const choices = choicesFor(port);
    if (choices.length === 0) {
      problems.push(
        `Port ${port.number} on ${vmName} only allows sources this bot refuses (${list(allowed)}). Ask an administrator to fix the JIT policy.`,
      );
      continue;
    }
    const inside = choices.find((p) => cidrContains(p, check.cidr));
    const why = inside
      ? ` ${source} is inside ${inside}, but Azure matches the allowed sources exactly, so ask for ${inside} itself.`
      : "";
    problems.push(
      `${source} is not an allowed source for port ${port.number} on ${vmName}.${why} Choose one of: ${list(choices)} (e.g. "from ${inside ?? choices[0]}").`,
    );
  }
  return result.length === ports.length ? result : undefined;
}

function checkJustification(typed: string | undefined, max: number, problems: string[]): string | undefined {
  const text = typed?.trim() ?? "";
  // Quotes or punctuation alone ("", "...") say nothing about why.
  if (!/[\p{L}\p{N}]/u.test(text)) {
    problems.push(`Say why you need access: end the request with "because <reason>".`);
    return undefined;
  }
  const length = [...text].length;
  if (length > max) {
    problems.push(`The justification is ${length} characters; keep it to ${max} or fewer.`);
    return undefined;
  }
  return text;
}

/** When a grant decided at `decisionTime` ends: JIT counts from the moment access is opened, not requested. */
export function endTimeFor(decisionTime: Date, durationMs: number): Date {
  return new Date(decisionTime.getTime() + durationMs);
}
