/**
 * The canonical route patterns (`METHOD /api/v1/...`). Requests under the `/hub-api/api/v1` and `/v1`
 * aliases (the contract's Paths, server/README.md) map to the same pattern, which is what logs, request statistics
 * and fault rules use, so a rule for "POST /api/v1/widget-keys" also hits "POST /v1/widget-keys".
 */
export const API_PREFIXES = ["/api/v1", "/hub-api/api/v1", "/v1"] as const;

export const ROUTES = [
  "GET /api/v1/widget-keys",
  "POST /api/v1/widget-keys",
  "PATCH /api/v1/widget-keys/:id",
  "DELETE /api/v1/widget-keys/:id",
  "GET /api/v1/widget-settings",
  "PATCH /api/v1/widget-settings",
  "PUT /api/v1/widget-settings",
  "GET /api/v1/agents/:agentId/widget-settings",
  "PATCH /api/v1/agents/:agentId/widget-settings",
  "GET /api/v1/widget/config",
  "POST /api/v1/widget/auth/guest",
  "POST /api/v1/widget/auth/user-token",
  "POST /api/v1/widget/auth/exchange",
  "POST /api/v1/widget/auth/refresh",
  "GET /openapi.json",
  "GET /widget-demo",
] as const;

const WIDGET_PUBLIC = ROUTES.filter((r) => r.includes("/widget/")).map((r) => r.split(" ")[1]);

interface Compiled {
  key: string;
  method: string;
  segments: string[];
}

function compile(key: string): Compiled {
  const [method, path] = key.split(" ");
  return { key, method, segments: path.split("/").slice(1) };
}

const COMPILED: Compiled[] = [...ROUTES, ...WIDGET_PUBLIC.map((p) => `OPTIONS ${p}`)].map(compile);

/** The canonical path of a request path: alias prefixes rewritten to /api/v1. */
export function canonicalPath(path: string): string {
  for (const prefix of API_PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return `/api/v1${path.slice(prefix.length)}`;
  }
  return path;
}

function segmentsMatch(pattern: string[], actual: string[]): boolean {
  return pattern.length === actual.length && pattern.every((p, i) => p.startsWith(":") || p === actual[i]);
}

/** `METHOD /api/v1/pattern` for a request, or null when no route has that shape. */
export function routeKey(method: string, path: string): string | null {
  const segments = canonicalPath(path).split("/").slice(1);
  const m = method.toUpperCase();
  const hit = COMPILED.find((r) => r.method === m && segmentsMatch(r.segments, segments));
  return hit ? hit.key : null;
}

/**
 * Normalises a rule's route spelling: "post /v1/widget-keys/{id}" → "POST /api/v1/widget-keys/:id".
 * `{name}` and `:name` are both parameter spellings; a concrete id matches the pattern too.
 */
export function normaliseRouteSpec(spec: string): string | null {
  const m = /^\s*([A-Za-z*]+)\s+(\/\S*)\s*$/.exec(spec);
  if (!m) return null;
  const method = m[1].toUpperCase();
  const path = canonicalPath(m[2].replace(/\{[^}/]+\}/g, ":p"));
  if (method === "*") {
    const any = COMPILED.find((r) => segmentsMatch(r.segments, path.split("/").slice(1)));
    return any ? `* ${any.key.split(" ")[1]}` : null;
  }
  return routeKey(method, path);
}
