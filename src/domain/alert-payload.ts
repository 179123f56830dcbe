/**
 * Reads what arrives on POST /api/alerts into an {@link IncomingAlert}:
 * - the Azure Monitor **common alert schema** (action group webhooks with "common alert schema" on):
 *   `{schemaId:"azureMonitorCommonAlertSchema", data:{essentials:{alertId, alertRule, severity:"Sev0".."Sev4",
 *   signalType, monitorCondition, alertTargetIDs[], firedDateTime, description}, alertContext:{…}}}`;
 * - a **Defender for Cloud alert** as workflow automation (a Logic App) forwards it: the ARM resource shape
 *   `{id, name, properties:{alertDisplayName, alertType, severity, resourceIdentifiers[], systemAlertId, …}}`, or the
 *   flat PascalCase shape of the Logic App trigger and continuous export (`SystemAlertId`, `AlertDisplayName`,
 *   `ResourceIdentifiers[].AzureResourceId`, `Entities[]`…). Keys are matched case-insensitively.
 * Pure: no I/O; every string is bounded so a large payload cannot blow up a card or the store.
 */
import type { IncomingAlert } from "./incoming-alert";
import type { AlertSeverity } from "./model";

export type AlertParse = { ok: true; alert: IncomingAlert } | { ok: false; reason: string };

const MAX_TEXT = 2000;
const MAX_NAME = 256;
const MAX_RESOURCES = 50;
const MAX_STEPS = 20;

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The value of the first of `names` present in `o`, keys compared case-insensitively. */
function pick(o: Obj, ...names: string[]): unknown {
  for (const name of names) {
    if (name in o) return o[name];
  }
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  for (const name of names) {
    const key = lower.get(name.toLowerCase());
    if (key !== undefined) return o[key];
  }
  return undefined;
}

