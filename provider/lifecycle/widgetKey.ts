/**
 * WidgetKey lifecycle, called by the serialized provider through `require()` at run time.
 *
 * Module path: the `__provider` stub stored in every stack's state requires
 * `pulumi-kataven-widget/provider/lifecycle/widgetKey` by name, so this file's path and its `attach` export
 * must not change (test/integration/provider/lifecyclePaths.test.ts).
 *
 *   check   no API call: validates name/agentId (wire.ts limits), canonicalises the allowlist (allowlist.ts)
 *   diff    no API call: canonical comparison; `rotation` and `adopt` replace (create-before-delete)
 *   create  POST /api/v1/widget-keys (orphan-safe, see client.createWidgetKey), then PATCH {disabled:true}
 *           if asked; with `adopt`: GET /api/v1/widget-keys (verify), PATCH what differs
 *   read    GET /api/v1/widget-keys, shared by every key of the account through a short single-flight cache
 *   update  PATCH /api/v1/widget-keys/{id} with only what changed (nothing at all for providerVersion)
 *   delete  DELETE /api/v1/widget-keys/{id}: hard-deletes an unused key, disables a used one; 404 = gone
 */
import { ALLOW_WILDCARDS_TAG, canonicalizeAllowlist } from "../../contract/allowlist";
import type { WidgetKeyRecord } from "../client";
import { CreateWidgetKeyRequest, LIMITS } from "../../contract/wire";
import {
  attachTo,
  type CheckFailure,
  client,
  compact,
  configFailures,
  invalidateKeyList,
  isUnknown,
  listKeysCached,
  warn,
} from "./common";
import type { ConfigSource } from "../config";
import { stubChanged } from "../release";
import { foreignEntriesWarning, revokedWarning, stateAllowlist, wantDisabled } from "../drift";

/** Resolved inputs, as check() returns them. */
export interface WidgetKeyInputs {
  name: string;
  agentId?: string;
  /** Canonical: every entry in canonical spelling, deduplicated, in the program's order. */
  domainAllowlist: string[];
  disabled: boolean;
  rotation?: string | number;
  adopt?: { id: string; publicKey?: string };
  tags?: string[];
  providerVersion?: string;
  __provider?: string;
}

/** State outputs: the inputs as the server holds them plus what the server computed. */
export interface WidgetKeyOutputs extends WidgetKeyInputs {
  keyId: string;
  /** `pk_live_…`; absent for an adopted key unless `adopt.publicKey` was given. */
  publicKey?: string;
  /** `sk_live_…`; only for keys minted by this resource. A secret output. */
  secretKey?: string;
  keyLast8: string;
  disabledAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  /** False for an adopted key: its secret was shown once to whoever created it and cannot be recovered. */
  secretAvailable: boolean;
  /** Set by refresh when the key was disabled outside Pulumi; `up` keeps it disabled unless the program says `disabled: false`. */
  disabledOutsidePulumi?: boolean;
}

type Props = Record<string, unknown>;

/** Labels kept in the Pulumi state only (Kataven has no field for them), for policies and reviews. */
const TAG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;


// ---- check ---------------------------------------------------------------------------------------------

function zodReason(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, v: unknown) {
  const r = schema.safeParse(v);
  return r.success ? undefined : (r.error?.issues[0]?.message ?? "is invalid");
}

