/**
 * createApp(): the Kataven-compatible hono app over a Store, with no listen() (see listen.ts).
 * Layers, outermost first:
 *   0. on a loopback connection, 421 for a Host that is not a loopback name (DNS rebinding; loopback.ts)
 *   1. request log (one line: method, route pattern, status, ms) and request statistics (requestLog.ts)
 *   2. fault injection (only when `faults` is set; faults.ts), then body limits per route class (bodyLimits.ts)
 *   3. the API under /api/v1, /hub-api/api/v1 and /v1: management routes behind bearer auth + rate limits,
 *      public widget routes with permissive CORS and their own budgets (publicLimits.ts); /openapi.json;
 *      /widget-demo
 *   4. /__admin/stats (only with `admin`) and /__admin/faults (only with `faults`), loopback peers only
 *      (routes/admin.ts)
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { managementAuth } from "./auth";
import { bodyLimits } from "./bodyLimits";
import { peerAddress, type AppEnv, type ServerContext } from "./context";
import { demoPage } from "./demo";
import { faultInjection, FaultInjector } from "./faults";
import { sharedHashPool, type HashPool } from "./hashPool";
import { loopbackHostsOnly } from "./loopback";
import { openApiDocument } from "./openapi";
import { PublicRateLimiter, resolvePublicLimits, type PublicLimits } from "./publicLimits";
import { RateLimiter, resolveRateLimits, type RateLimits } from "./ratelimit";
import { errorHandler, type Logger, requestLog } from "./requestLog";
import { API_PREFIXES } from "./routeTable";
import { adminRoutes } from "./routes/admin";
import { agentWidgetSettingsRoutes } from "./routes/agentWidgetSettings";
import { widgetAuthRoutes } from "./routes/widgetAuth";
import { widgetKeysRoutes } from "./routes/widgetKeys";
import { widgetSettingsRoutes } from "./routes/widgetSettings";
import { RequestStats } from "./stats";
import type { Store } from "./store";

export type { Logger };
export type Clock = () => Date | number;

export interface AppOptions {
  store: Store;
  /** injectable clock for token expiry and rate-limit windows; default Date.now */
  clock?: Clock;
  /** per-account limits; default the documented 60/min, 1000/h, 10000/day, 20 concurrent; false = off */
  limits?: Partial<RateLimits> | false;
  /** public widget budgets (per peer, per key, per key and peer); default 300, 3000 and 300 per minute; false = off */
  publicLimits?: Partial<PublicLimits> | false;
  /** the bcrypt worker pool; default one shared per process, sized to the cores */
  hasher?: HashPool;
  /** true (or an injector to share with the caller) enables fault rules and PUT/GET/DELETE /__admin/faults */
  faults?: boolean | FaultInjector;
  /** true enables GET /__admin/stats and POST /__admin/stats/reset */
  admin?: boolean;
  /** the statistics to fill (to read them in-process); one is created when absent */
  stats?: RequestStats;
  /** bcrypt cost for widget secrets; default 10 */
  bcryptCost?: number;
  /** request log sink; default one line to stderr; false = silent */
  logger?: Logger | false;
}

export const DEFAULT_BCRYPT_COST = 10;

export function createApp(opts: AppOptions): Hono<AppEnv> {
  const ctx = serverContext(opts);
  const stats = opts.stats ?? new RequestStats();
  const faults = opts.faults instanceof FaultInjector ? opts.faults : opts.faults ? new FaultInjector() : null;
  const log: Logger | null = opts.logger === false ? null : (opts.logger ?? ((line) => process.stderr.write(`${line}\n`)));
  const handleError = errorHandler(log, opts.store);

  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => c.text(`not_found: no route ${c.req.method} ${c.req.path}`, 404));

  // layers 0 to 2 (see the top of this file)
  app.use("*", loopbackHostsOnly(log));
  app.use("*", requestLog(stats, log, handleError));
  if (faults) app.use("*", faultInjection(faults));
  app.use("*", bodyLimits());

  // 3. the API, under each prefix
  const api = apiRoutes(ctx);
  for (const prefix of API_PREFIXES) app.route(prefix, api);
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/widget-demo", (c) => c.html(demoPage()));

  // 4. admin routes
  app.route("/__admin", adminRoutes(opts.admin ? stats : null, faults));
  return app;
}

function serverContext(opts: AppOptions): ServerContext {
  const clock = opts.clock ?? (() => Date.now());
  const nowMs = () => {
    const t = clock();
    return typeof t === "number" ? t : t.getTime();
  };
  return {
    store: opts.store,
    nowMs,
    nowIso: () => new Date(nowMs()).toISOString(),
    limiter: new RateLimiter(resolveRateLimits(opts.limits), nowMs),
    publicLimiter: new PublicRateLimiter(resolvePublicLimits(opts.publicLimits), nowMs),
    hasher: opts.hasher ?? sharedHashPool(),
    bcryptCost: opts.bcryptCost ?? DEFAULT_BCRYPT_COST,
  };
}

/** The public widget routes (CORS, the peer budget) and the management routes (bearer auth), for one prefix. */
function apiRoutes(ctx: ServerContext): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.use(
    "/widget/*",
    cors({ origin: "*", allowMethods: ["GET", "POST", "OPTIONS"], allowHeaders: ["Content-Type", "Authorization"], maxAge: 600 }),
  );
  // every public call counts against its peer's budget before its body is read (preflights do not)
  api.use("/widget/*", async (c, next) => {
    ctx.publicLimiter.takePeer(peerAddress(c));
    await next();
  });
  api.route("/", widgetAuthRoutes(ctx));
  // hono's "/x/*" also matches "/x"; managementAuth runs at most once per request regardless
  const auth = managementAuth(ctx);
  api.use("/widget-keys/*", auth);
  api.use("/widget-settings/*", auth);
  api.use("/agents/*", auth);
  api.route("/", widgetKeysRoutes(ctx));
  api.route("/", widgetSettingsRoutes(ctx));
  api.route("/", agentWidgetSettingsRoutes(ctx));
  return api;
}
