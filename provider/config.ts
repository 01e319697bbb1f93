/**
 * Provider configuration, read at run time in the provider process and never stored in the `__provider`
 * stub: stack config `kataven:apiUrl`, `kataven:apiKey` (secret), `kataven:accountId`, falling back to
 * `KATAVEN_API_URL`, `KATAVEN_API_KEY`, `KATAVEN_ACCOUNT_ID`. The engine hands the decrypted stack config to
 * the dynamic provider's `configure()`, which calls `configure()` here.
 */
import { isLoopbackHost } from "../contract/allowlist";
import { KatavenConfigError } from "./api/errors";
import { DOCUMENTED_PACING, type PacingLimits, parsePacingValue } from "./api/pacing";

export const DEFAULT_API_URL = "https://api.kataven.ai";

export const MISSING_API_KEY_MESSAGE =
  'kataven:apiKey is not set. Run "pulumi config set --secret kataven:apiKey sk_live_…" or set KATAVEN_API_KEY.';

export interface KatavenConfig {
  /** Base URL without the `/api/v1` suffix, e.g. `https://api.kataven.ai` or `http://127.0.0.1:8787`. */
  apiUrl: string;
  /** The account API key (`sk_live_…`). Undefined when not configured; check() reports it. */
  apiKey?: string;
  /** Sent as `X-Account-ID` when set. */
  accountId?: string;
  /** `kataven:allowInsecureHttp` / `KATAVEN_ALLOW_INSECURE_HTTP`: accept an `http://` apiUrl on a non-loopback host. */
  allowInsecureHttp?: boolean;
  /** Per-request timeout in milliseconds (default 15000). */
  timeoutMs?: number;
  /** Attempts for idempotent calls and for create (default 4). */
  maxAttempts?: number;
  /** Longest wait honoured from a Retry-After header, in ms (default 60000). */
  retryAfterCapMs?: number;
  /** Attempts after a 429 before giving up (default 8). */
  maxRateLimitRetries?: number;
  /** First backoff step in ms for 5xx/timeouts (default 250). */
  backoffBaseMs?: number;
  /** How long to keep trying to list the keys after an ambiguous create, in ms (default 300000); `kataven:orphanCheckTimeoutMs`. */
  orphanCheckMs?: number;
  /**
   * Requests per minute / hour / day the provider sends per account (0 = no limit in that window); default
   * the documented hosted limits (60 / 1,000 / 10,000). `kataven:requestsPerMinute`, `…PerHour`, `…PerDay`.
   */
  pacing?: PacingLimits;
  /** Why a pacing setting could not be read, reported by check() like any other config problem. */
  pacingProblem?: string;
}

/** The subset of the dynamic provider's `configure` request config this module uses. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

let current: KatavenConfig | undefined;

function nonEmpty(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

function positiveInt(v: string | undefined): number | undefined {
  const t = nonEmpty(v);
  if (t === undefined) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The API base the client appends `/api/v1/…` to. Kataven documents the base with and without a version
 * suffix (`https://api.kataven.ai`, `…/v1`, `…/api/v1`, `…/hub-api/api/v1`; see the contract's Paths), so a trailing
 * `/v1` or `/api/v1` is dropped once, here: `…/v1` → `…`, `…/hub-api/api/v1` → `…/hub-api`.
 */
export function normalizeApiUrl(raw: string): string {
  let url = raw.trim().replace(/\/+$/, "");
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)(\/[^?#]*)?$/i.exec(url);
  if (!m) return url;
  let path = (m[2] ?? "").replace(/\/+$/, "");
  if (/\/api\/v1$/i.test(path)) path = path.slice(0, -"/api/v1".length);
  else if (/\/v1$/i.test(path)) path = path.slice(0, -"/v1".length);
  url = `${m[1]}${path}`;
  return url;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes)$/i.test(v.trim());
}

/** Resolves the configuration from stack config (if given) with environment fallbacks. */
export function resolveConfig(source?: ConfigSource, env: NodeJS.ProcessEnv = process.env): KatavenConfig {
  const get = (k: string) => nonEmpty(source?.get(`kataven:${k}`));
  const apiUrl = normalizeApiUrl(get("apiUrl") ?? nonEmpty(env.KATAVEN_API_URL) ?? DEFAULT_API_URL);
  return {
    apiUrl,
    apiKey: get("apiKey") ?? nonEmpty(env.KATAVEN_API_KEY),
    accountId: get("accountId") ?? nonEmpty(env.KATAVEN_ACCOUNT_ID),
    timeoutMs: positiveInt(get("timeoutMs") ?? env.KATAVEN_TIMEOUT_MS),
    orphanCheckMs: positiveInt(get("orphanCheckTimeoutMs") ?? env.KATAVEN_ORPHAN_CHECK_TIMEOUT_MS),
    allowInsecureHttp: truthy(get("allowInsecureHttp") ?? env.KATAVEN_ALLOW_INSECURE_HTTP),
    ...resolvePacing(get, env),
  };
}

