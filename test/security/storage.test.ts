/**
 * Storage under pressure: every write route answers 507 on a full disk (SQLite rolls a failed transaction
 * back by itself, and that must not turn into a 500); another process's write lock never stalls the
 * server's reads, and a write that waits too long is a 503 with Retry-After; one server per data dir.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SERVER_MAIN } from "../../scripts/lib/localServer";
import { startServer, startServerProcess, type TestServer } from "../support/server";
import { bearer, expectReply, json, send, type RawReply, type RawRequest } from "./support";

const FULL =
  "storage_full: the server could not save the change because its disk is full; nothing was written, free disk space on the server and retry";
const ACME: [string, string] = ["origin", "https://acme.com"];

/** SQLite's own SQLITE_FULL, as on a full disk: the database may not grow past the pages it has. */
function fillDisk(srv: TestServer): void {
  const pages = Number((srv.store.db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
  srv.store.db.exec(`PRAGMA max_page_count = ${pages}`);
}

const createKey = async (srv: TestServer, body: object = {}) =>
  JSON.parse(
    (
      await send(
        srv.url,
        json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: ["https://acme.com"], agent_id: "agent-a", ...body }, [
          bearer(srv.apiKey),
        ]),
      )
    ).text,
  ) as {
    id: string;
    public_key: string;
    secret_key: string;
  };
const bigAllowlist = (i: number) => Array.from({ length: 100 }, (_, j) => `https://host-${j}-${i}-${"x".repeat(40)}.example.com`);

/**
 * Each case: what to prepare while the disk has room, then the request to repeat on the full disk (the
 * i-th attempt) until it stops succeeding; the last answer must be the 507.
 */
const cases: [string, (srv: TestServer) => Promise<(i: number) => RawRequest>][] = [
  [
    "POST /widget-keys",
    async (srv) => () =>
      json("POST", "/api/v1/widget-keys", { name: "y".repeat(190), domain_allowlist: bigAllowlist(0) }, [bearer(srv.apiKey)]),
  ],
  [
    "PATCH /widget-keys/{id}",
    async (srv) => {
      const key = await createKey(srv);
      return (i) =>
        json("PATCH", `/api/v1/widget-keys/${key.id}`, { name: `n${i}`.repeat(20), domain_allowlist: bigAllowlist(i) }, [
          bearer(srv.apiKey),
        ]);
    },
  ],
  [
    "DELETE /widget-keys/{id} (a used key is disabled)",
    async (srv) => {
      const ids: string[] = [];
      for (let i = 0; i < 150; i++) {
        const key = await createKey(srv);
        srv.store.touchWidgetKey(key.id, new Date().toISOString());
        ids.push(key.id);
      }
      return (i) => ({ method: "DELETE", path: `/api/v1/widget-keys/${ids[i]}`, headers: [bearer(srv.apiKey)] });
    },
  ],
  [
    "PATCH /widget-settings",
    async (srv) => {
      const keys = Array.from({ length: 40 }, (_, i) => srv.createAccount(`acct-${i}`).apiKey);
      return (i) =>
        json("PATCH", "/api/v1/widget-settings", { privacy_notice: "p".repeat(500), logo_url: `https://acme.com/${"l".repeat(2000)}` }, [
          bearer(keys[i]),
        ]);
    },
  ],
  [
    "PUT /widget-settings",
    async (srv) => {
      const keys = Array.from({ length: 40 }, (_, i) => srv.createAccount(`acct-${i}`).apiKey);
      return (i) =>
        json("PUT", "/api/v1/widget-settings", { privacy_notice: "p".repeat(500), logo_url: `https://acme.com/${"l".repeat(2000)}` }, [
          bearer(keys[i]),
        ]);
    },
  ],
  [
    "PATCH /agents/{agentId}/widget-settings",
    async (srv) => {
      for (let i = 0; i < 300; i++) srv.addAgent(`agent-${i}`);
      return (i) =>
        json("PATCH", `/api/v1/agents/agent-${i}/widget-settings`, { widget_enabled: true, auth_mode: "both" }, [bearer(srv.apiKey)]);
    },
  ],
  [
    "POST /widget/auth/user-token",
    async (srv) => {
      srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
      const key = await createKey(srv);
      return (i) => json("POST", "/api/v1/widget/auth/user-token", { external_user_id: `user-${i}` }, [bearer(key.secret_key)]);
    },
  ],
  [
    "POST /widget/auth/exchange",
    async (srv) => {
      srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
      const key = await createKey(srv);
      const tokens: string[] = [];
      for (let i = 0; i < 300; i++) {
        tokens.push(
          JSON.parse(
            (
              await send(
                srv.url,
                json("POST", "/api/v1/widget/auth/user-token", { external_user_id: `user-${i}` }, [bearer(key.secret_key)]),
              )
            ).text,
          ).user_token,
        );
      }
      return (i) => json("POST", "/api/v1/widget/auth/exchange", { client_key: key.public_key, user_token: tokens[i] }, [ACME]);
    },
  ],
];