export async function check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const failures: CheckFailure[] = [...configFailures()];
  const inputs: Props = {};

  const name = news.name;
  if (isUnknown(name)) inputs.name = name;
  else if (name === undefined) failures.push({ property: "name", reason: "is required, e.g. \"acme.com production\"" });
  else {
    const bad = zodReason(CreateWidgetKeyRequest.shape.name, name);
    if (bad) failures.push({ property: "name", reason: bad });
    else inputs.name = (name as string).trim();
  }

  const agentId = news.agentId;
  if (agentId !== undefined && agentId !== null) {
    const bad = isUnknown(agentId) ? undefined : zodReason(CreateWidgetKeyRequest.shape.agent_id, agentId);
    if (bad) failures.push({ property: "agentId", reason: bad });
    else inputs.agentId = agentId;
  }

  const list = news.domainAllowlist;
  if (isUnknown(list)) inputs.domainAllowlist = list;
  else if (list === undefined || list === null) {
    failures.push({ property: "domainAllowlist", reason: "is required: list the origins that may embed the widget, such as [\"https://acme.com\"] (an empty list blocks the key)" });
  } else if (!Array.isArray(list)) {
    failures.push({ property: "domainAllowlist", reason: "must be a list of origins such as [\"https://acme.com\", \"*.acme.com\"]" });
  } else if (list.some(isUnknown)) {
    inputs.domainAllowlist = list;
  } else {
    const { canonical, failures: bad } = canonicalizeAllowlist(list as string[]);
    for (const f of bad) {
      failures.push({ property: `domainAllowlist[${f.index}]`, reason: typeof list[f.index] === "string" ? `${JSON.stringify(f.entry)} ${f.reason}` : f.reason });
    }
    if (canonical.length > LIMITS.allowlistMax) {
      failures.push({ property: "domainAllowlist", reason: `must hold at most ${LIMITS.allowlistMax} distinct entries (has ${canonical.length})` });
    }
    inputs.domainAllowlist = canonical;
  }

  const disabled = news.disabled;
  // Absent stays absent: a key revoked outside Pulumi stays disabled unless the program says false (drift.ts).
  if (disabled === undefined || disabled === null) {
    // nothing
  } else if (isUnknown(disabled) || typeof disabled === "boolean") inputs.disabled = disabled;
  else failures.push({ property: "disabled", reason: "must be true or false" });

  const rotation = news.rotation;
  if (rotation !== undefined && rotation !== null) {
    if (isUnknown(rotation) || typeof rotation === "string" || (typeof rotation === "number" && Number.isFinite(rotation))) {
      inputs.rotation = rotation;
    } else failures.push({ property: "rotation", reason: "must be a string or a number, e.g. \"2025-06\" or 3; changing it mints a new key pair" });
  }

  const adopt = news.adopt;
  if (adopt !== undefined && adopt !== null) {
    if (isUnknown(adopt)) inputs.adopt = adopt;
    else if (typeof adopt !== "object" || Array.isArray(adopt)) {
      failures.push({ property: "adopt", reason: "must be an object such as {id: \"<widget key id>\"}" });
    } else {
      const a = adopt as Props;
      const out: Props = {};
      if (isUnknown(a.id)) out.id = a.id;
      else if (typeof a.id !== "string" || a.id.trim() === "" || a.id.length > LIMITS.idMax) {
        failures.push({ property: "adopt.id", reason: "must be the id of an existing widget key (see GET /api/v1/widget-keys)" });
      } else out.id = a.id.trim();
      if (a.publicKey !== undefined && a.publicKey !== null) {
        if (isUnknown(a.publicKey) || (typeof a.publicKey === "string" && a.publicKey.startsWith("pk_live_"))) out.publicKey = a.publicKey;
        else failures.push({ property: "adopt.publicKey", reason: "must be the key's pk_live_… public key" });
      }
      for (const k of Object.keys(a)) {
        if (k !== "id" && k !== "publicKey") failures.push({ property: `adopt.${k}`, reason: "is not a field of adopt (id, publicKey)" });
      }
      inputs.adopt = out;
    }
  }

  const tags = news.tags;
  if (tags !== undefined && tags !== null) {
    if (isUnknown(tags)) inputs.tags = tags;
    else if (!Array.isArray(tags)) failures.push({ property: "tags", reason: `must be a list of labels such as ["${ALLOW_WILDCARDS_TAG}"]` });
    else {
      tags.forEach((t, i) => {
        if (!isUnknown(t) && (typeof t !== "string" || !TAG_RE.test(t))) {
          failures.push({ property: `tags[${i}]`, reason: `${JSON.stringify(t)} must be a lower-case label of letters, digits and "-" (at most 63 characters)` });
        }
      });
      inputs.tags = [...new Set(tags)];
    }
  }

  if (inputs.adopt !== undefined && inputs.rotation !== undefined) {
    failures.push({
      property: "rotation",
      reason: "cannot be combined with adopt: an adopted key is taken over, not minted. Remove adopt to mint a key of your own (that replaces the adopted one), then rotate it",
    });
  }

  if (news.providerVersion !== undefined) inputs.providerVersion = news.providerVersion;
  return { inputs, failures };
}

