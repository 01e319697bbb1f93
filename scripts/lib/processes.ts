/**
 * Running a command to completion, with its output captured (never through a shell); starting a server that
 * announces its url; finding a command on PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for scanning */
  output: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** written to the child's stdin, which is closed after it; default: no stdin */
  stdin?: string;
  /** killed (SIGKILL) after this long; default 4 minutes */
  timeoutMs?: number;
  /** also copy the child's output to this process's (npm start shows the CLI's progress live) */
  echo?: boolean;
}

export function runProcess(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (opts.echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, output: stdout + stderr });
    });
  });
}

export interface UrlChildOptions {
  /** what the child is called in errors, e.g. "kataven-local serve" */
  name: string;
  cwd?: string;
  /** the child's whole environment; default process.env */
  env?: NodeJS.ProcessEnv;
  /** how long it may take to print its url line */
  timeoutMs: number;
  /** where its stderr goes; default: kept in memory, see stderr() */
  stderrTo?: NodeJS.WritableStream;
}

export interface UrlChild {
  url: string;
  child: ChildProcess;
  /** what it wrote to stdout so far, the url line included */
  stdout(): string;
  /** what it wrote to stderr so far (unless `stderrTo` took it) */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone */
  stop(): Promise<void>;
}

/**
 * Starts a server process whose first stdout line is `{"url": …}` (kataven-local serve, the example customer
 * backend) and resolves once it printed that line. Rejects, quoting its stderr, when it exits first or takes
 * longer than `timeoutMs`, and when that line is something else; the child is stopped then.
 */
export async function spawnUntilUrl(cmd: string, args: string[], opts: UrlChildOptions): Promise<UrlChild> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  if (opts.stderrTo) child.stderr!.pipe(opts.stderrTo);
  else child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    }));
  const output = () => (opts.stderrTo ? "(its stderr went to the log)" : stderr);
  const url = await new Promise<string>((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null, value = "") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) void stop().then(() => reject(err));
      else resolve(value);
    };
    const timer = setTimeout(
      () => settle(new Error(`${opts.name} did not start within ${opts.timeoutMs / 1000} s:\n${output()}`)),
      opts.timeoutMs,
    );
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const nl = stdout.indexOf("\n");
      if (settled || nl < 0) return;
      const line = stdout.slice(0, nl).replace(/\r$/, "");
      let found: unknown;
      try {
        found = (JSON.parse(line) as { url?: unknown }).url;
      } catch {
        // not JSON: reported below
      }
      if (typeof found === "string") settle(null, found);
      else settle(new Error(`${opts.name} printed ${JSON.stringify(line)}, not a JSON {url}`));
    });
    child.once("error", (e) => settle(new Error(`could not start ${opts.name}: ${e.message}`, { cause: e })));
    // "close", not "exit": by then its stderr has been read to the end.
    child.once("close", (code, signal) => settle(new Error(`${opts.name} exited with ${code ?? signal}:\n${output()}`)));
  });
  return { url, child, stdout: () => stdout, stderr: () => stderr, stop };
}

/** The first executable of that name on the PATH of `env`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
