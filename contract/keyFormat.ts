/**
 * Key format: `pk_live_<account>_<random>` / `sk_live_<account>_<random>`, `<random>` base62 (no "_"); the
 * account API key has the same shape, so its account is in its prefix (server/README.md, the contract in
 * brief). Account slugs may contain "_", so a key is parsed by stripping the prefix and splitting at the last "_".
 */
export const ACCOUNT_SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export type KeyPrefix = "pk_live_" | "sk_live_";

/** Splits a key into its account and random part; null when it is not shaped like one. */
export function parseKey(key: string, prefix: KeyPrefix): { account: string; random: string } | null {
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  const cut = rest.lastIndexOf("_");
  if (cut <= 0) return null;
  const account = rest.slice(0, cut);
  const random = rest.slice(cut + 1);
  if (!ACCOUNT_SLUG_RE.test(account) || !/^[0-9A-Za-z]{24,128}$/.test(random)) return null;
  return { account, random };
}
