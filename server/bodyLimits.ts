/**
 * Request-body limits per route class (issue 10, item 2), through hono's bodyLimit: a declared
 * Content-Length over the limit is answered 413 before any byte of the body is read; a chunked body is
 * counted as it streams and refused as soon as it passes the limit. Public widget bodies are a client key
 * and a token or two; management bodies are at most 100 allowlist entries of 300 characters.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./context";

export const BODY_LIMITS = Object.freeze({ public: 16 * 1024, management: 256 * 1024 });

type RouteClass = keyof typeof BODY_LIMITS;

const LABEL: Record<RouteClass, string> = { public: "public widget routes", management: "management routes" };

function limitFor(routeClass: RouteClass): MiddlewareHandler<AppEnv> {
  const maxSize = BODY_LIMITS[routeClass];
  return bodyLimit({
    maxSize,
    onError: (c) => {
      // the rest of the body is not wanted: close the connection rather than read it
      c.header("Connection", "close");
      return c.text(
        `payload_too_large: the request body is larger than ${maxSize} bytes (${maxSize / 1024} KB), the limit for ${LABEL[routeClass]}; send a smaller body`,
        413,
      );
    },
  });
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
