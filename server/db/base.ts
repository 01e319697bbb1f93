/**
 * The store's connection: the data directory's checks (dataDir.ts), the SQLite handle and its pragmas,
 * transactions, and writes that wait for another connection's write lock without blocking the event loop.
 * The tables' methods are layered on top of it (accounts.ts, widgetKeys.ts, settings.ts, tokens.ts).
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { checkKeyFilesPrivate, createDbFilePrivately, DB_FILE, prepareDataDir, readOrCreatePepper } from "../dataDir";
import { isBusyError, openError } from "../storageErrors";
import { migrate } from "./migrations";

export type Row = Record<string, unknown>;

export interface StoreOptions {
  /**
   * How long a statement may block waiting for another connection's lock (SQLite busy_timeout). Default 0:
   * a server must never block its event loop, so it retries writes asynchronously (write()); a one-shot
   * CLI such as bootstrap may wait instead.
   */
  busyTimeoutMs?: number;
  /** How long write() keeps retrying a locked database before giving up (503 storage_busy). Default 2000. */
  writeWaitMs?: number;
}

/** While the database is being opened and migrated, another connection's lock is waited for this long. */
const OPEN_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_WRITE_WAIT_MS = 2000;

export class StoreBase {
  readonly db: DatabaseSync;
  /** the pepper as a KeyObject: createHmac() with a Buffer key imports it anew on every call (several µs) */
  private readonly pepper: KeyObject;
  protected closed = false;
  /** prepared statements by SQL text: preparing costs more than running a point lookup */
  private readonly statements = new Map<string, StatementSync>();
  private jwtKeyCache: KeyObject | null = null;
  private readonly writeWaitMs: number;

  protected constructor(
    readonly dir: string,
    opts: StoreOptions = {},
  ) {
    // dataDir.ts: a private directory, private key files, a well-formed pepper; each refusal names the path
    prepareDataDir(dir);
    checkKeyFilesPrivate(dir);
    this.pepper = createSecretKey(readOrCreatePepper(dir));
    createDbFilePrivately(dir);
    this.writeWaitMs = opts.writeWaitMs ?? DEFAULT_WRITE_WAIT_MS;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(join(dir, DB_FILE));
      db.exec(`PRAGMA busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA foreign_keys = ON");
      this.db = db;
      migrate(db, this.dbPath, (fn) => this.tx(fn));
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 0))}`);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // the open itself failed: nothing to close
      }
      throw openError(err, join(dir, DB_FILE), dir);
    }
  }

  get dbPath(): string {
    return join(this.dir, DB_FILE);
  }

  /**
   * Runs fn in one IMMEDIATE transaction. SQLite rolls a transaction back by itself after some errors
   * (SQLITE_FULL, I/O errors, a failed COMMIT): then there is nothing left to roll back, and the original
   * error, not "no transaction is active", is what the caller gets.
   */
  tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (err) {
      if (this.db.isTransaction) {
        try {
          this.db.exec("ROLLBACK");
        } catch {
          // the original error says what went wrong
        }
      }
      throw err;
    }
  }

  /**
   * Runs a write (a statement or a tx()) and, while another connection holds the write lock, runs it again
   * after 5, 10, 20 … 100 ms, yielding the event loop meanwhile, for up to writeWaitMs; then the
   * SQLITE_BUSY error goes to the caller (503 storage_busy with Retry-After). fn must be safe to rerun:
   * a busy write has changed nothing.
   */
  async write<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.writeWaitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        return fn();
      } catch (err) {
        if (!isBusyError(err) || this.closed || Date.now() + delay > deadline) throw err;
      }
      await sleep(delay);
    }
  }

  /** write() of a tx(). */
  writeTx<T>(fn: () => T): Promise<T> {
    return this.write(() => this.tx(fn));
  }

  /** Work to do before the connection closes (the layers above flush what waits in memory). */
  protected beforeClose(): void {}

  close(): void {
    if (this.closed) return;
    try {
      this.beforeClose();
    } finally {
      this.closed = true;
      this.db.close();
      this.statements.clear();
    }
  }

  /** A cached prepared statement (node:sqlite resets a statement after each run, so it is reusable). */
  protected stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** HMAC-SHA256(pepper, value), hex. */
  hmac(value: string): string {
    return createHmac("sha256", this.pepper).update(value).digest("hex");
  }

  /** Constant-time comparison of two hex HMACs. */
  static sameHmac(a: string, b: string): boolean {
    const x = Buffer.from(a, "hex");
    const y = Buffer.from(b, "hex");
    return x.length === y.length && timingSafeEqual(x, y);
  }

  /**
   * The HS256 signing key: created once by the first migration and never changed, so read and imported
   * once (jwt.ts signs and verifies with the KeyObject).
   */
  jwtKey(): KeyObject {
    if (this.jwtKeyCache === null) {
      const row = this.db.prepare("SELECT value FROM server_secrets WHERE name = 'jwt_hs256'").get() as Row;
      this.jwtKeyCache = createSecretKey(row.value as Uint8Array);
    }
    return this.jwtKeyCache;
  }
}
