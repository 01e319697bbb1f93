/**
 * Per-account rate limits (contract/rateLimits.ts): 60/min, 1,000/h, 10,000/day and 20 in flight, as
 * sliding windows over the requests admitted so far (refused requests do not count).
 * Exceeding one gives 429 `rate_limited: per-minute (60) exceeded` with `Retry-After` in whole seconds:
 * the time until enough earlier requests leave the window (for the concurrency limit, 1).
 */
import { DOCUMENTED_RATE_LIMITS } from "../contract/rateLimits";
import { HttpError } from "./errors";

export interface RateLimits {
  perMinute: number;
  perHour: number;
  perDay: number;
  concurrent: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = DOCUMENTED_RATE_LIMITS;

const WINDOWS = [
  { field: "perMinute", label: "per-minute", ms: 60_000 },
  { field: "perHour", label: "per-hour", ms: 3_600_000 },
  { field: "perDay", label: "per-day", ms: 86_400_000 },
] as const;

/**
 * Reads a limit spec: "off", four numbers "60,1000,10000,20" (minute, hour, day, concurrent), or
 * "minute=60,hour=1000,day=10000,concurrent=20" (any subset; the rest keep their defaults).
 */
export function parseRateLimits(spec: string): RateLimits | false {
  const s = spec.trim().toLowerCase();
  if (s === "off" || s === "false" || s === "0" || s === "none") return false;
  if (s === "on" || s === "default" || s === "") return { ...DEFAULT_RATE_LIMITS };
  const parts = s.split(",").map((p) => p.trim());
  const num = (v: string, what: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`rate limit ${what} "${v}" must be a positive integer`);
    return Number(v);
  };
  if (parts.every((p) => /^\d+$/.test(p))) {
    if (parts.length !== 4) throw new Error(`rate limits "${spec}" must be four numbers: per-minute,per-hour,per-day,concurrent`);
    return {
      perMinute: num(parts[0], "per-minute"),
      perHour: num(parts[1], "per-hour"),
      perDay: num(parts[2], "per-day"),
      concurrent: num(parts[3], "concurrent"),
    };
  }
  const out: RateLimits = { ...DEFAULT_RATE_LIMITS };
  const names: Record<string, keyof RateLimits> = { minute: "perMinute", hour: "perHour", day: "perDay", concurrent: "concurrent" };
  for (const p of parts) {
    const [k, v] = p.split("=");
    const field = names[k?.replace(/^per-?/, "") ?? ""];
    if (!field || v === undefined) throw new Error(`rate limit "${p}" must look like minute=60, hour=1000, day=10000 or concurrent=20`);
    out[field] = num(v, k);
  }
  return out;
}

/** Resolves the createApp/CLI option: undefined = documented defaults, false = off, partial = merged. */
export function resolveRateLimits(opt: Partial<RateLimits> | false | undefined): RateLimits | false {
  if (opt === false) return false;
  return { ...DEFAULT_RATE_LIMITS, ...(opt ?? {}) };
}

interface Bucket {
  /** admission times (ms), ascending, at most one day old */
  times: number[];
  inFlight: number;
}

/** First index in sorted `a` whose value is > x. */
function upperBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Accounts tracked at most (least recently used idle ones dropped past it), so the table stays bounded. */
export const ACCOUNTS_MAX = 10_000;

export class RateLimiter {
  /** account → bucket, in least-recently-used order */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: RateLimits | false,
    private readonly now: () => number,
  ) {}

  /** Admits one request for the account or throws a 429; call the returned function when it finishes. */
  acquire(account: string): () => void {
    const limits = this.limits;
    if (!limits) return () => {};
    const now = this.now();
    let b = this.buckets.get(account);
    if (b) this.buckets.delete(account);
    else {
      b = { times: [], inFlight: 0 };
      for (const [name, old] of this.buckets) {
        if (this.buckets.size < ACCOUNTS_MAX) break;
        if (old.inFlight === 0) this.buckets.delete(name);
      }
    }
    this.buckets.set(account, b);
    const dayStart = upperBound(b.times, now - 86_400_000);
    if (dayStart > 0) b.times.splice(0, dayStart);

    let worst: { label: string; limit: number; retryMs: number } | null = null;
    for (const w of WINDOWS) {
      const limit = limits[w.field];
      const start = upperBound(b.times, now - w.ms);
      const count = b.times.length - start;
      if (count >= limit) {
        // the request at start + (count - limit) must leave the window before one more fits
        const retryMs = b.times[start + (count - limit)] + w.ms - now;
        if (!worst || retryMs > worst.retryMs) worst = { label: w.label, limit, retryMs };
      }
    }
    if (worst) {
      const retry = Math.max(1, Math.ceil(worst.retryMs / 1000));
      throw new HttpError(429, "rate_limited", `${worst.label} (${worst.limit}) exceeded`, { "Retry-After": String(retry) });
    }
    if (b.inFlight >= limits.concurrent) {
      throw new HttpError(429, "rate_limited", `concurrent (${limits.concurrent}) exceeded`, { "Retry-After": "1" });
    }
    // an injected clock may step backwards: keep the log sorted
    b.times.splice(upperBound(b.times, now), 0, now);
    b.inFlight++;
    let released = false;
    const bucket = b;
    return () => {
      if (!released) {
        released = true;
        bucket.inFlight--;
      }
    };
  }

  /** Accounts tracked (at most ACCOUNTS_MAX). */
  get size(): number {
    return this.buckets.size;
  }

  reset(): void {
    this.buckets.clear();
  }
}
