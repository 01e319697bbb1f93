/**
 * Ends the provider process when the `pulumi` engine that started it is gone.
 *
 * The engine starts each plugin in a process group of its own, so a `kill -9` of the CLI (a cancelled CI
 * job, an impatient user) leaves the provider running, re-parented to init. Left alone it would go on
 * retrying creates and sweeping for orphans for minutes, minting keys whose secrets nobody receives and
 * deleting keys that the next `pulumi up` just created. The dynamic provider host runs as
 * `pulumi (engine) → sh (the pulumi-resource-pulumi-nodejs shim) → node`; the watch notes this process's
 * parent and grandparent when it starts and exits as soon as either link changes.
 */
import { readFileSync } from "node:fs";

/** How often the ancestry is checked (ms). */
export const ENGINE_WATCH_INTERVAL_MS = 500;

/** The parent pid of `pid` from /proc (Linux); undefined where /proc is not available. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** This process's parent and grandparent (the grandparent only where /proc tells it). */
export function ancestry(): [number, number | undefined] {
  const parent = process.ppid;
  return [parent, parentPid(parent)];
}

let watching: NodeJS.Timeout | undefined;

/**
 * Starts the watch (once per process). `onGone` runs when the engine is gone; by default the process
 * exits with a line on stderr. The timer never keeps the process alive by itself.
 */
export function exitWhenEngineGone(onGone: () => void = defaultOnGone, intervalMs = ENGINE_WATCH_INTERVAL_MS): void {
  if (watching) return;
  const [parent, grandparent] = ancestry();
  watching = setInterval(() => {
    const [p, g] = ancestry();
    if (p !== parent || (grandparent !== undefined && g !== grandparent)) {
      stopEngineWatch();
      onGone();
    }
  }, intervalMs);
  watching.unref();
}

export function stopEngineWatch(): void {
  if (watching) clearInterval(watching);
  watching = undefined;
}

function defaultOnGone(): void {
  process.stderr.write("kataven provider: the pulumi engine that started this process is gone; exiting without further API calls\n");
  process.exit(1);
}

/** True in the SDK's dynamic provider host (where the engine's plugin process runs the lifecycle code). */
export function inDynamicProviderHost(argv = process.argv): boolean {
  return /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(argv[1] ?? "");
}