// ---- diff ----------------------------------------------------------------------------------------------

export interface WidgetKeyDiff {
  changes: boolean;
  replaces: string[];
  /** Every property that differs, replacing or not. */
  changed: string[];
  allowlistAdded: string[];
  allowlistRemoved: string[];
}

const norm = (v: unknown) => (v === undefined || v === null ? undefined : isUnknown(v) ? v : String(v));

/**
 * The canonical list (order kept), or undefined while any entry is unknown. Compared as a set by diff.
 * Entries the grammar rejects (added outside Pulumi) are kept verbatim, so they count as drift.
 */
function canonicalList(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.some(isUnknown)) return undefined;
  return stateAllowlist(v).list;
}

/** Compares state outputs with new inputs, canonically. Pure. */
export function diffWidgetKey(olds: Props, news: Props): WidgetKeyDiff {
  const changed: string[] = [];
  const replaces: string[] = [];
  let added: string[] = [];
  let removed: string[] = [];

  if (norm(olds.rotation) !== norm(news.rotation) || isUnknown(news.rotation)) replaces.push("rotation");
  const oldAdopt = olds.adopt as Props | undefined;
  const newAdopt = news.adopt as Props | undefined;
  const newAdoptId = isUnknown(newAdopt) ? newAdopt : newAdopt?.id;
  if (norm(oldAdopt?.id) !== norm(newAdoptId) || isUnknown(newAdoptId)) replaces.push("adopt");
  else if (norm(oldAdopt?.publicKey) !== norm(newAdopt?.publicKey)) changed.push("adopt");

  if (norm(olds.name) !== norm(typeof news.name === "string" ? news.name.trim() : news.name) || isUnknown(news.name)) changed.push("name");
  if (norm(olds.agentId) !== norm(news.agentId) || isUnknown(news.agentId)) changed.push("agentId");
  if (Boolean(olds.disabled) !== wantDisabled(olds, news) || isUnknown(news.disabled)) changed.push("disabled");
  if (stubChanged(olds, news)) changed.push("__provider");
  const tagsOf = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort().join("\n") : isUnknown(v) ? v : "");
  if (tagsOf(olds.tags) !== tagsOf(news.tags) || isUnknown(news.tags)) changed.push("tags");

  const oldSet = canonicalList(olds.domainAllowlist) ?? [];
  const newSet = canonicalList(news.domainAllowlist);
  if (newSet === undefined) changed.push("domainAllowlist");
  else {
    added = newSet.filter((e) => !oldSet.includes(e));
    removed = oldSet.filter((e) => !newSet.includes(e));
    if (added.length > 0 || removed.length > 0) changed.push("domainAllowlist");
  }

  const all = [...replaces, ...changed];
  return { changes: all.length > 0, replaces, changed: all, allowlistAdded: added, allowlistRemoved: removed };
}

export async function diff(_id: string, olds: Props, news: Props) {
  const d = diffWidgetKey(olds, news);
  return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
}

// ---- create / read / update / delete -------------------------------------------------------------------

function outputsFrom(
  key: WidgetKeyRecord,
  inputs: Props,
  extra: { publicKey?: unknown; secretKey?: unknown; secretAvailable: boolean; disabledOutsidePulumi?: boolean },
): WidgetKeyOutputs {
  return compact({
    name: key.name,
    agentId: key.agentId ?? undefined,
    domainAllowlist: stateAllowlist(key.domainAllowlist).list,
    disabled: key.disabledAt !== null,
    disabledOutsidePulumi: key.disabledAt !== null && extra.disabledOutsidePulumi === true ? true : undefined,
    rotation: inputs.rotation as WidgetKeyInputs["rotation"],
    adopt: inputs.adopt as WidgetKeyInputs["adopt"],
    tags: inputs.tags as string[] | undefined,
    providerVersion: inputs.providerVersion as string | undefined,
    keyId: key.id,
    publicKey: extra.publicKey as string | undefined,
    secretKey: extra.secretKey as string | undefined,
    keyLast8: key.keyLast8,
    disabledAt: key.disabledAt,
    lastUsedAt: key.lastUsedAt,
    createdAt: key.createdAt,
    secretAvailable: extra.secretAvailable,
  }) as WidgetKeyOutputs;
}

