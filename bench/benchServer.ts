/** The local server for the benches: its own process (kataven-local), admin counters on, a fresh account. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { request } from "undici";
import { bootstrapAccount, serveLocal } from "../scripts/lib/localServer";
import type { StatsSnapshot } from "../server/stats";

export interface BenchServer {
  url: string;
  apiKey: string;
  /** requests the server has counted so far (admin routes excluded) */
  requests(): Promise<number>;
  /** 429 answers so far, every route */
  rateLimited(): Promise<number>;
  stop(): Promise<void>;
}

/** `rateLimits`: the server's `--rate-limits` spec ("off", or "minute=600,hour=10000,day=100000,concurrent=20"). */
export async function startBenchServer(opts: { bcryptCost: number; rateLimits: string }): Promise<BenchServer> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-bench-"));
  const { api_key: apiKey } = await bootstrapAccount({ dataDir: data, account: "bench", rotateKey: true });
  const server = await serveLocal({
    dataDir: data,
    args: ["--admin", "--quiet", "--bcrypt-cost", String(opts.bcryptCost), "--rate-limits", opts.rateLimits],
  });
  const stats = async () => (await (await request(`${server.url}/__admin/stats`)).body.json()) as StatsSnapshot;
  return {
    url: server.url,
    apiKey: apiKey!,
    requests: async () => (await stats()).total,
    rateLimited: async () => Object.values((await stats()).routes).reduce((n, r) => n + (r.statuses["429"] ?? 0), 0),
    async stop() {
      await server.stop();
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
