/**
 * Finding the widget keys a stack lost track of, and deciding which of them are provably its own (pure).
 * An interrupted `pulumi up` (kill -9, a crash, a lost network) can leave keys that the API minted but the
 * state never recorded. Their secrets were shown once, to a process that is gone, so such keys can only
 * be removed.
 *
 * A key is **untracked** when no WidgetKey resource of the given stacks holds its id. A name alone never
 * makes it this stack's (two stacks, or two programs, may declare the same name). It is **this stack's**
 * only on evidence:
 *  - the stack's state holds a pending create of a WidgetKey with that name (the engine records one when a
 *    create starts and the interrupted run never cleared it), and the key was created inside that run's
 *    window: after the stack's last completed update ended, and no later than the interrupted run's last
 *    checkpoint plus one request timeout (each widened by the clock skew);
 *  - or the user gives the window (`--name` with `--created-after/--created-before`, as a create's warning
 *    prints it), or names the key's id (`--key`).
 * Everything else is only listed.
 */
import { WIDGET_KEY_TYPE } from "../../contract/engine";
import type { WidgetKeyRecord } from "../api/records";

/** The parts of `pulumi stack export` this module reads. */
export interface StackExport {
  deployment?: {
    manifest?: { time?: string };
    resources?: Array<{
      type?: string;
      id?: string;
      created?: string;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    }>;
    pending_operations?: Array<{ type?: string; resource?: { type?: string; id?: string; inputs?: Record<string, unknown> } }>;
  };
}

/** The parts of one `pulumi stack history --json` entry this module reads (newest first). */
export interface HistoryEntry {
  startTime?: string;
  endTime?: string;
}

/** A listed key, as GET /api/v1/widget-keys gives it (camelCase). */
export type ListedKey = Pick<WidgetKeyRecord, "id" | "name" | "keyLast8" | "createdAt" | "lastUsedAt" | "disabledAt">;

/** Keys of `name` created in [from, to] (ms since the epoch) are the evidence's. */
export interface Evidence {
  name: string;
  from: number;
  to: number;
  /** where it comes from, for the listing */
  source: string;
}

export interface Tracking {
  /** key ids held by WidgetKey resources */
  ids: Set<string>;
  /** names of the pending creates of WidgetKeys the interrupted run left behind */
  pendingNames: Set<string>;
  /** pending operations of WidgetKeys (the engine was interrupted while they ran) */
  pending: number;
}

export function trackingOf(exports: StackExport[]): Tracking {
  const ids = new Set<string>();
  const pendingNames = new Set<string>();
  let pending = 0;
  for (const e of exports) {
    for (const r of e.deployment?.resources ?? []) if (r.type === WIDGET_KEY_TYPE && r.id) ids.add(r.id);
    for (const op of e.deployment?.pending_operations ?? []) {
      const r = op.resource;
      if (r?.type !== WIDGET_KEY_TYPE) continue;
      pending++;
      if (r.id) ids.add(r.id);
      if (op.type === "creating" && typeof r.inputs?.name === "string") pendingNames.add(r.inputs.name.trim());
    }
  }
  return { ids, pendingNames, pending };
}

/** Why an interrupted run's window can't be told (then its pending creates are no evidence). */
export type WindowProblem = "no-pending-creates" | "no-start" | "completed-since";

/**
 * The interrupted run's evidence in one stack: its pending creates, each with the run's window.
 * `slackMs` covers a request still in flight when the run died (the request timeout) plus clock skew.
 */
export function interruptedRunEvidence(
  exp: StackExport,
  history: HistoryEntry[],
  slackMs: number,
  skewMs: number,
): { evidence: Evidence[]; problem?: WindowProblem } {
  const names = trackingOf([exp]).pendingNames;
  if (names.size === 0) return { evidence: [], problem: "no-pending-creates" };
  const lastWrite = Date.parse(exp.deployment?.manifest?.time ?? "");
  const lastEnd = Math.max(-Infinity, ...history.map((h) => Date.parse(h.endTime ?? h.startTime ?? "")).filter((t) => !Number.isNaN(t)));
  // The state was last written by a completed update: the pending creates are older than that, and their run's window is lost.
  if (Number.isNaN(lastWrite) || lastEnd >= lastWrite - 1_000)
    return { evidence: [], problem: Number.isNaN(lastWrite) ? "no-start" : "completed-since" };
  let start = lastEnd;
  if (start === -Infinity) {
    // The stack's first update: it began by creating the Stack resource.
    const stack = exp.deployment?.resources?.find((r) => r.type === "pulumi:pulumi:Stack");
    start = Date.parse(stack?.created ?? "");
    if (Number.isNaN(start)) return { evidence: [], problem: "no-start" };
  }
  const from = start - skewMs;
  const to = lastWrite + slackMs;
  return {
    evidence: [...names].map((name) => ({
      name,
      from,
      to,
      source: `the window of the run interrupted after ${iso(start)}, which left a pending create of that name`,
    })),
  };
}

export interface Untracked extends ListedKey {
  /** the evidence that makes it this stack's, if any */
  evidence?: Evidence;
  /** named by the user with --key */
  named: boolean;
  /** what --delete / --disable-used may do with it */
  action: "delete" | "used" | "list-only";
}

/** The account's keys that no resource of the stacks tracks, oldest first, each with its evidence. */
export function untrackedKeys(
  keys: ListedKey[],
  tracking: Tracking,
  evidence: Evidence[],
  namedIds: ReadonlySet<string> = new Set(),
): Untracked[] {
  return keys
    .filter((k) => !tracking.ids.has(k.id))
    .map((k) => {
      const at = Date.parse(k.createdAt);
      const ev = evidence.find((e) => e.name === k.name.trim() && at >= e.from && at <= e.to);
      const named = namedIds.has(k.id);
      const action: Untracked["action"] = !ev && !named ? "list-only" : k.lastUsedAt === null ? "delete" : "used";
      return { ...k, evidence: ev, named, action };
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

const iso = (ms: number) => new Date(ms).toISOString();
