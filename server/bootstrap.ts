/**
 * Idempotent account setup for a local data directory: the account, its API key and agents, created when
 * missing. The API key is stored in the database only as an HMAC, so to hand the same key back on the next
 * run it is also kept in plaintext in `<data>/bootstrap.json` (mode 0600). That file is a convenience of
 * this local dev server; `newKey` mints another key (the older ones stay valid).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { checkAccountSlug, mintKey } from "./keys";
import type { Store } from "./store";

export const BOOTSTRAP_FILE = "bootstrap.json";
export const AGENT_ID_RE = /^[A-Za-z0-9._:-]{1,200}$/;

export interface BootstrapResult {
  account_id: string;
  api_key: string;
  agents: string[];
}

interface BootstrapFile {
  accounts: Record<string, { api_key: string }>;
}

function readFile(dir: string): BootstrapFile {
  try {
    const f = JSON.parse(readFileSync(join(dir, BOOTSTRAP_FILE), "utf8")) as BootstrapFile;
    return f && typeof f.accounts === "object" ? f : { accounts: {} };
  } catch {
    return { accounts: {} };
  }
}

function writeFile(dir: string, f: BootstrapFile): void {
  const tmp = join(dir, `${BOOTSTRAP_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(f, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, join(dir, BOOTSTRAP_FILE));
}

export function bootstrap(
  store: Store,
  opts: { account: string; agents?: string[]; newKey?: boolean; now?: string },
): BootstrapResult {
  const problem = checkAccountSlug(opts.account);
  if (problem) throw new Error(problem);
  for (const a of opts.agents ?? []) {
    if (!AGENT_ID_RE.test(a)) throw new Error(`agent id "${a}" must match ${AGENT_ID_RE.source}`);
  }
  const now = opts.now ?? new Date().toISOString();
  const file = readFile(store.dir);
  const result = store.tx(() => {
    store.ensureAccount(opts.account, now);
    for (const a of opts.agents ?? []) store.ensureAgent(opts.account, a, a, now);
    let apiKey = file.accounts[opts.account]?.api_key;
    const usable = apiKey ? store.findApiKey(apiKey) : undefined;
    if (opts.newKey || !apiKey || !usable || usable.disabled_at || usable.account_id !== opts.account) {
      apiKey = mintKey("sk_live_", opts.account);
      store.addApiKey({ id: randomUUID(), account_id: opts.account, name: "bootstrap", key: apiKey, now });
      file.accounts[opts.account] = { api_key: apiKey };
      writeFile(store.dir, file);
    }
    return { account_id: opts.account, api_key: apiKey, agents: store.listAgents(opts.account) };
  });
  return result;
}
