/** What the route modules share: the store, the (injectable) clock, the rate limiter, bcrypt cost. */
import type { HttpBindings } from "@hono/node-server";
import type { RateLimiter } from "./ratelimit";
import type { Store } from "./store";

export interface ServerContext {
  store: Store;
  nowMs(): number;
  nowIso(): string;
  limiter: RateLimiter;
  bcryptCost: number;
}

export type AppEnv = {
  /** node bindings; absent when the app is driven through app.request() */
  Bindings: Partial<HttpBindings>;
  Variables: { account: string };
};
