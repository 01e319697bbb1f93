/**
 * Deciding whether an ambiguous create minted a key. POST is not idempotent: after a create whose answer was
 * lost, the client lists the account's keys to find (and delete) what that attempt made. That list must not
 * be given up after one failed try, or the key stays live with its secret lost; it is retried until it
 * answers or the deadline passes, and then the error names the key and the recovery command.
 */
import { KatavenApiError } from "./errors";
import { backoffMs, retryLoop } from "./retry";

/** Default time to keep trying to list the keys after an ambiguous create (ms). */
export const ORPHAN_CHECK_DEADLINE_MS = 300_000;

/** The recovery command as a user runs it in the program directory (never fetched from the registry). */
const RECOVER_COMMAND = "npx --no-install kataven-recover";

/** What to do after a create that may have left a key behind. */
export const RECOVERY_HINT = 'the README\'s "Recovering from an interrupted run" says how to find and remove such a key; for this one run';

/** The recovery command that lists (and with --delete removes) the unused, untracked keys of `name` created in [from, to]. */
export function recoverCommand(name: string, from: number, to: number): string {
  return `${RECOVER_COMMAND} --name ${JSON.stringify(name)} --created-after ${new Date(from).toISOString()} --created-before ${new Date(to).toISOString()}`;
}

/** Errors that waiting cannot fix (bad credentials, a request the API refuses). */
function permanent(err: unknown): boolean {
  return err instanceof KatavenApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

/**
 * Runs `fn` until it succeeds, a permanent error occurs, or `deadlineMs` has passed since the start, waiting
 * with the policy's backoff (./retry.ts) in between; a wait of more than a few seconds is reported in the
 * engine log as `what`. Throws the last error.
 */
export function untilDecided<T>(fn: () => Promise<T>, deadlineMs: number, what = "request", baseMs = 500, capMs = 10_000): Promise<T> {
  return retryLoop(what, fn, (err, { attempt, startedAt }) => {
    const waitMs = backoffMs(attempt, baseMs, capMs);
    return permanent(err) || Date.now() - startedAt + waitMs > deadlineMs ? undefined : { waitMs };
  });
}
