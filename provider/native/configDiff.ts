/**
 * DiffConfig's answer: which provider settings changed, and which of them replace every resource of the
 * provider. The account is where the keys live, so a change of account replaces them (the engine then
 * creates each resource with the new provider and deletes the old one with the old provider): `accountId`
 * from one account to another, an `apiKey` of another account (its `sk_live_<account>_` prefix) when no
 * `accountId` is set, or `apiUrl` to another API once spelled as config.ts resolves it (a trailing `/v1` or
 * `/api/v1`, a trailing slash, the case of scheme and host, a default port do not count). A rotated API key
 * of the same account, timeouts and pacing settings are in-place changes.
 */
import { DEFAULT_API_URL, normalizeApiUrl } from "../config";
import { detailedOf, type NativeDiff } from "./resources";
import { UNKNOWN } from "./rpc";
import type { Props } from "./values";
import { parseKey } from "../../contract/keyFormat";

/** The settings that say which account the keys live in. */
const ACCOUNT_SETTINGS = ["apiUrl", "accountId", "apiKey"];

export interface ConfigDiff extends NativeDiff {
  /** Account settings not known until the update runs: changed, but not (yet) a replacement. */
  unknown: string[];
}

const isUnknown = (v: unknown): boolean => v === UNKNOWN || (typeof v === "string" && v.includes(UNKNOWN));

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = (typeof v === "string" ? v : JSON.stringify(v)).trim();
  return t === "" ? undefined : t;
}

/** The API an apiUrl reaches: normalised as config.ts does, scheme and host lower-cased, a default port dropped. */
export function apiIdentity(raw: unknown): string {
  const url = normalizeApiUrl(text(raw) ?? process.env.KATAVEN_API_URL ?? DEFAULT_API_URL);
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url;
  }
}

/**
 * The account the settings reach: `accountId` when set, else the one the API key names (`sk_live_<account>_…`,
 * contract/keyFormat.ts), each falling back to its environment variable as config.ts does; undefined when
 * neither says (a key of another shape). A set `accountId` must match
 * the key's account (the API answers 403 otherwise), so adding or removing it never moves the keys.
 */
function accountOf(props: Props): string | undefined {
  const key = text(props.apiKey) ?? text(process.env.KATAVEN_API_KEY);
  return (
    text(props.accountId) ?? text(process.env.KATAVEN_ACCOUNT_ID) ?? (key === undefined ? undefined : parseKey(key, "sk_live_")?.account)
  );
}

export function diffConfig(olds: Props, news: Props): ConfigDiff {
  const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
  );
  const unknown = ACCOUNT_SETTINGS.filter((k) => changed.includes(k) && isUnknown(news[k]));
  const replaces: string[] = [];
  if (changed.includes("apiUrl") && !unknown.includes("apiUrl") && apiIdentity(olds.apiUrl) !== apiIdentity(news.apiUrl)) {
    replaces.push("apiUrl");
  }
  const [from, to] = [accountOf(olds), accountOf(news)];
  if (!unknown.includes("accountId") && !unknown.includes("apiKey") && from !== undefined && to !== undefined && from !== to) {
    replaces.push(...["accountId", "apiKey"].filter((k) => changed.includes(k)));
  }
  return { changed, replaces, detailed: detailedOf(changed, replaces, olds, news), unknown };
}
