/**
 * An alert that arrived on POST /api/alerts (Azure Monitor common alert schema or a Defender for Cloud alert),
 * normalised. The alert intake (src/digest/alert-intake.ts) parses, authenticates and de-duplicates; listeners
 * (alert-triggered capture, channel alert posts) each receive every new alert once.
 */
import type { AlertSeverity } from "./model";

export interface IncomingAlert {
  /** Stable id used to suppress duplicates (Defender alert id / systemAlertId, or Azure Monitor alertId). */
  id: string;
  /** "defender" | "azure-monitor" */
  source: "defender" | "azure-monitor";
  /** Alert rule name (Azure Monitor) or alert display name (Defender). */
  name: string;
  /** Defender alertType or Azure Monitor signal/metric name, when known. */
  alertType?: string;
  severity: AlertSeverity;
  description?: string;
  /** Azure resource ids the alert is about (VMs first where known). */
  resourceIds: string[];
  /** ISO 8601 */
  firedAt: string;
  remediationSteps: string[];
  portalUrl?: string;
  /** "Fired" | "Resolved" (Azure Monitor monitorCondition), or "Active" etc. for Defender. */
  condition?: string;
}

/** Receives each new (non-duplicate) alert once. Failures are logged by the intake and never affect other listeners. */
export type AlertListener = (alert: IncomingAlert) => Promise<void>;
