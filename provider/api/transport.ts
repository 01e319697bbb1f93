/**
 * The transport under the Kataven REST client: an undici keep-alive Pool per session, a per-request
 * timeout, Bearer auth and `X-Account-ID`; at most 20 requests in flight per account (the documented
 * concurrency limit); and the retry policy of ./retry.ts (POST is retried by ./orphanSafeCreate.ts).
 * Before that, every request waits for a slot under the account's rate limits (./pacing.ts), so a large
 * `up` paces itself instead of running into 429s. No message carries the API key or the Authorization header.
 */
import { createHash } from "node:crypto";
import type { Pool } from "undici";
import type { z } from "zod";
import { DOCUMENTED_RATE_LIMITS } from "../../contract/rateLimits";
import { issuePath } from "../../contract/wire";
import type { KatavenConfig } from "../config";
import { requestTimeout } from "../deadline";
import {
  hintFor,
  isNoRoute,
  KatavenApiError,
  KatavenError,
  KatavenNetworkError,
  KatavenResponseError,
  noRouteHint,
  parseErrorBody,
} from "./errors";
import { backoffMs, parseRetryAfter, RETRY_POLICY, retryableFailure, retryLoop } from "./retry";
import type { AccountState } from "./session";

// ---- per-account in-flight cap -------------------------------------------------------------------------

export const MAX_IN_FLIGHT_PER_ACCOUNT = DOCUMENTED_RATE_LIMITS.concurrent;

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
  get inFlight(): number {
    return this.active;
  }
}

/**
 * A stable, non-reversible key for "this account at this API": the account id when configured, else the
 * account slug encoded in `sk_live_<account>_<random>`, else a hash of the API key.
 */
export function accountKeyOf(cfg: Pick<KatavenConfig, "apiUrl" | "apiKey" | "accountId">): string {
  let account = cfg.accountId;
  if (!account && cfg.apiKey) {
    const m = /^sk_live_(.+)_[A-Za-z0-9]+$/.exec(cfg.apiKey);
    account = m ? m[1] : `key-${createHash("sha256").update(cfg.apiKey).digest("hex").slice(0, 16)}`;
  }
  return `${cfg.apiUrl}|${account ?? "?"}`;
}

// ---- calls with the retry policy -----------------------------------------------------------------------

export interface CallOptions<S extends z.ZodType> {
  body?: unknown;
  schema: S;
  /** What to do on a 404, given the server's code. */
  notFoundHint?: (code: string, detail: string) => string | undefined;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export class Transport {
  readonly accountKey: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly retryAfterCapMs: number;
  private readonly maxRateLimitRetries: number;
  private pool?: Pool;

  constructor(
    private readonly cfg: KatavenConfig & { apiKey: string },
    private readonly account: AccountState,
  ) {
    const u = new URL(cfg.apiUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, "");
    this.timeoutMs = cfg.timeoutMs ?? 15_000;
    this.maxAttempts = cfg.maxAttempts ?? RETRY_POLICY.maxAttempts;
    this.retryAfterCapMs = cfg.retryAfterCapMs ?? RETRY_POLICY.retryAfterCapMs;
    this.maxRateLimitRetries = cfg.maxRateLimitRetries ?? RETRY_POLICY.maxRateLimitRetries;
    this.backoffBaseMs = cfg.backoffBaseMs ?? RETRY_POLICY.minTimeoutMs;
    this.accountKey = account.key;
  }

  /** Requests of this account currently on the wire (for tests). */
  get inFlight(): number {
    return this.account.inFlight.inFlight;
  }

  private connections(): Pool {
    if (!this.pool) {
      // undici is loaded on the first request: a no-change preview, and a program that only declares
      // resources, never pay for loading it (about 50 ms per process).
      const { Pool } = require("undici") as typeof import("undici");
      this.pool = new Pool(this.origin, { connections: MAX_IN_FLIGHT_PER_ACCOUNT, keepAliveTimeout: 10_000, pipelining: 1 });
    }
    return this.pool;
  }

  /** Closes the keep-alive connections (tests; a provider process just exits). */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    await p?.close().catch(() => undefined);
  }

