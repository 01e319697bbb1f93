/**
 * Budgets for the public widget routes, kept apart from the per-account management limits (ratelimit.ts):
 * public traffic never counts against the management API, so reading a pk_live_ key off a web page gives
 * no way to lock an account's API (issue 10, item 1). Fixed one-minute windows, O(1) per call:
 *   - per peer and Origin: every public call, refused ones included, counted before the body is read, so a
 *     flood from one peer and origin throttles only that peer and origin, cheaply;
 *   - per client key: only calls whose Origin passed the key's allowlist (or, for user-token, whose secret
 *     was verified), so foreign origins cannot spend the budget of a key's real visitors.
 */
import { HttpError } from "./errors";

export interface PublicLimits {
  /** calls per minute from one peer address with one Origin header value */
  perPeerOrigin: number;
  /** admitted calls per minute for one widget key (or account API key on user-token) */
  perKey: number;
}

export const DEFAULT_PUBLIC_LIMITS: Readonly<PublicLimits> = Object.freeze({ perPeerOrigin: 300, perKey: 3000 });

const WINDOW_MS = 60_000;
/** Origin values are cut to this length in bucket names, so a huge header cannot bloat the table. */
const ORIGIN_KEY_MAX = 300;

/** Reads "off", "peer=300,key=3000" (any subset) or "300,3000". */
export function parsePublicLimits(spec: string): PublicLimits | false {
  const s = spec.trim().toLowerCase();
  if (s === "off" || s === "false" || s === "none" || s === "0") return false;
  if (s === "" || s === "on" || s === "default") return { ...DEFAULT_PUBLIC_LIMITS };
  const num = (v: string, what: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`public rate limit ${what} "${v}" must be a positive integer`);
    return Number(v);
  };
  const parts = s.split(",").map((p) => p.trim());
  if (parts.every((p) => /^\d+$/.test(p))) {
    if (parts.length !== 2) throw new Error(`public rate limits "${spec}" must be two numbers: per-peer-and-origin,per-key (per minute)`);
    return { perPeerOrigin: num(parts[0], "peer"), perKey: num(parts[1], "key") };
  }
  const out: PublicLimits = { ...DEFAULT_PUBLIC_LIMITS };
  for (const p of parts) {
    const [k, v] = p.split("=");
    if (k === "peer" && v !== undefined) out.perPeerOrigin = num(v, "peer");
    else if (k === "key" && v !== undefined) out.perKey = num(v, "key");
    else throw new Error(`public rate limit "${p}" must look like peer=300 or key=3000`);
  }
  return out;
}

export function resolvePublicLimits(opt: Partial<PublicLimits> | false | undefined): PublicLimits | false {
  if (opt === false) return false;
  return { ...DEFAULT_PUBLIC_LIMITS, ...(opt ?? {}) };
}

class FixedWindow {
  private start = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly label: string,
  ) {}

  /** Counts one call for `bucket` or throws a 429 naming the budget. */
  take(bucket: string, now: number): void {
    if (now >= this.start + WINDOW_MS || now < this.start) {
      this.start = now - (now % WINDOW_MS);
      this.counts.clear();
    }
    const n = this.counts.get(bucket) ?? 0;
    if (n >= this.limit) {
      const retry = Math.max(1, Math.ceil((this.start + WINDOW_MS - now) / 1000));
      throw new HttpError(429, "rate_limited", `${this.label} (${this.limit} per minute) exceeded; retry after ${retry} s`, { "Retry-After": String(retry) });
    }
    this.counts.set(bucket, n + 1);
  }
}

export class PublicRateLimiter {
  private readonly peerOrigin: FixedWindow | null;
  private readonly key: FixedWindow | null;

  constructor(
    readonly limits: PublicLimits | false,
    private readonly now: () => number,
  ) {
    this.peerOrigin = limits ? new FixedWindow(limits.perPeerOrigin, "public widget calls from this address and origin") : null;
    this.key = limits ? new FixedWindow(limits.perKey, "public widget calls for this key") : null;
  }

  /** Every public call, before its body is read. */
  takePeer(peer: string, originHeader: string | undefined): void {
    this.peerOrigin?.take(`${peer} ${(originHeader ?? "-").slice(0, ORIGIN_KEY_MAX)}`, this.now());
  }

  /** A call admitted for a key (its Origin passed, or its secret was verified). */
  takeKey(keyId: string): void {
    this.key?.take(keyId, this.now());
  }
}
