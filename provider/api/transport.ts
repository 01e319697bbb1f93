/**
 * The transport under the Kataven REST client: an undici keep-alive Pool per origin, a per-request
 * timeout, Bearer auth and `X-Account-ID`; at most 20 requests in flight per account (the documented
 * concurrency limit); and the retry policy. 429 waits `Retry-After` (capped, bounded) for every method,
 * because the request was refused before it was handled. Idempotent calls (GET/PATCH/DELETE) also retry
 * 5xx, timeouts, resets and unreadable 2xx bodies with jittered exponential backoff; POST never does (see
 * ./orphanSafeCreate.ts). Before that, every request waits for a slot under the account's rate limits
 * (./pacing.ts), so a large `up` paces itself instead of running into 429s. The only log line is the
 * pacing progress; no message carries the API key or the Authorization header.
 */
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Pool } from "undici";
import type { z } from "zod";
import { issuePath } from "../../contract/wire";
import type { KatavenConfig } from "../config";
import { info, retrying } from "../log";
import { DOCUMENTED_PACING, pacerFor } from "./pacing";
import { requestTimeout } from "../deadline";
import { hintFor, isNoRoute, KatavenApiError, KatavenError, KatavenNetworkError, KatavenResponseError, noRouteHint, parseErrorBody } from "./errors";

// ---- Retry-After and backoff ---------------------------------------------------------------------------

/**
 * Milliseconds to wait for a `Retry-After` value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable; never negative; capped at `capMs`.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, capMs: number, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  if (t === "") return undefined;
  let ms: number;
  if (/^\d+$/.test(t)) ms = Number(t) * 1000;
  else if (/^\d+\.\d+$/.test(t)) ms = Math.ceil(Number(t) * 1000);
  else {
    const at = Date.parse(t);
    if (Number.isNaN(at) || !/[a-z]/i.test(t)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), capMs);
}

/** Full-jitter exponential backoff: random in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffMs(attempt: number, baseMs: number, capMs = 10_000, rand: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + rand() * (ceiling / 2));
}

export const sleep = (ms: number): Promise<void> => delay(ms);

// ---- per-account in-flight cap -------------------------------------------------------------------------

export const MAX_IN_FLIGHT_PER_ACCOUNT = 20;

class Semaphore {
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

const semaphores = new Map<string, Semaphore>();
const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let p = pools.get(origin);
  if (!p) {
    // undici is loaded on the first request: a no-change preview, and a program that only declares
    // resources, never pay for loading it (about 50 ms per process).
    const { Pool } = require("undici") as typeof import("undici");
    p = new Pool(origin, { connections: MAX_IN_FLIGHT_PER_ACCOUNT, keepAliveTimeout: 10_000, pipelining: 1 });
    pools.set(origin, p);
  }
  return p;
}

/** Closes the keep-alive pools (tests; a provider process just exits). */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
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
  idempotent: boolean;
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

  constructor(private readonly cfg: KatavenConfig & { apiKey: string }) {
    const u = new URL(cfg.apiUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, "");
    this.timeoutMs = cfg.timeoutMs ?? 15_000;
    this.maxAttempts = cfg.maxAttempts ?? 4;
    this.retryAfterCapMs = cfg.retryAfterCapMs ?? 60_000;
    this.maxRateLimitRetries = cfg.maxRateLimitRetries ?? 8;
    this.backoffBaseMs = cfg.backoffBaseMs ?? 250;
    this.accountKey = accountKeyOf(cfg);
  }

  /** Requests of this account currently on the wire (for tests). */
  get inFlight(): number {
    return semaphores.get(this.accountKey)?.inFlight ?? 0;
  }

  private semaphore(): Semaphore {
    let s = semaphores.get(this.accountKey);
    if (!s) {
      s = new Semaphore(MAX_IN_FLIGHT_PER_ACCOUNT);
      semaphores.set(this.accountKey, s);
    }
    return s;
  }

  private pacer() {
    return pacerFor(this.accountKey, this.cfg.pacing ?? DOCUMENTED_PACING, info);
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
    const releasePacing = await this.pacer().acquire();
    const sem = this.semaphore();
    await sem.acquire();
    let timeoutMs = this.timeoutMs;
    let refused = false;
    try {
      // Shortened by the operation's deadline, if any (./deadline.ts: a native resource's customTimeouts).
      timeoutMs = requestTimeout(method, path, this.timeoutMs);
      const res = await poolFor(this.origin).request({
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
      refused = res.statusCode === 429;
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
   * A call with the retry policy; returns the body parsed by `schema`. A 429 is waited out and does not
   * count as an attempt; every other failure (no answer, 5xx, a 2xx body that is not JSON or does not
   * match the schema) is retried by one rule: idempotent calls only, up to `maxAttempts`, with backoff.
   * A 4xx other than 429 is never retried.
   */
  async call<S extends z.ZodType>(method: string, path: string, opts: CallOptions<S>): Promise<z.infer<S>> {
    let attempt = 0;
    let rateLimited = 0;
    const startedAt = Date.now();
    for (;;) {
      attempt++;
      let failure: Error;
      try {
        const res = await this.send(method, path, opts.body);
        if (res.status === 429) {
          if (rateLimited < this.maxRateLimitRetries) {
            rateLimited++;
            attempt--;
            const wait = parseRetryAfter(res.headers["retry-after"], this.retryAfterCapMs) ?? backoffMs(rateLimited, 1_000, this.retryAfterCapMs);
            retrying(`${method} ${path}`, attempt + rateLimited, startedAt, `429, rate limited; waiting ${Math.ceil(wait / 1000)} s`);
            // The whole account waits (the next send's pacing slot): its other requests would be refused too.
            this.pacer().pauseFor(wait + Math.round(Math.random() * 100));
            continue;
          }
          throw this.apiError(method, path, res, opts, attempt + rateLimited);
        }
        if (res.status < 200 || res.status >= 300) {
          const err = this.apiError(method, path, res, opts, attempt + rateLimited);
          if (res.status < 500) throw err;
          failure = err;
        } else {
          const parsed = parseBody(res.text, opts.schema);
          if (parsed.ok) return parsed.data;
          failure = new KatavenResponseError(method, path, parsed.problem);
        }
      } catch (err) {
        if (!(err instanceof KatavenNetworkError)) throw err;
        failure = err;
      }
      if (opts.idempotent && attempt < this.maxAttempts) {
        retrying(`${method} ${path}`, attempt + rateLimited, startedAt, failure.message);
        await sleep(backoffMs(attempt, this.backoffBaseMs));
        continue;
      }
      if (failure instanceof KatavenNetworkError && attempt > 1) {
        throw new KatavenNetworkError({ code: failure.code, method, path, reason: failure.reason, attempts: attempt, cause: failure.cause });
      }
      throw failure;
    }
  }

  private apiError(method: string, path: string, res: RawResponse, opts: CallOptions<z.ZodType>, attempts: number): KatavenApiError {
    const { code, detail } = parseErrorBody(res.text);
    const notFound = res.status === 404 ? (opts.notFoundHint?.(code, detail) ?? (isNoRoute(detail) ? noRouteHint() : undefined)) : undefined;
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
