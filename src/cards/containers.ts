/**
 * View model for `containers [high|medium|low] [page <n>]`: vulnerabilities in registry images (image, CVE, severity,
 * whether a fix exists), most severe first, and hosts running containers no orchestrator manages.
 */
import type { ContainerReport, ImageFinding, ImageVulnerabilities, UnmanagedContainerHost } from "../domain/containers";
import type { Severity } from "../domain/model";
import { nameOf } from "../domain/resource-ids";
import type { ReportView } from "./report";
import { severityStyle } from "./report";
import { clip, failureWarnings, nextPageButton, pagedSection, plural, postureFooter, subscriptionLabel, type PostureContext } from "./posture";

/** Image findings per page. */
export const CONTAINER_FINDINGS_PAGE_SIZE = 10;
/** Unmanaged container hosts per page. */
export const CONTAINER_HOSTS_PAGE_SIZE = 5;

export interface ContainersViewInput {
  report: ContainerReport;
  /** Only findings of this severity. */
  severity?: Severity;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { High: 0, Medium: 1, Low: 2 };

/** One finding with the image it was found in. */
export interface ImageFindingRow {
  image: ImageVulnerabilities;
  finding: ImageFinding;
}

/** Every finding of every image, most severe first, fixable before unfixable, then in the images' order. */
export function findingRows(images: readonly ImageVulnerabilities[], severity?: Severity): ImageFindingRow[] {
  const rows = images.flatMap((image, imageIndex) =>
    image.findings.filter((f) => severity === undefined || f.severity === severity).map((finding) => ({ image, finding, imageIndex })),
  );
  return rows
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] ||
        Number(b.finding.patchable === true) - Number(a.finding.patchable === true) ||
        a.imageIndex - b.imageIndex ||
        a.finding.displayName.localeCompare(b.finding.displayName),
    )
    .map(({ image, finding }) => ({ image, finding }));
}

/** `web/frontend@sha256:0123456789ab`: the repository and the start of the digest. */
export function imageLabel(image: ImageVulnerabilities): string {
  const digest = image.imageDigest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/i, "$1");
  return `${clip(image.repositoryName, 80)}@${clip(digest, 24)}`;
}

function hostItem(h: UnmanagedContainerHost, names: Readonly<Record<string, string>>): ReturnType<typeof severityStyle> & { title: string; lines: string[] } {
  return {
    title: clip(h.name, 80),
    ...severityStyle(h.severity),
    lines: [
      `${subscriptionLabel(names, h.subscriptionId)}${h.resourceGroup ? ` / ${h.resourceGroup}` : ""}`,
      ...(h.cause ? [`Why: ${clip(h.cause, 160)}`] : []),
      ...(h.remediation ? [`Fix: ${clip(h.remediation, 200)}`] : []),
    ],
  };
}

export function containersView(input: ContainersViewInput, ctx: PostureContext): ReportView {
  const names = ctx.subscriptionNames;
  const rows = findingRows(input.report.images, input.severity);
  const patchable = rows.filter((r) => r.finding.patchable === true).length;
  const counts: Record<Severity, number> = { High: 0, Medium: 0, Low: 0 };
  for (const r of rows) counts[r.finding.severity]++;
  const images = new Set(rows.map((r) => imageLabel(r.image))).size;
  const findings = pagedSection(
    `Image vulnerabilities${input.severity ? ` (${input.severity})` : ""}`,
    rows,
    CONTAINER_FINDINGS_PAGE_SIZE,
    ctx,
    ({ image, finding }) => ({
      title: `${finding.cves.length ? `${clip(finding.cves.slice(0, 3).join(", "), 60)}${finding.cves.length > 3 ? " …" : ""}: ` : ""}${clip(finding.displayName.replace(/^CVE-\d+-\d+:\s*/i, ""), 120)}`,
      ...severityStyle(finding.severity),
      lines: [
        `${imageLabel(image)} in ${clip(image.registryIds.map(nameOf).join(", "), 80)}`,
        ...(finding.remediation ? [`Fix: ${clip(finding.remediation, 160)}`] : []),
      ],
      value: finding.patchable === true ? "patchable" : finding.patchable === false ? "no fix yet" : "fix unknown",
    }),
    { subtitle: "Most severe first; patchable before unpatchable", empty: input.severity ? `No ${input.severity.toLowerCase()}-severity image vulnerabilities.` : "No vulnerabilities in registry images." },
  );
  const hosts = pagedSection(
    "Hosts running unmanaged containers",
    input.report.unmanagedContainerHosts,
    CONTAINER_HOSTS_PAGE_SIZE,
    ctx,
    (h) => hostItem(h, names),
    { subtitle: "Containers no orchestrator manages (Docker on IaaS VMs)", empty: "No host runs unmanaged containers." },
  );
  const next = findings.nextCommand ?? hosts.nextCommand;
  return {
    title: `Containers${input.severity ? ` (${input.severity})` : ""}`,
    subtitle: `${plural(rows.length, "vulnerability", "vulnerabilities")} in ${plural(images, "image")}, ${patchable} patchable; ${plural(input.report.unmanagedContainerHosts.length, "host")} with unmanaged containers`,
    headline: { value: String(rows.length), label: "image findings", color: counts.High > 0 ? "attention" : rows.length > 0 ? "warning" : "good" },
    facts: input.severity
      ? []
      : [
          { title: "High", value: String(counts.High) },
          { title: "Medium", value: String(counts.Medium) },
          { title: "Low", value: String(counts.Low) },
          { title: "Patchable", value: `${patchable} of ${rows.length}` },
        ],
    sections: [findings.section, hosts.section],
    warnings: failureWarnings(ctx.failures, names),
    buttons: [...nextPageButton(next), ...(input.severity === undefined && counts.High > 0 ? [{ title: "High only", command: "containers high" }] : [])],
    footer: postureFooter(ctx, "Filter with containers high|medium|low."),
  };
}
