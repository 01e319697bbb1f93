/**
 * The one REST client for the Kataven management API (../shared/kataven-api.md). Every resource goes
 * through it. It owns:
 *  - transport: an undici keep-alive Pool per origin, a per-request timeout, Bearer auth, `X-Account-ID`;
 *  - the wire format: snake_case JSON on the wire, camelCase outside (converted only here), every
 *    response parsed with the zod schemas of `wire.ts`, plain-text error bodies turned into typed errors;
 *  - pacing: at most 20 requests in flight per account (the documented concurrency limit);
 *  - retries: 429 waits `Retry-After` (capped, bounded); GET/PATCH/DELETE retry 5xx, timeouts and resets
 *    with jittered exponential backoff. POST is never retried blindly: see `createWidgetKey`.
 * Nothing here logs, and no message carries the API key, the Authorization header or key material.
 */
import { createHash } from "node:crypto";
import { Pool } from "undici";
import type { z } from "zod";
import { sameAllowlist } from "../contract/allowlist";
import type { KatavenConfig } from "./config";
import { hintFor, KatavenApiError, KatavenError, KatavenNetworkError, KatavenResponseError, parseErrorBody } from "./errors";
import {
  AgentWidgetSettingsWire,
  CreatedWidgetKeyWire,
  DeleteWidgetKeyResponse,
  issuePath,
  WidgetKeyListWire,
  WidgetKeyWire,
  WidgetSettingsWire,
} from "../contract/wire";

// ---- camelCase shapes used outside the client ---------------------------------------------------------

export interface WidgetKey {
  id: string;
  name: string;
  keyLast8: string;
  domainAllowlist: string[];
  agentId: string | null;
  disabledAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface CreatedWidgetKey extends WidgetKey {
  publicKey: string;
  secretKey: string;
}
export interface CreateWidgetKeyInput {
  name: string;
  domainAllowlist?: string[];
  agentId?: string | null;
}
export interface UpdateWidgetKeyInput {
  name?: string;
  domainAllowlist?: string[];
  agentId?: string | null;
  disabled?: boolean;
}
export interface DeleteWidgetKeyResult {
  id: string;
  outcome: "deleted" | "disabled";
  disabledAt: string | null;
}
export interface WidgetSettings {
  primaryColor: string | null;
  accentColor: string | null;
  logoUrl: string | null;
  launcherPosition: "bl" | "br" | "tl" | "tr";
  launcherLabel: string | null;
  privacyNotice: string | null;
}
export type WidgetSettingsPatch = { [K in keyof WidgetSettings]?: WidgetSettings[K] | null };
export interface AgentWidgetSettings {
  agentId: string;
  widgetEnabled: boolean;
  authMode: "guest" | "user" | "both";
}
export type AgentWidgetSettingsPatch = Partial<Omit<AgentWidgetSettings, "agentId">>;

// ---- snake <-> camel (flat objects; the wire bodies are flat) ------------------------------------------

export function toCamel<T>(obj: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out as T;
}
export function toSnake(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  return out;
}

// ---- Retry-After and backoff ---------------------------------------------------------------------------

/**
 * Milliseconds to wait for a `Retry-After` value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable; never negative; capped at `capMs`.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, capMs: number, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  if (t === "") return undefined;
  let ms: number;
  if (/^\d+$/.test(t)) ms = Number(t) * 1000;
  else if (/^\d+\.\d+$/.test(t)) ms = Math.ceil(Number(t) * 1000);
  else {
    const at = Date.parse(t);
    if (Number.isNaN(at) || !/[a-z]/i.test(t)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), capMs);
}

/** Full-jitter exponential backoff: random in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffMs(attempt: number, baseMs: number, capMs = 10_000, rand: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + rand() * (ceiling / 2));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- per-account in-flight cap -------------------------------------------------------------------------

export const MAX_IN_FLIGHT_PER_ACCOUNT = 20;

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
  get inFlight(): number {
    return this.active;
  }
}

const semaphores = new Map<string, Semaphore>();
const pools = new Map<string, Pool>();
/** Ids this process has seen per account (from lists and creates); see `createWidgetKey`. */
const knownIds = new Map<string, Set<string>>();
/** Serialises creates of the same name per account, so orphan matching never races a sibling create. */
const createLocks = new Map<string, Promise<unknown>>();

function poolFor(origin: string): Pool {
  let p = pools.get(origin);
  if (!p) {
    p = new Pool(origin, { connections: MAX_IN_FLIGHT_PER_ACCOUNT, keepAliveTimeout: 10_000, pipelining: 1 });
    pools.set(origin, p);
  }
  return p;
}

/** Closes the keep-alive pools (tests; a provider process just exits). */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

/**
 * A stable, non-reversible key for "this account at this API": the account id when configured, else the
 * account slug encoded in `sk_live_<account>_<random>`, else a hash of the API key.
 */
export function accountKeyOf(cfg: Pick<KatavenConfig, "apiUrl" | "apiKey" | "accountId">): string {
  let account = cfg.accountId;
  if (!account && cfg.apiKey) {
    const m = /^sk_live_(.+)_[A-Za-z0-9]+$/.exec(cfg.apiKey);
    account = m ? m[1] : `key-${createHash("sha256").update(cfg.apiKey).digest("hex").slice(0, 16)}`;
  }
  return `${cfg.apiUrl}|${account ?? "?"}`;
}

// ---- the client ----------------------------------------------------------------------------------------

const API = "/api/v1";

interface CallOptions<S extends z.ZodType> {
  body?: unknown;
  schema: S;
  idempotent: boolean;
  /** What to do on a 404, given the server's code. */
  notFoundHint?: (code: string, detail: string) => string | undefined;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A failed create attempt where the key may or may not have been minted. */
class AmbiguousCreate extends Error {
  constructor(readonly underlying: Error) {
    super(underlying.message);
  }
}

export class KatavenClient {
  readonly accountKey: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryAfterCapMs: number;
  private readonly maxRateLimitRetries: number;
  private readonly backoffBaseMs: number;
  /** Tolerated clock skew between this machine and the API when matching a create's orphan. */
  orphanSkewMs = 5_000;

