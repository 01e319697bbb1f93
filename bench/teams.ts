/**
 * `npm run bench:teams`: several stacks deploying against one Kataven account at once, as a platform team's
 * pipelines do. Each stack's `pulumi up` (plain CLI, its own provider process) creates its own keys; the
 * local server enforces the account's rate limits scaled as in bench:scale (default ×10: 600/min, 10,000/h,
 * 100,000/day, 20 in flight), and every provider is told the same limits. Each provider paces only its own
 * requests, so together they exceed the account's rate and meet 429s, which they wait out (Retry-After).
 *
 *   npm run bench:teams                          # 3 stacks × 100 keys, limits ×10
 *   npm run bench:teams -- --stacks 3 --keys 100 --scale 2
 *   npm run bench:teams -- --scale 2 --share     # each provider told its share: limit ÷ stacks
 *
 * Prints per stack and overall: seconds, the requests the account admitted (N) and the 429s it answered,
 * N ÷ rate (the least time the account's limit allows for those requests) and what it checks: every `up` succeeded with no failed
 * step, every live key is tracked by exactly one stack (no orphan), and no key name is live twice (no duplicate).
 */
import * as path from "node:path";
import { startBenchServer } from "./benchServer";
import { setPacing, timed } from "./session";
import { printTable } from "./table";
import { managementApi } from "../test/e2e/support/kataven";
import { newSession, type PulumiSession, REPO } from "../test/e2e/support/pulumi";

export interface ConcurrentStacksResult {
  seconds: number;
  /** every API request the server counted, 429s included */
  requests: number;
  refused: number;
  /** the requests the account admitted (requests − refused) ÷ the per-minute limit, in seconds */
  byRate: number;
  stacks: Array<{ stack: string; seconds: number; code: number; failedSteps: number; tracked: number; pacingLines: number }>;
  live: number;
  /** live keys no stack tracks */
  orphans: number;
  /** key names live more than once */
  duplicates: number;
  /** tracked keys missing from the account */
  missing: number;
  outputs: string[];
}

const prefixOf = (i: number) => `s${i} `;

export async function concurrentStacks(opts: {
  stacks: number;
  keys: number;
  limits: { perMinute: number; perHour: number; perDay: number };
  bcryptCost?: number;
  /** tell each provider only its share of the limits (limit ÷ stacks), as docs/teams.md suggests */
  share?: boolean;
  log?: (line: string) => void;
}): Promise<ConcurrentStacksResult> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const server = await startBenchServer({ bcryptCost: opts.bcryptCost ?? 4, limits: opts.limits });
  const sessions: PulumiSession[] = [];
  try {
    for (let i = 0; i < opts.stacks; i++) {
      const s = await newSession(path.join(REPO, "bench/programs/widget-keys"));
      sessions.push(s);
      await s.config("bench:count", String(opts.keys));
      await s.config("bench:prefix", prefixOf(i));
      await s.useServer(server);
      const part = (n: number) => (opts.share ? Math.floor(n / opts.stacks) : n);
      await setPacing(s, { perMinute: part(opts.limits.perMinute), perHour: part(opts.limits.perHour), perDay: part(opts.limits.perDay) });
    }
    const [requestsBefore, refusedBefore] = [await server.requests(), await server.rateLimited()];
    const start = process.hrtime.bigint();
    const runs = await Promise.all(
      sessions.map(async (s, i) => {
        const r = await timed(s, ["up", "--yes", "--non-interactive", "--skip-preview"], { allowFailure: true });
        log(`bench:teams: stack ${i + 1} (${s.stack}) finished in ${r.seconds.toFixed(1)} s, exit ${r.result.code}`);
        return r;
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const requests = (await server.requests()) - requestsBefore;
    const refused = (await server.rateLimited()) - refusedBefore;

    const live = await managementApi(server).listKeys();
    const liveIds = new Set(live.map((k) => k.id as string));
    const trackedIds = new Set<string>();
    const stacks = sessions.map((s, i) => {
      const ids = s
        .resources()
        .filter((r) => r.type === "pulumi-nodejs:dynamic/kataven:WidgetKey")
        .map((r) => r.id!);
      ids.forEach((id) => trackedIds.add(id));
      const out = runs[i].result.output;
      return {
        stack: s.stack,
        seconds: runs[i].seconds,
        code: runs[i].result.code,
        failedSteps: (out.match(/\*\*failed\*\*|\bfailed\b.*\bWidgetKey\b|error: /g) ?? []).length,
        tracked: ids.length,
        pacingLines: (out.match(/pacing: /g) ?? []).length,
      };
    });
    const names = live.map((k) => k.name as string);
    return {
      seconds,
      requests,
      refused,
      byRate: ((requests - refused) / opts.limits.perMinute) * 60,
      stacks,
      live: live.length,
      orphans: [...liveIds].filter((id) => !trackedIds.has(id)).length,
      duplicates: names.length - new Set(names).size,
      missing: [...trackedIds].filter((id) => !liveIds.has(id)).length,
      outputs: runs.map((r) => r.result.output),
    };
  } finally {
    for (const s of sessions) s.dispose();
    await server.stop();
  }
}

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

async function main() {
  const args = process.argv.slice(2);
  const stacks = option(args, "--stacks", 3);
  const keys = option(args, "--keys", 100);
  const scale = option(args, "--scale", 10);
  const share = args.includes("--share");
  const limits = { perMinute: 60 * scale, perHour: 1000 * scale, perDay: 10_000 * scale };
  console.error(
    `bench:teams: ${stacks} stacks × ${keys} keys at once on one account, limits ${limits.perMinute}/min ${limits.perHour}/h ${limits.perDay}/day (×${scale})` +
      (share
        ? `, each provider paced at its share (${Math.floor(limits.perMinute / stacks)}/min)`
        : ", each provider paced at the whole limit"),
  );
  const r = await concurrentStacks({ stacks, keys, limits, share });
  printTable(
    ["stack", "keys", "seconds", "exit", "failed steps", "tracked", "pacing lines"],
    r.stacks.map((s, i) => [
      String(i + 1),
      String(keys),
      s.seconds.toFixed(1),
      String(s.code),
      String(s.failedSteps),
      String(s.tracked),
      String(s.pacingLines),
    ]),
  );
  console.log("");
  printTable(
    [
      "stacks × keys",
      "limit/min",
      "total s",
      "admitted requests (N)",
      "N ÷ rate s",
      "429s",
      "live keys",
      "orphans",
      "duplicates",
      "missing",
    ],
    [
      [
        `${stacks} × ${keys}`,
        String(limits.perMinute),
        r.seconds.toFixed(1),
        String(r.requests - r.refused),
        r.byRate.toFixed(1),
        String(r.refused),
        String(r.live),
        String(r.orphans),
        String(r.duplicates),
        String(r.missing),
      ],
    ],
  );
  const ok =
    r.stacks.every((s) => s.code === 0 && s.failedSteps === 0 && s.tracked === keys) &&
    r.orphans === 0 &&
    r.duplicates === 0 &&
    r.missing === 0;
  if (!ok) {
    console.error("bench:teams: FAILED (see the table); the last lines of each stack's output:");
    for (const o of r.outputs) console.error(o.slice(-2000));
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`bench:teams failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
