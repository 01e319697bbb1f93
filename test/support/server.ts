/**
 * Test helpers for the local Kataven server (server/). Both start the real server on 127.0.0.1, port 0,
 * with a fresh temp data dir, and bootstrap an account ("acme"), its API key and two agents
 * ("agent-a", "agent-b"; widget policy default = disabled).
 *
 *   const srv = await startServer();               // in-process (fast; exposes the Store)
 *   const srv = await startServerProcess();        // `node dist/server/main.js serve` child (needs a build)
 *   await fetch(`${srv.url}/api/v1/widget-keys`, { headers: { authorization: `Bearer ${srv.apiKey}` } });
 *   await srv.requestCount("POST /api/v1/widget-keys");   // requests seen per canonical route
 *   await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "apply-then-fail" }]);  // needs {faults: true}
 *   await srv.close();
 *
 * Test defaults differ from the CLI on purpose: rate limits OFF unless `limits` is given (pass {} for the
 * documented 60/min…), public widget budgets OFF unless `publicLimits` is given, bcrypt cost 4, request log
 * silent.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapAccount, serveLocal } from "../../scripts/lib/localServer";
import { call } from "./http";
import { createApp, type Clock, type Logger } from "../../server/app";
import { bootstrap } from "../../server/bootstrap";
import { FaultInjector, type FaultRule } from "../../server/faults";
import { listen, type ConnectionLimits } from "../../server/listen";
import type { PublicLimits } from "../../server/publicLimits";
import type { RateLimits } from "../../server/ratelimit";
import { countRequests, RequestStats, type StatsSnapshot } from "../../server/stats";
import { Store } from "../../server/store";

export type { FaultRule, StatsSnapshot };

export interface StartServerOptions {
  /** enable fault rules (setFaults); default false */
  faults?: boolean;
  /** rate limits; default OFF in tests. {} = the documented defaults, or override some fields */
  limits?: Partial<RateLimits> | false;
  /** public widget budgets (per peer, per key, per key and peer); default OFF in tests, {} = the server defaults */
  publicLimits?: Partial<PublicLimits> | false;
  /** injectable clock (see fakeClock); default Date.now. In-process only. */
  clock?: Clock;
  /** bcrypt cost; default 4 */
  bcryptCost?: number;
  /** account slug to bootstrap; default "acme" */
  account?: string;
  /** agents to bootstrap; default ["agent-a", "agent-b"] */
  agents?: string[];
  /** reuse a data dir (e.g. to test a restart); default a fresh temp dir */
  dataDir?: string;
  /** keep the data dir on close(); default false for a temp dir the helper made, always true for dataDir */
  keepData?: boolean;
  /** request log sink; default silent. In-process only. */
  logger?: Logger | false;
  /** slow-client timeouts and connection cap (listen.ts); default the server's. In-process only. */
  connectionLimits?: Partial<ConnectionLimits>;
}

export interface Account {
  accountId: string;
  apiKey: string;
  agents: string[];
}

