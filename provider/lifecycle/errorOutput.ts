/**
 * One error, printed once, in words. When a lifecycle method throws, the SDK's dynamic-provider host writes
 * `${err}: ${err.stack}` to stderr (the message twice and a stack trace, shown by the engine under the stack
 * and again in its diagnostics) before it hands the message to the engine, which reports it on the resource.
 * The message already says what failed and what to do, so that stderr dump is dropped: the engine's own
 * report on the resource is the one place the error appears. `KATAVEN_DEBUG=1` keeps the dump (with its
 * stack trace) for debugging the provider itself.
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
        // The exact text the SDK prints (sdk/nodejs/cmd/dynamic-provider: console.error(`${e}: ${e.stack}`)).
        if (err instanceof Error) thrown.add(`${err}: ${err.stack}`);
        throw err;
      }
    };
  }
  return out as M;
}
