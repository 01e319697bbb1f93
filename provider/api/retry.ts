/**
 * The one retry policy of the API client, written as data, and the one loop that applies it (after
 * undici's RetryHandler). The transport retries every call by it, the orphan-safe create retries POST by
 * it (./orphanSafeCreate.ts), and the orphan check keeps listing by it until decided (./decide.ts).
 */
import { setTimeout as delay } from "node:timers/promises";
import { retrying } from "../log";
import { KatavenApiError, KatavenNetworkError, KatavenResponseError } from "./errors";

export interface RetryPolicy {
  /** Methods the API applies idempotently: their failed attempts may be sent again. POST is not one. */
  readonly methods: readonly string[];
  /** Answers (inclusive range) worth another attempt of such a method; every other 4xx is final. */
  readonly statusRange: readonly [number, number];
  /** Refusals waited out for every method (the request was not handled), honouring `Retry-After`. */
  readonly rateLimitStatus: number;
  /** Network failures before the request reached the server: retried for every method, POST too. */
  readonly neverSentCodes: readonly string[];
  /** ...and codes with these prefixes (TLS and certificate failures come before the request is written). */
  readonly neverSentPrefixes: readonly string[];
  /** Backoff: min(maxTimeoutMs, minTimeoutMs · timeoutFactor^(n-1)), jittered into its upper half. */
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly timeoutFactor: number;
  /** Backoff base for a 429 without a readable `Retry-After`. */
  readonly rateLimitMinTimeoutMs: number;
  /** Attempts (default of kataven:maxAttempts), waits honoured from `Retry-After`, 429s waited out. */
  readonly maxAttempts: number;
  readonly retryAfterCapMs: number;
  readonly maxRateLimitRetries: number;
}

export const RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  methods: ["GET", "PATCH", "DELETE"],
  statusRange: [500, 599],
  rateLimitStatus: 429,
  neverSentCodes: [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_NONAME",
    "EAI_FAIL",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EADDRNOTAVAIL",
    "UND_ERR_CONNECT_TIMEOUT",
  ],
  neverSentPrefixes: ["ERR_TLS_", "ERR_SSL_", "CERT_", "UNABLE_TO_", "DEPTH_ZERO_", "SELF_SIGNED_"],
  minTimeoutMs: 250,
  maxTimeoutMs: 10_000,
  timeoutFactor: 2,
  rateLimitMinTimeoutMs: 1_000,
  maxAttempts: 4,
  retryAfterCapMs: 60_000,
  maxRateLimitRetries: 8,
} as const);

/** True when the request never reached the server, so it can't have been applied (any method may retry it). */
export function neverSent(err: unknown, policy: RetryPolicy = RETRY_POLICY): boolean {
  if (!(err instanceof KatavenNetworkError)) return false;
  return policy.neverSentCodes.includes(err.code) || policy.neverSentPrefixes.some((p) => err.code.startsWith(p));
}

/**
 * Is `err` worth another attempt of `method`: for the idempotent methods, no answer, an answer in
 * `statusRange`, or a 2xx body this version cannot read. (429 has its own rule; POST: ./orphanSafeCreate.ts.)
 */
export function retryableFailure(method: string, err: unknown, policy: RetryPolicy = RETRY_POLICY): boolean {
  if (!policy.methods.includes(method)) return false;
  if (err instanceof KatavenNetworkError || err instanceof KatavenResponseError) return true;
  return err instanceof KatavenApiError && err.status >= policy.statusRange[0] && err.status <= policy.statusRange[1];
}

/** The backoff formula: full jitter over the upper half of min(cap, base·factor^(n-1)). */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number = RETRY_POLICY.maxTimeoutMs,
  rand: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * RETRY_POLICY.timeoutFactor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + rand() * (ceiling / 2));
}

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

export const sleep = (ms: number): Promise<void> => delay(ms);

/** Where a retried call stands: `attempt` counts the tries that use up an attempt, `tries` all of them. */
export interface RetryState {
  attempt: number;
  tries: number;
  readonly startedAt: number;
}

/** Another try, after `waitMs`. */
export interface RetryDecision {
  waitMs: number;
  /** false for a refusal that does not use up an attempt (a 429) */
  counts?: boolean;
  /** the engine-log notice's reason; the error's message by default */
  reason?: string;
  /** how to wait; a sleep by default */
  wait?: (ms: number) => void | Promise<void>;
}

/**
 * The one retry loop: runs `attempt` until it succeeds or `decide` (given the failure) returns no further
 * try, then throws that failure. With `what`, a long-running call reports each retry in the engine log
 * (../log.ts `retrying`).
 */
export async function retryLoop<T>(
  what: string | undefined,
  attempt: (s: RetryState) => Promise<T>,
  decide: (err: unknown, s: RetryState) => RetryDecision | undefined | Promise<RetryDecision | undefined>,
): Promise<T> {
  const s: RetryState = { attempt: 1, tries: 1, startedAt: Date.now() };
  for (;;) {
    try {
      return await attempt(s);
    } catch (err) {
      const next = await decide(err, s);
      if (!next) throw err;
      if (what !== undefined) retrying(what, s.tries, s.startedAt, next.reason ?? (err instanceof Error ? err.message : String(err)));
      await (next.wait ?? sleep)(next.waitMs);
      s.tries++;
      if (next.counts !== false) s.attempt++;
    }
  }
}