  constructor(private readonly cfg: KatavenConfig & { apiKey: string }) {
    const u = new URL(cfg.apiUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, "");
    this.timeoutMs = cfg.timeoutMs ?? 15_000;
    this.maxAttempts = cfg.maxAttempts ?? 4;
    this.retryAfterCapMs = cfg.retryAfterCapMs ?? 60_000;
    this.maxRateLimitRetries = cfg.maxRateLimitRetries ?? 8;
    this.backoffBaseMs = cfg.backoffBaseMs ?? 250;
    this.accountKey = accountKeyOf(cfg);
  }

  /** Requests of this account currently on the wire (for tests). */
  get inFlight(): number {
    return semaphores.get(this.accountKey)?.inFlight ?? 0;
  }

  private semaphore(): Semaphore {
    let s = semaphores.get(this.accountKey);
    if (!s) {
      s = new Semaphore(MAX_IN_FLIGHT_PER_ACCOUNT);
      semaphores.set(this.accountKey, s);
    }
    return s;
  }

  private remember(ids: Iterable<string>): void {
    let set = knownIds.get(this.accountKey);
    if (!set) {
      set = new Set();
      knownIds.set(this.accountKey, set);
    }
    for (const id of ids) set.add(id);
  }

  /** One attempt on the wire. Throws KatavenNetworkError when no HTTP answer arrived. */
  private async send(method: string, path: string, body: unknown): Promise<RawResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.cfg.apiKey}`,
      accept: "application/json, text/plain",
      "user-agent": "pulumi-kataven-widget",
    };
    if (this.cfg.accountId) headers["x-account-id"] = this.cfg.accountId;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const sem = this.semaphore();
    await sem.acquire();
    try {
      const res = await poolFor(this.origin).request({
        origin: this.origin,
        path: `${this.basePath}${path}`,
        method: method as "GET",
        headers,
        body: payload,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers as RawResponse["headers"], text };
    } catch (err) {
      throw networkError(method, path, err, this.timeoutMs);
    } finally {
      sem.release();
    }
  }

  /** A call with the retry policy; returns the body parsed by `schema`. */
  private async call<S extends z.ZodType>(method: string, path: string, opts: CallOptions<S>): Promise<z.infer<S>> {
    let attempt = 0;
    let rateLimited = 0;
    for (;;) {
      attempt++;
      let res: RawResponse;
      try {
        res = await this.send(method, path, opts.body);
      } catch (err) {
        if (opts.idempotent && attempt < this.maxAttempts) {
          await sleep(backoffMs(attempt, this.backoffBaseMs));
          continue;
        }
        if (err instanceof KatavenNetworkError && attempt > 1) {
          throw new KatavenNetworkError({ code: err.code, method, path, reason: err.reason, attempts: attempt, cause: err.cause });
        }
        throw err;
      }
      if (res.status === 429) {
        // The request was refused before it was handled, so even a POST may be sent again.
        if (rateLimited < this.maxRateLimitRetries) {
          rateLimited++;
          attempt--;
          const wait = parseRetryAfter(res.headers["retry-after"], this.retryAfterCapMs) ?? backoffMs(rateLimited, 1_000, this.retryAfterCapMs);
          await sleep(wait + Math.round(Math.random() * 100));
          continue;
        }
        throw this.apiError(method, path, res, opts, attempt + rateLimited);
      }
      if (res.status >= 500 && opts.idempotent && attempt < this.maxAttempts) {
        await sleep(backoffMs(attempt, this.backoffBaseMs));
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw this.apiError(method, path, res, opts, attempt + rateLimited);
      let json: unknown;
      try {
        json = res.text === "" ? undefined : JSON.parse(res.text);
      } catch {
        const problem = new KatavenResponseError(method, path, "the body is not JSON");
        if (opts.idempotent && attempt < this.maxAttempts) {
          await sleep(backoffMs(attempt, this.backoffBaseMs));
          continue;
        }
        throw problem;
      }
      const parsed = opts.schema.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const problem = new KatavenResponseError(method, path, `${issuePath(first.path) || "body"}: ${first.message}`);
        if (opts.idempotent && attempt < this.maxAttempts) {
          await sleep(backoffMs(attempt, this.backoffBaseMs));
          continue;
        }
        throw problem;
      }
      return parsed.data;
    }
  }

  private apiError(method: string, path: string, res: RawResponse, opts: CallOptions<z.ZodType>, attempts: number): KatavenApiError {
    const { code, detail } = parseErrorBody(res.text);
    const notFound = res.status === 404 ? opts.notFoundHint?.(code, detail) : undefined;
    return new KatavenApiError({ status: res.status, code, detail, method, path, attempts, hint: hintFor(res.status, code, notFound) });
  }

  // ---- widget keys ---------------------------------------------------------------------------------------

  async listWidgetKeys(): Promise<WidgetKey[]> {
    const rows = await this.call("GET", `${API}/widget-keys`, { schema: WidgetKeyListWire, idempotent: true });
    this.remember(rows.map((r) => r.id));
    return rows.map((r) => toCamel<WidgetKey>(r));
  }

  /**
   * Creates a key pair; the result always carries the secret. POST is not idempotent, so after an
   * ambiguous failure (timeout, reset, 5xx, or a 2xx whose body cannot be read) the key the attempt may
   * have minted is found and deleted before trying again. **Orphan-matching rule**: a listed key is the
   * failed attempt's orphan when all of these hold:
   *  1. same name, same agent pin and the same canonical allowlist as the request;
   *  2. `last_used_at` is null (its secret was never handed to anyone, so DELETE hard-deletes it);
   *  3. `created_at` is at or after the attempt's start, less `orphanSkewMs` (5 s) of clock skew;
   *  4. its id was not known to this process before the attempt (seen in a list or returned by a create).
   * Creates of the same name on one account are serialised in this process, so a sibling resource's key
   * can never match. Two *different processes* creating identically named keys within seconds of each other
   * could still match each other's key; nothing short of server-side idempotency keys prevents that.
   * After a timeout the check waits one more timeout period first (the server may still be handling the
   * request), and after a success that followed an ambiguous failure, one more list sweeps up a key whose
   * slow attempt landed after the first check.
   */
  async createWidgetKey(input: CreateWidgetKeyInput): Promise<CreatedWidgetKey> {
    const lockKey = `${this.accountKey}|${input.name.trim()}`;
    const prev = createLocks.get(lockKey) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.createUnlocked(input));
    createLocks.set(lockKey, run);
    try {
      return await run;
    } finally {
      if (createLocks.get(lockKey) === run) createLocks.delete(lockKey);
    }
  }

  private async createUnlocked(input: CreateWidgetKeyInput): Promise<CreatedWidgetKey> {
    const path = `${API}/widget-keys`;
    const body = toSnake({ name: input.name, domainAllowlist: input.domainAllowlist, agentId: input.agentId });
    const before = new Set(knownIds.get(this.accountKey) ?? []);
    let firstStart: number | undefined;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const started = Date.now();
      firstStart ??= started;
      try {
        const created = await this.attemptCreate(path, body);
        this.remember([created.id]);
        if (lastError) await this.sweepOrphans(input, firstStart, before, created.id, lastError);
        return created;
      } catch (err) {
        if (!(err instanceof AmbiguousCreate)) throw err;
        lastError = err.underlying;
        // After a timeout the server may still be working on the request: give it as long again before
        // looking for what it created.
        if (err.underlying instanceof KatavenNetworkError && err.underlying.code === "timeout") await sleep(Math.min(this.timeoutMs, 30_000));
        await this.sweepOrphans(input, started, before, undefined, lastError);
        if (attempt < this.maxAttempts) await sleep(backoffMs(attempt, this.backoffBaseMs));
      }
    }
    const e = lastError as KatavenApiError | KatavenNetworkError;
    if (e instanceof KatavenApiError) {
      throw new KatavenApiError({ status: e.status, code: e.code, detail: e.detail, method: "POST", path, attempts: this.maxAttempts, hint: "no key was left behind; retry later" });
    }
    throw new KatavenNetworkError({ code: e.code, method: "POST", path, reason: `${e.reason} (no key was left behind)`, attempts: this.maxAttempts, cause: e });
  }

  private async attemptCreate(path: string, body: Record<string, unknown>): Promise<CreatedWidgetKey> {
    let parsed: z.infer<typeof CreatedWidgetKeyWire>;
    try {
      parsed = await this.call("POST", path, {
        body,
        schema: CreatedWidgetKeyWire,
        idempotent: false,
        notFoundHint: agentNotFoundHint(body.agent_id as string | undefined),
      });
    } catch (err) {
      if (err instanceof KatavenNetworkError) throw new AmbiguousCreate(err);
      if (err instanceof KatavenResponseError) throw new AmbiguousCreate(err);
      if (err instanceof KatavenApiError && err.status >= 500) throw new AmbiguousCreate(err);
      throw err;
    }
    return toCamel<CreatedWidgetKey>(parsed);
  }

  /** Deletes the keys an ambiguous create attempt may have minted (rule in `createWidgetKey`). */
  private async sweepOrphans(input: CreateWidgetKeyInput, since: number, before: Set<string>, keep: string | undefined, cause: Error): Promise<void> {
    const wantAllow = input.domainAllowlist ?? [];
    const wantAgent = input.agentId ?? null;
    const name = input.name.trim();
    try {
      const keys = await this.listWidgetKeys();
      const orphans = keys.filter(
        (k) =>
          k.id !== keep &&
          !before.has(k.id) &&
          k.name === name &&
          (k.agentId ?? null) === wantAgent &&
          k.lastUsedAt === null &&
          Date.parse(k.createdAt) >= since - this.orphanSkewMs &&
          sameAllowlist(k.domainAllowlist, wantAllow),
      );
      for (const o of orphans) await this.deleteWidgetKey(o.id);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new KatavenError(
        `POST ${API}/widget-keys failed (${cause.message}) and checking whether it minted a key also failed (${why})`,
        {
          code: "orphan_check_failed",
          method: "POST",
          path: `${API}/widget-keys`,
          hint: `look for an unused widget key named "${name}" created after ${new Date(since).toISOString()} and delete it, then run "pulumi up" again`,
          cause: err,
        },
      );
    }
  }

  async updateWidgetKey(id: string, patch: UpdateWidgetKeyInput): Promise<WidgetKey> {
    const row = await this.call("PATCH", `${API}/widget-keys/${encodeURIComponent(id)}`, {
      body: toSnake({ ...patch }),
      schema: WidgetKeyWire,
      idempotent: true,
      notFoundHint: (code) =>
        /agent/.test(code) ? agentNotFoundHint(patch.agentId ?? undefined)(code, "") : 'it may have been deleted outside Pulumi, run "pulumi refresh".',
    });
    return toCamel<WidgetKey>(row);
  }

  /** DELETE; null when the key was already gone (404). */
  async deleteWidgetKey(id: string): Promise<DeleteWidgetKeyResult | null> {
    try {
      const r = await this.call("DELETE", `${API}/widget-keys/${encodeURIComponent(id)}`, { schema: DeleteWidgetKeyResponse, idempotent: true });
      return toCamel<DeleteWidgetKeyResult>(r);
    } catch (err) {
      if (err instanceof KatavenApiError && err.status === 404) return null;
      throw err;
    }
  }

  // ---- settings ------------------------------------------------------------------------------------------

  async getWidgetSettings(): Promise<WidgetSettings> {
    return toCamel<WidgetSettings>(await this.call("GET", `${API}/widget-settings`, { schema: WidgetSettingsWire, idempotent: true }));
  }

  async updateWidgetSettings(patch: WidgetSettingsPatch): Promise<WidgetSettings> {
    const r = await this.call("PATCH", `${API}/widget-settings`, { body: toSnake({ ...patch }), schema: WidgetSettingsWire, idempotent: true });
    return toCamel<WidgetSettings>(r);
  }

  async getAgentWidgetSettings(agentId: string): Promise<AgentWidgetSettings> {
    const r = await this.call("GET", `${API}/agents/${encodeURIComponent(agentId)}/widget-settings`, {
      schema: AgentWidgetSettingsWire,
      idempotent: true,
      notFoundHint: agentNotFoundHint(agentId),
    });
    return toCamel<AgentWidgetSettings>(r);
  }

  async updateAgentWidgetSettings(agentId: string, patch: AgentWidgetSettingsPatch): Promise<AgentWidgetSettings> {
    const r = await this.call("PATCH", `${API}/agents/${encodeURIComponent(agentId)}/widget-settings`, {
      body: toSnake({ ...patch }),
      schema: AgentWidgetSettingsWire,
      idempotent: true,
      notFoundHint: agentNotFoundHint(agentId),
    });
    return toCamel<AgentWidgetSettings>(r);
  }
}

function agentNotFoundHint(agentId: string | undefined) {
  return (code: string, _detail: string): string | undefined =>
    agentId !== undefined && (code === "agent_not_found" || code === "not_found")
      ? `agent "${agentId}" does not exist in this account; check agentId`
      : undefined;
}

function networkError(method: string, path: string, err: unknown, timeoutMs: number): KatavenNetworkError {
  const e = err as { name?: string; code?: string; message?: string };
  let code = e?.code ?? e?.name ?? "network_error";
  let reason: string;
  if (e?.name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || e?.name === "AbortError") {
    code = "timeout";
    reason = `no answer within ${timeoutMs} ms`;
  } else if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
    reason = "the connection was reset";
  } else if (code === "ECONNREFUSED") {
    reason = "the connection was refused";
  } else {
    reason = e?.message ?? String(err);
  }
  return new KatavenNetworkError({ code, method, path, reason, cause: err });
}

// ---- one client per configuration ----------------------------------------------------------------------

const clients = new Map<string, KatavenClient>();

/** The shared client for a configuration (same URL, key and account → same instance). */
export function clientFor(cfg: KatavenConfig & { apiKey: string }): KatavenClient {
  const id = [cfg.apiUrl, createHash("sha256").update(cfg.apiKey).digest("hex"), cfg.accountId ?? "", cfg.timeoutMs ?? "", cfg.maxAttempts ?? "", cfg.retryAfterCapMs ?? "", cfg.maxRateLimitRetries ?? "", cfg.backoffBaseMs ?? ""].join("|");
  let c = clients.get(id);
  if (!c) {
    c = new KatavenClient(cfg);
    clients.set(id, c);
  }
  return c;
}
