/**
 * A tiny path-template router for ARM paths. Literal segments match case-insensitively (ARM is
 * case-insensitive about provider and type names); `{name}` matches one segment; `{*name}` matches
 * one or more segments (an ARM scope or resource id), everything that the rest of the template
 * does not need.
 */

/** An error the simulator answers with `{"error":{code,message}}`. */
export class SimHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "SimHttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** What a handler returns. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A parsed, matched request. */
export interface RouteRequest {
  method: string;
  /** Path with repeated slashes collapsed, not decoded. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** `http://host:port` as the client addressed us, for absolute nextLink and LRO URLs. */
  baseUrl: string;
}

/** One route. */
export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  template: string;
  /** The api-version the installed SDK sends for this operation. */
  apiVersion: string;
  handle(request: RouteRequest): SimResponse | Promise<SimResponse>;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
  /** Template with `{*x}` shown as `{x}`: the stats key. */
  key: string;
}

/** Result of matching a path. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
  key: string;
}

/** Splits a path into decoded segments (empty segments from `//` dropped). */
export function splitPath(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function matchSegments(template: string[], path: string[], params: Record<string, string>): boolean {
  const wildcardIndex = template.findIndex((t) => t.startsWith("{*"));
  if (wildcardIndex < 0) {
    if (template.length !== path.length) return false;
    return template.every((t, i) => matchOne(t, path[i] ?? "", params));
  }
  const after = template.length - wildcardIndex - 1;
  const wildcardLength = path.length - wildcardIndex - after;
  if (wildcardLength < 1) return false;
  for (let i = 0; i < wildcardIndex; i++) {
    if (!matchOne(template[i] ?? "", path[i] ?? "", params)) return false;
  }
  for (let i = 0; i < after; i++) {
    const t = template[wildcardIndex + 1 + i] ?? "";
    if (!matchOne(t, path[wildcardIndex + wildcardLength + i] ?? "", params)) return false;
  }
  const name = (template[wildcardIndex] ?? "{*scope}").slice(2, -1);
  params[name] = "/" + path.slice(wildcardIndex, wildcardIndex + wildcardLength).join("/");
  return true;
}

function matchOne(template: string, segment: string, params: Record<string, string>): boolean {
  if (template.startsWith("{") && template.endsWith("}")) {
    params[template.slice(1, -1)] = segment;
    return true;
  }
  return template.toLowerCase() === segment.toLowerCase();
}

/** Routes in registration order; the first match wins. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): void {
    for (const route of routes) {
      this.routes.push({
        route,
        segments: splitPath(route.template),
        key: `${route.method} ${route.template.replace(/\{\*/g, "{")}`,
      });
    }
  }

  /** Finds the route for a method and path; `methodMismatch` tells 405 from 404. */
  match(method: string, path: string): RouteMatch | { methodMismatch: boolean } {
    const segments = splitPath(path);
    let methodMismatch = false;
    for (const compiled of this.routes) {
      const params: Record<string, string> = {};
      if (!matchSegments(compiled.segments, segments, params)) continue;
      if (compiled.route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route: compiled.route, params, key: compiled.key };
    }
    return { methodMismatch };
  }
}
