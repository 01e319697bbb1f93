/**
 * The orphan-safe create of a widget key. POST is not idempotent (it mints a key pair), so the transport
 * never retries it; this module does, after making sure the failed attempt left no key behind.
 *
 * The result always carries the secret. After an ambiguous failure (timeout, reset, 5xx, or a 2xx whose body cannot be read) the key the attempt may
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
import { sameAllowlist } from "../contract/allowlist";
import { CreatedWidgetKeyWire } from "../contract/wire";
import { type CreatedWidgetKeyRecord, type CreateWidgetKeyInput, type DeleteWidgetKeyResult, toCamel, toSnake, type WidgetKeyRecord } from "./records";
import { ORPHAN_CHECK_DEADLINE_MS, RECOVERY_HINT, untilDecided } from "./recovery/decide";
import { agentNotFoundHint, KatavenApiError, KatavenError, KatavenNetworkError, KatavenResponseError } from "./errors";
import { backoffMs, sleep, type Transport } from "./transport";

const API = "/api/v1";

/** Ids this process has seen per account (from lists and creates); see the orphan-matching rule. */
const knownIds = new Map<string, Set<string>>();
/** Serialises creates of the same name per account, so orphan matching never races a sibling create. */
const createLocks = new Map<string, Promise<unknown>>();

/** Records ids of the account as known to this process (every list and create does). */
export function rememberIds(accountKey: string, ids: Iterable<string>): void {
  let set = knownIds.get(accountKey);
  if (!set) {
    set = new Set();
    knownIds.set(accountKey, set);
  }
  for (const id of ids) set.add(id);
}

/** A failed create attempt where the key may or may not have been minted. */
class AmbiguousCreate extends Error {
  constructor(readonly underlying: Error) {
    super(underlying.message);
  }
}

/** What the orphan-safe create needs from the typed client. */
export interface KeyApi {
  readonly transport: Transport;
  /** Tolerated clock skew between this machine and the API when matching a create's orphan. */
  readonly orphanSkewMs: number;
  /** How long the orphan check keeps asking an unreachable API before it gives up (kataven:orphanCheckTimeoutMs). */
  readonly orphanCheckMs?: number;
  listWidgetKeys(): Promise<WidgetKeyRecord[]>;
  deleteWidgetKey(id: string): Promise<DeleteWidgetKeyResult | null>;
}

export async function createWidgetKey(api: KeyApi, input: CreateWidgetKeyInput): Promise<CreatedWidgetKeyRecord> {
  const lockKey = `${api.transport.accountKey}|${input.name.trim()}`;
  const prev = createLocks.get(lockKey) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => new OrphanSafeCreate(api, input).run());
  createLocks.set(lockKey, run);
  try {
    return await run;
  } finally {
    if (createLocks.get(lockKey) === run) createLocks.delete(lockKey);
  }
}

class OrphanSafeCreate {
  private readonly t: Transport;
  constructor(
    private readonly api: KeyApi,
    private readonly input: CreateWidgetKeyInput,
  ) {
    this.t = api.transport;
  }

  async run(): Promise<CreatedWidgetKeyRecord> {
    const input = this.input;
    const path = `${API}/widget-keys`;
    const body = toSnake({ name: input.name, domainAllowlist: input.domainAllowlist, agentId: input.agentId });
    const before = new Set(knownIds.get(this.t.accountKey) ?? []);
    let firstStart: number | undefined;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.t.maxAttempts; attempt++) {
      const started = Date.now();
      firstStart ??= started;
      try {
        const created = await this.attemptCreate(path, body);
        rememberIds(this.t.accountKey, [created.id]);
        if (lastError) await this.sweepOrphans(input, firstStart, before, created.id, lastError);
        return created;
      } catch (err) {
        if (!(err instanceof AmbiguousCreate)) throw err;
        lastError = err.underlying;
        // After a timeout the server may still be working on the request: give it as long again before
        // looking for what it created.
        if (err.underlying instanceof KatavenNetworkError && err.underlying.code === "timeout") await sleep(Math.min(this.t.timeoutMs, 30_000));
        await this.sweepOrphans(input, started, before, undefined, lastError);
        if (attempt < this.t.maxAttempts) await sleep(backoffMs(attempt, this.t.backoffBaseMs));
      }
    }
    const e = lastError as KatavenApiError | KatavenNetworkError;
    if (e instanceof KatavenApiError) {
      throw new KatavenApiError({ status: e.status, code: e.code, detail: e.detail, method: "POST", path, attempts: this.t.maxAttempts, hint: "no key was left behind; retry later" });
    }
    throw new KatavenNetworkError({ code: e.code, method: "POST", path, reason: `${e.reason} (no key was left behind)`, attempts: this.t.maxAttempts, cause: e });
  }

  private async attemptCreate(path: string, body: Record<string, unknown>): Promise<CreatedWidgetKeyRecord> {
    let parsed: CreatedWidgetKeyWire;
    try {
      parsed = await this.t.call("POST", path, {
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
    return toCamel<CreatedWidgetKeyRecord>(parsed);
  }

  /** Deletes the keys an ambiguous create attempt may have minted (rule in `createWidgetKey`). */
  private async sweepOrphans(input: CreateWidgetKeyInput, since: number, before: Set<string>, keep: string | undefined, cause: Error): Promise<void> {
    const wantAllow = input.domainAllowlist ?? [];
    const wantAgent = input.agentId ?? null;
    const name = input.name.trim();
    try {
      // Keep asking until the API answers (recovery/decide.ts): giving up here leaves a live key behind.
      const keys = await untilDecided(() => this.api.listWidgetKeys(), this.api.orphanCheckMs ?? ORPHAN_CHECK_DEADLINE_MS);
      const orphans = keys.filter(
        (k) =>
          k.id !== keep &&
          !before.has(k.id) &&
          k.name === name &&
          (k.agentId ?? null) === wantAgent &&
          k.lastUsedAt === null &&
          Date.parse(k.createdAt) >= since - this.api.orphanSkewMs &&
          sameAllowlist(k.domainAllowlist, wantAllow),
      );
      for (const o of orphans) await this.api.deleteWidgetKey(o.id);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new KatavenError(
        `POST ${API}/widget-keys failed (${cause.message}), and checking whether it minted a key kept failing (${why}). ` +
          `A widget key named "${name}" created after ${new Date(since).toISOString()} may be live in Kataven with its secret lost`,
        {
          code: "orphan_check_failed",
          method: "POST",
          path: `${API}/widget-keys`,
          hint: RECOVERY_HINT,
          cause: err,
        },
      );
    }
  }
}
