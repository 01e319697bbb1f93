/**
 * The local server's storage: one SQLite file (`kataven.db`, WAL) in the data directory, through
 * node:sqlite, with schema migrations versioned in code (PRAGMA user_version). Beside it, `pepper` (0600)
 * holds the HMAC pepper (dataDir.ts keeps the directory 0700 and the key files 0600), so the database alone cannot confirm or recover any key:
 *   - account API keys: HMAC-SHA256(pepper, key) only;
 *   - widget public keys: HMAC-SHA256(pepper, key) (unique lookup index) + the last 8 characters;
 *   - widget secret keys: bcrypt of the random part + an HMAC lookup column (kataven-api.md (d)-11);
 *   - exchange tokens: only their jti, expiry and use time (single use).
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { checkKeyFilesPrivate, createDbFilePrivately, DB_FILE, PEPPER_FILE, prepareDataDir, readOrCreatePepper } from "./dataDir";
import { openError } from "./storageErrors";

export { DB_FILE, PEPPER_FILE };

const MIGRATIONS: string[] = [
  // 1: initial schema
  `
  CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
  CREATE TABLE accounts (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    key_hmac TEXT NOT NULL UNIQUE,
    key_last8 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
  );
  CREATE TABLE agents (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  CREATE TABLE widget_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    public_hmac TEXT NOT NULL UNIQUE,
    key_last8 TEXT NOT NULL,
    secret_hmac TEXT NOT NULL UNIQUE,
    secret_bcrypt TEXT NOT NULL,
    domain_allowlist TEXT NOT NULL,
    agent_id TEXT,
    disabled_at TEXT,
    last_used_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX widget_keys_account ON widget_keys(account_id, created_at);
  CREATE TABLE widget_settings (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    primary_color TEXT,
    accent_color TEXT,
    logo_url TEXT,
    launcher_position TEXT,
    launcher_label TEXT,
    privacy_notice TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE agent_widget_settings (
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    widget_enabled INTEGER NOT NULL,
    auth_mode TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, agent_id)
  );
  CREATE TABLE exchange_tokens (
    jti TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    widget_key_id TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface WidgetKeyRow {
  id: string;
  account_id: string;
  name: string;
  public_hmac: string;
  key_last8: string;
  secret_hmac: string;
  secret_bcrypt: string;
  /** canonical entries, JSON text in the table */
  domain_allowlist: string[];
  agent_id: string | null;
  disabled_at: string | null;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WidgetSettingsRow {
  primary_color: string | null;
  accent_color: string | null;
  logo_url: string | null;
  launcher_position: string | null;
  launcher_label: string | null;
  privacy_notice: string | null;
}

export interface AgentSettingsRow {
  widget_enabled: boolean;
  auth_mode: string;
}

type Row = Record<string, unknown>;

/** How long a repeat `last_used_at` touch may wait in memory before it is written (see touchWidgetKey). */
export const TOUCH_FLUSH_MS = 1000;

export class Store {
  readonly db: DatabaseSync;
  /** the pepper as a KeyObject: createHmac() with a Buffer key imports it anew on every call (several µs) */
  private readonly pepper: KeyObject;
  private closed = false;
  /** prepared statements by SQL text: preparing costs more than running a point lookup */
  private readonly statements = new Map<string, StatementSync>();
  private jwtKeyCache: KeyObject | null = null;
  /** widget key id → last_used_at not yet written (repeat touches of keys already marked used) */
  private readonly pendingTouches = new Map<string, string>();
  /** widget key ids whose stored last_used_at is known to be set (written by this process or read so) */
  private readonly usedKeys = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;

