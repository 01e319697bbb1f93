/**
 * The few places where this package uses parts of @pulumi/pulumi that are not its public API, because the
 * SDK offers no public way. Each is tolerant: if a future SDK moves the part, the feature degrades to the
 * SDK's own behaviour instead of failing the program.
 *
 *  - `runtime/settings.getEngine()`: whether this process talks to an engine (else messages go to stderr);
 *  - `runtime/settings.rpcKeepAlive()`: keeps a program alive while children are registered late;
 *  - `log.debug`: scrubbed of secret values (scrubDebugLog below);
 *  - the dynamic-provider host's console.error dump of a thrown error: dropped (quietErrors below).
 */
import { redact } from "./api/errors";

type Settings = { getEngine?: () => unknown; rpcKeepAlive?: () => () => void };

function settings(): Settings {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@pulumi/pulumi/runtime/settings") as Settings;
  } catch {
    return {};
  }
}

/** Whether this process has an engine to log to. */
export function hasEngine(): boolean {
  return Boolean(settings().getEngine?.());
}

/** Keeps the program alive until the returned function is called. */
export function rpcKeepAlive(): () => void {
  return settings().rpcKeepAlive?.() ?? (() => undefined);
}

/**
 * The SDK logs every RegisterResource answer at debug level (`RegisterResource RPC finished: …; resp: …`),
 * the resource's outputs included, in plaintext: the secret key of every WidgetKey. The engine puts debug
 * messages into its event stream whatever the verbosity, so `pulumi up --json`, the Automation API's
 * `onEvent` and `-v=3` would print them. The program side of this package therefore wraps the SDK's
 * `log.debug`: the answer part of those messages is dropped, and anything else that looks like key
 * material or a token is redacted (errors.ts `redact`). Messages stay otherwise intact.
 */
export function scrubDebugLog(): void {
  let log: { debug?: (msg: string, ...rest: unknown[]) => unknown; __katavenScrubbed?: true };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    log = require("@pulumi/pulumi/log");
  } catch {
    return;
  }
  const original = log.debug;
  if (typeof original !== "function" || log.__katavenScrubbed) return;
  log.debug = function (this: unknown, msg: string, ...rest: unknown[]) {
    return original.call(this, scrubDebugMessage(msg), ...rest);
  };
  log.__katavenScrubbed = true;
}

/** A debug message with RPC answers dropped and key material redacted. */
export function scrubDebugMessage(msg: unknown): string {
  const text = typeof msg === "string" ? msg : String(msg);
  return redact(
    text.replace(
      /(RPC finished: [\s\S]*?; err: [\s\S]*?, resp: )[\s\S]*$/,
      "$1[omitted by pulumi-kataven-widget: may hold secret outputs]",
    ),
  );
}

/**
 * One error, printed once, in words. When a lifecycle method throws, the SDK's dynamic-provider host writes
 * `${err}: ${err.stack}` to stderr with console.error (the message twice and a stack trace) before it hands
 * the message to the engine, which reports it on the resource. The SDK offers no hook for that, so
 * console.error is wrapped to drop exactly that text for errors our methods threw; `KATAVEN_DEBUG=1` keeps
 * the dump (with its stack trace) for debugging the provider itself.
 */
const thrown = new Set<string>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && thrown.delete(args[0])) return;
    original(...args);
  };
}

/** Wraps lifecycle methods so that the SDK's stderr dump of an error they throw is not printed. */
export function quietErrors<M extends Record<string, (...args: never[]) => Promise<unknown>>>(methods: M): M {
  if (process.env.KATAVEN_DEBUG) return methods;
  install();
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        // The exact text the SDK prints (@pulumi/pulumi cmd/dynamic-provider: console.error(`${e}: ${e.stack}`)).
        if (err instanceof Error) thrown.add(`${err}: ${err.stack}`);
        throw err;
      }
    };
  }
  return out as M;
}
