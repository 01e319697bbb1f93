/**
 * Messages for the user from the provider process: through the engine (pulumi.log, shown in the CLI's
 * output) when the process has one, else on stderr. Never pass a key, a secret or a token.
 */
import { hasEngine } from "./sdkPrivate";

type Level = "info" | "warn";

let sink: ((level: Level, message: string) => void) | undefined;

/** Sends messages somewhere else (the native provider plugin: its engine's Log call). */
export function setLogSink(fn: (level: Level, message: string) => void): void {
  sink = fn;
}

function engineLog(level: Level, message: string): void {
  if (sink) return sink(level, message);
  if (hasEngine()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    void pulumi.log[level](message).catch(() => console.error(`${level === "warn" ? "warning" : "info"}: ${message}`));
    return;
  }
  console.error(`${level === "warn" ? "warning" : "info"}: ${message}`);
}

/** A warning shown by the engine when there is one, else on stderr. */
export function warn(message: string): void {
  engineLog("warn", message);
}

/** An informational line (progress) shown by the engine when there is one, else on stderr. */
export function info(message: string): void {
  engineLog("info", message);
}

/** A call that has been failing for longer than this is reported in the engine log with each retry. */
export const RETRY_NOTICE_AFTER_MS = 5_000;

/**
 * Reports a failed attempt of a call that is being retried, once the call has been at it for longer than
 * RETRY_NOTICE_AFTER_MS: a long wait says why it is waiting instead of looking hung.
 */
export function retrying(what: string, attempt: number, startedAt: number, reason: string, now = Date.now()): void {
  const ms = now - startedAt;
  if (ms >= RETRY_NOTICE_AFTER_MS) info(`${what}: attempt ${attempt} failed (${reason}); retrying, ${Math.round(ms / 1000)} s so far`);
}
