/**
 * createApp(): the Kataven-compatible hono app over a Store, with no listen() (see listen.ts).
 * Layers, outermost first:
 *   0. on a loopback connection, 421 for a Host that is not a loopback name (DNS rebinding)
 *   1. request log (one line: method, route pattern, status, ms) and request statistics
 *   2. fault injection (only when `faults` is set), then body limits per route class (bodyLimits.ts)
 *   3. the API under /api/v1, /hub-api/api/v1 and /v1: management routes behind bearer auth + rate limits,
 *      public widget routes with permissive CORS and their own budgets (publicLimits.ts); /openapi.json;
 *      /widget-demo
 *   4. /__admin/stats (only with `admin`) and /__admin/faults (only with `faults`), loopback peers only
 */
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { issuePath } from "../contract/wire";
import { managementAuth } from "./auth";
import { bodyLimits } from "./bodyLimits";
import { peerAddress, type AppEnv, type ServerContext } from "./context";
import { demoPage } from "./demo";
import { errorResponse, HttpError, readJson } from "./errors";
import { FaultInjector, FaultRulesSchema, type FaultRule } from "./faults";
import { sharedHashPool, type HashPool } from "./hashPool";
import { openApiDocument } from "./openapi";
import { PublicRateLimiter, resolvePublicLimits, type PublicLimits } from "./publicLimits";
import { RateLimiter, resolveRateLimits, type RateLimits } from "./ratelimit";
import { API_PREFIXES, routeKey } from "./routeTable";
import { agentWidgetSettingsRoutes } from "./routes/agentWidgetSettings";
import { widgetAuthRoutes } from "./routes/widgetAuth";
import { widgetKeysRoutes } from "./routes/widgetKeys";
import { widgetSettingsRoutes } from "./routes/widgetSettings";
import { RequestStats } from "./stats";
import type { Store } from "./store";
import { describeForLog, storageHttpError } from "./storageErrors";

export type Clock = () => Date | number;
export type Logger = (line: string) => void;

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

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function isLoopbackPeer(c: Context<AppEnv>): boolean {
  const incoming = c.env?.incoming;
  // app.request() in-process has no Node request at all: that is local by construction. A real request
  // whose socket is already gone has no address and is refused.
  if (incoming === undefined) return true;
  const addr = incoming.socket?.remoteAddress;
  return addr !== undefined && (LOOPBACK.has(addr) || addr.startsWith("127."));
}

const LOOPBACK_HOST_RE =
  /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|\[::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}\])\.?(?::\d{1,5})?$/i;

/**
 * A connection that arrived on a loopback address (always, when the server is bound to loopback) must be
 * addressed to a loopback name: a page that reaches 127.0.0.1 through DNS rebinding sends its own host
 * name in Host. A request without Host (HTTP/1.0) is no browser's and passes.
 */
function misdirected(c: Context<AppEnv>): boolean {
  const local = c.env?.incoming?.socket?.localAddress;
  if (local === undefined || !(LOOPBACK.has(local) || local.startsWith("127.") || local.startsWith("::ffff:127."))) return false;
  const host = c.req.header("host");
  return host !== undefined && !LOOPBACK_HOST_RE.test(host.trim());
}

/** Did the client go away before its request body arrived? (Then a failed read is its doing, not ours.) */
function clientAborted(c: Context<AppEnv>): boolean {
  const incoming = c.env?.incoming;
  if (incoming === undefined) return false;
  return incoming.errored != null || (incoming.destroyed && !incoming.readableEnded) || c.req.raw.signal?.aborted === true;
}

