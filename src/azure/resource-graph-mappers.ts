/**
 * Resource Graph rows → domain types. The queries project `properties` unchanged, so a row is ARM's JSON of the
 * resource; these functions flatten it the way the SDK's deserialisers do and hand it to the same mappers as the ARM
 * path (src/azure/mappers.ts), so both paths give the same answers.
 */
import type { SecureScoreControlDetails, SecureScoreItem, SecurityAssessmentResponse } from "@azure/arm-security";
import type { Assessment, ScoreControl, SecureScore } from "../domain/model";
import { type AssessmentMetadataInfo, hasInlineSeverity, isOverallScore, mapAssessment, mapScoreControl, mapSecureScore } from "./mappers";
import type { ResourceGraphRow } from "./resource-graph";

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The SDK's flattened assessment. Resource Graph capitalises `resourceDetails.Id`/`Source`; the mapper reads both. */
export function graphAssessmentItem(row: ResourceGraphRow): SecurityAssessmentResponse {
  return { ...(row.properties as Partial<SecurityAssessmentResponse>), id: row.id, name: row.name } as SecurityAssessmentResponse;
}

/** True when the row names its severity itself (Resource Graph rows normally carry `properties.metadata`). */
export function graphAssessmentHasSeverity(row: ResourceGraphRow): boolean {
  return hasInlineSeverity(graphAssessmentItem(row));
}

export function mapGraphAssessment(row: ResourceGraphRow, metadata?: ReadonlyMap<string, AssessmentMetadataInfo>): Assessment {
  return mapAssessment(graphAssessmentItem(row), row.subscriptionId, metadata);
}

/** The overall (`ascScore`) secure score of a row, or undefined for another initiative's score. */
export function mapGraphSecureScore(row: ResourceGraphRow): SecureScore | undefined {
  const p = row.properties;
  const score = record(p["score"]);
  const item: SecureScoreItem = {
    id: row.id,
    name: row.name,
    displayName: typeof p["displayName"] === "string" ? p["displayName"] : undefined,
    current: optionalNumber(score["current"]),
    max: optionalNumber(score["max"]),
    percentage: optionalNumber(score["percentage"]),
    weight: optionalNumber(p["weight"]),
  };
  return isOverallScore(item) ? mapSecureScore(item, row.subscriptionId) : undefined;
}

export function mapGraphScoreControl(row: ResourceGraphRow): ScoreControl {
  const p = row.properties;
  const score = record(p["score"]);
  const definition = record(p["definition"]);
  const definitionProps = record(definition["properties"]);
  const item: SecureScoreControlDetails = {
    id: row.id,
    name: row.name,
    displayName: typeof p["displayName"] === "string" ? p["displayName"] : undefined,
    current: optionalNumber(score["current"]),
    max: optionalNumber(score["max"]),
    percentage: optionalNumber(score["percentage"]),
    healthyResourceCount: optionalNumber(p["healthyResourceCount"]),
    unhealthyResourceCount: optionalNumber(p["unhealthyResourceCount"]),
    notApplicableResourceCount: optionalNumber(p["notApplicableResourceCount"]),
    weight: optionalNumber(p["weight"]),
    ...(typeof definitionProps["displayName"] === "string" ? { definition: { displayName: definitionProps["displayName"] } } : {}),
  };
  return mapScoreControl(item, row.subscriptionId);
}
