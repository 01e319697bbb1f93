/**
 * `npm run bench:server`: load on the local server with autocannon, the server in its own process (rate
 * limits off, bcrypt cost 10 as `npm start` runs it), the load client on the same machine.
 *
 *   1. guest auth and widget config: req/s, p50/p99 latency and errors at concurrency 1, 16, 64;
 *   2. the server's RSS before and after the load;
 *   3. /widget/config p99 while 40 key creates (bcrypt) run in parallel, and while 8
 *      user-token calls (bcrypt compare) run in parallel, against /widget/config p99 idle; target within 5x.
 *
 *   npm run bench:server                 # 5 s per run
 *   npm run bench:server -- --duration 10
 *   npm run bench:server -- --main /elsewhere/dist/server/main.js   # another build, e.g. before a change
 *   npm run bench:server -- --bcrypt-only                           # only part 3
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { bootstrapAccount, serveLocal } from "../scripts/lib/localServer";

const ROOT = join(__dirname, "..", "..");
let MAIN = join(ROOT, "dist", "server", "main.js");
const ORIGIN = "https://bench.example";

interface Server {
  url: string;
  apiKey: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const data = mkdtempSync(join(tmpdir(), "kataven-bench-"));
  const boot = await bootstrapAccount({ dataDir: data, account: "bench", agents: ["agent-a"], main: MAIN });
  // builds from before the public budgets have no --public-rate-limits flag
  const cli = readFileSync(join(MAIN, "..", "cli.js"), "utf8");
  const publicOff = cli.includes("public-rate-limits") ? ["--public-rate-limits", "off"] : [];
  const server = await serveLocal({ dataDir: data, main: MAIN, args: ["--rate-limits", "off", ...publicOff, "--quiet"] });
  return {
    url: server.url,
    apiKey: boot.api_key!,
    child: server.child,
    stop: async () => {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process, MB (Linux /proc). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function api(s: Server, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

interface Figures {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(opts: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ ...opts });
  return { reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** Runs `task` `width` at a time, again and again, until `until` settles. */
async function keepBusy(width: number, task: () => Promise<unknown>, until: Promise<unknown>): Promise<number> {
  let done = false;
  let count = 0;
  until.finally(() => (done = true));
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (!done) {
        await task();
        count++;
      }
    }),
  );
  return count;
}

async function main() {
  const { values } = parseArgs({
    options: { duration: { type: "string", default: "5" }, main: { type: "string" }, "bcrypt-only": { type: "boolean", default: false } },
  });
  const duration = Number(values.duration);
  if (values.main) MAIN = values.main;
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p .)`);
  const s = await startServer();
  await api(s, "PATCH", "/api/v1/agents/agent-a/widget-settings", { widget_enabled: true, auth_mode: "both" });
  const key = await api(s, "POST", "/api/v1/widget-keys", { name: "bench", domain_allowlist: [ORIGIN], agent_id: "agent-a" });
  const configUrl = `${s.url}/api/v1/widget/config?client_key=${key.public_key}`;
  const headers = { origin: ORIGIN, "content-type": "application/json" };
  const guest = {
    url: `${s.url}/api/v1/widget/auth/guest`,
    method: "POST" as const,
    headers,
    body: JSON.stringify({ client_key: key.public_key }),
  };
  const config = { url: configUrl, headers };

  const rssBefore = rssMb(s.child.pid!);
  console.log(`${MAIN}: node ${process.version}, ${duration} s per run, server pid ${s.child.pid}, RSS before ${rssBefore} MB\n`);
  console.log("| route | c | req/s | p50 ms | p99 ms | errors |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, target] of values["bcrypt-only"]
    ? []
    : ([
        ["guest", guest],
        ["config", config],
      ] as const)) {
    for (const c of [1, 16, 64]) {
      const f = await load({ ...target, connections: c, duration });
      console.log(`| ${name} | ${c} | ${f.reqPerSec} | ${f.p50} | ${f.p99} | ${f.errors} |`);
    }
  }
  const rssAfter = rssMb(s.child.pid!);
  console.log(`\nRSS after the load: ${rssAfter} MB (before: ${rssBefore} MB)`);

  // item 3: config latency idle, then with bcrypt work in parallel (c = 1: one visitor's latency)
  const idle = await load({ ...config, connections: 1, duration });
  const during = load({ ...config, connections: 1, duration });
  const creates = await keepBusy(40, () => api(s, "POST", "/api/v1/widget-keys", { name: "load", domain_allowlist: [ORIGIN] }), during);
  const withCreates = await during;
  const during2 = load({ ...config, connections: 1, duration });
  const userTokens = await keepBusy(
    8,
    () => api(s, "POST", "/api/v1/widget/auth/user-token", { external_user_id: "u" }, { authorization: `Bearer ${key.secret_key}` }),
    during2,
  );
  const withUserTokens = await during2;
  // autocannon reports whole milliseconds: an idle p99 of 0 ms is counted as 1 ms for the ratio
  const idleP99 = Math.max(idle.p99, 1);
  console.log("\n| /widget/config, c = 1 | p50 ms | p99 ms | p99 / idle p99 (at least 1 ms) | bcrypt calls done |");
  console.log("|---|---|---|---|---|");
  console.log(`| idle | ${idle.p50} | ${idle.p99} | 1.0 | 0 |`);
  console.log(
    `| during 40 parallel key creates | ${withCreates.p50} | ${withCreates.p99} | ${(withCreates.p99 / idleP99).toFixed(1)} | ${creates} |`,
  );
  console.log(
    `| during 8 parallel user-token calls | ${withUserTokens.p50} | ${withUserTokens.p99} | ${(withUserTokens.p99 / idleP99).toFixed(1)} | ${userTokens} |`,
  );
  console.log(`\nRSS at the end: ${rssMb(s.child.pid!)} MB; errors during the bcrypt runs: ${withCreates.errors + withUserTokens.errors}`);
  await s.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