  /** One attempt on the wire. Throws KatavenNetworkError when no HTTP answer arrived. */
  private async send(method: string, path: string, body: unknown): Promise<RawResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.cfg.apiKey}`,
      accept: "application/json, text/plain",
      "user-agent": "pulumi-kataven-widget",
    };
    if (this.cfg.accountId) headers["x-account-id"] = this.cfg.accountId;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    // A slot in every rate-limit window first (./pacing.ts), then one of the 20 in-flight places.
    const releasePacing = await this.account.pacer.acquire();
    const sem = this.account.inFlight;
    await sem.acquire();
    let timeoutMs = this.timeoutMs;
    let refused = false;
    try {
      // Shortened by the operation's deadline, if any (../deadline.ts: a native resource's customTimeouts).
      timeoutMs = requestTimeout(method, path, this.timeoutMs);
      const res = await this.connections().request({
        origin: this.origin,
        path: `${this.basePath}${path}`,
        method: method as "GET",
        headers,
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      refused = res.statusCode === RETRY_POLICY.rateLimitStatus;
      return { status: res.statusCode, headers: res.headers as RawResponse["headers"], text };
    } catch (err) {
      if (err instanceof KatavenError) throw err;
      throw networkError(method, path, err, timeoutMs, this.origin);
    } finally {
      sem.release();
      releasePacing(refused);
    }
  }

  /**
   * A call under the retry policy (./retry.ts); returns the body parsed by `schema`. A 429 is waited out
   * by the whole account and does not use up an attempt; every other retryable failure (no answer, 5xx, a
   * 2xx body that is not JSON or does not match the schema) is retried for idempotent methods only, up to
   * `maxAttempts`, with backoff. A 4xx other than 429 is never retried.
   */
  async call<S extends z.ZodType>(method: string, path: string, opts: CallOptions<S>): Promise<z.infer<S>> {
    let retryAfter: string | string[] | undefined;
    let rateLimited = 0;
    let attempts = 1;
    try {
      return await retryLoop(
        `${method} ${path}`,
        async ({ attempt, tries }) => {
          attempts = attempt;
          const res = await this.send(method, path, opts.body);
          if (res.status < 200 || res.status >= 300) {
            retryAfter = res.headers["retry-after"];
            throw this.apiError(method, path, res, opts, tries);
          }
          const parsed = parseBody(res.text, opts.schema);
          if (!parsed.ok) throw new KatavenResponseError(method, path, parsed.problem);
          return parsed.data;
        },
        (err, { attempt }) => {
          if (err instanceof KatavenApiError && err.status === RETRY_POLICY.rateLimitStatus) {
            if (rateLimited >= this.maxRateLimitRetries) return undefined;
            rateLimited++;
            const wait =
              parseRetryAfter(retryAfter, this.retryAfterCapMs) ??
              backoffMs(rateLimited, RETRY_POLICY.rateLimitMinTimeoutMs, this.retryAfterCapMs);
            return {
              waitMs: wait,
              counts: false,
              reason: `429, rate limited; waiting ${Math.ceil(wait / 1000)} s`,
              // The whole account waits (the next send's pacing slot): its other requests would be refused too.
              wait: (ms) => this.account.pacer.pauseFor(ms + Math.round(Math.random() * 100)),
            };
          }
          if (!retryableFailure(method, err) || attempt >= this.maxAttempts) return undefined;
          return { waitMs: backoffMs(attempt, this.backoffBaseMs) };
        },
      );
    } catch (err) {
      // A network failure after several attempts says how many it took.
      if (err instanceof KatavenNetworkError && attempts > 1) {
        throw new KatavenNetworkError({ code: err.code, method, path, reason: err.reason, attempts, cause: err.cause });
      }
      throw err;
    }
  }

  private apiError(method: string, path: string, res: RawResponse, opts: CallOptions<z.ZodType>, attempts: number): KatavenApiError {
    const { code, detail } = parseErrorBody(res.text);
    const notFound =
      res.status === 404 ? (opts.notFoundHint?.(code, detail) ?? (isNoRoute(detail) ? noRouteHint() : undefined)) : undefined;
    return new KatavenApiError({ status: res.status, code, detail, method, path, attempts, hint: hintFor(res.status, code, notFound) });
  }
}

/** A 2xx body parsed by `schema`, or what is wrong with it. */
function parseBody<S extends z.ZodType>(text: string, schema: S): { ok: true; data: z.infer<S> } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    return { ok: false, problem: "the body is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: `${issuePath(first.path) || "body"}: ${first.message}` };
}

function networkError(method: string, path: string, err: unknown, timeoutMs: number, origin: string): KatavenNetworkError {
  const e = err as { name?: string; code?: string; message?: string };
  let code = e?.code ?? e?.name ?? "network_error";
  let reason: string;
  if (e?.name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || e?.name === "AbortError") {
    code = "timeout";
    reason = `no answer from ${origin} within ${timeoutMs} ms`;
  } else if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
    reason = `the connection to ${origin} was reset`;
  } else if (code === "ECONNREFUSED") {
    reason = `could not connect to ${origin}: the connection was refused (is the API running at that address?)`;
  } else if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") {
    reason = `could not resolve the host of ${origin} (DNS lookup failed)`;
  } else if (code === "UND_ERR_CONNECT_TIMEOUT") {
    reason = `could not connect to ${origin} within the connect timeout`;
  } else {
    reason = `${origin}: ${e?.message ?? String(err)}`;
  }
  return new KatavenNetworkError({ code, method, path, reason, cause: err });
}
