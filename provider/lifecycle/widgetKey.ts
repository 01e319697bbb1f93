/**
 * WidgetKey lifecycle, called by the `__provider` stub through `require()` at run time.
 *
 * Module path: the `__provider` stub stored in every stack's state requires
 * `pulumi-kataven-widget/provider/lifecycle/widgetKey` by name, so this file's path and its `attach` export
 * must not change (test/integration/provider/lifecyclePaths.test.ts).
 *
 *   check   no API call: validates name/agentId (wire.ts limits), canonicalises the allowlist (./widgetKeyCheck.ts)
 *   diff    no API call: canonical comparison; `rotation`, and `adopt` naming another key, replace (create-before-delete)
 *   create  POST /api/v1/widget-keys (orphan-safe, see client.createWidgetKey), then PATCH {disabled:true}
 *           if asked; with `adopt`: GET /api/v1/widget-keys (verify), PATCH what differs
 *   read    GET /api/v1/widget-keys, shared by every key of the account through a short single-flight cache
 *   update  PATCH /api/v1/widget-keys/{id} with only what changed (nothing at all for providerVersion)
 *   delete  DELETE /api/v1/widget-keys/{id}: hard-deletes an unused key, disables a used one (and warns so); 404 = gone
 *
 * Each method parses the engine's property bags once, at its top (./widgetKeyProps.ts); an allowlist is
 * canonical from there on (CanonicalAllowlist), and one from the server is canonicalised once, in fromServer().
 */
import { type CanonicalAllowlist, emptyAllowlist, stateAllowlist } from "../../contract/allowlist";
import type { Unknown } from "../../contract/engine";
import type { UpdateWidgetKeyInput, WidgetKeyRecord } from "../api/client";
import { attachTo, compact, invalidateKeyList, isUnknown, listKeysCached, session, warn } from "./common";
import type { ConfigSource } from "../config";
import { secretAvailableIn, stubChanged } from "./stateCompat";
import { foreignEntriesWarning, revokedWarning, wantDisabled } from "./drift";
import { check } from "./widgetKeyCheck";
import {
  knownAdopt,
  parseWidgetKeyProps,
  type Props,
  type WidgetKeyInputs,
  type WidgetKeyOutputs,
  type WidgetKeyProps,
} from "./widgetKeyProps";

export { check };
export type { WidgetKeyCheckedInputs, WidgetKeyInputs, WidgetKeyOutputs } from "./widgetKeyProps";

/** Outputs as a stack's state holds them (a state written by an older release may lack some). */
export type WidgetKeyState = Partial<WidgetKeyOutputs>;

const known = <T>(v: T | Unknown | undefined): T | undefined => (isUnknown(v) ? undefined : v);

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

