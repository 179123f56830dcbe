/**
 * The writes remediation needs (issue 10), declared here and implemented by src/azure (the ARM gateway implements
 * both AzureGateway and this). Kept apart from AzureGateway so a read-only gateway (or a test fake) does not have to
 * implement writes it never makes.
 */
import type { RemediationState, RemediationTarget } from "./remediation";

export interface RemediationGateway {
  /**
   * Reads the current value of exactly what a fix changes, uncached (a preview and the check before applying must
   * see Azure as it is now). A resource that does not exist reads as the state's `null` (never a NotFound error).
   */
  readRemediationState(target: RemediationTarget): Promise<RemediationState>;
  /**
   * Makes the target look like `desired` (creating, updating or deleting), waiting for Azure's long-running
   * operation to finish. Touches nothing else: other rules of the NSG, other VMs of the JIT policy, other NIC
   * properties stay as Azure has them. Throws AppError with Azure's reason in plain words.
   */
  applyRemediation(target: RemediationTarget, desired: RemediationState): Promise<void>;
}

/** The gateway's remediation side, when it has one. */
export function asRemediationGateway(gateway: unknown): RemediationGateway | undefined {
  if (typeof gateway !== "object" || gateway === null) return undefined;
  const g = gateway as Partial<RemediationGateway>;
  return typeof g.readRemediationState === "function" && typeof g.applyRemediation === "function" ? (gateway as RemediationGateway) : undefined;
}
