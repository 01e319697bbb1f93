/**
 * The orphan-safe create of a widget key. POST is not idempotent (it mints a key pair), so the transport
 * never retries it; this module does, after making sure the failed attempt left no key behind.
 *
 * The result always carries the secret. Failures fall in three kinds:
 *  - **never sent** (connection refused, DNS failure, TLS failure: ./retry.ts `neverSent`): no key can exist,
 *    so the POST is retried at once with backoff, and after `maxAttempts` the error names the URL;
 *  - **ambiguous** (timeout, reset, 5xx, a 2xx whose body cannot be read): the key the attempt may have
 *    minted is looked for and deleted before trying again;
 *  - anything else (4xx): thrown as it is.
 *
 * **Orphan-matching rule**: a listed key is an ambiguous attempt's orphan when all of these hold:
 *  1. same name, same agent pin and the same canonical allowlist as the request;
 *  2. `last_used_at` is null (its secret was never handed to anyone, so DELETE hard-deletes it);
 *  3. `created_at` lies inside *that attempt's* window: from its start to its start plus the request
 *     timeout, each widened by `orphanSkewMs` of clock skew. A key created later is not this attempt's
 *     (another run, or the next `pulumi up`, may be creating the same name), so it is never touched;
 *  4. its id was not known to this process before the attempt (seen in a list or returned by a create).
 * Creates of the same name on one account are serialised in this process, so a sibling resource's key
 * can never match. After a timeout the check waits one more timeout period first (the server may still
 * be handling the request). A timed-out attempt whose key was not found can't be ruled out: the server
 * may commit it later, outside the window. The create then warns, naming the key and the exact
 * `kataven-recover` command whose window finds it (docs/operations.md, "Recovering from an interrupted run").
 */
import { sameAllowlist } from "../../contract/allowlist";
import { CreatedWidgetKeyWire } from "../../contract/wire";
import {
  type CreatedWidgetKeyRecord,
  type CreateWidgetKeyInput,
  type DeleteWidgetKeyResult,
  toCamel,
  toSnake,
  type WidgetKeyRecord,
} from "./records";
import { ORPHAN_CHECK_DEADLINE_MS, RECOVERY_HINT, recoverCommand, untilDecided } from "./decide";
import { agentNotFoundHint, KatavenApiError, KatavenError, KatavenNetworkError, KatavenResponseError } from "./errors";
import { warn } from "../log";
import { backoffMs, neverSent, type RetryDecision, retryLoop, sleep } from "./retry";
import type { AccountState } from "./session";
import type { Transport } from "./transport";

const API = "/api/v1";

/** A failed create attempt where the key may or may not have been minted. */
class AmbiguousCreate extends Error {
  constructor(
    readonly underlying: Error,
    /** when the attempt started */
    readonly started: number,
  ) {
    super(underlying.message);
  }
}

/** What the orphan-safe create needs from the typed client. */
export interface KeyApi {
  readonly transport: Transport;
  /** The account's known ids and create locks. */
  readonly account: AccountState;
  /** Tolerated clock skew between this machine and the API when matching a create's orphan. */
  readonly orphanSkewMs: number;
  /** How long the orphan check keeps asking an unreachable API before it gives up (kataven:orphanCheckTimeoutMs). */
  readonly orphanCheckMs?: number;
  listWidgetKeys(): Promise<WidgetKeyRecord[]>;
  deleteWidgetKey(id: string): Promise<DeleteWidgetKeyResult | null>;
}

/** An ambiguous attempt: when its orphan may have been created, and whether a sweep has settled it. */
interface AttemptWindow {
  from: number;
  to: number;
  /** a timeout: the server may still commit the request after the window */
  timedOut: boolean;
  /** a sweep found (and deleted) its key, so nothing of it can land later */
  settled: boolean;
}

export async function createWidgetKey(api: KeyApi, input: CreateWidgetKeyInput): Promise<CreatedWidgetKeyRecord> {
  const locks = api.account.createLocks;
  const lockKey = input.name.trim();
  const prev = locks.get(lockKey) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => new OrphanSafeCreate(api, input).run());
  locks.set(lockKey, run);
  try {
    return await run;
  } finally {
    if (locks.get(lockKey) === run) locks.delete(lockKey);
  }
}

class OrphanSafeCreate {
  private readonly t: Transport;
  private readonly windows: AttemptWindow[] = [];
  private readonly before: Set<string>;
  private readonly name: string;
  /** the last attempt's failure, for the final error */
  private lastError?: Error;

  constructor(
    private readonly api: KeyApi,
    private readonly input: CreateWidgetKeyInput,
  ) {
    this.t = api.transport;
    this.before = new Set(api.account.knownIds);
    this.name = input.name.trim();
  }

  async run(): Promise<CreatedWidgetKeyRecord> {
    const input = this.input;
    const path = `${API}/widget-keys`;
    const body = toSnake({ name: input.name, domainAllowlist: input.domainAllowlist, agentId: input.agentId });
    try {
      const created = await retryLoop(
        undefined,
        () => this.attemptCreate(path, body),
        (err, { attempt }) => this.afterFailure(err, attempt),
      );
      this.api.account.knownIds.add(created.id);
      // An earlier attempt's key may have landed after its own sweep: one more look, same windows.
      if (this.windows.length > 0) await this.sweepOrphans(created.id, this.lastError!);
      return created;
    } catch (err) {
      if (!neverSent(err) && !(err instanceof AmbiguousCreate)) throw err;
    } finally {
      this.warnIfUnsettled();
    }
    const e = this.lastError as KatavenApiError | KatavenNetworkError;
    if (e instanceof KatavenApiError) {
      throw new KatavenApiError({
        status: e.status,
        code: e.code,
        detail: e.detail,
        method: "POST",
        path,
        attempts: this.t.maxAttempts,
        hint: "no key was left behind; retry later",
      });
    }
    const left = neverSent(e) ? "the request never reached the API, so no key was created" : "no key was left behind";
    throw new KatavenNetworkError({
      code: e.code,
      method: "POST",
      path,
      reason: `${e.reason} (${left})`,
      attempts: this.t.maxAttempts,
      cause: e,
    });
  }

