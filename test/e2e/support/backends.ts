/**
 * Shared Pulumi state backends for e2e tests, each a real server on 127.0.0.1 in a temp directory, stopped
 * (and its directory removed) by stop():
 *   startPostgres()  PostgreSQL from Debian's `postgresql` package (scripts/install-system-deps.sh installs it),
 *                    started with initdb/pg_ctl; backend `postgres://…?sslmode=disable`
 *   startSeaweedS3() SeaweedFS's S3 gateway (`weed`, built by `scripts/toolchain.sh --seaweedfs` into the
 *                    toolchain cache); backend `s3://bucket?endpoint=…&use_path_style=true`
 * Each returns the backend URL and the environment the CLI needs for it (dummy AWS credentials for S3).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { request } from "undici";
import { spawn } from "node:child_process";
import { runProcess, type RunResult } from "../../../scripts/lib/processes";
import { REPO_ROOT } from "../../../scripts/lib/repo";

export interface StateBackend {
  name: string;
  url: string;
  /** variables the CLI needs for this backend, besides PULUMI_BACKEND_URL */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (below 55536: SeaweedFS also listens on port + 10000). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (port < 55536) return port;
  }
}

function check(what: string, r: RunResult): void {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}:\n${r.output}`);
}

/** The newest /usr/lib/postgresql/<version>/bin, or undefined when the package is not installed. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], "bin") : undefined;
}

/**
 * initdb + pg_ctl start on 127.0.0.1:<free port>, trust authentication for user "kataven", database
 * "pulumi". PostgreSQL refuses to run as root, so as root it runs as the package's `postgres` user.
 */
export async function startPostgres(): Promise<StateBackend> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (/usr/lib/postgresql/<version>/bin): run scripts/install-system-deps.sh as root");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const pw = (await runProcess("id", ["-u", "postgres"], { cwd: dir })).stdout.trim();
    const gr = (await runProcess("id", ["-g", "postgres"], { cwd: dir })).stdout.trim();
    fs.chownSync(dir, Number(pw), Number(gr));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? runProcess("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], { cwd: dir })
      : runProcess(path.join(bin, tool), args, { cwd: dir });
  check("initdb", await pg("initdb", ["-D", data, "-U", "kataven", "--auth=trust", "--no-sync", "-E", "UTF8"]));
  const port = await freePort();
  const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
  check("pg_ctl start", await pg("pg_ctl", ["-D", data, "-l", path.join(dir, "postgres.log"), "-w", "-o", opts, "start"]));
  const stop = async () => {
    await pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    check("createdb", await pg("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "kataven", "pulumi"]));
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: "PostgreSQL", url: `postgres://kataven@127.0.0.1:${port}/pulumi?sslmode=disable`, env: {}, stop };
}

/** The cached `weed` binary, built when missing (scripts/toolchain.sh --seaweedfs; a few minutes cold). */
export async function seaweedBinary(): Promise<string> {
  const r = await runProcess("bash", [path.join(REPO_ROOT, "scripts/toolchain.sh"), "--seaweedfs"], {
    cwd: REPO_ROOT,
    timeoutMs: 20 * 60_000,
  });
  check("scripts/toolchain.sh --seaweedfs", r);
  const bin = r.stdout.trim().split("\n").pop()!;
  if (!fs.existsSync(bin)) throw new Error(`scripts/toolchain.sh --seaweedfs printed ${JSON.stringify(bin)}, not a binary`);
  return bin;
}

/**
 * `weed server -filer -s3` (master, volume, filer and S3 gateway in one process) on free loopback ports, and
 * a bucket made with a plain S3 PUT. Without an identity configuration the gateway accepts any credentials.
 */
export async function startSeaweedS3(): Promise<StateBackend> {
  const weed = await seaweedBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-s3-"));
  const [master, volume, filer, s3, grpc] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const log = fs.openSync(path.join(dir, "weed.log"), "a");
  const args = [
    "server",
    `-dir=${dir}`,
    "-ip=127.0.0.1",
    "-ip.bind=127.0.0.1",
    `-master.port=${master}`,
    `-volume.port=${volume}`,
    "-filer",
    `-filer.port=${filer}`,
    "-s3",
    `-s3.port=${s3}`,
    `-s3.port.grpc=${grpc}`,
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-volume.max=4",
    "-master.volumeSizeLimitMB=64",
  ];
  const child = spawn(weed, args, { cwd: dir, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${s3}`;
  // A scratch server with its data in a temp dir: SIGKILL, no graceful shutdown to wait for.
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Until the S3 gateway listens (and the filer behind it takes writes), the bucket creation fails: retry.
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`weed server exited with ${child.exitCode}:\n${fs.readFileSync(path.join(dir, "weed.log"), "utf8").slice(-3000)}`);
      const res = await request(`${url}/pulumi-state`, { method: "PUT" }).catch((e: Error) => ({
        statusCode: 0,
        body: { text: async () => e.message },
      }));
      const text = await res.body.text();
      if (res.statusCode === 200) break;
      if (Date.now() > deadline)
        throw new Error(
          `creating the bucket answered ${res.statusCode}: ${text}\n${fs.readFileSync(path.join(dir, "weed.log"), "utf8").slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: "S3 (SeaweedFS)",
    url: `s3://pulumi-state?endpoint=${encodeURIComponent(url)}&region=us-east-1&use_path_style=true`,
    env: {
      AWS_ACCESS_KEY_ID: "kataven-e2e",
      AWS_SECRET_ACCESS_KEY: "kataven-e2e-not-a-secret",
      AWS_REGION: "us-east-1",
      // The SDK otherwise warns on every object that the response carries no checksum it can validate.
      AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required",
    },
    stop,
  };
}
