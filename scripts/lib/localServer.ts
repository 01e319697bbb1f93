/**
 * `kataven-local` as a child process, the way npm start, the bench and the tests that need a separate server
 * run it: bootstrap an account into a data directory, then `serve` on a free loopback port and wait for the
 * `{"url": …}` line it prints first.
 */
import * as fs from "node:fs";
import type { BootstrapResult } from "../../server/bootstrap";
import { runProcess, spawnUntilUrl, type UrlChild } from "./processes";
import { repoPath } from "./repo";

/** The compiled server entry point (npm scripts build it first). */
export const SERVER_MAIN = repoPath("dist/server/main.js");

function requireBuilt(main: string): void {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first ("npx tsc -p ."; npm scripts do)`);
}

/** `kataven-local bootstrap`: the account, its agents and (with rotateKey, or the first time) a new API key. */
export async function bootstrapAccount(opts: {
  dataDir: string;
  account: string;
  agents?: string[];
  rotateKey?: boolean;
  main?: string;
}): Promise<BootstrapResult> {
  const main = opts.main ?? SERVER_MAIN;
  requireBuilt(main);
  const args = [main, "bootstrap", "--data", opts.dataDir, "--account", opts.account];
  if (opts.rotateKey) args.push("--rotate-key");
  for (const a of opts.agents ?? []) args.push("--agent", a);
  const r = await runProcess(process.execPath, args, { cwd: repoPath() });
  // Bootstrap prints the API key on stdout; only stderr is ever quoted in an error.
  if (r.code !== 0) throw new Error(`kataven-local bootstrap exited with ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as BootstrapResult;
}

export interface ServeOptions {
  dataDir: string;
  /** extra `serve` flags, e.g. ["--admin", "--bcrypt-cost", "4", "--rate-limits", "off", "--quiet"] */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** where the server's stderr (its request log) goes; default: kept in memory, see stderr() */
  log?: fs.WriteStream;
  /** another build's server entry point (bench:server --main); default this package's */
  main?: string;
}

/** The running server: its url, stdout/stderr so far (unless `log` took stderr), and stop(). */
export type ServerChild = UrlChild;

/** `kataven-local serve --port 0 --host 127.0.0.1`; resolves once the server listens. */
export async function serveLocal(opts: ServeOptions): Promise<ServerChild> {
  const main = opts.main ?? SERVER_MAIN;
  requireBuilt(main);
  const args = [main, "serve", "--port", "0", "--host", "127.0.0.1", "--data", opts.dataDir, ...(opts.args ?? [])];
  return spawnUntilUrl(process.execPath, args, {
    name: "kataven-local serve",
    env: { ...process.env, ...opts.env },
    timeoutMs: 15_000,
    stderrTo: opts.log,
  });
}
