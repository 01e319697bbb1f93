/**
 * Typed errors of the Kataven REST client, all `KatavenError`s with a stable `code`. Every message says
 * what failed (method + path), why (status, server code and detail) and what to do (the `hint`). Messages
 * never carry the API key, the Authorization header, a widget secret key or a token: server details and
 * transport errors pass through `redact()` first.
 */

const SECRET_PREFIX = "sk_live_";

/**
 * "sk_live_" as base64 (or base64url) at each of the three byte alignments it can have inside an encoded
 * string: only the characters that its own bytes decide, so the bytes around it do not matter.
 */
const BASE64_MARKERS = [0, 1, 2].map((pad) => {
  const enc = Buffer.from(`${"\0".repeat(pad)}${SECRET_PREFIX}`).toString("base64");
  const fixed = enc.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + SECRET_PREFIX.length)) / 6));
  return new RegExp(fixed.replace(/\+/g, "[+-]").replace(/\//g, "[/_]"));
});

/** %XX, \uXXXX and \xXX escapes decoded, three rounds deep (a value escaped twice still shows). */
function unescapeAll(token: string): string {
  let t = token;
  for (let i = 0; i < 3; i++) {
    const next = t
      .replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\x([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (next === t) break;
    t = next;
  }
  return t;
}

/** A whitespace-separated token that holds a secret key in an encoded form. */
function encodedSecret(token: string): boolean {
  if (/[%\\]/.test(token) && unescapeAll(token).toLowerCase().includes(SECRET_PREFIX)) return true;
  return token.length >= 10 && BASE64_MARKERS.some((re) => re.test(token));
}

/**
 * Replaces anything that looks like key material or a bearer token with a placeholder: secret keys as
 * they are, percent- or backslash-escaped (`sk%5Flive%5F…`) or base64-encoded, bearer and basic
 * credentials, and JWTs.
 */
export function redact(text: string): string {
  return text
    .split(/(\s+)/)
    .map((token) => (encodedSecret(token) ? "[redacted]" : token))
    .join("")
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

/** What to do next after an HTTP error answer, by status and server code. */
export function hintFor(status: number, code: string, notFoundHint?: string): string {
  if (status === 404 && notFoundHint) return notFoundHint;
  if (status === 401) {
    return 'check kataven:apiKey ("pulumi config set --secret kataven:apiKey sk_live_…" or KATAVEN_API_KEY): it is missing, revoked or belongs to another environment';
  }
  if (status === 403 && (code === "account_mismatch" || code === "forbidden")) {
    return "check that kataven:accountId (KATAVEN_ACCOUNT_ID) matches the account of kataven:apiKey";
  }
  if (code === "invalid_agent_id") return "check agentId: it must be an agent of this account";
  if (code === "invalid_allowlist_entry") return "check domainAllowlist";
  if (status === 404) return "";
  if (status === 429)
    return "the account's rate limit was still exceeded after waiting for Retry-After; run again later or with a lower --parallel";
  if (status >= 500) return "the Kataven API failed; retry later";
  return "";
}

/** The 404 hint of a call that names an agent: the agent, not the route, is what is missing. */
export function agentNotFoundHint(agentId: string | null | undefined) {
  return (code: string, detail: string): string | undefined => {
    if (isNoRoute(detail)) return noRouteHint();
    return typeof agentId === "string" && (code === "agent_not_found" || code === "not_found")
      ? `agent "${agentId}" does not exist in this account; check agentId`
      : undefined;
  };
}

/** Is a 404's detail the server saying the route itself does not exist (rather than a record)? */
export function isNoRoute(detail: string): boolean {
  return /^no route\b/.test(detail);
}

/** A 404 for the route itself: the base URL points somewhere other than the API root. */
export function noRouteHint(): string {
  return 'the API has no such route: check kataven:apiUrl, which should be the API base such as "https://api.kataven.ai" (a trailing /v1, /api/v1 or /hub-api/api/v1 is accepted)';
}

/** What to do after no HTTP answer at all. */
export const NETWORK_HINT = "check kataven:apiUrl and that the Kataven API is reachable";

/** What to do after a 2xx answer this version cannot read. */
export const RESPONSE_HINT = "the API and this provider version may be out of step";

export interface KatavenErrorInit {
  /** Stable, snake_case; branch on it (`err.code`), never on the message. */
  code: string;
  /** The HTTP call that failed; absent only for errors raised before any call (configuration). */
  method?: string;
  path?: string;
  /** What to do next; appended to the message as `; <hint>`. */
  hint?: string;
  attempts?: number;
  cause?: unknown;
}

/**
 * The base of every error this package throws on purpose: a stable `code`, the `method` and `path` of
 * the call, the attempts it took, and one way of saying what to do next (`hint`, the message's tail).
 */
export class KatavenError extends Error {
  readonly code: string;
  readonly method?: string;
  readonly path?: string;
  readonly attempts: number;
  readonly hint: string;

  constructor(message: string, init: KatavenErrorInit) {
    const hint = init.hint ?? "";
    super(`${message}${hint ? `; ${hint}` : ""}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 1;
    this.hint = hint;
  }
}

/** `POST /api/v1/widget-keys failed (after 3 attempts)`: the head of every call failure's message. */
function failedCall(method: string, path: string, attempts: number | undefined): string {
  return `${method} ${path} failed${attempts && attempts > 1 ? ` (after ${attempts} attempts)` : ""}`;
}

export interface KatavenApiErrorInit extends KatavenErrorInit {
  status: number;
  detail: string;
  method: string;
  path: string;
}

/** An HTTP error answer from the Kataven API; `code` is the server's. */
export class KatavenApiError extends KatavenError {
  readonly status: number;
  readonly detail: string;
  declare readonly method: string;
  declare readonly path: string;

  constructor(init: KatavenApiErrorInit) {
    const detail = redact(init.detail);
    super(`${failedCall(init.method, init.path, init.attempts)}: ${init.status} ${init.code}: ${detail}`, {
      ...init,
      hint: init.hint ?? hintFor(init.status, init.code),
    });
    this.status = init.status;
    this.detail = detail;
  }
}

/** No HTTP answer at all: timeout, connection refused or reset. */
export class KatavenNetworkError extends KatavenError {
  readonly reason: string;
  declare readonly method: string;
  declare readonly path: string;

  constructor(init: { code: string; method: string; path: string; reason: string; attempts?: number; cause?: unknown }) {
    const reason = redact(init.reason);
    super(`${failedCall(init.method, init.path, init.attempts)}: ${init.code}: ${reason}`, { ...init, hint: NETWORK_HINT });
    this.reason = reason;
  }
}

/** A 2xx answer whose body does not match the wire schema. */
export class KatavenResponseError extends KatavenError {
  declare readonly method: string;
  declare readonly path: string;

  constructor(method: string, path: string, problem: string) {
    super(`${method} ${path} returned an unexpected body: ${redact(problem)}`, {
      code: "unexpected_response",
      method,
      path,
      hint: RESPONSE_HINT,
    });
  }
}

/** Configuration is missing or invalid; raised before any call, so it has no method or path. */
export class KatavenConfigError extends KatavenError {
  constructor(message: string) {
    super(message, { code: "invalid_config" });
  }
}
