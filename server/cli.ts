/**
 * kataven-local: the local Kataven-compatible API server (entry point: main.ts, bin/kataven-local.js).
 *
 *   kataven-local serve [--port 8787] [--data .kataven-local] [--host 127.0.0.1] [--faults] [--admin]
 *                       [--bcrypt-cost 10] [--rate-limits off|60,1000,10000,20|minute=…,hour=…]
 *                       [--public-rate-limits off|peer=300,key=3000,peerkey=300] [--quiet]
 *     prints one JSON line {"url": "http://127.0.0.1:PORT"} on stdout once listening (--port 0 = any free
 *     port); request log lines go to stderr; SIGTERM/SIGINT close it gracefully. One server per data
 *     directory (serverLock.ts): a second serve on the same --data is refused, naming the holder's pid.
 *   kataven-local bootstrap --data <dir> --account <slug> [--agent <id>]... [--rotate-key]
 *     prints {"account_id", "api_key", "agents": [...]}; idempotent (see server/README.md).
 *
 * Environment: KATAVEN_LOCAL_FAULTS=1, KATAVEN_LOCAL_ADMIN=1, KATAVEN_LOCAL_RATE_LIMITS=<spec>,
 * KATAVEN_LOCAL_PUBLIC_RATE_LIMITS=<spec>, KATAVEN_LOCAL_BCRYPT_COST=<n>, KATAVEN_LOCAL_DATA=<dir>.
 */
import { parseArgs } from "node:util";
import { createApp, DEFAULT_BCRYPT_COST } from "./app";
import { bootstrap } from "./bootstrap";
import { prepareDataDir } from "./dataDir";
import { listen } from "./listen";
import { parsePublicLimits } from "./publicLimits";
import { parseRateLimits } from "./ratelimit";
import { acquireServerLock } from "./serverLock";
import { Store } from "./store";

const USAGE = `usage:
  kataven-local serve [--port 8787] [--data .kataven-local] [--host 127.0.0.1] [--faults] [--admin]
                      [--bcrypt-cost 10] [--rate-limits off|M,H,D,C] [--public-rate-limits off|peer=N,key=N,peerkey=N] [--quiet]
  kataven-local bootstrap --data <dir> --account <slug> [--agent <id>]... [--rotate-key]`;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

function fail(message: string): never {
  process.stderr.write(`kataven-local: ${message}\n`);
  process.exit(2);
}

async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "8787" },
      data: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      faults: { type: "boolean", default: false },
      admin: { type: "boolean", default: false },
      "bcrypt-cost": { type: "string" },
      "rate-limits": { type: "string" },
      "public-rate-limits": { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port "${values.port}" must be 0..65535`);
  const costText = values["bcrypt-cost"] ?? process.env.KATAVEN_LOCAL_BCRYPT_COST;
  const bcryptCost = costText === undefined ? DEFAULT_BCRYPT_COST : Number(costText);
  if (!Number.isInteger(bcryptCost) || bcryptCost < 4 || bcryptCost > 15)
    fail(`--bcrypt-cost "${costText}" must be an integer from 4 to 15`);
  let limits;
  try {
    const spec = values["rate-limits"] ?? process.env.KATAVEN_LOCAL_RATE_LIMITS;
    limits = spec === undefined ? undefined : parseRateLimits(spec);
  } catch (err) {
    fail((err as Error).message);
  }
  let publicLimits;
  try {
    const spec = values["public-rate-limits"] ?? process.env.KATAVEN_LOCAL_PUBLIC_RATE_LIMITS;
    publicLimits = spec === undefined ? undefined : parsePublicLimits(spec);
  } catch (err) {
    fail((err as Error).message);
  }
  const dataDir = values.data ?? process.env.KATAVEN_LOCAL_DATA ?? ".kataven-local";
  prepareDataDir(dataDir);
  const releaseLock = acquireServerLock(dataDir);
  const store = Store.open(dataDir);
  const app = createApp({
    store,
    limits,
    publicLimits,
    faults: values.faults || truthy(process.env.KATAVEN_LOCAL_FAULTS),
    admin: values.admin || truthy(process.env.KATAVEN_LOCAL_ADMIN),
    bcryptCost,
    logger: values.quiet ? false : undefined,
  });
  const listening = await listen(app, { host: values.host, port });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kataven-local: ${signal}, closing\n`);
    listening.close().then(() => {
      store.close();
      releaseLock();
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // only now: a caller may signal as soon as it reads the url, and the handlers above must be in place
  process.stdout.write(`${JSON.stringify({ url: listening.url })}\n`);
}

function bootstrapCommand(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      account: { type: "string" },
      agent: { type: "string", multiple: true, default: [] },
      "rotate-key": { type: "boolean", default: false },
    },
  });
  const data = values.data ?? process.env.KATAVEN_LOCAL_DATA;
  if (!data) fail("bootstrap needs --data <dir>");
  if (!values.account) fail("bootstrap needs --account <slug>");
  // a one-shot command may wait for a running server's write lock (a server never blocks on it)
  const store = Store.open(data, { busyTimeoutMs: 5000 });
  try {
    const result = bootstrap(store, { account: values.account, agents: values.agent, rotateKey: values["rotate-key"] });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.api_key === null) {
      process.stderr.write(
        `kataven-local: account "${result.account_id}" already has an API key, shown once when it was minted; ` +
          "run bootstrap with --rotate-key for a new one (the old one stops working)\n",
      );
    }
  } catch (err) {
    fail((err as Error).message);
  } finally {
    store.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === "serve") await serveCommand(rest);
    else if (command === "bootstrap") bootstrapCommand(rest);
    else if (command === "--help" || command === "-h" || command === "help") process.stdout.write(`${USAGE}\n`);
    else fail(`unknown command "${command ?? ""}"\n${USAGE}`);
  } catch (err) {
    fail((err as Error).message);
  }
}