const PACING_SETTINGS = [
  { field: "perMinute", key: "requestsPerMinute", env: "KATAVEN_REQUESTS_PER_MINUTE" },
  { field: "perHour", key: "requestsPerHour", env: "KATAVEN_REQUESTS_PER_HOUR" },
  { field: "perDay", key: "requestsPerDay", env: "KATAVEN_REQUESTS_PER_DAY" },
] as const;

/** `kataven:requestsPerMinute` / `…PerHour` / `…PerDay` (or their environment variables) over the documented limits. */
function resolvePacing(get: (k: string) => string | undefined, env: NodeJS.ProcessEnv): Pick<KatavenConfig, "pacing" | "pacingProblem"> {
  const pacing: PacingLimits = { ...DOCUMENTED_PACING };
  for (const s of PACING_SETTINGS) {
    const raw = get(s.key) ?? nonEmpty(env[s.env]);
    if (raw === undefined) continue;
    try {
      pacing[s.field] = parsePacingValue(`kataven:${s.key}`, raw);
    } catch (e) {
      return { pacing, pacingProblem: `${(e as Error).message}. Set it with "pulumi config set kataven:${s.key} <n>".` };
    }
  }
  return { pacing };
}

/** Called by the dynamic provider's `configure(req)` with `req.config`. */
export function configure(source?: ConfigSource): KatavenConfig {
  current = resolveConfig(source);
  return current;
}

/** For tests and embedders: set the configuration directly (unset fields take their defaults). */
export function setConfig(cfg: Partial<KatavenConfig>): KatavenConfig {
  current = { ...cfg, apiUrl: normalizeApiUrl(cfg.apiUrl ?? DEFAULT_API_URL) };
  return current;
}

/** Forgets the configuration (the next getConfig() reads the environment again). */
export function resetConfig(): void {
  current = undefined;
}

/** The configuration in effect: whatever configure()/setConfig() stored, else the environment. */
export function getConfig(): KatavenConfig {
  return current ?? resolveConfig(undefined);
}

/** The message for a missing API key, or undefined when the configuration is usable. */
export function configProblem(cfg: KatavenConfig = getConfig()): string | undefined {
  if (!cfg.apiKey) return MISSING_API_KEY_MESSAGE;
  if (cfg.pacingProblem) return cfg.pacingProblem;
  try {
    const u = new URL(cfg.apiUrl);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
  } catch {
    return `kataven:apiUrl "${cfg.apiUrl}" is not an http(s) URL. Set it to the API base such as "https://api.kataven.ai", or unset it.`;
  }
  const u = new URL(cfg.apiUrl);
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname) && !cfg.allowInsecureHttp) {
    return (
      `kataven:apiUrl "${cfg.apiUrl}" uses http:// on a host that is not this machine, so the account API key would cross the network in clear text. ` +
      `Use https://, or, if the network path is trusted, opt out with "pulumi config set kataven:allowInsecureHttp true" (or KATAVEN_ALLOW_INSECURE_HTTP=true).`
    );
  }
  return undefined;
}

/** The configuration, or a KatavenConfigError saying what to set. */
export function requireConfig(): KatavenConfig & { apiKey: string } {
  const cfg = getConfig();
  const problem = configProblem(cfg);
  if (problem) throw new KatavenConfigError(problem);
  return cfg as KatavenConfig & { apiKey: string };
}

let cachedVersion: string | undefined;

/**
 * The package version, read in the Pulumi program when a resource is constructed (never inside provider
 * methods). Resources pass it as the `providerVersion` input, a record of the release that last applied
 * them; diff ignores it (see lifecycle/stateCompat.ts): the `__provider` stub loads the installed package by name, so
 * a new release reaches existing resources without planning an update.
 */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = String(require("pulumi-kataven-widget/package.json").version);
    } catch {
      cachedVersion = "0.0.0-unknown";
    }
  }
  return cachedVersion;
}
