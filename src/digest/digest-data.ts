/**
 * Reads everything a digest shows, once per run: the scheduler builds one `DigestData` per tick and renders it for
 * each conversation, and every read goes through the gateway's shared TTL cache, so 200 channels cost one set of ARM
 * reads. Reading scores also records today's point in the score history.
 */
import { failuresOf, readNetworkEstate } from "../domain/estate-reads";
import {
  DIGEST_WINDOW_MS,
  jitGrantsSince,
  mergeCaptures,
  topExposures,
  type CaptureActivity,
  type DigestData,
  type ScoreData,
} from "../domain/digest";
import { selectAlerts, windowStart } from "../domain/alerts";
import { isAppError } from "../domain/errors";
import { CAPTURES, type CaptureRecord } from "../domain/capture-rules";
import { analyzeExposure } from "../domain/exposure";
import { JIT_REQUESTS, type JitRequestRecord } from "../domain/jit-record";
import type { SecureScore } from "../domain/model";
import type { AzureGateway } from "../domain/ports";
import { groupRecommendations } from "../domain/recommendations";
import { nameOf, normalizeId } from "../domain/resource-ids";
import { SCORE_HISTORY, withReading, type ScoreHistory } from "../domain/score-history";
import type { Logger } from "../logger";

export type { DigestData, ScoreData };
import type { AuditEntry, Store } from "../store/store";

export interface DigestReadDeps {
  azure: AzureGateway;
  store: Store;
  logger: Logger;
}

/** Reads scores and controls and records today's score point for each subscription. */
export async function readScoreData(deps: DigestReadDeps, now: Date): Promise<ScoreData> {
  const [scores, controls, names] = await Promise.all([deps.azure.secureScores(), deps.azure.scoreControls(), deps.azure.subscriptionNames()]);
  const history = new Map<string, ScoreHistory>();
  for (const score of scores.items) {
    try {
      history.set(normalizeId(score.subscriptionId), await recordScore(deps.store, score, now));
    } catch (err) {
      // History is a nicety; a digest must not fail over it.
      deps.logger.warn({ err, subscriptionId: score.subscriptionId }, "could not record the score history");
    }
  }
  return { at: now, scores: scores.items, controls: controls.items, names, failures: [...scores.failures, ...controls.failures], history };
}

async function recordScore(store: Store, score: SecureScore, now: Date): Promise<ScoreHistory> {
  const key = normalizeId(score.subscriptionId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const doc = await store.getDocument<ScoreHistory>(SCORE_HISTORY, key);
    const next = withReading(doc?.value, score, now);
    try {
      await store.putDocument(SCORE_HISTORY, key, next, { ifVersion: doc?.version ?? 0 });
      return next;
    } catch (err) {
      // Another instance recorded the same day at the same time; read theirs and try again.
      if (!(isAppError(err) && err.code === "Conflict")) throw err;
    }
  }
  return withReading((await store.getDocument<ScoreHistory>(SCORE_HISTORY, key))?.value, score, now);
}

/** Reads everything else a digest shows, reusing `scores` when the caller already has them. */
export async function readDigestData(deps: DigestReadDeps, now: Date, scores?: Promise<ScoreData>): Promise<DigestData> {
  const a = deps.azure;
  const since = windowStart(now, DIGEST_WINDOW_MS);
  const [score, estate, assessments, alerts, jitPolicies, records, captures] = await Promise.all([
    scores ?? readScoreData(deps, now),
    readNetworkEstate(a),
    a.assessments(),
    a.alerts(),
    a.jitPolicies(),
    deps.store.listDocuments<JitRequestRecord>(JIT_REQUESTS),
    readCaptures(deps, since),
  ]);
  const report = analyzeExposure(estate.input);
  return {
    ...score,
    failures: [...score.failures, ...failuresOf(alerts, { items: [], failures: estate.failures })],
    highRecommendations: groupRecommendations(assessments.items, { severity: "High" }, score.names),
    recommendationsComplete: assessments.failures.length === 0,
    alerts: selectAlerts(alerts.items, { since, now }),
    jitGrants: jitGrantsSince(
      jitPolicies.items,
      since,
      records.map((r) => r.value),
    ),
    captures,
    exposures: topExposures(report, 3),
    exposedCount: report.exposedVms.length,
  };
}

/** A capture record of the capture feature as the digest lists it. */
export function captureActivityOf(record: CaptureRecord): CaptureActivity {
  return {
    name: record.name,
    vmName: record.vmName,
    at: record.startedAt ?? record.createdAt,
    by: record.trigger.kind === "alert" ? `alert "${record.trigger.alertName}"` : record.requestedBy.name,
    status: record.state === "stopped" && record.outcome ? `stopped: ${record.outcome}` : record.state,
  };
}

/** Captures started according to the audit log ("capture:start" ok: target the VM id, detail the capture name). */
export function capturesFromAudit(entries: readonly AuditEntry[], since: Date): CaptureActivity[] {
  return entries
    .filter((e) => e.action === "capture:start" && e.result === "ok" && e.detail !== undefined && Date.parse(e.at) >= since.getTime())
    .map((e) => ({
      name: e.detail!.split(/[,\s]/)[0]!,
      at: e.at,
      vmName: e.target !== undefined ? nameOf(e.target) : undefined,
      by: e.actorName,
    }));
}

/**
 * Captures of the window: the capture feature's records (collection "captures"), completed by the audit log for
 * captures whose record is gone.
 */
async function readCaptures(deps: DigestReadDeps, since: Date): Promise<CaptureActivity[]> {
  const [records, audit] = await Promise.all([
    deps.store.listDocuments<CaptureRecord>(CAPTURES),
    deps.store.listAudit({ since: since.toISOString(), limit: 1000 }),
  ]);
  const fromRecords = records
    .filter((d) => typeof d.value?.name === "string" && typeof d.value.createdAt === "string")
    .map((d) => captureActivityOf(d.value))
    .filter((c) => Date.parse(c.at) >= since.getTime());
  return mergeCaptures(fromRecords, capturesFromAudit(audit, since));
}
