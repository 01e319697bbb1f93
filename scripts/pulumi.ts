/**
 * `npm run pulumi -- <args>`: the toolchain's Pulumi CLI with the project's offline settings.
 *
 * The Node.js language host (`pulumi-language-nodejs`) cannot be built from the Go module proxy (its module
 * is untagged and not served), so for the commands that run a program (preview, up, refresh, destroy) this
 * script serves the program itself: it loads the directory's program in this process, serves it over the
 * SDK's in-process language runtime (the one the Automation API uses for inline programs) and hands the
 * CLI `--client=<addr> --exec-kind auto.inline`. Every other flag reaches the CLI untouched, so
 * `--diff`, `--json`, `--policy-pack`, `--yes`, `--show-secrets` work as usual. With a real language
 * host on PATH (a normal Pulumi install), the CLI is simply run as is.
 *
 * The program module (Pulumi.yaml `main`, else index.ts/index.js) must export a default function
 * returning the stack outputs, because one CLI command may run the program more than once.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const PROGRAM_COMMANDS = new Set(["preview", "pre", "up", "update", "refresh", "destroy", "down"]);

/** The first argument that is not a flag (or a flag's value) is the command. */
function commandOf(args: string[]): string | undefined {
  const valued = new Set(["-C", "--cwd", "-s", "--stack", "--color", "-v", "--verbose", "--tracing", "--profiling"]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (valued.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/**
 * The directory the user ran the command from: `npm run` starts scripts in the package root and says where
 * it was called from in INIT_CWD, so `cd examples/x && npm run pulumi -- up` acts on examples/x.
 */
export function invocationDir(): string {
  return process.env.INIT_CWD ? path.resolve(process.env.INIT_CWD) : process.cwd();
}

/** The arguments with `-C`/`--cwd` made absolute (against the invocation directory), and that directory. */
function withAbsoluteCwd(args: string[]): { args: string[]; dir: string } {
  const base = invocationDir();
  let dir = base;
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if ((out[i] === "-C" || out[i] === "--cwd") && i + 1 < out.length) {
      dir = out[i + 1] = path.resolve(base, out[i + 1]);
      i++;
    } else {
      const m = /^--cwd=(.*)$/.exec(out[i]);
      if (m) {
        dir = path.resolve(base, m[1]);
        out[i] = `--cwd=${dir}`;
      }
    }
  }
  return { args: out, dir };
}

/**
 * The child's environment: scripts/bin first on PATH, so the CLI finds the `pulumi-analyzer-policy-nodejs`
 * shim that boots a Node.js policy pack (`--policy-pack`) when no language host is installed.
 */
function childEnv(): NodeJS.ProcessEnv {
  const bin = [path.join(__dirname, "bin"), path.resolve(__dirname, "../../scripts/bin")].find((d) => fs.existsSync(d));
  return bin ? { ...process.env, PATH: [bin, process.env.PATH].filter(Boolean).join(path.delimiter) } : process.env;
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, bin)));
}

/** The program's entry module, as the Node.js language host would pick it. */
export function programEntry(dir: string): string {
  const yamlPath = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!yamlPath) throw new Error(`no Pulumi.yaml in ${dir}; run this from a Pulumi project directory or pass --cwd`);
  const main = /^main:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(yamlPath, "utf8"))?.[1];
  const candidates = main ? [main, path.join(main, "index.ts"), path.join(main, "index.js")] : ["index.ts", "index.js"];
  for (const c of candidates) {
    const p = path.resolve(dir, c);
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  throw new Error(`cannot find the program of ${yamlPath}: tried ${candidates.join(", ")}`);
}

/** Loads the program module's default export (TypeScript is loaded through Node's type stripping). */
export function loadProgram(entry: string): () => Promise<Record<string, unknown> | void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry);
  const fn = typeof mod === "function" ? mod : mod?.default;
  if (typeof fn !== "function") {
    throw new Error(`${entry} must export a default function that declares the resources and returns the outputs`);
  }
  return async () => fn();
}

/** Serves `program` over the SDK's in-process language runtime; resolves to the address and a stop hook. */
async function serveProgram(program: () => Promise<Record<string, unknown> | void>) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grpc = require("@grpc/grpc-js");
  const { LanguageServer } = require("@pulumi/pulumi/automation/server");
  const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
  const { grpcChannelOptions } = require("@pulumi/pulumi/runtime");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const server = new grpc.Server({ ...grpcChannelOptions });
  const languageServer = new LanguageServer(program);
  server.addService(langrpc.LanguageRuntimeService, languageServer);
  const port: number = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    stop: (hasError: boolean) => {
      try {
        languageServer.onPulumiExit(hasError);
      } finally {
        server.forceShutdown();
      }
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const { args, dir } = withAbsoluteCwd(argv);
  const command = commandOf(args);
  const needsHost = command !== undefined && PROGRAM_COMMANDS.has(command) && !onPath("pulumi-language-nodejs");
  if (!needsHost) {
    return spawnSync("pulumi", args, { stdio: "inherit", cwd: invocationDir(), env: childEnv() }).status ?? 1;
  }
  const program = loadProgram(programEntry(dir));
  const host = await serveProgram(program);
  const code: number = await new Promise((resolve) => {
    const child = spawn("pulumi", [...args, `--client=${host.address}`, "--exec-kind", "auto.inline"], {
      stdio: "inherit",
      cwd: dir,
      env: childEnv(),
    });
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
    child.on("exit", (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    child.on("error", (e) => {
      console.error(`pulumi: could not start the Pulumi CLI: ${e.message}; run it through "npm run pulumi" or scripts/toolchain.sh`);
      resolve(127);
    });
  });
  host.stop(code !== 0);
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`pulumi: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
