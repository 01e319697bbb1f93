/** Exchange tokens (user_token): only their jti, key, expiry and use time; each is used once. */
import { SettingsStore } from "./settings";

export class TokensStore extends SettingsStore {
  insertExchangeToken(row: { jti: string; account_id: string; widget_key_id: string | null; expires_at: string; now: string }): void {
    this.stmt("INSERT INTO exchange_tokens (jti, account_id, widget_key_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)").run(
      row.jti,
      row.account_id,
      row.widget_key_id,
      row.expires_at,
      row.now,
    );
  }

  /** Marks the token used; false when it is unknown or was already used. */
  consumeExchangeToken(jti: string, now: string): boolean {
    return this.stmt("UPDATE exchange_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL").run(now, jti).changes === 1;
  }

  /** Drops exchange tokens that expired before `before` (they can no longer be used anyway). */
  pruneExchangeTokens(before: string): void {
    this.stmt("DELETE FROM exchange_tokens WHERE expires_at < ?").run(before);
  }
}
