/**
 * DiffConfig's answer: which provider settings changed, and which of them replace every resource of the
 * provider. The account is where the keys live, so a change of account replaces them (the engine then
 * creates each resource with the new provider and deletes the old one with the old provider): `accountId`
 * from one account to another, an `apiKey` of another account (its `sk_live_<account>_` prefix) when no
 * `accountId` is set, or `apiUrl` to another API once spelled as config.ts resolves it (a trailing `/v1` or
 * `/api/v1`, a trailing slash, the case of scheme and host, a default port do not count). A rotated API key
 * of the same account, timeouts and pacing settings are in-place changes.
 */
import { accountMoves } from "../accountIdentity";
import { detailedOf, type NativeDiff } from "./resources";
import { UNKNOWN } from "./rpc";
import type { Props } from "./values";

/** The settings that say which account the keys live in. */
const ACCOUNT_SETTINGS = ["apiUrl", "accountId", "apiKey"];

export interface ConfigDiff extends NativeDiff {
  /** Account settings not known until the update runs: changed, but not (yet) a replacement. */
  unknown: string[];
}

const isUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" && v.includes(UNKNOWN));

export function diffConfig(olds: Props, news: Props): ConfigDiff {
  const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
  );
  const unknown = ACCOUNT_SETTINGS.filter((k) => changed.includes(k) && isUnknown(news[k]));
  // A setting not known until the update runs can't be judged yet: its old value stands in.
  const known = { ...news, ...Object.fromEntries(unknown.map((k) => [k, olds[k]])) };
  const replaces = accountMoves(olds, known, process.env);
  return { changed, replaces, detailed: detailedOf(changed, replaces, olds, news), unknown };
}
