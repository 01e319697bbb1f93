/**
 * Messages for the user from the provider process: through the engine (pulumi.log, shown in the CLI's
 * output) when the process has one, else on stderr. Never pass a key, a secret or a token.
 */
type Level = "info" | "warn";

let sink: ((level: Level, message: string) => void) | undefined;

/** Sends messages somewhere else (the native provider plugin: its engine's Log call). */
export function setLogSink(fn: (level: Level, message: string) => void): void {
  sink = fn;
}

function engineLog(level: Level, message: string): void {
  if (sink) return sink(level, message);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { getEngine?: () => unknown };
    if (settings.getEngine?.()) {
      void pulumi.log[level](message).catch(() => console.error(`${level === "warn" ? "warning" : "info"}: ${message}`));
      return;
    }
  } catch {
    // fall through to stderr
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
