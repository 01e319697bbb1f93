/**
 * The local server's storage: one SQLite file (`kataven.db`, WAL) in the data directory, through
 * node:sqlite, with schema migrations versioned in code (PRAGMA user_version, db/migrations.ts). Beside
 * it, `pepper` (0600) holds the HMAC pepper (dataDir.ts keeps the directory 0700 and the key files 0600),
 * so the database alone cannot confirm or recover any key:
 *   - account API keys: HMAC-SHA256(pepper, key) only;
 *   - widget public keys: HMAC-SHA256(pepper, key) (unique lookup index) + the last 8 characters;
 *   - widget secret keys: bcrypt of the random part + an HMAC lookup column;
 *   - exchange tokens: only their jti, expiry and use time (single use).
 * Store is the connection (db/base.ts) with each table's methods layered on it: accounts, widget keys,
 * settings, tokens (db/*.ts).
 */
import { DB_FILE, PEPPER_FILE } from "./dataDir";
import type { StoreOptions } from "./db/base";
import { TokensStore } from "./db/tokens";

export { DB_FILE, PEPPER_FILE };
export { DEFAULT_WRITE_WAIT_MS, type StoreOptions } from "./db/base";
export { SCHEMA_VERSION } from "./db/migrations";
export type { AgentSettingsRow, WidgetSettingsRow } from "./db/settings";
export { TOUCH_FLUSH_MS, type WidgetKeyRow } from "./db/widgetKeys";

export class Store extends TokensStore {
  /** Opens (creating if needed) the store in a data directory. */
  static open(dir: string, opts: StoreOptions = {}): Store {
    return new Store(dir, opts);
  }
}
