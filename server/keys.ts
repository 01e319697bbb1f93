/**
 * Key material: `pk_live_<account>_<random>` / `sk_live_<account>_<random>` with `<random>` base62 (no "_"),
 * 32 characters (the contract's Key pairs, server/README.md); parsed by contract/keyFormat.ts.
 */
import { randomBytes } from "node:crypto";
import { ACCOUNT_SLUG_RE, type KeyPrefix } from "../contract/keyFormat";

export { ACCOUNT_SLUG_RE, type KeyPrefix, parseKey } from "../contract/keyFormat";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const RANDOM_LENGTH = 32;
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

export function mintKey(prefix: KeyPrefix, account: string): string {
  return `${prefix}${account}_${base62(RANDOM_LENGTH)}`;
}

export function checkAccountSlug(slug: string): string | null {
  if (!ACCOUNT_SLUG_RE.test(slug)) return `account "${slug}" must match ${ACCOUNT_SLUG_RE.source}`;
  if (RESERVED_ACCOUNTS.has(slug)) return `account "${slug}" is reserved`;
  return null;
}
