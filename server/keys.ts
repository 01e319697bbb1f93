/**
 * Key material: `pk_live_<account>_<random>` / `sk_live_<account>_<random>` with `<random>` base62 (no "_"),
 * 32 characters (the contract's Key pairs, server/README.md). Account slugs may contain "_", so keys are parsed by
 * stripping the prefix and splitting at the last "_".
 */
import { randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const RANDOM_LENGTH = 32;
export const ACCOUNT_SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const RESERVED_ACCOUNTS = new Set(["kataven-admin"]);

/** Uniform base62 string (rejection sampling, no modulo bias). */
export function base62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

export type KeyPrefix = "pk_live_" | "sk_live_";

export function mintKey(prefix: KeyPrefix, account: string): string {
  return `${prefix}${account}_${base62(RANDOM_LENGTH)}`;
}

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

export function checkAccountSlug(slug: string): string | null {
  if (!ACCOUNT_SLUG_RE.test(slug)) return `account "${slug}" must match ${ACCOUNT_SLUG_RE.source}`;
  if (RESERVED_ACCOUNTS.has(slug)) return `account "${slug}" is reserved`;
  return null;
}