/** The inputs a program would have to hold to match this state (returned by read so refresh leaves no diff). */
function inputsFrom(outs: WidgetKeyOutputs): Props {
  return compact({
    name: outs.name,
    agentId: outs.agentId,
    domainAllowlist: outs.domainAllowlist,
    disabled: outs.disabled,
    rotation: outs.rotation,
    adopt: outs.adopt,
    tags: outs.tags,
    providerVersion: outs.providerVersion,
  });
}

function verifyPublicKey(publicKey: unknown, key: WidgetKeyRecord): void {
  if (typeof publicKey === "string" && !publicKey.endsWith(key.keyLast8)) {
    throw new Error(
      `adopt.publicKey does not belong to widget key ${key.id} (its public key ends in …${key.keyLast8}); fix adopt.publicKey or remove it`,
    );
  }
}

export async function create(inputs: Props): Promise<{ id: string; outs: WidgetKeyOutputs }> {
  const c = client();
  const adopt = inputs.adopt as WidgetKeyInputs["adopt"];
  const allowlist = (inputs.domainAllowlist as string[]) ?? [];
  const agentId = (inputs.agentId as string | undefined) ?? null;

  if (adopt) {
    const keys = await c.listWidgetKeys();
    const found = keys.find((k) => k.id === adopt.id);
    if (!found) {
      throw new Error(
        `adopt.id "${adopt.id}" is not a widget key of this account (GET /api/v1/widget-keys lists ${keys.length}); check the id, or remove adopt to mint a new key`,
      );
    }
    verifyPublicKey(adopt.publicKey, found);
    const patch = patchFor(
      { name: found.name, agentId: found.agentId, domainAllowlist: found.domainAllowlist, disabled: found.disabledAt !== null },
      inputs,
      Boolean(inputs.disabled),
    );
    const key = Object.keys(patch).length > 0 ? await c.updateWidgetKey(found.id, patch) : found;
    invalidateKeyList(c);
    adoptedHere.add(key.id);
    return { id: key.id, outs: outputsFrom(key, inputs, { publicKey: adopt.publicKey, secretAvailable: false }) };
  }

  const created = await c.createWidgetKey({ name: inputs.name as string, domainAllowlist: allowlist, agentId });
  invalidateKeyList(c);
  let key: WidgetKeyRecord = created;
  if (inputs.disabled === true) {
    try {
      key = await c.updateWidgetKey(created.id, { disabled: true });
    } catch (err) {
      // Do not leave behind a live key the state will never hold: it is unused, so this hard-deletes it.
      await c.deleteWidgetKey(created.id).catch(() => undefined);
      throw err;
    }
  }
  return { id: key.id, outs: outputsFrom(key, inputs, { publicKey: created.publicKey, secretKey: created.secretKey, secretAvailable: true }) };
}

interface Comparable {
  name: unknown;
  agentId: unknown;
  domainAllowlist: unknown;
  disabled: unknown;
}

/** Only the fields that differ between what the server holds and what the inputs ask for. */
function patchFor(current: Comparable, news: Props, disabled: boolean) {
  const patch: { name?: string; domainAllowlist?: string[]; agentId?: string | null; disabled?: boolean } = {};
  if (current.name !== news.name) patch.name = news.name as string;
  const want = canonicalList(news.domainAllowlist) ?? [];
  const have = canonicalList(current.domainAllowlist) ?? [];
  // Any difference, order included: a PATCH that goes out anyway also stores the program's order.
  if (want.join("\n") !== have.join("\n")) patch.domainAllowlist = want;
  if ((current.agentId ?? null) !== ((news.agentId as string | undefined) ?? null)) patch.agentId = (news.agentId as string | undefined) ?? null;
  if (Boolean(current.disabled) !== disabled) patch.disabled = disabled;
  return patch;
}

