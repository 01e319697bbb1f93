/**
 * Widget keys: HMACs of both keys, bcrypt of the secret, the canonical allowlist, and last_used_at, whose
 * repeat touches wait in memory up to TOUCH_FLUSH_MS (see touchWidgetKey).
 */
import { AccountsStore } from "./accounts";
import { StoreBase, type Row } from "./base";

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

/** How long a repeat `last_used_at` touch may wait in memory before it is written (see touchWidgetKey). */
export const TOUCH_FLUSH_MS = 1000;

export class WidgetKeysStore extends AccountsStore {
  /** widget key id → last_used_at not yet written (repeat touches of keys already marked used) */
  private readonly pendingTouches = new Map<string, string>();
  /** widget key ids whose stored last_used_at is known to be set (written by this process or read so) */
  private readonly usedKeys = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;

  protected override beforeClose(): void {
    this.flushTouches();
  }

  /** A widget key row from the table, with a last_used_at still waiting to be written laid over it. */
  private toWidgetKey(r: Row): WidgetKeyRow {
    const row = { ...(r as unknown as WidgetKeyRow), domain_allowlist: JSON.parse(String(r.domain_allowlist)) as string[] };
    if (row.last_used_at !== null) this.usedKeys.add(row.id);
    const pending = this.pendingTouches.get(row.id);
    if (pending !== undefined) row.last_used_at = pending;
    return row;
  }

  insertWidgetKey(row: WidgetKeyRow): void {
    this.stmt(
      `INSERT INTO widget_keys (id, account_id, name, public_hmac, key_last8, secret_hmac, secret_bcrypt, domain_allowlist,
           agent_id, disabled_at, last_used_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    return r && StoreBase.sameHmac(String(r.public_hmac), h) ? this.toWidgetKey(r) : undefined;
  }

  findWidgetKeyBySecret(secretKey: string): WidgetKeyRow | undefined {
    const h = this.hmac(secretKey);
    const r = this.stmt("SELECT * FROM widget_keys WHERE secret_hmac = ?").get(h) as Row | undefined;
    return r && StoreBase.sameHmac(String(r.secret_hmac), h) ? this.toWidgetKey(r) : undefined;
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
}
