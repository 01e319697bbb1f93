/**
 * The CLI as a separate process: `node dist/server/main.js` (built by `npx tsc -p .`, which npm test runs
 * first). Covers serve's JSON line, admin/faults switches, SIGTERM, and bootstrap idempotency.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SERVER_MAIN as main } from "../../../scripts/lib/localServer";
import { startServerProcess } from "../../support/server";
import { call } from "../../support/http";

const run = (...args: string[]) => execFileSync(process.execPath, [main, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kataven-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("kataven-local bootstrap", () => {
  test("is idempotent: a second run mints no key; --rotate-key mints one and revokes the old; nothing on disk holds a key", async () => {
    const first = JSON.parse(run("bootstrap", "--data", dir, "--account", "acme_co", "--agent", "a1", "--agent", "a2"));
    expect(first).toEqual({
      account_id: "acme_co",
      api_key: expect.stringMatching(/^sk_live_acme_co_[0-9A-Za-z]{24,}$/),
      agents: ["a1", "a2"],
    });
    const again = JSON.parse(run("bootstrap", "--data", dir, "--account", "acme_co", "--agent", "a3"));
    expect(again).toEqual({ account_id: "acme_co", api_key: null, agents: ["a1", "a2", "a3"] });
    const rotated = JSON.parse(run("bootstrap", "--data", dir, "--account", "acme_co", "--rotate-key"));
    expect(rotated.api_key).toMatch(/^sk_live_acme_co_/);
    expect(rotated.api_key).not.toBe(first.api_key);
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(first.api_key))).toBe(false);
      expect(bytes.includes(Buffer.from(rotated.api_key))).toBe(false);
    }
    const srv = await startServerProcess({ dataDir: dir, account: "acme_co" });
    try {
      expect((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: first.api_key })).status).toBe(401);
      expect((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: rotated.api_key })).status).toBe(401); // the helper rotated again
      expect((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey })).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  test("rejects a bad or reserved slug with exit code 2", () => {
    for (const slug of ["Bad Slug", "kataven-admin"]) {
      let code = 0;
      try {
        run("bootstrap", "--data", dir, "--account", slug);
      } catch (err) {
        code = (err as { status: number }).status;
      }
      expect(code).toBe(2);
    }
  });
});

describe("kataven-local serve", () => {
  test("startServerProcess: both bootstrap keys work, requests are counted, faults apply, close() ends the process", async () => {
    const srv = await startServerProcess({ faults: true, dataDir: dir });
    try {
      expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey })).status).toBe(200);
      expect(await srv.requestCount("GET /api/v1/widget-keys")).toBe(1);
      await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "apply-then-fail", status: 502 }]);
      expect((await call(srv.url, "POST", "/api/v1/widget-keys", { apiKey: srv.apiKey, body: { name: "orphan" } })).status).toBe(502);
      expect((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey })).json.map((k: { name: string }) => k.name)).toEqual(
        ["orphan"],
      );
    } finally {
      await srv.close();
    }
    expect(srv.child.exitCode).toBe(0);
  });

  test("prints exactly one JSON line; admin and fault routes are off by default; SIGTERM closes gracefully", async () => {
    run("bootstrap", "--data", dir, "--account", "acme");
    const child = spawn(process.execPath, [main, "serve", "--port", "0", "--data", dir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KATAVEN_LOCAL_FAULTS: "", KATAVEN_LOCAL_ADMIN: "" },
    });
    const stdout: string[] = [];
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const rl = createInterface({ input: child.stdout });
    rl.on("line", (l) => stdout.push(l));
    const url = await new Promise<string>((resolve, reject) => {
      rl.once("line", (l) => resolve(JSON.parse(l).url));
      child.once("exit", () => reject(new Error(stderr)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(url, "GET", "/__admin/stats")).status).toBe(404);
    expect((await call(url, "PUT", "/__admin/faults", { body: [] })).status).toBe(404);
    expect((await call(url, "GET", "/openapi.json")).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toEqual([JSON.stringify({ url })]);
    expect(stderr).toContain("GET /openapi.json 200");
  });

  test("KATAVEN_LOCAL_FAULTS=1 enables fault rules; --rate-limits applies limits", async () => {
    const srv = await startServerProcess({ env: { KATAVEN_LOCAL_FAULTS: "1" }, limits: { perMinute: 2 } });
    try {
      expect((await call(srv.url, "PUT", "/__admin/faults", { body: [] })).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await srv.close();
    }
  });
});
