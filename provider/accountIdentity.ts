/**
 * Which account and API a set of provider settings reaches, so that a change of settings can be told apart:
 * another account or another API moves the keys (their resources are replaced), a respelled URL or a rotated
 * key of the same account does not. Shared by the native plugin's DiffConfig (native/configDiff.ts) and a
 * KatavenConnection's diff (connection.ts).
 */
import { parseKey } from "../contract/keyFormat";
import { DEFAULT_API_URL, normalizeApiUrl } from "./config";

export interface AccountSettings {
  apiUrl?: unknown;
  apiKey?: unknown;
  accountId?: unknown;
}

/** The environment variables a setting falls back to (config.ts); a KatavenConnection has none. */
export type SettingsEnv = { KATAVEN_API_URL?: string; KATAVEN_API_KEY?: string; KATAVEN_ACCOUNT_ID?: string };

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = (typeof v === "string" ? v : JSON.stringify(v)).trim();
  return t === "" ? undefined : t;
}

/** The API an apiUrl reaches: normalised as config.ts does, scheme and host lower-cased, a default port dropped. */
export function apiIdentity(raw: unknown, env: SettingsEnv = {}): string {
  const url = normalizeApiUrl(text(raw) ?? text(env.KATAVEN_API_URL) ?? DEFAULT_API_URL);
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url;
  }
}

/**
 * The account the settings reach: `accountId` when set, else the one the API key names (`sk_live_<account>_…`,
 * contract/keyFormat.ts); undefined when neither says (a key of another shape). A set `accountId` must match
 * the key's account (the API answers 403 otherwise), so adding or removing it never moves the keys.
 */
export function accountOf(s: AccountSettings, env: SettingsEnv = {}): string | undefined {
  const key = text(s.apiKey) ?? text(env.KATAVEN_API_KEY);
  return text(s.accountId) ?? text(env.KATAVEN_ACCOUNT_ID) ?? (key === undefined ? undefined : parseKey(key, "sk_live_")?.account);
}

/** The settings among `apiUrl`, `accountId`, `apiKey` whose change moves the keys elsewhere; [] when they stay. */
export function accountMoves(olds: AccountSettings, news: AccountSettings, env: SettingsEnv = {}): string[] {
  const moved: string[] = [];
  if (apiIdentity(olds.apiUrl, env) !== apiIdentity(news.apiUrl, env)) moved.push("apiUrl");
  const [from, to] = [accountOf(olds, env), accountOf(news, env)];
  if (from !== undefined && to !== undefined && from !== to) {
    for (const k of ["accountId", "apiKey"] as const) if (text(olds[k]) !== text(news[k])) moved.push(k);
  }
  return moved;
}