function text(x: unknown, max = MAX_TEXT): string | undefined {
  if (typeof x !== "string") return undefined;
  const t = x.trim();
  if (t === "") return undefined;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function isoTime(x: unknown): string | undefined {
  if (typeof x !== "string") return undefined;
  const ms = Date.parse(x);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function httpsUrl(x: unknown): string | undefined {
  const t = text(x, 2000);
  return t !== undefined && /^https:\/\//i.test(t) ? t : undefined;
}

/** VMs first (the capture listener and cards care most about them), then the rest; duplicates (any case) once. */
function orderResources(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const id of ids) {
    const key = id.toLowerCase();
    if (!seen.has(key) && id.startsWith("/")) {
      seen.add(key);
      unique.push(id);
    }
  }
  const isVm = (id: string) => /\/providers\/Microsoft\.Compute\/virtualMachines\//i.test(id);
  return [...unique.filter(isVm), ...unique.filter((id) => !isVm(id))].slice(0, MAX_RESOURCES);
}

const SEV: Readonly<Record<string, AlertSeverity>> = {
  sev0: "High",
  sev1: "High",
  sev2: "Medium",
  sev3: "Low",
  sev4: "Informational",
  critical: "High",
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
  info: "Informational",
};

/** Sev0/Sev1 → High, Sev2 → Medium, Sev3 → Low, Sev4 → Informational; Defender's own words as they are. */
export function alertSeverityOf(x: unknown): AlertSeverity {
  return (typeof x === "string" ? SEV[x.trim().toLowerCase()] : undefined) ?? "Informational";
}

function parseCommonSchema(body: Obj, now: Date): AlertParse {
  const data = pick(body, "data");
  const essentials = isObj(data) ? pick(data, "essentials") : undefined;
  if (!isObj(data) || !isObj(essentials)) return { ok: false, reason: "The common alert schema needs data.essentials." };
  const alertId = text(pick(essentials, "alertId"), MAX_NAME);
  if (alertId === undefined) return { ok: false, reason: "data.essentials.alertId is missing." };
  const rule = text(pick(essentials, "alertRule"), MAX_NAME);
  if (rule === undefined) return { ok: false, reason: "data.essentials.alertRule is missing." };
  const context = pick(data, "alertContext");
  const targets = pick(essentials, "alertTargetIDs");
  const resourceIds = Array.isArray(targets) ? targets.filter((t): t is string => typeof t === "string").map((t) => t.trim()) : [];
  const alert: IncomingAlert = {
    id: alertId,
    source: "azure-monitor",
    name: rule,
    severity: alertSeverityOf(pick(essentials, "severity")),
    resourceIds: orderResources(resourceIds),
    firedAt: isoTime(pick(essentials, "firedDateTime")) ?? now.toISOString(),
    remediationSteps: [],
  };
  const alertType = (isObj(context) ? contextSignal(context) : undefined) ?? text(pick(essentials, "signalType"), MAX_NAME);
  if (alertType !== undefined) alert.alertType = alertType;
  const description = text(pick(essentials, "description"));
  if (description !== undefined) alert.description = description;
  const condition = text(pick(essentials, "monitorCondition"), 40);
  if (condition !== undefined) alert.condition = condition;
  const link = httpsUrl(pick(essentials, "investigationLink"));
  if (link !== undefined) alert.portalUrl = link;
  return { ok: true, alert };
}

/** The metric (metric alerts) or operation (activity log alerts) that fired, when the context names one. */
function contextSignal(context: Obj): string | undefined {
  const condition = pick(context, "condition");
  const allOf = isObj(condition) ? pick(condition, "allOf") : undefined;
  if (Array.isArray(allOf)) {
    const first: unknown = allOf[0];
    if (isObj(first)) {
      const metric = text(pick(first, "metricName"), MAX_NAME);
      if (metric !== undefined) return metric;
    }
  }
  return text(pick(context, "operationName"), MAX_NAME);
}

function stringList(x: unknown): string[] {
  if (typeof x === "string") {
    const t = x.trim();
    // Continuous export writes the list as a JSON string.
    if (t.startsWith("[")) {
      try {
        return stringList(JSON.parse(t) as unknown);
      } catch {
        return [t];
      }
    }
    return t === "" ? [] : [t];
  }
  if (!Array.isArray(x)) return [];
  return x.filter((s): s is string => typeof s === "string" && s.trim() !== "").map((s) => s.trim());
}

function defenderResourceIds(props: Obj, outer: Obj): string[] {
  const ids: string[] = [];
  const identifiers = pick(props, "resourceIdentifiers");
  if (Array.isArray(identifiers)) {
    for (const r of identifiers) {
      if (isObj(r)) {
        const id = text(pick(r, "azureResourceId", "resourceId"), 1000);
        if (id !== undefined) ids.push(id);
      }
    }
  }
  const entities = pick(props, "entities");
  if (Array.isArray(entities)) {
    for (const e of entities) {
      if (isObj(e)) {
        const id = text(pick(e, "resourceId", "azureResourceId", "azureId"), 1000);
        if (id !== undefined) ids.push(id);
      }
    }
  }
  for (const o of [props, outer]) {
    const id = text(pick(o, "azureResourceId", "resourceId"), 1000);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

function parseDefender(outer: Obj, props: Obj, now: Date): AlertParse {
  const id = text(pick(props, "systemAlertId"), MAX_NAME) ?? text(pick(outer, "name"), MAX_NAME) ?? text(pick(outer, "id"), 1000);
  if (id === undefined) return { ok: false, reason: "A Defender for Cloud alert needs systemAlertId (or name/id)." };
  const name = text(pick(props, "alertDisplayName", "alertName", "displayName"), MAX_NAME) ?? text(pick(props, "alertType"), MAX_NAME);
  if (name === undefined) return { ok: false, reason: "A Defender for Cloud alert needs alertDisplayName or alertType." };
  const alert: IncomingAlert = {
    id,
    source: "defender",
    name,
    severity: alertSeverityOf(pick(props, "severity")),
    resourceIds: orderResources(defenderResourceIds(props, outer)),
    firedAt: isoTime(pick(props, "startTimeUtc", "startTime", "timeGeneratedUtc", "timeGenerated")) ?? now.toISOString(),
    remediationSteps: stringList(pick(props, "remediationSteps"))
      .slice(0, MAX_STEPS)
      .map((s) => text(s, 500) ?? s),
  };
  const alertType = text(pick(props, "alertType"), MAX_NAME);
  if (alertType !== undefined) alert.alertType = alertType;
  const description = text(pick(props, "description"));
  if (description !== undefined) alert.description = description;
  const status = text(pick(props, "status"), 40);
  if (status !== undefined) alert.condition = status;
  const link = httpsUrl(pick(props, "alertUri"));
  if (link !== undefined) alert.portalUrl = link;
  return { ok: true, alert };
}

/**
 * Reads an alert payload. `now` stands in for a missing or unreadable fired time.
 * Returns the reason (safe to send back to the caller) when the body is not an alert this bot understands.
 */
export function parseAlertPayload(body: unknown, now: Date): AlertParse {
  if (!isObj(body)) return { ok: false, reason: "Expected a JSON object (Azure Monitor common alert schema or a Defender for Cloud alert)." };
  const schemaId = pick(body, "schemaId");
  if (typeof schemaId === "string") {
    if (schemaId.toLowerCase() === "azuremonitorcommonalertschema") return parseCommonSchema(body, now);
    return {
      ok: false,
      reason: `Schema "${schemaId.slice(0, 60)}" is not supported: turn on "Enable the common alert schema" for this webhook in the action group.`,
    };
  }
  const props = pick(body, "properties");
  if (isObj(props) && (pick(props, "alertDisplayName") !== undefined || pick(props, "systemAlertId") !== undefined || pick(props, "alertType") !== undefined)) {
    return parseDefender(body, props, now);
  }
  if (pick(body, "systemAlertId") !== undefined || pick(body, "alertDisplayName") !== undefined) return parseDefender(body, body, now);
  return { ok: false, reason: "Not an alert I can read: send the Azure Monitor common alert schema or a Defender for Cloud alert." };
}

/**
 * What makes two deliveries "the same alert": its id, and for Azure Monitor also its condition, so the "Resolved"
 * notification of an alert that fired is not mistaken for a repeat of the "Fired" one.
 */
export function alertDedupeKey(alert: IncomingAlert): string {
  const condition = alert.source === "azure-monitor" ? (alert.condition ?? "fired") : "";
  return `${alert.source}|${alert.id.toLowerCase()}${condition ? `|${condition.toLowerCase()}` : ""}`;
}
