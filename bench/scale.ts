/**
 * `npm run bench:scale`: WidgetKeys at scale under the documented rate limits, through plain `pulumi`.
 * The local server enforces Kataven's per-account limits scaled up by a factor (default 10×: 600/min,
 * 10,000/h, 100,000/day, 20 in flight) to keep the run short, and the provider is told the same limits
 * (kataven:requestsPerMinute/Hour/Day), so it paces itself instead of running into 429s.
 *
 *   npm run bench:scale                         # N = 1000, limits ×10
 *   npm run bench:scale -- --keys 300 --scale 5
 *
 * Per operation: seconds, the API requests and 429s the server counted, N ÷ rate (the least time the
 * limits allow for that many requests, less the first window's burst), state bytes per key (the file and
 * the compact entry) and the dynamic
 * provider's peak memory. Targets: up and destroy within 10% of N ÷ rate, at most one 429, refresh in at
 * most 2 requests, a no-change preview in 0, state ≤ 3 KB per key.
 */
import * as path from "node:path";
import { startBenchServer } from "./benchServer";
import { sampleProviderRss } from "./providerRss";
import { setPacing, timed } from "./session";
import { printTable } from "./table";
import { stateBytesPerKey } from "./stateSize";
import { newSession, REPO } from "../test/e2e/support/pulumi";

const OPS: Array<[string, string[]]> = [
  ["up", ["up", "--yes", "--non-interactive", "--skip-preview"]],
  ["preview (no change)", ["preview", "--non-interactive", "--expect-no-changes"]],
  ["refresh", ["refresh", "--yes", "--non-interactive", "--skip-preview"]],
  ["destroy", ["destroy", "--yes", "--non-interactive", "--skip-preview"]],
];

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

async function main() {
  const args = process.argv.slice(2);
  const n = option(args, "--keys", 1000);
  const scale = option(args, "--scale", 10);
  const bcryptCost = option(args, "--bcrypt-cost", 4);
  const limits = { perMinute: 60 * scale, perHour: 1000 * scale, perDay: 10_000 * scale };
  console.error(
    `bench:scale: ${n} keys, limits ${limits.perMinute}/min ${limits.perHour}/h ${limits.perDay}/day (×${scale}), bcrypt cost ${bcryptCost}`,
  );
  const server = await startBenchServer({ bcryptCost, limits });
  const s = await newSession(path.join(REPO, "bench/programs/widget-keys"));
  const floor = await newSession(path.join(REPO, "bench/programs/noop"));
  const rows: string[][] = [];
  try {
    await floor.config("bench:count", String(n));
    await s.config("bench:count", String(n));
    await s.useServer(server);
    await setPacing(s, limits);
    for (const [op, cmd] of OPS) {
      const { seconds: floorSeconds } = await timed(floor, cmd);
      const [requestsBefore, refusedBefore] = [await server.requests(), await server.rateLimited()];
      const rss = sampleProviderRss();
      const { seconds, result: r } = await timed(s, cmd, { allowFailure: true });
      const peak = rss.stop();
      if (r.code !== 0) throw new Error(`${op} failed:\n${r.output.slice(-3000)}`);
      const requests = (await server.requests()) - requestsBefore;
      const refused = (await server.rateLimited()) - refusedBefore;
      const byRate = (requests / limits.perMinute) * 60;
      const bound = Math.max(byRate, floorSeconds);
      const paced = r.output.match(/pacing: [^\n]*/g) ?? [];
      if (paced.length) console.error(`bench:scale: ${op}: ${paced.length} pacing lines, last: ${paced[paced.length - 1]}`);
      const stateBytes = op === "up" ? stateBytesPerKey(s, n) : undefined;
      rows.push([
        String(n),
        op,
        seconds.toFixed(1),
        floorSeconds.toFixed(1),
        byRate ? byRate.toFixed(1) : "",
        requests > 1 ? `${((seconds / bound - 1) * 100).toFixed(0)}%` : "",
        String(requests),
        String(refused),
        stateBytes === undefined ? "" : `${stateBytes.file} (${stateBytes.compact})`,
        peak ? peak.toFixed(1) : "",
      ]);
    }
  } finally {
    s.dispose();
    floor.dispose();
    await server.stop();
  }
  const header = [
    "N",
    "operation",
    "WidgetKey s",
    "floor s",
    "N ÷ rate s",
    "over max(floor, N ÷ rate)",
    "API requests",
    "429s",
    "state B/key file (compact)",
    "provider peak MiB",
  ];
  printTable(header, rows);
}

main().catch((err) => {
  console.error(`bench:scale failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
