/**
 * Account setup for a local data directory: the account, its API key and agents, created when missing.
 * Like the hosted API, the server shows an API key once: the database keeps only its HMAC, and nothing
 * writes it to disk in plaintext. So a second run creates what is missing but mints no key and prints
 * `api_key: null`; `rotateKey` mints a new bootstrap key and revokes the earlier ones, so an account holds
 * exactly one working bootstrap key (npm start rotates on every run and hands the key to Pulumi through
 * its environment only).
 */
import { randomUUID } from "node:crypto";
import { checkAccountSlug, mintKey } from "./keys";
import type { Store } from "./store";

export const AGENT_ID_RE = /^[A-Za-z0-9._:-]{1,200}$/;
const BOOTSTRAP_KEY_NAME = "bootstrap";

export interface BootstrapResult {
  account_id: string;
  /** The new key, shown this once; null when the account already had one and no rotation was asked. */
  api_key: string | null;
  agents: string[];
}

export function bootstrap(store: Store, opts: { account: string; agents?: string[]; rotateKey?: boolean; now?: string }): BootstrapResult {
  const problem = checkAccountSlug(opts.account);
  if (problem) throw new Error(problem);
  for (const a of opts.agents ?? []) {
    if (!AGENT_ID_RE.test(a)) throw new Error(`agent id "${a}" must match ${AGENT_ID_RE.source}`);
  }
  const now = opts.now ?? new Date().toISOString();
  return store.tx(() => {
    store.ensureAccount(opts.account, now);
    for (const a of opts.agents ?? []) store.ensureAgent(opts.account, a, a, now);
    let apiKey: string | null = null;
    if (opts.rotateKey || !store.hasActiveApiKey(opts.account, BOOTSTRAP_KEY_NAME)) {
      store.revokeApiKeys(opts.account, BOOTSTRAP_KEY_NAME, now);
      apiKey = mintKey("sk_live_", opts.account);
      store.addApiKey({ id: randomUUID(), account_id: opts.account, name: BOOTSTRAP_KEY_NAME, key: apiKey, now });
    }
    return { account_id: opts.account, api_key: apiKey, agents: store.listAgents(opts.account) };
  });
}
