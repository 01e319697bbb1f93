/**
 * A deadline for the lifecycle call in progress: the engine's `customTimeouts` for a native resource's
 * create, update or delete (provider/native/resourceMethods.ts sets it). Every request that starts before the
 * deadline gets at most the time left; once it has passed, no write (POST, PATCH) starts, while reads and
 * deletes still run, so an interrupted create can still find and delete the key it may have minted.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { KatavenError } from "./api/errors";

const scope = new AsyncLocalStorage<{ at: number; seconds: number }>();

/** Runs `fn` with a deadline `seconds` from now (none for 0 or less). */
export function withDeadline<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
  if (!(seconds > 0)) return fn();
  return scope.run({ at: Date.now() + seconds * 1000, seconds }, fn);
}

/** The timeout of a request about to start: `timeoutMs`, or less when a deadline is closer. */
export function requestTimeout(method: string, path: string, timeoutMs: number): number {
  const d = scope.getStore();
  if (!d) return timeoutMs;
  const left = d.at - Date.now();
  if (left > 0) return Math.max(1, Math.min(timeoutMs, left));
  if (method === "POST" || method === "PATCH") {
    throw new KatavenError(`${method} ${path} was not sent: the operation's timeout (${d.seconds} s, customTimeouts) has passed`, {
      code: "deadline_exceeded",
      method,
      path,
      hint: "raise the resource's customTimeouts, or leave them unset",
    });
  }
  return timeoutMs;
}
