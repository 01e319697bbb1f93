/**
 * Proactive pacing under Kataven's per-account rate limits (contract/rateLimits.ts: 60 requests a minute,
 * 1,000 an hour, 10,000 a day, measured by the API as sliding windows over admitted requests).
 * Instead of running into 429s and waiting, every request first takes a slot in each window; a slot is
 * given back one window after its request finished (the API admitted it no later than that), so the provider
 * never sends more than the limit in any window. One pacer per account, shared by every resource of the
 * provider process; the windows start empty with each `pulumi` command (a process knows nothing of earlier
 * runs, so a 429 can still come after several runs in a row, and the client then honours Retry-After).
 */

import { setTimeout as delay } from "node:timers/promises";
import { DOCUMENTED_RATE_LIMITS } from "../../contract/rateLimits";

export interface PacingLimits {
  /** requests per minute; 0 turns this window off */
  perMinute: number;
  perHour: number;
  perDay: number;
}

/** The documented hosted limits: the default. */
export const DOCUMENTED_PACING: Readonly<PacingLimits> = Object.freeze({
  perMinute: DOCUMENTED_RATE_LIMITS.perMinute,
  perHour: DOCUMENTED_RATE_LIMITS.perHour,
  perDay: DOCUMENTED_RATE_LIMITS.perDay,
});

const WINDOWS = [
  { field: "perMinute", label: "min", ms: 60_000 },
  { field: "perHour", label: "h", ms: 3_600_000 },
  { field: "perDay", label: "day", ms: 86_400_000 },
] as const;

export interface PacingProgress {
  /** requests waiting for a slot, this one included */
  queued: number;
  /** requests sent so far by this process */
  sent: number;
  /** the window that makes them wait, e.g. "60/min" */
  limit: string;
  /** how long until the last of them can be sent, in ms, as the requests in the windows expire */
  etaMs: number;
}

export interface PacerOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** called when requests have to wait, at most every `progressEveryMs` */
  onProgress?: (p: PacingProgress) => void;
  progressEveryMs?: number;
}

interface Slot {
  /** when the request finished (or started, while it is in flight): the slot frees one window later */
  at: number;
}

export class Pacer {
  private readonly slots: Slot[] = [];
  private queued = 0;
  private sent = 0;
  private lastProgress = -Infinity;
  private tail: Promise<void> = Promise.resolve();
  /** no request goes before this instant (the API said so with a 429's Retry-After) */
  private pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly limits: PacingLimits,
    private readonly opts: PacerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => delay(ms));
  }

  /**
   * Waits for a slot in every window (in arrival order) and takes it; call the returned function when the
   * request has finished, with `refused` true when the API refused it with a 429: a refused request was
   * not admitted, so it gives its slot back instead of holding it for a window.
   */
  async acquire(): Promise<(refused?: boolean) => void> {
    this.queued++;
    const turn = this.tail.then(() => this.waitForSlot());
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    const slot = await turn;
    this.queued--;
    this.sent++;
    return (refused = false) => {
      if (refused) {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
      } else slot.at = Math.max(slot.at, this.now());
    };
  }

  /** Holds every request of the account for `ms` (a 429's Retry-After: the API's own word on when to come back). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitForSlot(): Promise<Slot> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.prune(now);
      const wait = this.waitMs(now);
      if (wait.ms <= 0) {
        const slot = { at: now };
        this.slots.push(slot);
        return slot;
      }
      this.report(now, wait.limit);
      await this.sleep(wait.ms);
    }
  }

  /** How long until every window has room, and which window decides it. */
  private waitMs(now: number): { ms: number; limit: string } {
    let worst = { ms: 0, limit: "" };
    for (const w of WINDOWS) {
      const limit = this.limits[w.field];
      if (!limit) continue;
      const inWindow = this.timesInWindow(now, w.ms);
      if (inWindow.length < limit) continue;
      // the slot whose expiry brings the count below the limit
      const ms = inWindow[inWindow.length - limit] + w.ms - now + 1;
      if (ms > worst.ms) worst = { ms, limit: `${limit}/${w.label}` };
    }
    return worst;
  }

  /** The slots' times within the window of `ms` before `now`, oldest first. */
  private timesInWindow(now: number, ms: number): number[] {
    return this.slots
      .filter((s) => s.at > now - ms)
      .map((s) => s.at)
      .sort((a, b) => a - b);
  }

  private prune(now: number): void {
    const longest = Math.max(...WINDOWS.filter((w) => this.limits[w.field]).map((w) => w.ms), 0);
    while (this.slots.length && this.slots[0].at <= now - longest) this.slots.shift();
  }

  private report(now: number, limit: string): void {
    if (!this.opts.onProgress || now - this.lastProgress < (this.opts.progressEveryMs ?? 10_000)) return;
    this.lastProgress = now;
    this.opts.onProgress({ queued: this.queued, sent: this.sent, limit, etaMs: this.drainMs(now) });
  }

  /**
   * When the last queued request can go: in each window, the k-th waiting request takes the slot of the
   * request `limit` places before it, one window after that one (a burst that filled the window waits for
   * the window to pass, not for queued ÷ rate).
   */
  private drainMs(now: number): number {
    let last = now;
    for (const w of WINDOWS) {
      const limit = this.limits[w.field];
      if (!limit) continue;
      const starts = this.timesInWindow(now, w.ms);
      for (let k = 0; k < this.queued; k++) starts.push(starts.length >= limit ? Math.max(now, starts[starts.length - limit] + w.ms) : now);
      last = Math.max(last, starts[starts.length - 1] ?? now);
    }
    return last - now;
  }
}

/** "pacing: 588 requests waiting for the 60/min rate limit (412 sent), about 9 min left" */
export function formatProgress(p: PacingProgress): string {
  const min = p.etaMs / 60_000;
  const eta = min >= 1 ? `about ${Math.ceil(min)} min` : `about ${Math.max(1, Math.ceil(p.etaMs / 1000))} s`;
  return `pacing: ${p.queued} request${p.queued === 1 ? "" : "s"} waiting for the ${p.limit} rate limit (${p.sent} sent), ${eta} left`;
}

/** Parses one limit setting: a non-negative integer (0 = off). */
export function parsePacingValue(name: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new Error(`${name} "${value}" must be a whole number of requests (0 turns this limit off)`);
  }
  return Number(value.trim());
}
