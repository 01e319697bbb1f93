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
  if (url.startsWith("file://")) fs.mkdirSync(url.slice("file://".length), { recursive: true });
  if (settings.home) fs.mkdirSync(settings.home, { recursive: true });
  return {
    ...base,
    PULUMI_BACKEND_URL: url,
    ...(settings.home ? { PULUMI_HOME: settings.home } : {}),
    PULUMI_CONFIG_PASSPHRASE: settings.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/** Runs `pulumi <args>` (the binary on PATH) to completion. */
export function runPulumi(args: string[], opts: RunOptions): Promise<RunResult> {
  return runProcess("pulumi", args, { timeoutMs: 300_000, ...opts });
}

/** A failed command as an Error that quotes its output (callers scan it for secrets first in tests). */
export function pulumiFailure(args: string[], r: RunResult): Error {
  return new Error(`pulumi ${args.join(" ")} exited with ${r.code}:\n${r.output}`);
}
