/** What the route modules share: the store, the (injectable) clock, the rate limiters, the bcrypt pool and cost. */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { HashPool } from "./hashPool";
import type { PublicRateLimiter } from "./publicLimits";
import type { RateLimiter } from "./ratelimit";
import type { Store } from "./store";

export interface ServerContext {
  store: Store;
  nowMs(): number;
  nowIso(): string;
  /** per-account limits of the management API */
  limiter: RateLimiter;
  /** public widget budgets, separate from the management limits */
  publicLimiter: PublicRateLimiter;
  hasher: HashPool;
  bcryptCost: number;
}

export type AppEnv = {
  /** node bindings; absent when the app is driven through app.request() */
  Bindings: Partial<HttpBindings>;
  /**
   * account: set by managementAuth; clientAborted: the client went away before its request was read;
   * dropped: a fault rule destroyed the connection (faults.ts)
   */
  Variables: { account: string; clientAborted?: boolean; dropped?: boolean };
};

/** The peer address for the public budgets; app.request() in-process has none. */
export function peerAddress(c: Context<AppEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? "local";
}
