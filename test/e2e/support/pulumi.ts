/**
 * Drives the plain Pulumi CLI for e2e tests, as a user runs it: `pulumi` and the genuine Node.js language
 * host from PATH (npm test puts the toolchain's there), programs in directories loaded by the host.
 * Each session gets its own file:// backend and PULUMI_HOME in a temp directory. Commands are spawned
 * asynchronously so a server running inside the jest process keeps answering while the CLI works.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess, type RunResult } from "../../../scripts/lib/processes";
import { offlineEnv, pulumiFailure, runPulumi } from "../../../scripts/lib/pulumiCli";
import { REPO_ROOT } from "../../../scripts/lib/repo";

export { runProcess, type RunResult };
export const REPO = REPO_ROOT;

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
  /** The stack's checkpoint file in the file backend (<stateDir>/.pulumi/stacks/…/<stack>.json), once it exists (never on other backends). */
  checkpointFile(): string | undefined;
  /** The current checkpoint's resources. */
  resources(): Array<{ urn: string; type: string; id?: string; inputs?: any; outputs?: any }>;
  /** The types of the checkpoint's resources other than the stack and the default providers. */
  resourceTypes(): string[];
  dispose(): void;
}

export async function newSession(programDir: string, opts: { stack?: string; env?: NodeJS.ProcessEnv } = {}): Promise<PulumiSession> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-e2e-"));
  const stateDir = path.join(root, "state");
  // Stack settings (Pulumi.<stack>.yaml) live in the program directory, so each session gets its own name.
  const stack = opts.stack ?? `e2e-${path.basename(root).slice("kataven-e2e-".length).toLowerCase()}`;
  const env: NodeJS.ProcessEnv = {
    ...offlineEnv({ backend: stateDir, home: path.join(root, "home"), passphrase: "e2e-local-only" }),
    PULUMI_STACK: undefined,
    // Credentials come from stack config in these tests, never from the jest environment.
    KATAVEN_API_KEY: undefined,
    KATAVEN_API_URL: undefined,
    KATAVEN_ACCOUNT_ID: undefined,
    ...opts.env,
  };
  const transcript: string[] = [];
  // The most resources of each type the state held after any command: printed at dispose, so every e2e run
  // shows what the genuine host made (a program that ran but declared nothing shows up as "none").
  const seen = new Map<string, number>();
  // Only when the checkpoint changed: most commands (config, stack output, preview) leave it as it was, and
  // the benches time session.run(), so a large state is not parsed again after every one of them.
  let noted: string | undefined;
  const noteResourcesSeen = () => {
    const file = session.checkpointFile();
    const version = file && `${file}@${fs.statSync(file).mtimeMs}`;
    if (version === noted) return;
    noted = version;
    const counts = new Map<string, number>();
    for (const t of session.resourceTypes()) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, n] of counts) seen.set(t, Math.max(seen.get(t) ?? 0, n));
  };
  const session: PulumiSession = {
    programDir,
    stack,
    stateDir,
    env,
    transcript,
    async run(args, runOpts = {}) {
      const r = await runPulumi(args, { cwd: runOpts.cwd ?? programDir, env: { ...env, ...runOpts.env }, stdin: runOpts.stdin });
      transcript.push(`$ pulumi ${args.join(" ")}\n${r.output}`);
      noteResourcesSeen();
      if (r.code !== 0 && !runOpts.allowFailure) throw pulumiFailure(args, r);
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
    checkpointFile() {
      const dir = path.join(stateDir, ".pulumi/stacks");
      // A session on another backend (PULUMI_BACKEND_URL in opts.env) has no checkpoint file here.
      if (!fs.existsSync(dir)) return undefined;
      const file = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(`${stack}.json`));
      return file && path.join(dir, file);
    },
    resources() {
      const file = session.checkpointFile();
      if (!file) return [];
      const doc = JSON.parse(fs.readFileSync(file, "utf8"));
      return doc.checkpoint?.latest?.resources ?? [];
    },
    resourceTypes() {
      return session
        .resources()
        .map((r) => r.type)
        .filter((t) => t !== "pulumi:pulumi:Stack" && !t.startsWith("pulumi:providers:"));
    },
    dispose() {
      const fileBackend = env.PULUMI_BACKEND_URL === `file://${stateDir}`;
      const list =
        [...seen].map(([t, n]) => `${t.split(":").pop()} x${n}`).join(", ") ||
        (fileBackend ? "none" : "not read (the state is in another backend)");
      const strays = stopStrayProcesses(env.PULUMI_HOME!);
      console.log(
        `e2e ${path.relative(REPO, programDir) || "."} [${stack}]: resources seen in state: ${list}` +
          (strays ? `; stopped ${strays} process(es) left by a killed CLI` : ""),
      );
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(path.join(programDir, `Pulumi.${stack}.yaml`), { force: true });
    },
  };
  await session.run(["stack", "init", stack, "--non-interactive"]);
  return session;
}

/**
 * Stops the processes still running with this session's PULUMI_HOME once the session is over: the plugins of
 * a CLI killed with SIGKILL (the engine starts each plugin in its own process group, so they outlive it and
 * would wait on their gRPC port forever). Linux only (/proc); returns how many it stopped.
 */
function stopStrayProcesses(home: string): number {
  if (!fs.existsSync("/proc/self/environ")) return 0;
  let stopped = 0;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`PULUMI_HOME=${home}`)) continue;
      process.kill(Number(pid), "SIGKILL");
      stopped++;
    } catch {
      // gone already, or not ours to read
    }
  }
  return stopped;
}

/** The CLI's version line, printed once per e2e file so the log shows which engine ran. */
export async function cliVersion(): Promise<string> {
  const version = await runPulumi(["version"], { cwd: REPO });
  if (version.code !== 0) throw new Error(`pulumi version failed: ${version.output}`);
  const about = await runPulumi(["about", "--json"], { cwd: REPO });
  const plugins: Array<{ name: string; kind?: string; version?: string }> = JSON.parse(about.stdout || "{}").plugins ?? [];
  const host = plugins.find((p) => p.name === "nodejs" && (p.kind ?? "language") === "language");
  if (!host)
    throw new Error(
      `pulumi about lists no Node.js language host (pulumi-language-nodejs); run the tests through npm test:\n${about.output}`,
    );
  return `${version.stdout.trim()}, language host nodejs ${host.version}`;
}

/** Every plaintext `sk_live_` value in the text (account API keys and widget secrets alike). */
export function findSecretKeys(text: string): string[] {
  return [...new Set(text.match(/sk_live_[A-Za-z0-9_-]{20,}/g) ?? [])];
}

/**
 * A leak scan with its positive control: the same scan over the same text with one planted value must
 * find exactly that value (so a scan that matches nothing cannot pass), then the text itself must hold
 * none. Compares counts only, so a failure never prints a secret.
 */
export function expectNoSecretKeys(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  const planted = `sk_live_acme_${"Pc7".repeat(11)}`;
  expect(findSecretKeys(`${text}\n{"secretKey": "${planted}"}`)).toEqual([planted]);
  expect(findSecretKeys(text).length).toBe(0);
}
