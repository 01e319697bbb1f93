/**
 * One server per data directory: `serve` holds `<data>/server.lock`, a file naming its pid (and, on Linux,
 * the process's start time, so a pid reused by another process after a crash is not mistaken for a live
 * server). A second `serve` on the same directory is refused with a message naming the holder and the
 * file; a lock left by a process that is gone is taken over. `bootstrap` does not take the lock (it may run
 * beside a server).
 */
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataDirError } from "./dataDir";

export const LOCK_FILE = "server.lock";

interface Holder {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot); null where /proc is not available */
  start: string | null;
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the fields after the command name (which may hold spaces) start after the last ")"; start time is field 22
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function alive(holder: Holder): boolean {
  if (holder.pid === process.pid) return false; // our own pid again (a container restarted): the lock is stale
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = startTime(holder.pid);
  return holder.start === null || now === null || now === holder.start;
}

function readHolder(path: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, start: typeof parsed.start === "string" ? parsed.start : null } : null;
  } catch {
    return null;
  }
}

/** Takes the directory's server lock or throws a DataDirError naming the live holder; returns the release. */
export function acquireServerLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, start: startTime(process.pid) });
  // written aside, then linked into place: the lock file appears with its content or not at all
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, `${mine}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EEXIST")
          throw new DataDirError(
            `cannot create the server lock ${path} (${code ?? (err as Error).message}); check that ${dir} is writable`,
            { cause: err },
          );
      }
      const holder = readHolder(path);
      if (holder && alive(holder)) {
        throw new DataDirError(
          `another kataven-local server (pid ${holder.pid}) is serving the data directory ${dir} (lock file ${path}); stop it or pass another --data (if no such server runs, remove ${path})`,
        );
      }
      if (attempt >= 2) throw new DataDirError(`cannot take the server lock ${path}: another server is starting on ${dir}; try again`);
      // its process is gone: move the stale lock aside (a rename is atomic) and try again
      try {
        renameSync(path, `${tmp}.stale`);
        unlinkSync(`${tmp}.stale`);
      } catch {
        // another starter moved it first; the next attempt sees its lock
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(path, "utf8").trim() === mine) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return release;
}
