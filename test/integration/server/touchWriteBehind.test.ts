/**
 * last_used_at write-behind: the first touch of a widget key is written at once (it
 * decides whether DELETE hard-deletes the key), later touches wait up to TOUCH_FLUSH_MS in memory and are
 * written together; rows read through the store carry the waiting value, and close() writes it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DB_FILE, Store, TOUCH_FLUSH_MS, type WidgetKeyRow } from "../../../server/store";

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kataven-touch-"));
  store = Store.open(dir);
  store.ensureAccount("acme", "2026-01-01T00:00:00.000Z");
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function addKey(id: string): WidgetKeyRow {
  const row: WidgetKeyRow = {
    id,
    account_id: "acme",
    name: id,
    public_hmac: store.hmac(`pk_${id}`),
    key_last8: "abcdefgh",
    secret_hmac: store.hmac(`sk_${id}`),
    secret_bcrypt: "x",
    domain_allowlist: ["https://acme.com"],
    agent_id: null,
    disabled_at: null,
    last_used_at: null,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
  };
  store.insertWidgetKey(row);
  return row;
}

/** last_used_at as another connection to the file sees it (what a crash would leave). */
function onDisk(id: string): string | null {
  const db = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
  try {
    return (db.prepare("SELECT last_used_at FROM widget_keys WHERE id = ?").get(id) as { last_used_at: string | null }).last_used_at;
  } finally {
    db.close();
  }
}

test("the first touch is written at once; repeat touches are read back at once and written later", async () => {
  addKey("wk_a");
  store.touchWidgetKey("wk_a", "2026-01-01T00:00:01.000Z");
  expect(onDisk("wk_a")).toBe("2026-01-01T00:00:01.000Z");

  store.touchWidgetKey("wk_a", "2026-01-01T00:00:02.000Z");
  store.touchWidgetKey("wk_a", "2026-01-01T00:00:03.000Z");
  expect(onDisk("wk_a")).toBe("2026-01-01T00:00:01.000Z");
  expect(store.getWidgetKey("acme", "wk_a")?.last_used_at).toBe("2026-01-01T00:00:03.000Z");
  expect(store.listWidgetKeys("acme")[0].last_used_at).toBe("2026-01-01T00:00:03.000Z");
  expect(store.findWidgetKeyByPublic("pk_wk_a")?.last_used_at).toBe("2026-01-01T00:00:03.000Z");

  await new Promise((r) => setTimeout(r, TOUCH_FLUSH_MS + 300));
  expect(onDisk("wk_a")).toBe("2026-01-01T00:00:03.000Z");
});

test("a key read as used (by an earlier process) defers its touches; close() writes them", () => {
  addKey("wk_b");
  store.touchWidgetKey("wk_b", "2026-01-01T00:00:01.000Z");
  store.close();
  store = Store.open(dir);
  expect(store.getWidgetKey("acme", "wk_b")?.last_used_at).toBe("2026-01-01T00:00:01.000Z");
  store.touchWidgetKey("wk_b", "2026-01-01T00:00:05.000Z");
  expect(onDisk("wk_b")).toBe("2026-01-01T00:00:01.000Z");
  store.close();
  expect(onDisk("wk_b")).toBe("2026-01-01T00:00:05.000Z");
  store = Store.open(dir);
});

test("a never-used key stays unused until touched, and a touch of a deleted key writes nothing", () => {
  addKey("wk_c");
  expect(store.getWidgetKey("acme", "wk_c")?.last_used_at).toBeNull();
  store.touchWidgetKey("wk_c", "2026-01-01T00:00:01.000Z");
  store.touchWidgetKey("wk_c", "2026-01-01T00:00:02.000Z");
  store.deleteWidgetKey("acme", "wk_c");
  expect(store.getWidgetKey("acme", "wk_c")).toBeUndefined();
  store.flushTouches();
  expect(store.getWidgetKey("acme", "wk_c")).toBeUndefined();
});

test("a first touch rolled back with its transaction does not count as the used mark: the next touch is written at once", () => {
  addKey("wk_e");
  expect(() =>
    store.tx(() => {
      store.touchWidgetKey("wk_e", "2026-01-01T00:00:01.000Z");
      throw new Error("boom");
    }),
  ).toThrow("boom");
  expect(onDisk("wk_e")).toBeNull();
  store.touchWidgetKey("wk_e", "2026-01-01T00:00:02.000Z");
  expect(onDisk("wk_e")).toBe("2026-01-01T00:00:02.000Z");
});

test("a flush asked for inside a transaction waits for it, so a rollback cannot drop waiting touches", () => {
  addKey("wk_d");
  store.touchWidgetKey("wk_d", "2026-01-01T00:00:01.000Z");
  expect(() =>
    store.tx(() => {
      store.touchWidgetKey("wk_d", "2026-01-01T00:00:09.000Z");
      store.flushTouches();
      throw new Error("boom");
    }),
  ).toThrow("boom");
  expect(onDisk("wk_d")).toBe("2026-01-01T00:00:01.000Z");
  expect(store.getWidgetKey("acme", "wk_d")?.last_used_at).toBe("2026-01-01T00:00:09.000Z");
  store.flushTouches();
  expect(onDisk("wk_d")).toBe("2026-01-01T00:00:09.000Z");
});