/** Compares state outputs with new inputs, canonically. Pure. */
export function diffWidgetKey(oldProps: Props, newProps: Props): WidgetKeyDiff {
  const olds = parseWidgetKeyProps(oldProps);
  const news = parseWidgetKeyProps(newProps);
  const changed: string[] = [];
  const replaces: string[] = [];
  let added: string[] = [];
  let removed: string[] = [];

  if (norm(olds.rotation) !== norm(news.rotation) || isUnknown(news.rotation)) replaces.push("rotation");
  // Adoption happens once: removing `adopt` (or the `import` option it comes from) afterwards keeps the key,
  // and naming the key the state already holds is no change. Only another id replaces.
  const oldAdopt = knownAdopt(olds.adopt);
  const newAdoptId = isUnknown(news.adopt) ? news.adopt : news.adopt?.id;
  const heldId = olds.keyId ?? oldAdopt?.id;
  if (isUnknown(newAdoptId) || (newAdoptId !== undefined && norm(newAdoptId) !== norm(heldId))) replaces.push("adopt");
  else if (newAdoptId !== undefined && norm(oldAdopt?.publicKey) !== norm(knownAdopt(news.adopt)?.publicKey)) changed.push("adopt");

  if (norm(olds.name) !== norm(news.name?.trim()) || isUnknown(news.name)) changed.push("name");
  if (norm(olds.agentId) !== norm(news.agentId) || isUnknown(news.agentId)) changed.push("agentId");
  if (Boolean(olds.disabled) !== wantDisabled(olds, news) || isUnknown(news.disabled)) changed.push("disabled");
  if (stubChanged(olds, news)) changed.push("__provider");
  const tagsOf = (v: WidgetKeyProps["tags"]) => (Array.isArray(v) ? [...v].sort().join("\n") : isUnknown(v) ? v : "");
  if (tagsOf(olds.tags) !== tagsOf(news.tags) || isUnknown(news.tags)) changed.push("tags");

  // A set comparison; the new list is undefined while any entry is unknown.
  const oldSet: readonly string[] = olds.domainAllowlist ?? [];
  const newSet = news.domainAllowlist;
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

/** A key as the server answered, its allowlist canonicalised (entries the grammar rejects kept verbatim, in `foreign`). */
type ServerKey = Omit<WidgetKeyRecord, "domainAllowlist"> & { domainAllowlist: CanonicalAllowlist; foreign: string[] };

/** The boundary for the server's answer: its allowlist canonicalised once. */
function fromServer(key: WidgetKeyRecord): ServerKey {
  const { list, foreign } = stateAllowlist(key.domainAllowlist);
  return { ...key, domainAllowlist: list, foreign };
}

function outputsFrom(
  key: ServerKey,
  inputs: WidgetKeyProps,
  extra: { publicKey?: string; secretKey?: string; secretAvailable: boolean; disabledOutsidePulumi?: boolean },
): WidgetKeyOutputs {
  return compact({
    name: key.name,
    agentId: key.agentId ?? undefined,
    domainAllowlist: key.domainAllowlist,
    disabled: key.disabledAt !== null,
    disabledOutsidePulumi: key.disabledAt !== null && extra.disabledOutsidePulumi === true ? true : undefined,
    rotation: inputs.rotation,
    adopt: knownAdopt(inputs.adopt),
    tags: known(inputs.tags),
    providerVersion: inputs.providerVersion,
    keyId: key.id,
    publicKey: extra.publicKey,
    secretKey: extra.secretKey,
    keyLast8: key.keyLast8,
    disabledAt: key.disabledAt,
    lastUsedAt: key.lastUsedAt,
    createdAt: key.createdAt,
    secretAvailable: extra.secretAvailable,
  } satisfies WidgetKeyOutputs);
}

/** The inputs a program would have to hold to match this state (returned by read so refresh leaves no diff). */
function inputsFrom(outs: WidgetKeyOutputs): WidgetKeyInputs {
  return compact({
    name: outs.name,
    agentId: outs.agentId,
    domainAllowlist: outs.domainAllowlist,
    disabled: outs.disabled,
    rotation: outs.rotation,
    adopt: outs.adopt,
    tags: outs.tags,
    providerVersion: outs.providerVersion,
  } satisfies WidgetKeyInputs);
}

function verifyPublicKey(publicKey: string | undefined, key: { id: string; keyLast8: string }): void {
  if (typeof publicKey === "string" && !publicKey.endsWith(key.keyLast8)) {
    throw new Error(
      `adopt.publicKey does not belong to widget key ${key.id} (its public key ends in …${key.keyLast8}); fix adopt.publicKey or remove it`,
    );
  }
}

/** What the server holds (or the state says it holds), for patchFor. */
interface Current {
  name?: string;
  agentId?: string | null;
  domainAllowlist: CanonicalAllowlist;
  disabled?: boolean | Unknown;
}

/** Only the fields that differ between what the server holds and what the inputs ask for. */
function patchFor(current: Current, news: WidgetKeyProps, disabled: boolean): UpdateWidgetKeyInput {
  const patch: UpdateWidgetKeyInput = {};
  if (current.name !== news.name) patch.name = news.name;
  const want = news.domainAllowlist ?? emptyAllowlist();
  // Any difference, order included: a PATCH that goes out anyway also stores the program's order.
  if (want.join("\n") !== current.domainAllowlist.join("\n")) patch.domainAllowlist = want;
  if ((current.agentId ?? null) !== (news.agentId ?? null)) patch.agentId = news.agentId ?? null;
  if (Boolean(current.disabled) !== disabled) patch.disabled = disabled;
  return patch;
}

/**
 * create: check() canonicalised the program's list and the engine hands that list back, so minting a key sends
 * it as it is; only adopting, which compares it with the server's list, parses it (stateAllowlist). Either way
 * the server's answer is canonicalised once, in fromServer(): check + create canonicalise at most twice.
 */
export async function create(props: Props): Promise<{ id: string; outs: WidgetKeyOutputs }> {
  const fields = parseWidgetKeyProps(props, { allowlist: false });
  const sess = session();
  const c = sess.client;
  const adopt = knownAdopt(fields.adopt);

  if (adopt) {
    const inputs = parseWidgetKeyProps(props);
    const keys = await c.listWidgetKeys();
    const found = keys.find((k) => k.id === adopt.id);
    if (!found) {
      throw new Error(
        `adopt.id "${adopt.id}" is not a widget key of this account (GET /api/v1/widget-keys lists ${keys.length}); check the id, or remove adopt to mint a new key`,
      );
    }
    verifyPublicKey(adopt.publicKey, found);
    const current = fromServer(found);
    const patch = patchFor({ ...current, disabled: found.disabledAt !== null }, inputs, Boolean(inputs.disabled));
    const key = Object.keys(patch).length > 0 ? fromServer(await c.updateWidgetKey(found.id, patch)) : current;
    invalidateKeyList(sess);
    sess.account.adoptedKeys.add(key.id);
    return { id: key.id, outs: outputsFrom(key, inputs, { publicKey: adopt.publicKey, secretAvailable: false }) };
  }

  const inputs = fields;
  // check()'s canonical list (non-strings, which check never returns, are skipped as parseWidgetKeyProps would).
  const checked = props.domainAllowlist;
  const domainAllowlist = Array.isArray(checked) ? checked.filter((e): e is string => typeof e === "string") : [];
  const created = await c.createWidgetKey({ name: inputs.name ?? "", domainAllowlist, agentId: inputs.agentId ?? null });
  invalidateKeyList(sess);
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
  return {
    id: key.id,
    outs: outputsFrom(fromServer(key), inputs, { publicKey: created.publicKey, secretKey: created.secretKey, secretAvailable: true }),
  };
}

export async function read(id: string, props: Props): Promise<{ id: string; props?: WidgetKeyOutputs; inputs?: WidgetKeyInputs }> {
  const state = parseWidgetKeyProps(props, { allowlist: false });
  const sess = session();
  const started = Date.now();
  let found = (await listKeysCached(sess)).find((k) => k.id === id);
  // A cached answer may predate the key; confirm with a list that started after this read did.
  if (!found) found = (await listKeysCached(sess, started)).find((k) => k.id === id);
  if (!found) {
    const label = state.name ? ` "${state.name}"` : "";
    const last8 = state.keyLast8 ? ` (…${state.keyLast8})` : "";
    warn(
      `widget key${label} ${id}${last8} no longer exists in Kataven; it was deleted outside Pulumi and is dropped from the stack. Run "pulumi up" to create it again.`,
    );
    return { id: "" };
  }
  const key = fromServer(found);
  const label = `"${key.name}" ${key.id} (…${key.keyLast8})`;
  // Disabled on the server while the state said enabled (or already recorded so): a revocation made outside Pulumi.
  const disabledAt = key.disabledAt;
  const revoked = disabledAt !== null && (state.disabledOutsidePulumi === true || state.disabled !== true);
  if (revoked) warn(revokedWarning(label, disabledAt));
  if (key.foreign.length > 0) warn(foreignEntriesWarning(label, key.foreign));
  const outs = outputsFrom(key, state, {
    publicKey: state.publicKey,
    secretKey: state.secretKey,
    secretAvailable: secretAvailableIn(state),
    disabledOutsidePulumi: revoked,
  });
  return { id: key.id, props: outs, inputs: inputsFrom(outs) };
}

export async function update(id: string, oldProps: Props, newProps: Props): Promise<{ outs: WidgetKeyState }> {
  const olds = parseWidgetKeyProps(oldProps);
  const news = parseWidgetKeyProps(newProps);
  const newAdopt = knownAdopt(news.adopt);
  const carry = {
    publicKey: newAdopt?.publicKey ?? olds.publicKey,
    secretKey: olds.secretKey,
    secretAvailable: secretAvailableIn(olds),
  };
  if (newAdopt && olds.keyLast8 !== undefined) verifyPublicKey(newAdopt.publicKey, { id, keyLast8: olds.keyLast8 });
  const patch = patchFor({ ...olds, domainAllowlist: olds.domainAllowlist ?? emptyAllowlist() }, news, wantDisabled(olds, news));
  // A revocation made outside Pulumi stays recorded while the program leaves `disabled` unset.
  const keepRevoked = news.disabled === undefined && olds.disabledOutsidePulumi === true;
  if (Object.keys(patch).length === 0) {
    // Nothing for the API (e.g. only providerVersion, tags or adopt.publicKey changed): keep the server view.
    const outs = compact({
      ...olds,
      disabled: known(olds.disabled),
      providerVersion: news.providerVersion ?? olds.providerVersion,
      adopt: newAdopt ?? knownAdopt(olds.adopt),
      tags: known(news.tags),
      publicKey: carry.publicKey,
      disabledOutsidePulumi: keepRevoked && olds.disabled === true ? true : undefined,
      __provider: undefined,
    } satisfies WidgetKeyState);
    return { outs };
  }
  const sess = session();
  const c = sess.client;
  const key = await c.updateWidgetKey(id, patch);
  invalidateKeyList(sess);
  return { outs: outputsFrom(fromServer(key), news, { ...carry, disabledOutsidePulumi: keepRevoked }) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const state = parseWidgetKeyProps(props, { allowlist: false });
  const sess = session();
  const c = sess.client;
  // Replaced by a resource that adopts the same key (create-then-delete): the key is the new resource's.
  if (sess.account.adoptedKeys.has(id) && knownAdopt(state.adopt)?.id !== id) {
    warn(`widget key ${id} was adopted by its replacement; it is left in place instead of being deleted.`);
    return;
  }
  const r = await c.deleteWidgetKey(id);
  invalidateKeyList(sess);
  if (r?.outcome === "disabled") {
    // Kataven keeps a key that served widget calls: the engine will say "deleted", so say what happened.
    const label = `${state.name ? `"${state.name}" ` : ""}${id}${state.keyLast8 ? ` (…${state.keyLast8})` : ""}`;
    warn(
      `widget key ${label} was used, so Kataven disabled it instead of deleting it: it stays in the account, revoked (widget calls with it get 403), and is no longer in the stack.`,
    );
  }
}

export { remove as delete };

/** Gives the provider object of the `__provider` stub its methods (see resources/dynamicResource.ts). */
export function attach(provider: object, config?: ConfigSource): void {
  attachTo(provider, config, { check, diff, create, read, update, delete: remove });
}
