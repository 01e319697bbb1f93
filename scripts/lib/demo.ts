/**
 * The demo stack that `npm start` provisions (Pulumi.dev.yaml) and its local server, shared by npm start
 * (scripts/start.ts) and by `npm run pulumi -- <command> --stack dev` in the repository root
 * (scripts/withDemoServer.ts): where the server's data and the stack's state live, and how a command gets a
 * running server and an API key. The key is minted for each run (bootstrap --rotate-key) and travels in the
 * CLI's environment only: it is never written to a file.
 *
 * KATAVEN_LOCAL_DATA (server data directory), KATAVEN_DEMO_BACKEND (backend URL) and KATAVEN_DEMO_STACK
 * (stack name) override the defaults.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseProgramConfig } from "../../program/config";
import { bootstrapAccount, serveLocal, type ServerChild } from "./localServer";
import { offlineEnv, pulumiFailure, runPulumi } from "./pulumiCli";
import { REPO_ROOT as REPO } from "./repo";

export const DEMO_DATA = process.env.KATAVEN_LOCAL_DATA ?? path.join(REPO, ".kataven-local/data");
export const DEMO_STACK = process.env.KATAVEN_DEMO_STACK ?? "dev";
export const DEMO_ACCOUNT = "demo";
/** The demo stack lives in the project's own file backend, whatever backend you use otherwise, with the
 * local-only passphrase Pulumi.dev.yaml's encryptionsalt was made with. */
export const DEMO_ENV = offlineEnv({
  backend: process.env.KATAVEN_DEMO_BACKEND ?? path.join(REPO, ".pulumi-state"),
  passphrase: "local-only-passphrase",
});

/** `pulumi <args>` on the root program with the demo settings; `show` streams its output as it comes. */
export async function demoPulumi(args: string[], opts: { env?: NodeJS.ProcessEnv; show?: boolean } = {}): Promise<string> {
  const r = await runPulumi(args, { cwd: REPO, env: { ...DEMO_ENV, ...opts.env }, echo: opts.show });
  if (r.code !== 0) throw opts.show ? new Error(`pulumi ${args[0]} exited with ${r.code} (its output is above)`) : pulumiFailure(args, r);
  return r.stdout;
}

/** True once the demo stack exists in the demo backend. */
export async function demoStackExists(): Promise<boolean> {
  const stacks = JSON.parse(await demoPulumi(["stack", "ls", "--json"])) as Array<{ name: string }>;
  return stacks.some((s) => s.name === DEMO_STACK);
}

/**
 * The agent ids the stack config mentions (policies and key pins), so bootstrap can create them on the
 * local server. Read through the CLI and parsed by the root program's own config schema.
 */
async function agentsOfStack(): Promise<string[]> {
  const raw = JSON.parse(await demoPulumi(["config", "--json", "--stack", DEMO_STACK])) as Record<
    string,
    { value?: string; objectValue?: unknown }
  >;
  const get = (k: string) => raw[`kataven-widget:${k}`]?.objectValue;
  const cfg = parseProgramConfig({ keys: get("keys"), branding: get("branding"), agents: get("agents") });
  const pinned = Object.values(cfg.keys).flatMap((k) => (k.agent ? [k.agent] : []));
  return [...new Set([...Object.keys(cfg.agents), ...pinned])];
}

export interface DemoServer {
  server: ServerChild;
  /** the demo account's id and the agents it has */
  accountId: string;
  agents: string[];
  /** KATAVEN_API_URL and KATAVEN_API_KEY for the CLI (provider config falls back to them) */
  env: { KATAVEN_API_URL: string; KATAVEN_API_KEY: string };
  /** where the request log goes */
  logFile: string;
}

/**
 * Bootstraps the demo account (a new API key; the agents the stack config names) and serves the data
 * directory on a free loopback port. The request log goes to a file beside the data, so the CLI's output
 * stays readable. The stack must exist (its config names the agents).
 */
export async function startDemoServer(): Promise<DemoServer> {
  // the data dir holds key material: private from the start (the server refuses a group/other-readable one)
  fs.mkdirSync(DEMO_DATA, { recursive: true, mode: 0o700 });
  fs.chmodSync(DEMO_DATA, 0o700);
  const agents = await agentsOfStack();
  const boot = await bootstrapAccount({ dataDir: DEMO_DATA, account: DEMO_ACCOUNT, agents, rotateKey: true });
  const logFile = path.join(DEMO_DATA, "..", "server.log");
  const server = await serveLocal({ dataDir: DEMO_DATA, log: fs.createWriteStream(logFile, { flags: "a" }) });
  return {
    server,
    accountId: boot.account_id,
    agents: boot.agents,
    env: { KATAVEN_API_URL: server.url, KATAVEN_API_KEY: boot.api_key! },
    logFile,
  };
}

/** A path as the user sees it: relative to the repository when inside it. */
export function shown(p: string): string {
  return path.relative(REPO, p).startsWith("..") ? p : path.relative(REPO, p);
}
