/**
 * Who may reach what over loopback: the admin routes answer loopback peers only, and a connection that
 * arrived on a loopback address must name a loopback host (a page reached through DNS rebinding names its own).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { routeKey } from "./routeTable";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function isLoopbackPeer(c: Context<AppEnv>): boolean {
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

/** 421 for a misdirected request (logged, not counted in the statistics). */
export function loopbackHostsOnly(log: ((line: string) => void) | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!misdirected(c)) return next();
    log?.(`${c.req.method} ${routeKey(c.req.method, c.req.path)?.replace(/^\S+ /, "") ?? "(no route)"} 421 0.0ms`);
    return c.text(
      "misdirected_request: this server listens on a loopback address and answers only requests addressed to localhost, 127.0.0.1 or [::1]; the Host header names another host (as a page reached through DNS rebinding does)",
      421,
    );
  };
}
