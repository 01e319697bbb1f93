/**
 * Plain-text HTTP errors: every error body is `<code>: <detail>` (the contract's Wire format, server/README.md), e.g.
 * `invalid_allowlist_entry: domain_allowlist[2] "https://a.com/x" has a path; …`. Details name the field
 * and what to do; they never hold a key, a secret, a token or a header value.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { formatZodIssue, issuePath } from "../contract/wire";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = "HttpError";
  }
}

export function errorResponse(c: Context, err: HttpError): Response {
  // headers passed to text(), not set with c.header(): that one fails once the response was reset (app.ts)
  return c.text(`${err.code}: ${err.detail}`, err.status as 400, err.headers);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = body;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** A zod failure as a 400 naming the field: `invalid_body: name: is required`. */
export function zodError(error: z.ZodError, body: unknown, code = "invalid_body"): HttpError {
  const parts = error.issues.map((issue) => {
    if (issue.code === "invalid_type" && issue.path.length > 0 && valueAt(body, issue.path) === undefined) {
      return `${issuePath(issue.path)}: is required`;
    }
    return formatZodIssue(issue);
  });
  return new HttpError(400, code, parts.join("; "));
}

/** Parses a JSON request body; a missing or malformed body is a 400, never a 500. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "the request body is not valid JSON; send a JSON object");
  }
}

/** Validates a body with a wire schema, turning failures into a 400 that names the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", "the request body must be a JSON object");
  }
  const r = schema.safeParse(body);
  if (!r.success) throw zodError(r.error, body);
  return r.data;
}
