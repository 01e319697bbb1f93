/**
 * Binds a createApp() app to node's http server; close() ends idle and, after a grace period, all
 * connections. Slow and idle clients are bounded (CONNECTION_LIMITS): headers must arrive within
 * headersTimeoutMs and the whole request (body included) within requestTimeoutMs, or node answers 408 and
 * closes the connection; an idle keep-alive connection is closed after keepAliveTimeoutMs; connections past
 * maxConnections are closed as they arrive.
 */
import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import type { AppEnv } from "./context";

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Bodies are at most 256 KB (bodyLimits.ts): 30 s for a whole request is generous for any real client. */
export const CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
});

export interface Listening {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export function listen(
  app: Hono<AppEnv>,
  opts: { host?: string; port?: number; limits?: Partial<ConnectionLimits> } = {},
): Promise<Listening> {
  const host = opts.host ?? "127.0.0.1";
  const limits = { ...CONNECTION_LIMITS, ...opts.limits };
  return new Promise((resolve, reject) => {
    const serverOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // how often node checks the two timeouts above (its default, 30 s, would let them overrun by that much)
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    };
    const server = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0, serverOptions }, (info: AddressInfo) => {
      const h = info.family === "IPv6" || host.includes(":") ? `[${info.address}]` : info.address;
      let closing: Promise<void> | null = null;
      resolve({
        url: `http://${h}:${info.port}`,
        port: info.port,
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), 2000);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    }) as Server;
    server.maxConnections = limits.maxConnections;
    server.once("error", reject);
  });
}
