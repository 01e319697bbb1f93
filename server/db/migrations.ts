/** The schema, versioned in code: migration N takes PRAGMA user_version from N - 1 to N. */
import { randomBytes } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";

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

/** Brings the schema up to date (refusing a newer one) and creates the JWT signing key once. */
export function migrate(db: DatabaseSync, dbPath: string, tx: (fn: () => void) => void): void {
  const current = Number((db.prepare("PRAGMA user_version").get() as Record<string, unknown>).user_version);
  if (current > MIGRATIONS.length) {
    throw new Error(`${dbPath} has schema version ${current}, newer than this server (${MIGRATIONS.length}); upgrade the server`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    tx(() => {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
  tx(() => {
    const has = db.prepare("SELECT 1 FROM server_secrets WHERE name = 'jwt_hs256'").get();
    if (!has) db.prepare("INSERT INTO server_secrets (name, value) VALUES ('jwt_hs256', ?)").run(randomBytes(32));
  });
}
