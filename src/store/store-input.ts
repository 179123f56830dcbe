/**
 * Input checks and JSON handling every Store implementation shares, so SQLite and Azure Table Storage refuse the same
 * values with the same messages (the store contract tests hold both to it).
 */
import { AppError } from "../domain/errors";

/** listAudit's limit when the query gives none. */
export const DEFAULT_AUDIT_LIMIT = 200;
/** listAudit never returns more than this many entries. */
export const MAX_AUDIT_LIMIT = 1000;

export function toJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    // Circular structures and BigInt land here.
    throw new AppError("BadInput", `The ${what} cannot be stored as JSON.`, e);
  }
  if (json === undefined) throw new AppError("BadInput", `The ${what} cannot be stored as JSON (it is ${typeof value}).`);
  return json;
}

export function checkName(name: string, what: string): void {
  if (typeof name !== "string" || name === "") throw new AppError("BadInput", `A document ${what} must be a non-empty string.`);
}

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_AUDIT_LIMIT;
  if (!Number.isFinite(limit) || limit < 1) throw new AppError("BadInput", `Audit limit must be 1 or more, not ${limit}.`);
  return Math.min(MAX_AUDIT_LIMIT, Math.floor(limit));
}

export function sinceMs(since: string): number {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new AppError("BadInput", `"${since}" is not an ISO 8601 date.`);
  return ms;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
