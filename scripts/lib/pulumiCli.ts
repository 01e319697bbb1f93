/**
 * The plain Pulumi CLI with the project's offline settings, for the scripts, the e2e tests and the bench:
 * `pulumi` and its Node.js language host come from PATH (scripts/toolchain.sh --pulumi puts them there),
 * programs run exactly as `pulumi up` runs them for a user. scripts/toolchain.sh sets the same defaults
 * for a shell (kataven_offline_env).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runProcess, type RunOptions, type RunResult } from "./processes";

export interface OfflineSettings {
  /** the backend: a directory (used as a file:// backend, created if missing) or a backend URL */
  backend: string;
  /** PULUMI_HOME (plugins, workspace settings); default: leave the caller's */
  home?: string;
  /** PULUMI_CONFIG_PASSPHRASE for the stacks' secrets */
  passphrase: string;
}

/** The environment for one offline engine call: no update checks, no plugin downloads, a file backend. */
export function offlineEnv(settings: OfflineSettings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let url = settings.backend;
  if (!/^[a-z0-9]+:\/\//.test(url)) url = `file://${path.resolve(url)}`;
  // The state's secrets are only as private as its files: directories 0700 (as scripts/toolchain.sh makes them).
  if (url.startsWith("file://")) privateDir(url.slice("file://".length));
  if (settings.home) privateDir(settings.home);
  return {
    ...base,
    PULUMI_BACKEND_URL: url,
    ...(settings.home ? { PULUMI_HOME: settings.home } : {}),
    PULUMI_CONFIG_PASSPHRASE: settings.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Runs `pulumi <args>` (the binary on PATH) to completion. */
export function runPulumi(args: string[], opts: RunOptions): Promise<RunResult> {
  return runProcess("pulumi", args, { timeoutMs: 300_000, ...opts });
}

/** A failed command as an Error that quotes its output (callers scan it for secrets first in tests). */
export function pulumiFailure(args: string[], r: RunResult): Error {
  return new Error(`pulumi ${args.join(" ")} exited with ${r.code}:\n${r.output}`);
}