  private constructor(readonly dir: string) {
    // dataDir.ts: a private directory, private key files, a well-formed pepper; each refusal names the path
    prepareDataDir(dir);
    checkKeyFilesPrivate(dir);
    this.pepper = createSecretKey(readOrCreatePepper(dir));
    createDbFilePrivately(dir);
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(join(dir, DB_FILE));
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA foreign_keys = ON");
      this.db = db;
      this.migrate();
    } catch (err) {
      try {
        db?.close();
      } catch {
        // the open itself failed: nothing to close
      }
      throw openError(err, join(dir, DB_FILE), dir);
    }
  }

  /** Opens (creating if needed) the store in a data directory. */
  static open(dir: string): Store {
    return new Store(dir);
  }

  get dbPath(): string {
    return join(this.dir, DB_FILE);
  }

  private migrate(): void {
    const current = Number((this.db.prepare("PRAGMA user_version").get() as Row).user_version);
    if (current > MIGRATIONS.length) {
      throw new Error(`${this.dbPath} has schema version ${current}, newer than this server (${MIGRATIONS.length}); upgrade the server`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.tx(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
    this.tx(() => {
      const has = this.db.prepare("SELECT 1 FROM server_secrets WHERE name = 'jwt_hs256'").get();
      if (!has) this.db.prepare("INSERT INTO server_secrets (name, value) VALUES ('jwt_hs256', ?)").run(randomBytes(32));
    });
  }

  /** Runs fn in one IMMEDIATE transaction. */
  tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flushTouches();
    } finally {
      this.closed = true;
      this.db.close();
      this.statements.clear();
    }
  }

  /** A cached prepared statement (node:sqlite resets a statement after each run, so it is reusable). */
  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A widget key row from the table, with a last_used_at still waiting to be written laid over it. */
  private toWidgetKey(r: Row): WidgetKeyRow {
    const row = { ...(r as unknown as WidgetKeyRow), domain_allowlist: JSON.parse(String(r.domain_allowlist)) as string[] };
    if (row.last_used_at !== null) this.usedKeys.add(row.id);
    const pending = this.pendingTouches.get(row.id);
    if (pending !== undefined) row.last_used_at = pending;
    return row;
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

  // ---- accounts, API keys, agents ---------------------------------------------------------------------

  hasAccount(id: string): boolean {
    return this.stmt("SELECT 1 FROM accounts WHERE id = ?").get(id) !== undefined;
  }

  ensureAccount(id: string, now: string): boolean {
    return this.stmt("INSERT OR IGNORE INTO accounts (id, created_at) VALUES (?, ?)").run(id, now).changes > 0;
  }

  addApiKey(row: { id: string; account_id: string; name: string; key: string; now: string }): void {
    this
      .stmt("INSERT INTO api_keys (id, account_id, name, key_hmac, key_last8, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(row.id, row.account_id, row.name, this.hmac(row.key), row.key.slice(-8), row.now);
  }

  /** Whether the account holds an enabled API key of that name. */
  hasActiveApiKey(accountId: string, name: string): boolean {
    return this.stmt("SELECT 1 FROM api_keys WHERE account_id = ? AND name = ? AND disabled_at IS NULL").get(accountId, name) !== undefined;
  }

  /** Disables every enabled API key of that name in the account (bootstrap rotation). */
  revokeApiKeys(accountId: string, name: string, now: string): number {
    return Number(
      this.stmt("UPDATE api_keys SET disabled_at = ? WHERE account_id = ? AND name = ? AND disabled_at IS NULL").run(now, accountId, name).changes,
    );
  }

  findApiKey(key: string): { id: string; account_id: string; disabled_at: string | null } | undefined {
    const h = this.hmac(key);
    const r = this.stmt("SELECT id, account_id, key_hmac, disabled_at FROM api_keys WHERE key_hmac = ?").get(h) as Row | undefined;
    if (!r || !Store.sameHmac(String(r.key_hmac), h)) return undefined;
    return { id: String(r.id), account_id: String(r.account_id), disabled_at: (r.disabled_at as string | null) ?? null };
  }

  ensureAgent(accountId: string, id: string, name: string, now: string): boolean {
    return this
      .stmt("INSERT OR IGNORE INTO agents (account_id, id, name, created_at) VALUES (?, ?, ?, ?)")
      .run(accountId, id, name, now).changes > 0;
  }

  hasAgent(accountId: string, id: string): boolean {
    return this.stmt("SELECT 1 FROM agents WHERE account_id = ? AND id = ?").get(accountId, id) !== undefined;
  }

  listAgents(accountId: string): string[] {
    return (this.stmt("SELECT id FROM agents WHERE account_id = ? ORDER BY created_at, id").all(accountId) as Row[]).map((r) =>
      String(r.id),
    );
  }

  // ---- widget keys ------------------------------------------------------------------------------------

  insertWidgetKey(row: WidgetKeyRow): void {
    this
      .stmt(
        `INSERT INTO widget_keys (id, account_id, name, public_hmac, key_last8, secret_hmac, secret_bcrypt, domain_allowlist,
           agent_id, disabled_at, last_used_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.account_id,
        row.name,
        row.public_hmac,
        row.key_last8,
        row.secret_hmac,
        row.secret_bcrypt,
        JSON.stringify(row.domain_allowlist),
        row.agent_id,
        row.disabled_at,
        row.last_used_at,
        row.created_at,
        row.updated_at,
      );
  }

  listWidgetKeys(accountId: string): WidgetKeyRow[] {
    return (this.stmt("SELECT * FROM widget_keys WHERE account_id = ? ORDER BY created_at, id").all(accountId) as Row[]).map((r) =>
      this.toWidgetKey(r),
    );
  }

  getWidgetKey(accountId: string, id: string): WidgetKeyRow | undefined {
    const r = this.stmt("SELECT * FROM widget_keys WHERE account_id = ? AND id = ?").get(accountId, id) as Row | undefined;
    return r && this.toWidgetKey(r);
  }

  findWidgetKeyByPublic(publicKey: string): WidgetKeyRow | undefined {
    const h = this.hmac(publicKey);
    const r = this.stmt("SELECT * FROM widget_keys WHERE public_hmac = ?").get(h) as Row | undefined;
    return r && Store.sameHmac(String(r.public_hmac), h) ? this.toWidgetKey(r) : undefined;
  }

  findWidgetKeyBySecret(secretKey: string): WidgetKeyRow | undefined {
    const h = this.hmac(secretKey);
    const r = this.stmt("SELECT * FROM widget_keys WHERE secret_hmac = ?").get(h) as Row | undefined;
    return r && Store.sameHmac(String(r.secret_hmac), h) ? this.toWidgetKey(r) : undefined;
  }

  updateWidgetKey(
    accountId: string,
    id: string,
    fields: Partial<Pick<WidgetKeyRow, "name" | "domain_allowlist" | "agent_id" | "disabled_at" | "updated_at">>,
  ): void {
    const sets: string[] = [];
    const vals: (string | null)[] = [];
    for (const [k, v] of Object.entries(fields)) {
      sets.push(`${k} = ?`);
      vals.push(k === "domain_allowlist" ? JSON.stringify(v) : (v as string | null));
    }
    if (sets.length === 0) return;
    this.stmt(`UPDATE widget_keys SET ${sets.join(", ")} WHERE account_id = ? AND id = ?`).run(...vals, accountId, id);
  }

  deleteWidgetKey(accountId: string, id: string): void {
    this.stmt("DELETE FROM widget_keys WHERE account_id = ? AND id = ?").run(accountId, id);
  }

  /**
   * Sets a widget key's last_used_at. The first touch of a key (its stored value is null, or this process
   * has not seen it set) is written at once: "was this key ever used" decides whether DELETE hard-deletes
   * it, so it never waits in memory. Later touches only refine the time; they wait up to
   * TOUCH_FLUSH_MS and are written together in one transaction (and on close()), since a write transaction
   * per public call was the largest cost of /widget/config and /widget/auth/guest. Rows read through this
   * store carry the waiting value, so every answer sees it at once; a crash loses at most the last
   * TOUCH_FLUSH_MS of time refinements, never the used mark. A repeat touch made inside a transaction that
   * then rolls back is still written later (it only refines the time of a key already marked used); a
   * first touch made inside one does not mark the key used, so if it rolls back the next touch is again
   * written at once.
   */
  touchWidgetKey(id: string, now: string): void {
    if (this.usedKeys.has(id)) {
      this.pendingTouches.set(id, now);
      this.scheduleFlush();
      return;
    }
    this.pendingTouches.delete(id);
    this.stmt("UPDATE widget_keys SET last_used_at = ? WHERE id = ?").run(now, id);
    // Inside a transaction the write may still roll back: the key counts as used once a read shows it so.
    if (!this.db.isTransaction) this.usedKeys.add(id);
  }

  /** Writes the waiting last_used_at touches in one transaction; on failure they stay for the next try. */
  flushTouches(): void {
    if (this.touchTimer !== null) {
      clearTimeout(this.touchTimer);
      this.touchTimer = null;
    }
    if (this.pendingTouches.size === 0 || this.closed) return;
    // never inside someone else's transaction: its rollback would drop touches already taken off the list
    if (this.db.isTransaction) return this.scheduleFlush();
    const touches = [...this.pendingTouches];
    const update = this.stmt("UPDATE widget_keys SET last_used_at = ? WHERE id = ?");
    try {
      this.tx(() => {
        for (const [id, at] of touches) update.run(at, id);
      });
    } catch {
      // the database is busy, full or read-only: keep the touches (newer ones win) and try again later
      return this.scheduleFlush();
    }
    for (const [id, at] of touches) if (this.pendingTouches.get(id) === at) this.pendingTouches.delete(id);
  }

  private scheduleFlush(): void {
    if (this.touchTimer !== null || this.closed) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = null;
      this.flushTouches();
    }, TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  // ---- settings ---------------------------------------------------------------------------------------

  getWidgetSettings(accountId: string): WidgetSettingsRow | undefined {
    const r = this
      .stmt(
        "SELECT primary_color, accent_color, logo_url, launcher_position, launcher_label, privacy_notice FROM widget_settings WHERE account_id = ?",
      )
      .get(accountId) as Row | undefined;
    return r && ({ ...r } as unknown as WidgetSettingsRow);
  }

  putWidgetSettings(accountId: string, s: WidgetSettingsRow, now: string): void {
    this
      .stmt(
        `INSERT INTO widget_settings (account_id, primary_color, accent_color, logo_url, launcher_position, launcher_label, privacy_notice, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(account_id) DO UPDATE SET primary_color = excluded.primary_color, accent_color = excluded.accent_color,
           logo_url = excluded.logo_url, launcher_position = excluded.launcher_position, launcher_label = excluded.launcher_label,
           privacy_notice = excluded.privacy_notice, updated_at = excluded.updated_at`,
      )
      .run(accountId, s.primary_color, s.accent_color, s.logo_url, s.launcher_position, s.launcher_label, s.privacy_notice, now);
  }

  getAgentSettings(accountId: string, agentId: string): AgentSettingsRow | undefined {
    const r = this
      .stmt("SELECT widget_enabled, auth_mode FROM agent_widget_settings WHERE account_id = ? AND agent_id = ?")
      .get(accountId, agentId) as Row | undefined;
    return r && { widget_enabled: Number(r.widget_enabled) === 1, auth_mode: String(r.auth_mode) };
  }

  putAgentSettings(accountId: string, agentId: string, s: AgentSettingsRow, now: string): void {
    this
      .stmt(
        `INSERT INTO agent_widget_settings (account_id, agent_id, widget_enabled, auth_mode, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id, agent_id) DO UPDATE SET widget_enabled = excluded.widget_enabled, auth_mode = excluded.auth_mode,
           updated_at = excluded.updated_at`,
      )
      .run(accountId, agentId, s.widget_enabled ? 1 : 0, s.auth_mode, now);
  }

  // ---- exchange tokens (single use) -------------------------------------------------------------------

  insertExchangeToken(row: { jti: string; account_id: string; widget_key_id: string | null; expires_at: string; now: string }): void {
    this
      .stmt("INSERT INTO exchange_tokens (jti, account_id, widget_key_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(row.jti, row.account_id, row.widget_key_id, row.expires_at, row.now);
  }

  /** Marks the token used; false when it is unknown or was already used. */
  consumeExchangeToken(jti: string, now: string): boolean {
    return this.stmt("UPDATE exchange_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL").run(now, jti).changes === 1;
  }

  exchangeTokenUsed(jti: string): boolean {
    const r = this.stmt("SELECT used_at FROM exchange_tokens WHERE jti = ?").get(jti) as Row | undefined;
    return !r || r.used_at !== null;
  }

  /** Drops exchange tokens that expired before `before` (they can no longer be used anyway). */
  pruneExchangeTokens(before: string): void {
    this.stmt("DELETE FROM exchange_tokens WHERE expires_at < ?").run(before);
  }
}
