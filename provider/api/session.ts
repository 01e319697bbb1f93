/**
 * Everything the provider process keeps per account, created in one place. A session belongs to one
 * resolved configuration: it is keyed by a hash of every field, so a new configuration field can never
 * make two configurations share a client. Sessions of the same account at the same API share one
 * `AccountState`: the rate limits, the in-flight cap and the create bookkeeping belong to the account,
 * whichever configuration reaches it.
 */
import { createHash } from "node:crypto";
import type { KatavenConfig } from "../config";
import { info } from "../log";
import { KatavenClient } from "./client";
import { DOCUMENTED_PACING, formatProgress, Pacer } from "./pacing";
import type { WidgetKeyRecord } from "./records";
import { accountKeyOf, MAX_IN_FLIGHT_PER_ACCOUNT, Semaphore, type Transport } from "./transport";

/** What one account at one API holds in this process, shared by every session that reaches it. */
export class AccountState {
  /** Slots under the account's rate limits (./pacing.ts); created with the first session's limits. */
  readonly pacer: Pacer;
  /** The account's requests on the wire, at most MAX_IN_FLIGHT_PER_ACCOUNT. */
  readonly inFlight = new Semaphore(MAX_IN_FLIGHT_PER_ACCOUNT);
  /** Key ids this process has seen (lists and creates): the orphan-matching rule of ./orphanSafeCreate.ts. */
  readonly knownIds = new Set<string>();
  /** Creates of one name run one after another, so orphan matching never races a sibling create. */
  readonly createLocks = new Map<string, Promise<unknown>>();
  /**
   * Per settings singleton ("widgetSettings", "agent:<id>"), the id of the resource a create in this
   * process applied: a delete of any other resource for it (create-then-delete of a rename) keeps them.
   */
  readonly appliedSettings = new Map<string, string>();
  /** Key ids a create in this process adopted: the replaced resource's delete leaves them in place. */
  readonly adoptedKeys = new Set<string>();

  constructor(
    readonly key: string,
    cfg: KatavenConfig,
  ) {
    this.pacer = new Pacer(cfg.pacing ?? DOCUMENTED_PACING, { onProgress: (p) => info(formatProgress(p)) });
  }
}

/** One answer of the account's key list, shared while fresh (lifecycle/common.ts `listKeysCached`). */
export interface KeyListEntry {
  startedAt: number;
  promise: Promise<WidgetKeyRecord[]>;
}

export class AccountSession {
  readonly client: KatavenClient;
  /** The key list answer reused by reads within a moment of each other. */
  keyList?: KeyListEntry;
  /** check()'s one account probe: the refusal it met, if any. */
  probe?: Promise<Error | undefined>;

  constructor(
    readonly key: string,
    readonly account: AccountState,
    cfg: KatavenConfig & { apiKey: string },
  ) {
    this.client = new KatavenClient(cfg, account);
  }

  get transport(): Transport {
    return this.client.transport;
  }
}

const sessions = new Map<string, AccountSession>();
const accounts = new Map<string, AccountState>();

/** JSON with sorted keys, so equal configurations hash alike whatever order their fields were set in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The session of a configuration: the same resolved fields give the same session. */
export function sessionFor(cfg: KatavenConfig & { apiKey: string }): AccountSession {
  const key = createHash("sha256").update(canonical(cfg)).digest("hex");
  let s = sessions.get(key);
  if (!s) {
    const accountKey = accountKeyOf(cfg);
    let account = accounts.get(accountKey);
    if (!account) {
      account = new AccountState(accountKey, cfg);
      accounts.set(accountKey, account);
    }
    s = new AccountSession(key, account, cfg);
    sessions.set(key, s);
  }
  return s;
}

/** The client of a configuration's session. */
export function clientFor(cfg: KatavenConfig & { apiKey: string }): KatavenClient {
  return sessionFor(cfg).client;
}

/** Forgets every session and closes their connections (tests; a provider process just exits). */
export async function resetSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  accounts.clear();
  await Promise.all(all.map((s) => s.transport.close()));
}
