/** The local server for the benches: its own process (kataven-local, as the tests start it), a fresh account. */
import { startServerProcess } from "../test/support/server";

export interface BenchServer {
  url: string;
  apiKey: string;
  /** requests the server has counted so far (admin routes excluded) */
  requests(): Promise<number>;
  /** 429 answers so far, every route */
  rateLimited(): Promise<number>;
  stop(): Promise<void>;
}

/** `limits`: the account's rate limits (20 in flight), or false for none. */
export async function startBenchServer(opts: {
  bcryptCost: number;
  limits: false | { perMinute: number; perHour: number; perDay: number };
}): Promise<BenchServer> {
  const server = await startServerProcess({ account: "bench", agents: [], bcryptCost: opts.bcryptCost, limits: opts.limits });
  return {
    url: server.url,
    apiKey: server.apiKey,
    requests: () => server.requestCount(),
    rateLimited: async () => Object.values((await server.stats()).routes).reduce((n, r) => n + (r.statuses["429"] ?? 0), 0),
    stop: () => server.close(),
  };
}
