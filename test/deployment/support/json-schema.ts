/**
 * A small JSON Schema (draft-04) validator for the keywords the Teams manifest schema uses. It throws
 * on any keyword it does not implement, so a newer vendored schema cannot pass by being half-read.
 * (No JSON-schema validator is a dependency of this project; ajv is only present through eslint.)
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: unknown };

/** Keywords that only annotate. */
const ANNOTATIONS = new Set(["$schema", "description", "default", "title", "definitions", "examples", "$comment", "id"]);
const KEYWORDS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "maxLength",
  "minLength",
  "pattern",
  "format",
  "maximum",
  "minimum",
  "items",
  "maxItems",
  "minItems",
  "uniqueItems",
  "properties",
  "additionalProperties",
  "required",
  "minProperties",
  "dependencies",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function resolvePointer(root: Schema, ref: string): Schema {
  if (!ref.startsWith("#")) throw new Error(`unsupported $ref "${ref}" (only local references)`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter((s) => s !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) throw new Error(`$ref "${ref}" does not resolve`);
  }
  return node as Schema;
}

function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern);
  }
}

function matchesType(value: unknown, type: string): boolean {
  if (type === "integer") return typeof value === "number" && Number.isInteger(value);
  return typeOf(value) === type;
}

/** The errors of `value` against `schema` (empty when valid), each as "<path>: <message>". */
export function validateJson(schema: Schema, value: Json, root: Schema = schema, path = ""): string[] {
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`schema keyword "${key}" at ${path || "/"} is not implemented`);
  }
  if (typeof schema.$ref === "string") return validateJson(resolvePointer(root, schema.$ref), value, root, path);

  const errors: string[] = [];
  const at = path || "/";
  const fail = (message: string) => errors.push(`${at}: ${message}`);

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`must be ${types.join(" or ")}`);
      return errors;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) fail(`must be one of ${JSON.stringify(schema.enum)}`);
  if ("const" in schema && !deepEqual(schema.const, value)) fail(`must be ${JSON.stringify(schema.const)}`);

  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.maxLength === "number" && length > schema.maxLength) fail(`longer than ${schema.maxLength} characters`);
    if (typeof schema.minLength === "number" && length < schema.minLength) fail(`shorter than ${schema.minLength} characters`);
    if (typeof schema.pattern === "string" && !regex(schema.pattern).test(value)) fail(`does not match ${schema.pattern}`);
    if (schema.format === "uri" && !URL.canParse(value)) fail("is not a URI");
  }
  if (typeof value === "number") {
    if (typeof schema.maximum === "number" && value > schema.maximum) fail(`above ${schema.maximum}`);
    if (typeof schema.minimum === "number" && value < schema.minimum) fail(`below ${schema.minimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) fail(`more than ${schema.maxItems} items`);
    if (typeof schema.minItems === "number" && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(canonical(v)))).size !== value.length) fail("items are not unique");
    if (Array.isArray(schema.items)) {
      (schema.items as Schema[]).forEach((s, i) => {
        if (i < value.length) errors.push(...validateJson(s, value[i]!, root, `${path}/${i}`));
      });
    } else if (schema.items !== undefined && typeof schema.items === "object") {
      value.forEach((v, i) => errors.push(...validateJson(schema.items as Schema, v, root, `${path}/${i}`)));
    }
  }
  if (typeOf(value) === "object") {
    const object = value as { [key: string]: Json };
    const keys = Object.keys(object);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in object)) fail(`"${name}" is required`);
    if (typeof schema.minProperties === "number" && keys.length < schema.minProperties) fail(`fewer than ${schema.minProperties} properties`);
    for (const key of keys) {
      if (properties[key] !== undefined) {
        errors.push(...validateJson(properties[key], object[key]!, root, `${path}/${key}`));
      } else if (schema.additionalProperties === false) {
        fail(`"${key}" is not allowed`);
      } else if (typeof schema.additionalProperties === "object" && schema.additionalProperties !== null) {
        errors.push(...validateJson(schema.additionalProperties as Schema, object[key]!, root, `${path}/${key}`));
      }
    }
    for (const [key, dependency] of Object.entries((schema.dependencies ?? {}) as Record<string, unknown>)) {
      if (!(key in object)) continue;
      if (Array.isArray(dependency)) {
        for (const needed of dependency as string[]) if (!(needed in object)) fail(`"${key}" needs "${needed}"`);
      } else {
        errors.push(...validateJson(dependency as Schema, value, root, path));
      }
    }
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) errors.push(...validateJson(s, value, root, path));
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((s) => validateJson(s, value, root, path).length === 0)) {
    fail("matches none of anyOf");
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => validateJson(s, value, root, path).length === 0).length;
    if (passing !== 1) fail(`matches ${passing} of oneOf, not exactly one`);
  }
  if (schema.not !== undefined && validateJson(schema.not as Schema, value, root, path).length === 0) fail("matches not");
  return errors;
}

export type { Json, Schema };
