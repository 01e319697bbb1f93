/**
 * Request-body limits per route class: a declared Content-Length over the limit is
 * answered 413 before any byte of the body is read; a chunked body is counted as it streams (hono's
 * bodyLimit) and refused as soon as it passes the limit. Public widget bodies are a client key
 * and a token or two; management bodies are at most 100 allowlist entries of 300 characters.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./context";

export const BODY_LIMITS = Object.freeze({ public: 16 * 1024, management: 256 * 1024 });

type RouteClass = keyof typeof BODY_LIMITS;

const LABEL: Record<RouteClass, string> = { public: "public widget routes", management: "management routes" };

function limitFor(routeClass: RouteClass): MiddlewareHandler<AppEnv> {
  const maxSize = BODY_LIMITS[routeClass];
  const tooLarge = (c: Context<AppEnv>) => {
    // the rest of the body is not wanted: close the connection rather than read it
    c.header("Connection", "close");
    return c.text(
      `payload_too_large: the request body is larger than ${maxSize} bytes (${maxSize / 1024} KB), the limit for ${LABEL[routeClass]}; send a smaller body`,
      413,
    );
  };
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return async (c, next) => {
    // Decided from the headers where they suffice: touching c.req.raw.body would make the node adapter build
    // a full web Request for every call (measured: config throughput halved). Node's parser already holds a
    // body to its declared Content-Length, so only a chunked body needs counting as it streams.
    if (c.req.header("transfer-encoding") !== undefined) return streamed(c, next);
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > maxSize) return tooLarge(c);
    await next();
  };
}

/** Public widget routes are the ones under <prefix>/widget/; everything else is management or admin. */
export function isPublicWidgetPath(path: string): boolean {
  return /\/widget\//.test(path);
}

export function bodyLimits(): MiddlewareHandler<AppEnv> {
  const pub = limitFor("public");
  const mgmt = limitFor("management");
  return (c, next) => (isPublicWidgetPath(c.req.path) ? pub(c, next) : mgmt(c, next));
}
