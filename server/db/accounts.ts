/** Accounts, their API keys (HMAC only) and their agents. */
import { StoreBase, type Row } from "./base";

export class AccountsStore extends StoreBase {
  ensureAccount(id: string, now: string): boolean {
    return this.stmt("INSERT OR IGNORE INTO accounts (id, created_at) VALUES (?, ?)").run(id, now).changes > 0;
  }

  addApiKey(row: { id: string; account_id: string; name: string; key: string; now: string }): void {
    this.stmt("INSERT INTO api_keys (id, account_id, name, key_hmac, key_last8, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      row.id,
      row.account_id,
      row.name,
      this.hmac(row.key),
      row.key.slice(-8),
      row.now,
    );
  }

  /** Whether the account holds an enabled API key of that name. */
  hasActiveApiKey(accountId: string, name: string): boolean {
    return this.stmt("SELECT 1 FROM api_keys WHERE account_id = ? AND name = ? AND disabled_at IS NULL").get(accountId, name) !== undefined;
  }

  /** Disables every enabled API key of that name in the account (bootstrap rotation). */
  revokeApiKeys(accountId: string, name: string, now: string): number {
    return Number(
      this.stmt("UPDATE api_keys SET disabled_at = ? WHERE account_id = ? AND name = ? AND disabled_at IS NULL").run(now, accountId, name)
        .changes,
    );
  }

  findApiKey(key: string): { id: string; account_id: string; disabled_at: string | null } | undefined {
    const h = this.hmac(key);
    const r = this.stmt("SELECT id, account_id, key_hmac, disabled_at FROM api_keys WHERE key_hmac = ?").get(h) as Row | undefined;
    if (!r || !StoreBase.sameHmac(String(r.key_hmac), h)) return undefined;
    return { id: String(r.id), account_id: String(r.account_id), disabled_at: (r.disabled_at as string | null) ?? null };
  }

  ensureAgent(accountId: string, id: string, name: string, now: string): boolean {
    return (
      this.stmt("INSERT OR IGNORE INTO agents (account_id, id, name, created_at) VALUES (?, ?, ?, ?)").run(accountId, id, name, now)
        .changes > 0
    );
  }

  hasAgent(accountId: string, id: string): boolean {
    return this.stmt("SELECT 1 FROM agents WHERE account_id = ? AND id = ?").get(accountId, id) !== undefined;
  }

  listAgents(accountId: string): string[] {
    return (this.stmt("SELECT id FROM agents WHERE account_id = ? ORDER BY created_at, id").all(accountId) as Row[]).map((r) =>
      String(r.id),
    );
  }
}
