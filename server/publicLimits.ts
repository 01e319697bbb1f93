/**
 * Budgets for the public widget routes, kept apart from the per-account management limits (ratelimit.ts):
 * public traffic never counts against the management API, so reading a pk_live_ key off a web page gives
 * no way to lock an account's API. Fixed one-minute windows, O(1) per call, three tables:
 *   - per peer address (an IPv6 peer by its /64): every public call, refused ones included, counted
 *     before the body is read. Headers are not part of the bucket name, so changing the Origin (or any
 *     other header) from call to call gives no fresh budget;
 *   - per client key: only calls whose Origin passed the key's allowlist (or, for user-token, whose secret
 *     was verified), so foreign origins cannot spend the budget of a key's real visitors;
 *   - per client key and peer, its share: one address may spend at most `perPeerKey` of a key's calls
 *     (default a tenth of `perKey`), so using up a key's budget takes at least ten addresses. A call is
 *     charged to the key and to the share only when both have room (a refused call costs the key nothing).
 * Each table holds at most TABLE_MAX buckets: past that the least recently used one is dropped, so a flood
 * of new addresses costs bounded memory (dropping a bucket only forgets calls of the current minute).
 */
import { HttpError } from "./errors";

export interface PublicLimits {
  /** calls per minute from one peer address (IPv6: one /64) */
  perPeer: number;
  /** admitted calls per minute for one widget key (or account API key on user-token) */
  perKey: number;
  /** admitted calls per minute for one key from one peer; default ceil(perKey / 10) */
  perPeerKey?: number;
}

export const DEFAULT_PUBLIC_LIMITS: Readonly<PublicLimits> = Object.freeze({ perPeer: 300, perKey: 3000 });

/** A peer's default share of a key's budget: a tenth of it. */
export const KEY_SHARE_DIVISOR = 10;
const WINDOW_MS = 60_000;
/** Buckets per table (least recently used dropped past it): a few MB at most. */
export const TABLE_MAX = 20_000;

/** Reads "off", "peer=300,key=3000[,peerkey=300]" (any subset) or "300,3000". */
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
    if (parts.length !== 2) throw new Error(`public rate limits "${spec}" must be two numbers: per-peer,per-key (per minute)`);
    return { perPeer: num(parts[0], "peer"), perKey: num(parts[1], "key") };
  }
  const out: PublicLimits = { ...DEFAULT_PUBLIC_LIMITS };
  for (const p of parts) {
    const [k, v] = p.split("=");
    if (k === "peer" && v !== undefined) out.perPeer = num(v, "peer");
    else if (k === "key" && v !== undefined) out.perKey = num(v, "key");
    else if (k === "peerkey" && v !== undefined) out.perPeerKey = num(v, "peerkey");
    else throw new Error(`public rate limit "${p}" must look like peer=300, key=3000 or peerkey=300`);
  }
  return out;
}

export function resolvePublicLimits(opt: Partial<PublicLimits> | false | undefined): PublicLimits | false {
  if (opt === false) return false;
  return { ...DEFAULT_PUBLIC_LIMITS, ...(opt ?? {}) };
}

/** The bucket name of a peer address: IPv4 as is (also when IPv4-mapped), IPv6 cut to its /64. */
export function peerBucket(address: string): string {
  if (!address.includes(":")) return address;
  const a = address.replace(/%.*$/, "").toLowerCase();
  if (a.startsWith("::ffff:") && a.includes(".")) return a.slice(7);
  const [head, tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

class FixedWindow {
  private start = 0;
  /** bucket → calls this window, in least-recently-used order */
  private readonly counts = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly label: string,
  ) {}

  get size(): number {
    return this.counts.size;
  }

  /** Calls so far for `bucket` in the window of `now`. */
  count(bucket: string, now: number): number {
    if (now >= this.start + WINDOW_MS || now < this.start) {
      this.start = now - (now % WINDOW_MS);
      this.counts.clear();
    }
    return this.counts.get(bucket) ?? 0;
  }

  /** The 429 naming this budget. */
  refusal(now: number, extra = ""): HttpError {
    const retry = Math.max(1, Math.ceil((this.start + WINDOW_MS - now) / 1000));
    return new HttpError(429, "rate_limited", `${this.label} (${this.limit} per minute${extra}) exceeded; retry after ${retry} s`, {
      "Retry-After": String(retry),
    });
  }

  /** Counts one call (after count() in the same window). */
  add(bucket: string, n: number): void {
    this.counts.delete(bucket);
    if (this.counts.size >= TABLE_MAX) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(bucket, n + 1);
  }

  /** Counts one call for `bucket` or throws a 429 naming the budget. */
  take(bucket: string, now: number): void {
    const n = this.count(bucket, now);
    if (n >= this.limit) throw this.refusal(now);
    this.add(bucket, n);
  }
}

export class PublicRateLimiter {
  private readonly peer: FixedWindow | null;
  private readonly key: FixedWindow | null;
  private readonly peerKey: FixedWindow | null;

  constructor(
    readonly limits: PublicLimits | false,
    private readonly now: () => number,
  ) {
    this.peer = limits ? new FixedWindow(limits.perPeer, "public widget calls from this address") : null;
    this.key = limits ? new FixedWindow(limits.perKey, "public widget calls for this key") : null;
    const share = limits ? (limits.perPeerKey ?? Math.ceil(limits.perKey / KEY_SHARE_DIVISOR)) : 0;
    this.peerKey = limits ? new FixedWindow(share, "public widget calls for this key from this address") : null;
  }

  /** Every public call, before its body is read. */
  takePeer(peer: string): void {
    this.peer?.take(peerBucket(peer), this.now());
  }

  /** A call admitted for a key (its Origin passed, or its secret was verified): charged to the key and the peer's share only when both have room. */
  takeKey(keyId: string, peer: string): void {
    if (!this.key || !this.peerKey) return;
    const now = this.now();
    const pair = `${keyId} ${peerBucket(peer)}`;
    const all = this.key.count(keyId, now);
    if (all >= this.key.limit) throw this.key.refusal(now);
    const mine = this.peerKey.count(pair, now);
    if (mine >= this.peerKey.limit) throw this.peerKey.refusal(now, `, this address's share of the key's ${this.key.limit}`);
    this.peerKey.add(pair, mine);
    this.key.add(keyId, all);
  }

  /** Buckets held per table (they stay at most TABLE_MAX each). */
  tableSizes(): { peer: number; key: number; peerKey: number } {
    return { peer: this.peer?.size ?? 0, key: this.key?.size ?? 0, peerKey: this.peerKey?.size ?? 0 };
  }
}
