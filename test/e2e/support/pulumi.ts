/**
 * Drives the real Pulumi CLI for e2e tests: each session gets its own file:// backend and PULUMI_HOME in a
 * temp directory, and every command goes through scripts/pulumi.ts (the CLI, plus the in-process language
 * runtime for program commands). Commands are spawned asynchronously so a server running inside the jest
 * process keeps answering while the CLI works.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The repository root: the nearest ancestor with a package.json (this file also runs compiled, from dist/). */
export const REPO = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
})();
const RUNNER = path.join(REPO, "dist/scripts/pulumi.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for scanning */
  output: string;
}

export interface PulumiSession {
  readonly programDir: string;
  readonly stack: string;
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every command's output so far, for leak scans at the end. */
  readonly transcript: string[];
  run(args: string[], opts?: { allowFailure?: boolean; env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string }): Promise<RunResult>;
  config(key: string, value: string, opts?: { secret?: boolean }): Promise<void>;
  /** Points the stack's provider config at a Kataven server: kataven:apiUrl, and kataven:apiKey as a secret. */
  useServer(server: { url: string; apiKey: string }): Promise<void>;
  /** Sets a structured (object/list) config value, replacing the key's previous value. */
  configObject(key: string, value: unknown): Promise<void>;
  /** All files of the backend (state, history, backups) as text. */
  stateText(): string;
  /** The current checkpoint's resources. */
  resources(): Array<{ urn: string; type: string; id?: string; inputs?: any; outputs?: any }>;
  dispose(): void;
}

export function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, output: stdout + stderr });
    });
  });
}

export async function newSession(programDir: string, opts: { stack?: string; env?: NodeJS.ProcessEnv } = {}): Promise<PulumiSession> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-e2e-"));
  const stateDir = path.join(root, "state");
  fs.mkdirSync(stateDir);
  fs.mkdirSync(path.join(root, "home"));
  // Stack settings (Pulumi.<stack>.yaml) live in the program directory, so each session gets its own name.
  const stack = opts.stack ?? `e2e-${path.basename(root).slice("kataven-e2e-".length).toLowerCase()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_CONFIG_PASSPHRASE: "e2e-local-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_STACK: undefined,
    NODE_OPTIONS: "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON",
    INIT_CWD: undefined, // set by `npm test`; the runner would take it for the user's directory
    // Credentials come from stack config in these tests, never from the jest environment.
    KATAVEN_API_KEY: undefined,
    KATAVEN_API_URL: undefined,
    KATAVEN_ACCOUNT_ID: undefined,
    ...opts.env,
  };
  const transcript: string[] = [];
  const session: PulumiSession = {
    programDir,
    stack,
    stateDir,
    env,
    transcript,
    async run(args, runOpts = {}) {
      const r = await runProcess("node", [RUNNER, ...args], {
        cwd: runOpts.cwd ?? programDir,
        env: { ...env, ...runOpts.env },
        stdin: runOpts.stdin,
      });
      transcript.push(`$ pulumi ${args.join(" ")}\n${r.output}`);
      if (r.code !== 0 && !runOpts.allowFailure) {
        throw new Error(`pulumi ${args.join(" ")} exited with ${r.code}:\n${r.output}`);
      }
      return r;
    },
    async config(key, value, cfgOpts = {}) {
      if (cfgOpts.secret) {
        // Through stdin, as a user should: a secret on the command line shows in `ps` and in transcripts.
        await session.run(["config", "set", "--stack", stack, "--secret", key], { stdin: value });
      } else {
        await session.run(["config", "set", "--stack", stack, key, "--", value]);
      }
    },
    async useServer(server) {
      await session.config("kataven:apiUrl", server.url);
      await session.config("kataven:apiKey", server.apiKey, { secret: true });
    },
    async configObject(key, value) {
      const json = JSON.stringify({ [key]: { value: JSON.stringify(value), objectValue: value, secret: false } });
      await session.run(["config", "set-all", "--stack", stack, "--json", json]);
    },
    stateText() {
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else out.push(fs.readFileSync(p, "utf8"));
        }
      };
      walk(stateDir);
      return out.join("\n");
    },
    resources() {
      const file = fs
        .readdirSync(path.join(stateDir, ".pulumi/stacks"), { recursive: true, encoding: "utf8" })
        .find((f) => f.endsWith(`${stack}.json`));
      if (!file) return [];
      const doc = JSON.parse(fs.readFileSync(path.join(stateDir, ".pulumi/stacks", file), "utf8"));
      return doc.checkpoint?.latest?.resources ?? [];
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(path.join(programDir, `Pulumi.${stack}.yaml`), { force: true });
    },
  };
  await session.run(["stack", "init", stack, "--non-interactive"]);
  return session;
}

/** The CLI's version line, printed once per e2e file so the log shows which engine ran. */
export async function cliVersion(): Promise<string> {
  const r = await runProcess("pulumi", ["version"], { cwd: REPO, env: process.env });
  if (r.code !== 0) throw new Error(`pulumi version failed: ${r.output}`);
  return r.stdout.trim();
}

/** Every plaintext `sk_live_` value in the text (account API keys and widget secrets alike). */
export function findSecretKeys(text: string): string[] {
  return [...new Set(text.match(/sk_live_[A-Za-z0-9_-]{20,}/g) ?? [])];
}
