/**
 * `npm run bench`: WidgetKeys against the local server through plain `pulumi` and its Node.js language host
 * (the dynamic provider), the same keys in Pulumi YAML through the native plugin (bin/pulumi-resource-kataven;
 * columns "native"), and two baselines: the same number of no-op dynamic resources with a WidgetKey's shape (the engine
 * floor, bench/programs/noop) and the same HTTP requests sent straight to the server with no Pulumi (the
 * raw API, bench/rawApi.ts). For each N and
 * operation it prints seconds, the provider's own overhead (WidgetKey − floor − raw, and as a share of
 * floor + raw), the API requests the server counted, the state bytes per resource and the dynamic
 * provider process's peak memory.
 *
 *   npm run bench                          # N = 1, 10, 100
 *   npm run bench -- 1 10                  # other sizes
 *   npm run bench -- --bcrypt-cost 4 100   # a cheaper server-side hash
 *
 * Targets: overhead <= 10% at N = 100, 0 requests for a no-change preview, <= 2 for refresh, <= 3 KB of
 * state per key. The server runs in its own process with rate limits off and, unless told otherwise, the
 * default bcrypt cost (10): its hashing of each new secret is in both the raw and the WidgetKey `up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BenchServer, startBenchServer } from "./benchServer";
import { sampleProviderRss } from "./providerRss";
import { RawApi } from "./rawApi";
import { setPacing, timed } from "./session";
import { stateBytesPerKey } from "./stateSize";
import { printTable } from "./table";
import { newSession, REPO } from "../test/e2e/support/pulumi";
import { nativeProgram } from "./nativeProgram";

const OPS = ["up", "preview (no change)", "refresh", "destroy"] as const;
type Op = (typeof OPS)[number];
const ARGS: Record<Op, string[]> = {
  up: ["up", "--yes", "--non-interactive", "--skip-preview"],
  "preview (no change)": ["preview", "--non-interactive", "--expect-no-changes"],
  refresh: ["refresh", "--yes", "--non-interactive", "--skip-preview"],
  destroy: ["destroy", "--yes", "--non-interactive", "--skip-preview"],
};

interface Row {
  n: number;
  op: Op;
  floorSeconds: number;
  keySeconds: number;
  rawSeconds: number;
  requests: number;
  nativeSeconds: number;
  nativeRequests: number;
  /** peak resident memory of the WidgetKey run's dynamic provider process, MiB */
  providerPeakMiB: number;
  stateBytesPerKey?: number;
  floorStateBytesPerResource?: number;
}

async function measure(n: number, server: BenchServer): Promise<Row[]> {
  const floor = await newSession(path.join(REPO, "bench/programs/noop"));
  const keys = await newSession(path.join(REPO, "bench/programs/widget-keys"));
  const nativeDir = nativeProgram(n);
  const native = await newSession(nativeDir);
  const raw = new RawApi(server.url, server.apiKey);
  try {
    await floor.config("bench:count", String(n));
    await keys.config("bench:count", String(n));
    await keys.useServer(server);
    await native.useServer(server);
    // The server runs with no rate limits here, so the provider's pacing is off too (bench:scale measures it).
    await setPacing(keys, { perMinute: 0, perHour: 0, perDay: 0 });
    await setPacing(native, { perMinute: 0, perHour: 0, perDay: 0 });
    const rows: Row[] = [];
    for (const op of OPS) {
      const { seconds: floorSeconds } = await timed(floor, ARGS[op]);
      const rawSeconds = await raw.time(op, n);
      const before = await server.requests();
      const rss = sampleProviderRss();
      const { seconds: keySeconds } = await timed(keys, ARGS[op]);
      const providerPeakMiB = rss.stop();
      const requests = (await server.requests()) - before;
      const nativeBefore = await server.requests();
      const { seconds: nativeSeconds } = await timed(native, ARGS[op]);
      const nativeRequests = (await server.requests()) - nativeBefore;
      const row: Row = { n, op, floorSeconds, keySeconds, rawSeconds, requests, nativeSeconds, nativeRequests, providerPeakMiB };
      if (op === "up") {
        row.stateBytesPerKey = stateBytesPerKey(keys, n).file;
        row.floorStateBytesPerResource = stateBytesPerKey(floor, n).file;
      }
      rows.push(row);
    }
    return rows;
  } finally {
    await raw.close();
    floor.dispose();
    keys.dispose();
    native.dispose();
    fs.rmSync(nativeDir, { recursive: true, force: true });
  }
}

function printRows(rows: Row[]) {
  const header = [
    "N",
    "operation",
    "floor s",
    "raw API s",
    "WidgetKey s",
    "overhead s (%)",
    "API requests",
    "native s",
    "native requests",
    "state B/key (floor)",
    "provider peak MiB",
  ];
  const lines = rows.map((r) => {
    // The provider's own cost: what is left of the WidgetKey time after the engine floor and the raw API.
    const overhead = r.keySeconds - r.floorSeconds - r.rawSeconds;
    return [
      String(r.n),
      r.op,
      r.floorSeconds.toFixed(2),
      r.rawSeconds.toFixed(2),
      r.keySeconds.toFixed(2),
      `${overhead.toFixed(2)} (${((overhead / (r.floorSeconds + r.rawSeconds)) * 100).toFixed(0)}%)`,
      String(r.requests),
      r.nativeSeconds.toFixed(2),
      String(r.nativeRequests),
      r.stateBytesPerKey === undefined ? "" : `${r.stateBytesPerKey} (${r.floorStateBytesPerResource})`,
      r.providerPeakMiB ? r.providerPeakMiB.toFixed(1) : "",
    ];
  });
  printTable(header, lines);
}

async function main() {
  const args = process.argv.slice(2);
  const costAt = args.indexOf("--bcrypt-cost");
  const bcryptCost = costAt >= 0 ? Number(args.splice(costAt, 2)[1]) : 10;
  const sizes = args.map(Number).filter((n) => n > 0);
  console.error(`bench: local server with bcrypt cost ${bcryptCost}`);
  const server = await startBenchServer({ bcryptCost, limits: false });
  const rows: Row[] = [];
  try {
    for (const n of sizes.length ? sizes : [1, 10, 100]) {
      console.error(`bench: N = ${n}`);
      rows.push(...(await measure(n, server)));
    }
  } finally {
    await server.stop();
  }
  printRows(rows);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