/** Shared by startServer() and startServerProcess(). */
export interface ServerHandle extends Account {
  url: string;
  dataDir: string;
  /** requests seen, per canonical route key; filter: "POST /api/v1/widget-keys", "/api/v1/widget-keys" (any method) or a RegExp */
  requestCount(filter?: string | RegExp): Promise<number>;
  stats(): Promise<StatsSnapshot>;
  resetStats(): Promise<void>;
  /** replaces every fault rule (server started with {faults: true}) */
  setFaults(rules: FaultRule[]): Promise<void>;
  clearFaults(): Promise<void>;
  /** Authorization + JSON headers for the bootstrap account's API key */
  headers(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export interface TestServer extends ServerHandle {
  store: Store;
  /** creates (or reuses) another account with its API key and agents */
  createAccount(slug: string, agents?: string[]): Account;
  /** adds an agent to an account (default: the bootstrap account) */
  addAgent(agentId: string, accountId?: string): void;
  /** sets an agent's widget policy directly in the store */
  setAgentPolicy(agentId: string, policy: { widget_enabled: boolean; auth_mode: "guest" | "user" | "both" }, accountId?: string): void;
}

/** A clock for `clock:`; starts at `startMs` (default now) and moves only when told. */
export function fakeClock(startMs = Date.now()) {
  let t = startMs;
  const clock = Object.assign(() => t, {
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  });
  return clock;
}

function bearerHeaders(apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...extra };
}

/** Admin helpers over HTTP (the child process has no shared memory). */
function httpAdmin(url: string) {
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await call(url, method, path, { body });
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`);
    return r.json as unknown;
  };
  return {
    stats: async () => (await admin("GET", "/__admin/stats")) as StatsSnapshot,
    resetStats: async () => void (await admin("POST", "/__admin/stats/reset")),
    setFaults: async (rules: FaultRule[]) => void (await admin("PUT", "/__admin/faults", rules)),
    clearFaults: async () => void (await admin("DELETE", "/__admin/faults")),
  };
}

/** Starts the server in this process. */
export async function startServer(opts: StartServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "kataven-local-"));
  const keepData = opts.dataDir !== undefined || opts.keepData === true;
  const store = Store.open(dataDir);
  // Rotating hands this run a fresh, working key also when dataDir already holds the account.
  const boot = bootstrap(store, { account: opts.account ?? "acme", agents: opts.agents ?? ["agent-a", "agent-b"], rotateKey: true });
  const apiKey = boot.api_key!;
  const stats = new RequestStats();
  const faults = opts.faults ? new FaultInjector() : false;
  const app = createApp({
    store,
    clock: opts.clock,
    limits: opts.limits ?? false,
    publicLimits: opts.publicLimits ?? false,
    faults,
    admin: true,
    stats,
    bcryptCost: opts.bcryptCost ?? 4,
    logger: opts.logger ?? false,
  });
  const listening = await listen(app, { host: "127.0.0.1", port: 0, limits: opts.connectionLimits });
  const needFaults = (): FaultInjector => {
    if (!faults) throw new Error("fault rules need startServer({ faults: true })");
    return faults;
  };
  let closed = false;
  return {
    url: listening.url,
    accountId: boot.account_id,
    apiKey,
    agents: boot.agents,
    dataDir,
    store,
    headers: (extra) => bearerHeaders(apiKey, extra),
    requestCount: async (filter) => countRequests(stats.snapshot(), filter),
    stats: async () => stats.snapshot(),
    resetStats: async () => stats.reset(),
    setFaults: async (rules) => needFaults().set(rules),
    clearFaults: async () => needFaults().clear(),
    createAccount(slug, agents = []) {
      const r = bootstrap(store, { account: slug, agents, rotateKey: true });
      return { accountId: r.account_id, apiKey: r.api_key!, agents: r.agents };
    },
    addAgent(agentId, accountId = boot.account_id) {
      store.ensureAgent(accountId, agentId, agentId, new Date().toISOString());
    },
    setAgentPolicy(agentId, policy, accountId = boot.account_id) {
      store.putAgentSettings(accountId, agentId, policy, new Date().toISOString());
    },
    async close() {
      if (closed) return;
      closed = true;
      await listening.close();
      store.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ProcessServer extends ServerHandle {
  child: ChildProcess;
  /** what the server wrote to stderr so far (request log lines unless quiet) */
  stderr(): string;
}

/**
 * Starts `node dist/server/main.js serve` as a child process (run `npx tsc -p .` first; npm test does).
 * Options as startServer, except clock and logger (in-process only). `env` is added to the child's env;
 * `log: true` keeps the request log on stderr (readable with stderr()).
 */
export async function startServerProcess(
  opts: Omit<StartServerOptions, "clock" | "logger" | "connectionLimits"> & { env?: Record<string, string>; log?: boolean } = {},
): Promise<ProcessServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "kataven-local-"));
  const keepData = opts.dataDir !== undefined || opts.keepData === true;
  const boot = await bootstrapAccount({
    dataDir,
    account: opts.account ?? "acme",
    agents: opts.agents ?? ["agent-a", "agent-b"],
    rotateKey: true,
  });
  const apiKey = boot.api_key!; // --rotate-key always mints

  const limits = opts.limits ?? false;
  const limitSpec =
    limits === false
      ? "off"
      : `minute=${limits.perMinute ?? 60},hour=${limits.perHour ?? 1000},day=${limits.perDay ?? 10000},concurrent=${limits.concurrent ?? 20}`;
  const pub = opts.publicLimits ?? false;
  const publicSpec =
    pub === false ? "off" : `peer=${pub.perPeer ?? 300},key=${pub.perKey ?? 3000}${pub.perPeerKey ? `,peerkey=${pub.perPeerKey}` : ""}`;
  const args = ["--admin", "--bcrypt-cost", String(opts.bcryptCost ?? 4), "--rate-limits", limitSpec, "--public-rate-limits", publicSpec];
  if (opts.faults) args.push("--faults");
  if (!opts.log) args.push("--quiet");
  const server = await serveLocal({ dataDir, args, env: opts.env });
  const { url, child } = server;
  const admin = httpAdmin(url);
  let closed: Promise<void> | null = null;
  return {
    url,
    accountId: boot.account_id,
    apiKey,
    agents: boot.agents,
    dataDir,
    child,
    stderr: server.stderr,
    headers: (extra) => bearerHeaders(apiKey, extra),
    requestCount: async (filter) => countRequests(await admin.stats(), filter),
    stats: admin.stats,
    resetStats: admin.resetStats,
    setFaults: async (rules) => {
      if (!opts.faults) throw new Error("fault rules need startServerProcess({ faults: true })");
      await admin.setFaults(rules);
    },
    clearFaults: admin.clearFaults,
    close() {
      closed ??= server.stop().then(() => {
        if (!keepData) rmSync(dataDir, { recursive: true, force: true });
      });
      return closed;
    },
  };
}
