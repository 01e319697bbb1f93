/**
 * Key material stays private and storage failures name their cause: the data dir
 * is created 0700 and its key files 0600; the server refuses to start, naming the path, when key material is
 * open to group or others, when the pepper is empty, not hex or not a file, or when the database is garbage;
 * a full disk is a 507 that says so, logged once with the route and SQLite's reason.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../server/store";
import { SERVER_MAIN } from "../../scripts/lib/localServer";
import { startServer } from "../support/server";
import { bearer, expectReply, json, send } from "./support";

const dirs: string[] = [];
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "kataven-datadir-"));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

/** Store.open's refusal for a data dir, as text. */
function refusal(dir: string): string {
  try {
    Store.open(dir).close();
  } catch (err) {
    return (err as Error).message;
  }
  return "(opened)";
}

describe("a new data directory is private", () => {
  test("dir 0700, pepper and database files 0600, whatever the umask", async () => {
    const dir = join(scratch(), "fresh");
    const old = process.umask(0o022);
    try {
      const srv = await startServer({ dataDir: dir });
      await send(srv.url, json("POST", "/api/v1/widget-keys", { name: "k" }, [bearer(srv.apiKey)]));
      expect([
        mode(dir),
        mode(join(dir, "pepper")),
        mode(join(dir, "kataven.db")),
        mode(join(dir, "kataven.db-wal")),
        mode(join(dir, "kataven.db-shm")),
      ]).toEqual(["700", "600", "600", "600", "600"]);
      await srv.close();
    } finally {
      process.umask(old);
    }
  });
});

describe("refusals to start name the path and the fix", () => {
  const prepared = (setup: (dir: string) => void): string => {
    const dir = join(scratch(), "data");
    Store.open(dir).close();
    setup(dir);
    return dir;
  };
  const cases: [string, (dir: string) => void, (dir: string) => RegExp][] = [
    [
      "the directory open to others (0755)",
      (d) => chmodSync(d, 0o755),
      (d) =>
        new RegExp(
          `^the data directory ${d} is open to group or others \\(mode 0755\\) and holds the JWT signing key and the HMAC pepper; run "chmod 700 ${d}"`,
        ),
    ],
    [
      "the directory open to the group (0750)",
      (d) => chmodSync(d, 0o750),
      (d) => new RegExp(`^the data directory ${d} is open to group or others \\(mode 0750\\)`),
    ],
    [
      "kataven.db readable by others (0644)",
      (d) => chmodSync(join(d, "kataven.db"), 0o644),
      (d) =>
        new RegExp(`^${d}/kataven.db is open to group or others \\(mode 0644\\) and holds key material; run "chmod 600 ${d}/kataven.db"`),
    ],
    [
      "kataven.db-wal readable by the group",
      (d) => {
        writeFileSync(join(d, "kataven.db-wal"), "");
        chmodSync(join(d, "kataven.db-wal"), 0o640);
      },
      (d) => new RegExp(`^${d}/kataven.db-wal is open to group or others \\(mode 0640\\)`),
    ],
    [
      "pepper readable by others",
      (d) => chmodSync(join(d, "pepper"), 0o604),
      (d) => new RegExp(`^${d}/pepper is open to group or others \\(mode 0604\\) and holds key material; run "chmod 600 ${d}/pepper"`),
    ],
    [
      "an empty pepper",
      (d) => writeFileSync(join(d, "pepper"), ""),
      (d) => new RegExp(`^the pepper file ${d}/pepper is empty; restore it from a backup`),
    ],
    [
      "a whitespace-only pepper",
      (d) => writeFileSync(join(d, "pepper"), "\n  \n"),
      (d) => new RegExp(`^the pepper file ${d}/pepper is empty`),
    ],
    [
      "a non-hex pepper",
      (d) => writeFileSync(join(d, "pepper"), "not hex at all, not hex at all, not hex\n"),
      (d) => new RegExp(`^the pepper file ${d}/pepper does not hold a hex pepper \\(at least 32 hex digits\\)`),
    ],
    [
      "a pepper too short",
      (d) => writeFileSync(join(d, "pepper"), "abcd\n"),
      (d) => new RegExp(`^the pepper file ${d}/pepper does not hold a hex pepper`),
    ],
    [
      "a pepper that is a directory",
      (d) => {
        rmSync(join(d, "pepper"));
        mkdirSync(join(d, "pepper"), { mode: 0o700 });
      },
      (d) => new RegExp(`^${d}/pepper is a directory, not the pepper file; remove it`),
    ],
    [
      "a garbage database",
      (d) => {
        for (const f of ["kataven.db", "kataven.db-wal", "kataven.db-shm"]) rmSync(join(d, f), { force: true });
        writeFileSync(join(d, "kataven.db"), "garbage ".repeat(1000), { mode: 0o600 });
      },
      (d) => new RegExp(`^${d}/kataven.db is not a usable SQLite database: file is not a database \\(SQLite code 26\\); move it aside`),
    ],
  ];
  test.each(cases)("%s", (_n, setup, expected) => {
    const dir = prepared(setup);
    expect(refusal(dir)).toMatch(expected(dir));
  });

  test("a data path that is a file", () => {
    const file = join(scratch(), "file");
    writeFileSync(file, "x");
    expect(refusal(file)).toBe(`the data directory ${file} is not a directory; pass --data a directory (it is created if missing)`);
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? test.skip : test)("a read-only data directory names the path (skipped as root, who can write anyway)", () => {
    const dir = join(scratch(), "ro");
    mkdirSync(dir, { mode: 0o500 });
    expect(refusal(dir)).toMatch(new RegExp(`^cannot create the pepper file ${dir}/pepper \\(EACCES\\); check that ${dir} is writable`));
  });

  test("the CLI exits 2 with the refusal on stderr", () => {
    const dir = prepared((d) => writeFileSync(join(d, "pepper"), ""));
    const r = spawnSync(process.execPath, [SERVER_MAIN, "serve", "--port", "0", "--data", dir], { encoding: "utf8", timeout: 20_000 });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: "" });
    expect(r.stderr).toBe(
      `kataven-local: the pepper file ${dir}/pepper is empty; restore it from a backup (without it no stored key can be verified) or start with a new data directory\n`,
    );
    // bootstrap refuses the same way
    expect(() => execFileSync(process.execPath, [SERVER_MAIN, "bootstrap", "--data", dir, "--account", "acme"], { stdio: "pipe" })).toThrow(
      /pepper is empty/,
    );
  });
});