  /**
   * After a failed attempt: a never-sent one is simply tried again; an ambiguous one first has its
   * possible key looked for and deleted; anything else is final. Tries again while attempts remain.
   */
  private async afterFailure(err: unknown, attempt: number): Promise<RetryDecision | undefined> {
    if (neverSent(err)) {
      this.lastError = err as Error;
    } else if (err instanceof AmbiguousCreate) {
      this.lastError = err.underlying;
      const timedOut = err.underlying instanceof KatavenNetworkError && err.underlying.code === "timeout";
      const skew = this.api.orphanSkewMs;
      this.windows.push({ from: err.started - skew, to: err.started + this.t.timeoutMs + skew, timedOut, settled: false });
      // After a timeout the server may still be working on the request: give it as long again first.
      if (timedOut) await sleep(Math.min(this.t.timeoutMs, 30_000));
      await this.sweepOrphans(undefined, this.lastError);
    } else {
      return undefined;
    }
    return attempt < this.t.maxAttempts ? { waitMs: backoffMs(attempt, this.t.backoffBaseMs) } : undefined;
  }

  private async attemptCreate(path: string, body: Record<string, unknown>): Promise<CreatedWidgetKeyRecord> {
    const started = Date.now();
    let parsed: CreatedWidgetKeyWire;
    try {
      parsed = await this.t.call("POST", path, {
        body,
        schema: CreatedWidgetKeyWire,
        notFoundHint: agentNotFoundHint(body.agent_id as string | undefined),
      });
    } catch (err) {
      if (neverSent(err)) throw err;
      if (
        err instanceof KatavenNetworkError ||
        err instanceof KatavenResponseError ||
        (err instanceof KatavenApiError && err.status >= 500)
      ) {
        throw new AmbiguousCreate(err, started);
      }
      throw err;
    }
    return toCamel<CreatedWidgetKeyRecord>(parsed);
  }

  /** Is `k` an orphan of one of the ambiguous attempts (the rule in the header)? Returns that attempt. */
  private attemptOf(k: WidgetKeyRecord, keep: string | undefined): AttemptWindow | undefined {
    if (k.id === keep || this.before.has(k.id) || k.name !== this.name || k.lastUsedAt !== null) return undefined;
    if ((k.agentId ?? null) !== (this.input.agentId ?? null) || !sameAllowlist(k.domainAllowlist, this.input.domainAllowlist ?? []))
      return undefined;
    const at = Date.parse(k.createdAt);
    return this.windows.find((w) => at >= w.from && at <= w.to);
  }

  /** Deletes the keys the ambiguous attempts may have minted (rule in the header). */
  private async sweepOrphans(keep: string | undefined, cause: Error): Promise<void> {
    try {
      // Keep asking until the API answers (./decide.ts): giving up here leaves a live key behind.
      const keys = await untilDecided(
        () => this.api.listWidgetKeys(),
        this.api.orphanCheckMs ?? ORPHAN_CHECK_DEADLINE_MS,
        `orphan check for widget key "${this.name}"`,
      );
      for (const k of keys) {
        const w = this.attemptOf(k, keep);
        if (!w) continue;
        await this.api.deleteWidgetKey(k.id);
        w.settled = true;
        // The id is now known: a later sweep of this create must not count it again.
        this.before.add(k.id);
      }
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const w = this.windows[this.windows.length - 1];
      throw new KatavenError(
        `POST ${API}/widget-keys failed (${cause.message}), and checking whether it minted a key kept failing (${why}). ` +
          `A widget key named "${this.name}" created between ${iso(w.from)} and ${iso(w.to)} may be live in Kataven with its secret lost`,
        {
          code: "orphan_check_failed",
          method: "POST",
          path: `${API}/widget-keys`,
          hint: `${RECOVERY_HINT}: ${recoverCommand(this.name, w.from, w.to)}`,
          cause: err,
        },
      );
    }
  }

  /** A timed-out attempt whose key never showed up may still be committed by the server: say so, with the way to find it. */
  private warnIfUnsettled(): void {
    const open = this.windows.filter((w) => w.timedOut && !w.settled);
    if (open.length === 0) return;
    const from = Math.min(...open.map((w) => w.from));
    // The server may hold the request for a while yet; the window the command checks reaches past now.
    const to = Date.now() + LATE_COMMIT_MARGIN_MS;
    warn(
      `widget key "${this.name}": ${open.length} create attempt(s) timed out and no key of theirs appeared in the account. ` +
        `If the API still creates one, it will be live with its secret lost. Check in a few minutes with ` +
        `${recoverCommand(this.name, from, to)} (it lists only unused, untracked keys of that name created in that window; add --delete to remove them).`,
    );
  }
}

/** How far past the warning a timed-out create may still land, for the window the warning names. */
const LATE_COMMIT_MARGIN_MS = 10 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();
