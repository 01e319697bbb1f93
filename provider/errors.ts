/**
 * Typed errors of the Kataven REST client. Every message says what failed (method + path), why (status,
 * server code and detail) and what to do. Messages never carry the API key, the Authorization header, a
 * widget secret key or a token: server details and transport errors pass through `redact()` first.
 */

/** Replaces anything that looks like key material or a bearer token with a placeholder. */
export function redact(text: string): string {
  return text
    .replace(/\bsk_live_[A-Za-z0-9_-]+/g, "sk_live_…[redacted]")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted-jwt]");
}

/** A plain-text error body `<code>: <detail>` (contract, shared conventions). */
export function parseErrorBody(body: string): { code: string; detail: string } {
  const text = body.trim();
  const m = /^([a-z][a-z0-9_]*):\s*([\s\S]*)$/.exec(text);
  if (m) return { code: m[1], detail: m[2].trim() };
  return { code: "unknown_error", detail: text === "" ? "(empty response body)" : text.slice(0, 500) };
}

/** What to do next, by status and (optionally) the resource being touched. */
export function hintFor(status: number, code: string, notFoundHint?: string): string {
  if (status === 401) {
    return 'check kataven:apiKey ("pulumi config set --secret kataven:apiKey sk_live_…" or KATAVEN_API_KEY): it is missing, revoked or belongs to another environment';
  }
  if (status === 403 && (code === "account_mismatch" || code === "forbidden")) {
    return "check that kataven:accountId (KATAVEN_ACCOUNT_ID) matches the account of kataven:apiKey";
  }
  if (code === "invalid_agent_id") return "check agentId: it must be an agent of this account";
  if (code === "invalid_allowlist_entry") return "check domainAllowlist";
  if (status === 404) return notFoundHint ?? "";
  if (status === 429) return "the account's rate limit was still exceeded after waiting for Retry-After; run again later or with a lower --parallel";
  if (status >= 500) return "the Kataven API failed; retry later";
  return "";
}

export interface KatavenApiErrorInit {
  status: number;
  code: string;
  detail: string;
  method: string;
  path: string;
  hint?: string;
  attempts?: number;
  cause?: unknown;
}

/** An HTTP error answer from the Kataven API. */
export class KatavenApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(init: KatavenApiErrorInit) {
    const detail = redact(init.detail);
    const hint = init.hint ?? hintFor(init.status, init.code);
    const tries = init.attempts && init.attempts > 1 ? ` (after ${init.attempts} attempts)` : "";
    super(
      `${init.method} ${init.path} failed${tries}: ${init.status} ${init.code}: ${detail}${hint ? `; ${hint}` : ""}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "KatavenApiError";
    this.status = init.status;
    this.code = init.code;
    this.detail = detail;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 1;
  }
}

/** No HTTP answer at all: timeout, connection refused or reset. */
export class KatavenNetworkError extends Error {
  readonly code: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly reason: string;

  constructor(init: { code: string; method: string; path: string; reason: string; attempts?: number; cause?: unknown }) {
    const tries = init.attempts && init.attempts > 1 ? ` (after ${init.attempts} attempts)` : "";
    super(
      `${init.method} ${init.path} failed${tries}: ${init.code}: ${redact(init.reason)}; check kataven:apiUrl and that the Kataven API is reachable`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "KatavenNetworkError";
    this.reason = redact(init.reason);
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 1;
  }
}

/** A 2xx answer whose body does not match the wire schema. */
export class KatavenResponseError extends Error {
  constructor(method: string, path: string, problem: string) {
    super(`${method} ${path} returned an unexpected body: ${redact(problem)}; the API and this provider version may be out of step`);
    this.name = "KatavenResponseError";
  }
}

/** Configuration is missing or invalid. */
export class KatavenConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KatavenConfigError";
  }
}
