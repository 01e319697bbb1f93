/**
 * Finding the widget keys a stack lost track of (pure): an interrupted `pulumi up` (kill -9, a crash, a
 * lost network) can leave keys that the API minted but the state never recorded. Their secrets were shown
 * once, to a process that is gone, so such keys can only be removed.
 *
 * A key is **untracked** when no WidgetKey resource of the given stacks holds its id. It is **this stack's**
 * when its name is one the stacks declare (in their resources or in the pending creates the engine left
 * behind); other untracked keys may belong to another stack or a person, and are only listed.
 */
import { WIDGET_KEY_TYPE } from "../../contract/engine";

/** The parts of `pulumi stack export` this module reads. */
export interface StackExport {
  deployment?: {
    resources?: Array<{ type?: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
    pending_operations?: Array<{ type?: string; resource?: { type?: string; id?: string; inputs?: Record<string, unknown> } }>;
  };
}

/** A listed key, as GET /api/v1/widget-keys gives it (camelCase). */
export interface ListedKey {
  id: string;
  name: string;
  keyLast8: string;
  createdAt: string;
  lastUsedAt: string | null;
  disabledAt: string | null;
}

export interface Tracking {
  /** key ids held by WidgetKey resources */
  ids: Set<string>;
  /** key names declared by WidgetKey resources or by pending creates */
  names: Set<string>;
  /** pending operations of WidgetKeys (the engine was interrupted while they ran) */
  pending: number;
}

export function trackingOf(exports: StackExport[]): Tracking {
  const ids = new Set<string>();
  const names = new Set<string>();
  let pending = 0;
  for (const e of exports) {
    for (const r of e.deployment?.resources ?? []) {
      if (r.type !== WIDGET_KEY_TYPE) continue;
      if (r.id) ids.add(r.id);
      for (const n of [r.outputs?.name, r.inputs?.name]) if (typeof n === "string") names.add(n.trim());
    }
    for (const op of e.deployment?.pending_operations ?? []) {
      const r = op.resource;
      if (r?.type !== WIDGET_KEY_TYPE) continue;
      pending++;
      if (r.id) ids.add(r.id);
      if (typeof r.inputs?.name === "string") names.add(r.inputs.name.trim());
    }
  }
  return { ids, names, pending };
}

export interface Untracked extends ListedKey {
  /** the name is one the stacks declare: almost certainly left by an interrupted run of these stacks */
  ours: boolean;
  /** what --delete does with it */
  action: "delete" | "used" | "not-ours";
}

/** The account's keys that no resource of the stacks tracks, oldest first. */
export function untrackedKeys(keys: ListedKey[], tracking: Tracking): Untracked[] {
  return keys
    .filter((k) => !tracking.ids.has(k.id))
    .map((k) => {
      const ours = tracking.names.has(k.name.trim());
      const action: Untracked["action"] = !ours ? "not-ours" : k.lastUsedAt === null ? "delete" : "used";
      return { ...k, ours, action };
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
