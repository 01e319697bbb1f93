/** Binds a createApp() app to node's http server; close() ends idle and, after a grace period, all connections. */
import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import type { AppEnv } from "./context";

export interface Listening {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export function listen(app: Hono<AppEnv>, opts: { host?: string; port?: number } = {}): Promise<Listening> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0 }, (info: AddressInfo) => {
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
    server.once("error", reject);
  });
}
