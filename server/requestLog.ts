/**
 * The request log (one line: method, route pattern, status, ms) and request statistics, and the answer to
 * an error no route turned into an HTTP error. Admin routes are neither logged nor counted.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { errorResponse, HttpError } from "./errors";
import { routeKey } from "./routeTable";
import type { RequestStats } from "./stats";
import { describeForLog, storageHttpError } from "./storageErrors";
import type { Store } from "./store";

export type Logger = (line: string) => void;

/** Did the client go away before its request body arrived? (Then a failed read is its doing, not ours.) */
function clientAborted(c: Context<AppEnv>): boolean {
  const incoming = c.env?.incoming;
  if (incoming === undefined) return false;
  return incoming.errored != null || (incoming.destroyed && !incoming.readableEnded) || c.req.raw.signal?.aborted === true;
}

/** The app's error answer: an HttpError as itself, a storage failure as its HTTP error, anything else a logged 500. */
export function errorHandler(log: Logger | null, store: Pick<Store, "dbPath">): (err: unknown, c: Context<AppEnv>) => Response {
  return (err, c) => {
    if (err instanceof HttpError) return errorResponse(c, err);
    const route = routeKey(c.req.method, c.req.path) ?? `${c.req.method} (no route)`;
    if (clientAborted(c)) {
      // nobody is left to read an answer; the request log records it as client_abort, not as a 500
      c.set("clientAborted", true);
      return c.text("client_abort: the client closed the connection before the request body arrived", 400);
    }
    log?.(`error ${route}: ${describeForLog(err, store.dbPath)}`);
    const storage = storageHttpError(err);
    if (storage) return errorResponse(c, storage);
    return c.text("internal_error: Database error", 500);
  };
}

export function requestLog(
  stats: RequestStats,
  log: Logger | null,
  handleError: (err: unknown, c: Context<AppEnv>) => Response,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.path.startsWith("/__admin/")) return next();
    const started = performance.now();
    const route = routeKey(c.req.method, c.req.path);
    try {
      await next();
    } catch (err) {
      // hono hands only `instanceof Error` values to onError; a value from another realm (a vm context, a
      // worker) or a non-Error throw lands here and gets the same answer instead of an unlogged 200
      c.res = undefined;
      c.res = handleError(err, c);
    } finally {
      const status = c.get("dropped") ? "dropped" : c.get("clientAborted") ? "client_abort" : c.res.status;
      stats.record(route ?? `${c.req.method} (no route)`, status);
      log?.(
        `${c.req.method} ${route ? route.slice(route.indexOf(" ") + 1) : "(no route)"} ${status} ${(performance.now() - started).toFixed(1)}ms`,
      );
    }
  };
}
