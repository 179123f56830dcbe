/**
 * Container findings for the `containers` command: vulnerabilities in registry images (from sub-assessments)
 * and hosts running containers no orchestrator manages (from the unmanaged-container assessment).
 */
import { ASSESSMENT_KEYS, sameKey } from "./assessment-keys";
import type { Assessment, Severity, SubAssessment } from "./model";
import { nameOf, normalizeId, resourceGroupOf } from "./resource-ids";

/** The sub-assessment kind that carries one registry image finding. */
export const REGISTRY_VULNERABILITY_KIND = "ContainerRegistryVulnerability";

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { High: 0, Medium: 1, Low: 2 };

/** One vulnerability finding in one image. */
export interface ImageFinding {
  id: string;
  displayName: string;
  severity: Severity;
  cves: string[];
  /** True when a fixed package version exists; undefined when the scanner did not say. */
  patchable?: boolean;
  category?: string;
  remediation?: string;
}

/** One image (repository + digest) and its findings, most severe first. */
export interface ImageVulnerabilities {
  repositoryName: string;
  imageDigest: string;
  /** Registries (ARM ids) the image was found in. */
  registryIds: string[];
  findings: ImageFinding[];
  counts: Record<Severity, number>;
  /** Distinct CVE ids across the findings. */
  cveCount: number;
  patchableCount: number;
  highestSeverity: Severity;
}

/** A host (usually a VM) running containers that no orchestrator manages. */
export interface UnmanagedContainerHost {
  resourceId: string;
  name: string;
  subscriptionId: string;
  resourceGroup?: string;
  severity: Severity;
  displayName: string;
  cause?: string;
  remediation?: string;
}

/** What the `containers` command shows. */
export interface ContainerReport {
  images: ImageVulnerabilities[];
  unmanagedContainerHosts: UnmanagedContainerHost[];
}

/** Shown for findings that name no repository or digest, so they are still counted somewhere. */
export const UNKNOWN_IMAGE = "(unknown)";

/**
 * Groups unhealthy registry vulnerability sub-assessments by image (repository name + digest; the same digest in
 * two registries is the same image and is listed once with both registries). Images are ordered by their worst
 * findings (most High, then Medium, then Low), findings by severity, then patchable first (they can be fixed
 * today), then name.
 */
export function registryImageVulnerabilities(subAssessments: readonly SubAssessment[]): ImageVulnerabilities[] {
  const images = new Map<string, ImageVulnerabilities & { seen: Set<string> }>();
  for (const s of subAssessments) {
    if (s.status !== "Unhealthy" || s.kind.toLowerCase() !== REGISTRY_VULNERABILITY_KIND.toLowerCase()) continue;
    const repositoryName = s.repositoryName ?? UNKNOWN_IMAGE;
    const imageDigest = s.imageDigest ?? UNKNOWN_IMAGE;
    const key = `${repositoryName.toLowerCase()}@${imageDigest.toLowerCase()}`;
    let image = images.get(key);
    if (!image) {
      image = {
        repositoryName,
        imageDigest,
        registryIds: [],
        findings: [],
        counts: { High: 0, Medium: 0, Low: 0 },
        cveCount: 0,
        patchableCount: 0,
        highestSeverity: "Low",
        seen: new Set(),
      };
      images.set(key, image);
    }
    if (!image.registryIds.some((r) => normalizeId(r) === normalizeId(s.resourceId))) image.registryIds.push(s.resourceId);
    // The same finding can arrive twice when Defender lists it under two assessment generations.
    const findingKey = `${s.displayName.toLowerCase()}|${[...s.cves].sort().join(",").toLowerCase()}`;
    if (image.seen.has(findingKey)) continue;
    image.seen.add(findingKey);
    image.findings.push({
      id: s.id,
      displayName: s.displayName,
      severity: s.severity,
      cves: [...s.cves],
      patchable: s.patchable,
      category: s.category,
      remediation: s.remediation,
    });
  }
  const out = [...images.values()].map(({ seen: _seen, ...image }) => {
    const findings = [...image.findings].sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        Number(b.patchable === true) - Number(a.patchable === true) ||
        a.displayName.localeCompare(b.displayName),
    );
    const counts: Record<Severity, number> = { High: 0, Medium: 0, Low: 0 };
    for (const f of findings) counts[f.severity]++;
    return {
      ...image,
      findings,
      counts,
      cveCount: new Set(findings.flatMap((f) => f.cves.map((c) => c.toUpperCase()))).size,
      patchableCount: findings.filter((f) => f.patchable === true).length,
      highestSeverity: findings[0]?.severity ?? "Low",
    };
  });
  return out.sort(
    (a, b) =>
      b.counts.High - a.counts.High ||
      b.counts.Medium - a.counts.Medium ||
      b.counts.Low - a.counts.Low ||
      a.repositoryName.localeCompare(b.repositoryName) ||
      a.imageDigest.localeCompare(b.imageDigest),
  );
}

/** Hosts with an unhealthy unmanaged-container assessment ({@link ASSESSMENT_KEYS.UNMANAGED_CONTAINERS}), one entry each. */
export function unmanagedContainerHosts(assessments: readonly Assessment[]): UnmanagedContainerHost[] {
  const seen = new Map<string, UnmanagedContainerHost>();
  for (const a of assessments) {
    if (a.status !== "Unhealthy" || !sameKey(a.key, ASSESSMENT_KEYS.UNMANAGED_CONTAINERS)) continue;
    const id = normalizeId(a.resourceId);
    if (seen.has(id)) continue;
    seen.set(id, {
      resourceId: a.resourceId,
      name: nameOf(a.resourceId),
      subscriptionId: a.subscriptionId,
      resourceGroup: resourceGroupOf(a.resourceId),
      severity: a.severity,
      displayName: a.displayName,
      cause: a.cause,
      remediation: a.remediation,
    });
  }
  return [...seen.values()].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.name.localeCompare(b.name),
  );
}

/** Both container views together. */
export function analyzeContainers(input: {
  subAssessments: readonly SubAssessment[];
  assessments: readonly Assessment[];
}): ContainerReport {
  return {
    images: registryImageVulnerabilities(input.subAssessments),
    unmanagedContainerHosts: unmanagedContainerHosts(input.assessments),
  };
}