export async function read(id: string, props: Props): Promise<{ id: string; props?: WidgetKeyOutputs; inputs?: Props }> {
  const c = client();
  const started = Date.now();
  let key = (await listKeysCached(c)).find((k) => k.id === id);
  // A cached answer may predate the key; confirm with a list that started after this read did.
  if (!key) key = (await listKeysCached(c, started)).find((k) => k.id === id);
  if (!key) {
    const label = props.name ? ` "${String(props.name)}"` : "";
    const last8 = props.keyLast8 ? ` (…${String(props.keyLast8)})` : "";
    warn(`widget key${label} ${id}${last8} no longer exists in Kataven; it was deleted outside Pulumi and is dropped from the stack. Run "pulumi up" to create it again.`);
    return { id: "" };
  }
  const label = `"${key.name}" ${key.id} (…${key.keyLast8})`;
  // Disabled on the server while the state said enabled (or already recorded so): a revocation made outside Pulumi.
  const revoked = key.disabledAt !== null && (props.disabledOutsidePulumi === true || props.disabled !== true);
  if (revoked) warn(revokedWarning(label, key.disabledAt as string));
  const { foreign } = stateAllowlist(key.domainAllowlist);
  if (foreign.length > 0) warn(foreignEntriesWarning(label, foreign));
  const outs = outputsFrom(key, props, {
    publicKey: props.publicKey,
    secretKey: props.secretKey,
    secretAvailable: props.secretAvailable === undefined ? props.secretKey !== undefined : Boolean(props.secretAvailable),
    disabledOutsidePulumi: revoked,
  });
  return { id: key.id, props: outs, inputs: inputsFrom(outs) };
}

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: WidgetKeyOutputs }> {
  const carry = {
    publicKey: (news.adopt as Props | undefined)?.publicKey ?? olds.publicKey,
    secretKey: olds.secretKey,
    secretAvailable: olds.secretAvailable === undefined ? olds.secretKey !== undefined : Boolean(olds.secretAvailable),
  };
  if (news.adopt && typeof olds.keyLast8 === "string") {
    verifyPublicKey((news.adopt as Props).publicKey, { id, keyLast8: olds.keyLast8 } as WidgetKeyRecord);
  }
  const patch = patchFor(
    { name: olds.name, agentId: olds.agentId, domainAllowlist: olds.domainAllowlist, disabled: olds.disabled },
    news,
    wantDisabled(olds, news),
  );
  // A revocation made outside Pulumi stays recorded while the program leaves `disabled` unset.
  const keepRevoked = (news.disabled === undefined || news.disabled === null) && olds.disabledOutsidePulumi === true;
  if (Object.keys(patch).length === 0) {
    // Nothing for the API (e.g. only providerVersion, tags or adopt.publicKey changed): keep the server view.
    const outs = {
      ...(olds as unknown as WidgetKeyOutputs),
      ...compact({ providerVersion: news.providerVersion as string | undefined, adopt: news.adopt as WidgetKeyInputs["adopt"] }),
    };
    if (news.tags === undefined) delete outs.tags;
    else outs.tags = news.tags as string[];
    if (carry.publicKey !== undefined) outs.publicKey = carry.publicKey as string;
    if (!(keepRevoked && outs.disabled)) delete outs.disabledOutsidePulumi;
    delete (outs as Props).__provider;
    return { outs };
  }
  const c = client();
  const key = await c.updateWidgetKey(id, patch);
  invalidateKeyList(c);
  return { outs: outputsFrom(key, news, { ...carry, disabledOutsidePulumi: keepRevoked }) };
}

/**
 * Ids adopted by a create in this process. When a resource is replaced by one that adopts the same key
 * (state held key K, the program now says `adopt: {id: K}`), the engine creates the new resource and then
 * deletes the old one, which would delete K itself; delete skips such an id unless the resource being
 * deleted is itself an adopter of it.
 */
const adoptedHere = new Set<string>();

export async function remove(id: string, props: Props): Promise<void> {
  if (adoptedHere.has(id) && (props.adopt as Props | undefined)?.id !== id) {
    warn(`widget key ${id} was adopted by its replacement; it is left in place instead of being deleted.`);
    return;
  }
  const c = client();
  await c.deleteWidgetKey(id);
  invalidateKeyList(c);
}

export { remove as delete };

/** Gives the serialized provider object its methods (see resources/widgetKey.ts). */
export function attach(provider: object, config?: ConfigSource): void {
  attachTo(provider, config, { check, diff, create, read, update, delete: remove });
}
