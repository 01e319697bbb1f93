/**
 * Deciding whether an ambiguous create minted a key. POST is not idempotent: after a create whose answer was
 * lost, the client lists the account's keys to find (and delete) what that attempt made. That list must not
 * be given up after one failed try, or the key stays live with its secret lost; it is retried until it
 * answers or the deadline passes, and then the error names the key and the recovery command.
 */
import { KatavenApiError } from "../errors";
import { sleep } from "../transport";

/** Default time to keep trying to list the keys after an ambiguous create (ms). */
export const ORPHAN_CHECK_DEADLINE_MS = 300_000;

/** The command that finds and removes keys an interrupted or undecided create left behind. */
export const RECOVERY_HINT =
  'run "pulumi up" again, then "npx kataven-recover --delete" in the program directory: it lists the widget keys no resource of the stack tracks and deletes the never-used ones (README, "Recovering from an interrupted run")';

/** Errors that waiting cannot fix (bad credentials, a request the API refuses). */
function permanent(err: unknown): boolean {
  return err instanceof KatavenApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

/**
 * Runs `fn` until it succeeds, a permanent error occurs, or `deadlineMs` has passed since the start, waiting
 * with capped exponential backoff in between. Throws the last error.
 */
export async function untilDecided<T>(fn: () => Promise<T>, deadlineMs: number, baseMs = 500, capMs = 10_000): Promise<T> {
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = Math.min(capMs, baseMs * 2 ** (attempt - 1));
      if (permanent(err) || Date.now() - start + wait > deadlineMs) throw err;
      await sleep(wait);
    }
  }
}