function dropConnection(c: Context<AppEnv>): void {
  c.env?.incoming?.socket?.destroy();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createApp(opts: AppOptions): Hono<AppEnv> {
  const clock = opts.clock ?? (() => Date.now());
  const nowMs = () => {
    const t = clock();
    return typeof t === "number" ? t : t.getTime();
  };
  const ctx: ServerContext = {
    store: opts.store,
    nowMs,
    nowIso: () => new Date(nowMs()).toISOString(),
    limiter: new RateLimiter(resolveRateLimits(opts.limits), nowMs),
    publicLimiter: new PublicRateLimiter(resolvePublicLimits(opts.publicLimits), nowMs),
    hasher: opts.hasher ?? sharedHashPool(),
    bcryptCost: opts.bcryptCost ?? DEFAULT_BCRYPT_COST,
  };
  const stats = opts.stats ?? new RequestStats();
  const faults = opts.faults instanceof FaultInjector ? opts.faults : opts.faults ? new FaultInjector() : null;
  const log: Logger | null = opts.logger === false ? null : (opts.logger ?? ((line) => process.stderr.write(`${line}\n`)));

  const app = new Hono<AppEnv>();

  const handleError = (err: unknown, c: Context<AppEnv>): Response => {
    if (err instanceof HttpError) return errorResponse(c, err);
    const route = routeKey(c.req.method, c.req.path) ?? `${c.req.method} (no route)`;
    if (clientAborted(c)) {
      // nobody is left to read an answer; the request log records it as client_abort, not as a 500
      c.set("clientAborted", true);
      return c.text("client_abort: the client closed the connection before the request body arrived", 400);
    }
    log?.(`error ${route}: ${describeForLog(err, opts.store.dbPath)}`);
    const storage = storageHttpError(err);
    if (storage) return errorResponse(c, storage);
    return c.text("internal_error: Database error", 500);
  };
  app.onError(handleError);
  app.notFound((c) => c.text(`not_found: no route ${c.req.method} ${c.req.path}`, 404));

  // 0. on a loopback connection, only loopback Host names (DNS rebinding); logged, not counted
  app.use("*", async (c, next) => {
    if (!misdirected(c)) return next();
    log?.(`${c.req.method} ${routeKey(c.req.method, c.req.path)?.replace(/^\S+ /, "") ?? "(no route)"} 421 0.0ms`);
    return c.text(
      "misdirected_request: this server listens on a loopback address and answers only requests addressed to localhost, 127.0.0.1 or [::1]; the Host header names another host (as a page reached through DNS rebinding does)",
      421,
    );
  });

  // 1. log + stats (admin routes are neither counted nor faulted)
  app.use("*", async (c, next) => {
    if (c.req.path.startsWith("/__admin/")) return next();
    const started = performance.now();
    const route = routeKey(c.req.method, c.req.path);
    let dropped = false;
    try {
      // 2. faults
      const rule = faults?.take(route);
      if (rule) {
        const status = rule.status ?? 500;
        const faultResponse = (what: string) => {
          const headers: Record<string, string> = { "content-type": "text/plain; charset=UTF-8" };
          if (status === 429) headers["retry-after"] = String(rule.retryAfter ?? 1);
          c.res = undefined;
          c.res = new Response(`fault_injected: ${what} by a fault rule for ${route}`, { status, headers });
        };
        switch (rule.mode) {
          case "status":
            faultResponse(`status ${status}`);
            return;
          case "latency":
            // The request has arrived and is slow to be handled: read its body first, so a client that
            // gives up meanwhile can't take it back (a late commit, as a slow API makes one).
            if (c.req.method !== "GET") await c.req.arrayBuffer().catch(() => undefined);
            await sleep(rule.latencyMs ?? 1000);
            break;
          case "drop":
            dropped = true;
            dropConnection(c);
            c.res = new Response(null, { status: 500 });
            return;
          case "apply-then-fail": {
            await next();
            faultResponse(`status ${status} after the request was applied`);
            return;
          }
          case "apply-then-drop":
            await next();
            dropped = true;
            dropConnection(c);
            return;
        }
      }
      await next();
    } catch (err) {
      // hono hands only `instanceof Error` values to onError; a value from another realm (a vm context, a
      // worker) or a non-Error throw lands here and gets the same answer instead of an unlogged 200
      c.res = undefined;
      c.res = handleError(err, c);
    } finally {
      const status = dropped ? "dropped" : c.get("clientAborted") ? "client_abort" : c.res.status;
      stats.record(route ?? `${c.req.method} (no route)`, status);
      log?.(
        `${c.req.method} ${route ? route.slice(route.indexOf(" ") + 1) : "(no route)"} ${status} ${(performance.now() - started).toFixed(1)}ms`,
      );
    }
  });

  app.use("*", bodyLimits());

  // 3. the API, under each prefix
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
  for (const prefix of API_PREFIXES) app.route(prefix, api);

  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/widget-demo", (c) => c.html(demoPage()));

  // 4. admin routes: registered only when enabled, answered only to loopback peers
  const adminOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (!isLoopbackPeer(c)) return c.text("not_found: no route", 404);
    await next();
  };
  if (opts.admin) {
    app.use("/__admin/stats", adminOnly);
    app.use("/__admin/stats/*", adminOnly);
    app.get("/__admin/stats", (c) => c.json(stats.snapshot()));
    app.post("/__admin/stats/reset", (c) => {
      stats.reset();
      return c.json(stats.snapshot());
    });
  }
  if (faults) {
    app.use("/__admin/faults", adminOnly);
    app.get("/__admin/faults", (c) => c.json(faults.list()));
    app.put("/__admin/faults", async (c) => {
      const body = await readJson(c);
      const parsed = FaultRulesSchema.safeParse(Array.isArray(body) ? body : (body as { rules?: unknown }).rules);
      if (!parsed.success)
        throw new HttpError(
          400,
          "invalid_fault_rules",
          parsed.error.issues.map((i) => `${issuePath(["rules", ...i.path])}: ${i.message}`).join("; "),
        );
      try {
        faults.set(parsed.data as FaultRule[]);
      } catch (err) {
        throw new HttpError(400, "invalid_fault_rules", (err as Error).message);
      }
      return c.json(faults.list());
    });
    app.delete("/__admin/faults", (c) => {
      faults.clear();
      return c.json([]);
    });
  }

  return app;
}
