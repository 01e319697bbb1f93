/**
 * Helpers shared by the lifecycle modules: the configured client, the per-account list cache that lets a
 * refresh of N keys cost one or two list calls, warnings, and small value helpers.
 *
 * The modules of this folder are loaded by name from the `__provider` stub in every stack's state
 * (`pulumi-kataven-widget/provider/lifecycle/<name>`, see ../resources/dynamicResource.ts): keep their
 * paths, and keep them here rather than moving them into contract/ or anywhere else.
 */
import type { KatavenClient, WidgetKeyRecord } from "../api/client";
import { type AccountSession, sessionFor } from "../api/session";
import { type ConfigSource, configProblem, configure, getConfig, requireConfig } from "../config";

import { UNKNOWN, type Unknown } from "../../contract/engine";
import { connectionConfig, connectionProblem, type LifecycleMethods, withConnections } from "../connection";
import { exitWhenEngineGone, inDynamicProviderHost } from "../engineWatch";
import { quietErrors } from "../sdkPrivate";
import { isNoRoute, KatavenApiError, KatavenConfigError } from "../api/errors";
import { neverSent } from "../api/retry";

export { UNKNOWN };

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The check() failure for a missing or unusable configuration, if any. */
export function configFailures(): CheckFailure[] {
  const problem = configProblem(connectionConfig() ?? getConfig());
  return problem ? [{ property: "", reason: problem }] : [];
}

/**
 * check()'s failures for the account: the configuration's problems, else what one cheap authenticated
 * GET (the account's widget settings) says about the URL and the key, asked once per account and process.
 * Only answers that waiting can't fix fail the check (refused connection, unknown host, 401/403, no such
 * route); a slow or failing API is left to the operation itself.
 */
export async function accountFailures(): Promise<CheckFailure[]> {
  const failures = configFailures();
  if (failures.length > 0) return failures;
  let s: AccountSession;
  try {
    s = session();
  } catch (err) {
    return [{ property: "", reason: err instanceof Error ? err.message : String(err) }];
  }
  s.probe ??= s.client.getWidgetSettings().then(
    () => undefined,
    (err: unknown) => (probeRefuses(err) ? (err as Error) : undefined),
  );
  const refused = await s.probe;
  return refused ? [{ property: "", reason: refused.message }] : [];
}

function probeRefuses(err: unknown): boolean {
  if (neverSent(err)) return true;
  return err instanceof KatavenApiError && (err.status === 401 || err.status === 403 || (err.status === 404 && isNoRoute(err.detail)));
}

/**
 * Called from the `__provider` stub's `configure(req)` in the provider process: stores the stack config
 * and gives the provider object its lifecycle methods (the SDK calls configure before any other method).
 */
export function attachTo(provider: object, config: ConfigSource | undefined, methods: LifecycleMethods): void {
  configure(config);
  // A provider outliving a killed CLI must not go on creating and deleting keys (../engineWatch.ts).
  if (inDynamicProviderHost()) exitWhenEngineGone();
  // A resource with a `connection` input talks to that account (see ../connection.ts); a failing call prints
  // its message once, in words (../sdkPrivate.ts quietErrors). check() first asks the account once (accountFailures).
  const probed: LifecycleMethods = {
    ...methods,
    async check(olds, news) {
      const failures = await accountFailures();
      return failures.length > 0 ? { inputs: news, failures } : methods.check(olds, news);
    },
  };
  Object.assign(provider, quietErrors(withConnections(probed)));
}

/** The session of the configuration in effect (../api/session.ts); throws a clear error when it is incomplete. */
export function session(): AccountSession {
  const conn = connectionConfig();
  if (!conn) return sessionFor(requireConfig());
  const problem = connectionProblem(conn);
  if (problem) throw new KatavenConfigError(problem);
  return sessionFor(conn as typeof conn & { apiKey: string });
}

/** The shared client for the configuration in effect. */
export function client(): KatavenClient {
  return session().client;
}

/** Drops undefined values (the engine's struct encoding rejects them). */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

export { warn } from "../log";

// ---- the widget-key list cache -------------------------------------------------------------------------

/**
 * How long one list answer serves reads, in ms. A refresh issues all reads within a moment, so a few
 * seconds let one list serve every key of the account; writes through this module invalidate it.
 */
export const LIST_CACHE_TTL_MS = 5_000;

/**
 * The account's keys, single-flight: concurrent callers share one request, and an answer whose request
 * started less than LIST_CACHE_TTL_MS ago is reused. With `startedAfter`, only an answer whose request
 * started at or after that instant is acceptable (used to confirm that a key is really gone).
 */
export function listKeysCached(s: AccountSession, startedAfter?: number): Promise<WidgetKeyRecord[]> {
  const now = Date.now();
  const hit = s.keyList;
  if (hit && now - hit.startedAt < LIST_CACHE_TTL_MS && (startedAfter === undefined || hit.startedAt >= startedAfter)) {
    return hit.promise;
  }
  const entry = { startedAt: now, promise: s.client.listWidgetKeys() };
  s.keyList = entry;
  entry.promise.catch(() => {
    if (s.keyList === entry) s.keyList = undefined;
  });
  return entry.promise;
}

/** Forget the cached list after a write to the account's keys. */
export function invalidateKeyList(s: AccountSession): void {
  s.keyList = undefined;
}
