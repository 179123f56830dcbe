/**
 * What route handlers share: the estate, the (movable) clock, paging and LRO bookkeeping, plus the
 * small helpers every provider needs (paged list bodies, ARM-shaped not-found errors).
 */
import type { Estate } from "./estate";
import { sameId } from "./estate";
import type { LroRegistry } from "./lro";
import { SimHttpError, type RouteRequest, type SimResponse } from "./router";

/** Shared state of one simulator instance. */
export interface SimContext {
  estate: Estate;
  /** The simulator's clock: the injected clock plus any /_sim/advance offset. */
  now(): Date;
  pageSize: number;
  lro: LroRegistry;
}

/** Query parameter carrying the offset of the next page. */
export const SKIP_TOKEN = "$skiptoken";

/**
 * A `{value, nextLink}` page of `items`. The nextLink is absolute (this server's own address) and
 * always carries api-version, because the Network SDK's *Next operations add none.
 */
export function paged<T>(
  ctx: SimContext,
  req: RouteRequest,
  items: readonly T[],
  render: (item: T) => unknown,
  apiVersion: string,
): SimResponse {
  const raw = req.query.get(SKIP_TOKEN);
  const offset = raw === null ? 0 : Number.parseInt(raw, 10);
  if (!Number.isFinite(offset) || offset < 0) {
    throw new SimHttpError(400, "InvalidSkipToken", `The skip token '${raw ?? ""}' is not valid.`);
  }
  const size = Math.max(1, ctx.pageSize);
  const value = items.slice(offset, offset + size).map(render);
  const body: { value: unknown[]; nextLink?: string } = { value };
  if (offset + size < items.length) {
    const query = new URLSearchParams(req.query);
    query.set("api-version", apiVersion);
    query.set(SKIP_TOKEN, String(offset + size));
    body.nextLink = `${req.baseUrl}${req.path}?${query.toString()}`;
  }
  return { status: 200, body };
}

/** A single-page `{value}` list (operations whose SDK has no *Next operation). */
export function unpaged<T>(items: readonly T[], render: (item: T) => unknown): SimResponse {
  return { status: 200, body: { value: items.map(render) } };
}

/** ARM's 404 for a missing resource. */
export function resourceNotFound(type: string, name: string, resourceGroup?: string): SimHttpError {
  const where = resourceGroup ? ` under resource group '${resourceGroup}'` : "";
  return new SimHttpError(404, "ResourceNotFound", `The Resource '${type}/${name}'${where} was not found.`);
}

/** Finds an item by id (case-insensitive) or throws ARM's 404. */
export function findById<T extends { id: string }>(items: readonly T[], id: string, type: string, name: string, rg?: string): T {
  const found = items.find((i) => sameId(i.id, id));
  if (!found) throw resourceNotFound(type, name, rg);
  return found;
}

/** Parses an ISO 8601 duration (PnDTnHnMnS, no years or months) into milliseconds, or undefined. */
export function parseIsoDuration(value: string): number | undefined {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value);
  if (!match || value.toUpperCase() === "P" || value.toUpperCase().endsWith("T")) return undefined;
  const [, d, h, m, s] = match;
  const n = (x: string | undefined): number => (x === undefined ? 0 : Number.parseFloat(x));
  return ((n(d) * 24 + n(h)) * 60 + n(m)) * 60_000 + n(s) * 1000;
}

/** Reads `body.properties` as a record, or throws 400 like ARM for a malformed body. */
export function propertiesOf(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new SimHttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
  const props = body["properties"];
  if (!isRecord(props)) throw new SimHttpError(400, "InvalidRequestFormat", "The request body must contain 'properties'.");
  return props;
}

/** Narrows unknown JSON to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field of a JSON object, or undefined. */
export function str(record: Record<string, unknown>, key: string): string | undefined {
  const v = record[key];
  return typeof v === "string" ? v : undefined;
}

/** A number field of a JSON object, or undefined. */
export function num(record: Record<string, unknown>, key: string): number | undefined {
  const v = record[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