describe("storage failures during a request", () => {
  test("a full disk is a 507 that says so; the log names the route once and SQLite's reason", async () => {
    const log: string[] = [];
    const srv = await startServer({ logger: (l) => log.push(l) });
    try {
      const pages = Number((srv.store.db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
      srv.store.db.exec(`PRAGMA max_page_count = ${pages}`); // SQLite's own SQLITE_FULL, as on a full disk
      let r = await send(srv.url, json("POST", "/api/v1/widget-keys", { name: "k" }, [bearer(srv.apiKey)]));
      for (let i = 0; i < 100 && r.status === 201; i++) {
        r = await send(
          srv.url,
          json(
            "POST",
            "/api/v1/widget-keys",
            { name: "y".repeat(190), domain_allowlist: Array.from({ length: 60 }, (_, j) => `https://h${j}-${i}.example.com`) },
            [bearer(srv.apiKey)],
          ),
        );
      }
      expectReply(
        r,
        507,
        "storage_full: the server could not save the change because its disk is full; nothing was written, free disk space on the server and retry",
      );
      expect(log).toContainEqual(`error POST /api/v1/widget-keys: SQLite code 13: database or disk is full (${srv.dataDir}/kataven.db)`);
      expect(log.some((l) => l.includes("POST POST"))).toBe(false);
    } finally {
      await srv.close();
    }
  });

  test("a database that refuses writes is a 503 naming the cause", async () => {
    const srv = await startServer();
    try {
      srv.store.db.exec("PRAGMA query_only = ON");
      expectReply(
        await send(srv.url, json("POST", "/api/v1/widget-keys", { name: "k" }, [bearer(srv.apiKey)])),
        503,
        "storage_read_only: the server's data directory is read-only; nothing was written, make it writable and retry",
      );
      // reads still work
      expectReply(await send(srv.url, { method: "GET", path: "/api/v1/widget-keys", headers: [bearer(srv.apiKey)] }), 200, "[]");
    } finally {
      srv.store.db.exec("PRAGMA query_only = OFF");
      await srv.close();
    }
  });
});