describe("a full disk is a 507 on every write route", () => {
  test.each(cases)("%s", async (_route, prepare) => {
    const log: string[] = [];
    const srv = await startServer({ logger: (l) => log.push(l) });
    try {
      const request = await prepare(srv);
      fillDisk(srv);
      let r: RawReply | undefined;
      for (let i = 0; i < 150; i++) {
        r = await send(srv.url, request(i));
        if (r.status >= 300) break;
      }
      expectReply(r!, 507, FULL);
      expect(log.filter((l) => l.startsWith("error "))).toEqual([expect.stringMatching(/: SQLite code 13: database or disk is full \(/)]);
    } finally {
      await srv.close();
    }
  });
});

/** Another process holding the database's write lock until told to let go (or for `holdMs`). */
async function lockDatabase(dir: string) {
  const script = `
    const { DatabaseSync } = require("node:sqlite");
    const db = new DatabaseSync(${JSON.stringify(join(dir, "kataven.db"))});
    db.exec("BEGIN IMMEDIATE");
    db.exec("UPDATE server_secrets SET name = name");
    process.stdout.write("locked\\n");
    process.stdin.once("data", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the locking process exited with ${code}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin.write("go\n");
      }),
  };
}

const timed = async (p: Promise<RawReply>) => {
  const t0 = performance.now();
  const r = await p;
  return { r, ms: performance.now() - t0 };
};

describe("another process's write lock", () => {
  let srv: TestServer;
  let pk = "";
  beforeEach(async () => {
    srv = await startServer();
    srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
    pk = (await createKey(srv)).public_key;
    await send(srv.url, { method: "GET", path: `/api/v1/widget/config?client_key=${pk}`, headers: [ACME] }); // the first touch is written now
  });
  afterEach(() => srv.close());

  const config = () => send(srv.url, { method: "GET", path: `/api/v1/widget/config?client_key=${pk}`, headers: [ACME] });
  const patch = () => send(srv.url, json("PATCH", "/api/v1/widget-settings", { launcher_label: "Hi" }, [bearer(srv.apiKey)]));

  test("a write waits for it without stalling reads, and succeeds once it is released", async () => {
    const lock = await lockDatabase(srv.dataDir);
    const write = timed(patch());
    await new Promise((r) => setTimeout(r, 100));
    const read = await timed(config());
    const list = await timed(send(srv.url, { method: "GET", path: "/api/v1/widget-keys", headers: [bearer(srv.apiKey)] }));
    expect({ status: read.r.status, fast: read.ms < 300 }).toEqual({ status: 200, fast: true });
    expect({ status: list.r.status, fast: list.ms < 300 }).toEqual({ status: 200, fast: true });
    await new Promise((r) => setTimeout(r, 400));
    await lock.release();
    const w = await write;
    expectReply(w.r, 200, /"launcher_label":"Hi"/);
    expect(w.ms).toBeGreaterThan(400);
  });

  test("a write that waits too long is a 503 with Retry-After, and reads go on meanwhile", async () => {
    const lock = await lockDatabase(srv.dataDir);
    try {
      const write = timed(patch());
      const reads: number[] = [];
      for (let i = 0; i < 10; i++) {
        const read = await timed(config());
        expect(read.r.status).toBe(200);
        reads.push(read.ms);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Math.max(...reads)).toBeLessThan(300);
      const w = await write;
      expectReply(w.r, 503, "storage_busy: the database is locked by another process; retry in a moment");
      expect(w.r.headers["retry-after"]).toBe("1");
      expect(w.ms).toBeLessThan(4000);
    } finally {
      await lock.release();
    }
    expectReply(await patch(), 200, /"launcher_label":"Hi"/);
  });
});

describe("one server per data directory", () => {
  const serveAgain = (dir: string) =>
    spawnSync(process.execPath, [SERVER_MAIN, "serve", "--port", "0", "--data", dir, "--quiet"], { encoding: "utf8", timeout: 8000 });

  test("a second serve on the same directory is refused, naming the holder's pid and the lock file", async () => {
    const first = await startServerProcess();
    try {
      const r = serveAgain(first.dataDir);
      const lock = join(first.dataDir, "server.lock");
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: "" });
      expect(r.stderr).toBe(
        `kataven-local: another kataven-local server (pid ${first.child.pid}) is serving the data directory ${first.dataDir} (lock file ${lock}); stop it or pass another --data (if no such server runs, remove ${lock})\n`,
      );
    } finally {
      await first.close();
    }
  });

  test("the lock of a server that is gone is taken over, and a stopped server leaves none", async () => {
    const first = await startServerProcess({ keepData: true });
    const dir = first.dataDir;
    await first.close();
    // a graceful stop (exit 0, no signal) removes the lock; a failure shows what was left and how it ended
    const left = existsSync(join(dir, "server.lock")) ? readFileSync(join(dir, "server.lock"), "utf8").trim() : null;
    expect({ left, code: first.child.exitCode, signal: first.child.signalCode }).toEqual({ left: null, code: 0, signal: null });
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dir, "server.lock"), `${JSON.stringify({ pid: dead, start: null })}\n`, { mode: 0o600 });
    const second = await startServerProcess({ dataDir: dir });
    try {
      expect((await fetch(`${second.url}/openapi.json`)).status).toBe(200);
      expect(serveAgain(dir).stderr).toContain(`(pid ${second.child.pid})`);
    } finally {
      await second.close();
    }
  });
});
