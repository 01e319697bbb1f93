/**
 * WidgetKey's inputs and outputs, and the one parser that turns a property bag the engine hands a lifecycle
 * method (untyped: `Record<string, unknown>`) into them. Each method of ./widgetKey.ts parses its bags once,
 * at its top; that is also where an allowlist from the engine is canonicalised (once per bag).
 */
import { type CanonicalAllowlist, stateAllowlist } from "../../contract/allowlist";
import type { Preview, Props } from "../../contract/engine";
import { compact, isUnknown } from "./common";

export type { Props };

export type WidgetKeyAdopt = { id: string; publicKey?: string };

/** Resolved inputs, as check() returns them when nothing is unknown and nothing failed. */
export type WidgetKeyInputs = {
  name: string;
  agentId?: string;
  /** Canonical: every entry in canonical spelling, deduplicated, in the program's order. */
  domainAllowlist: CanonicalAllowlist;
  /** Absent stays absent: a key revoked outside Pulumi stays disabled unless the program says false (drift.ts). */
  disabled?: boolean;
  rotation?: string | number;
  adopt?: WidgetKeyAdopt;
  tags?: string[];
  providerVersion?: string;
  __provider?: string;
};

/** State outputs: the inputs as the server holds them plus what the server computed. */
export type WidgetKeyOutputs = Omit<WidgetKeyInputs, "disabled"> & {
  disabled: boolean;
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
};

/**
 * check()'s inputs: WidgetKeyInputs, except that a field that failed is left out and, at preview, a field
 * (or an allowlist entry, a tag, an adopt field) may be unknown; such a list is passed on as it is.
 */
export type WidgetKeyCheckedInputs = {
  name?: string;
  agentId?: string;
  domainAllowlist?: Preview<CanonicalAllowlist | unknown[]>;
  disabled?: Preview<boolean>;
  rotation?: Preview<string | number>;
  adopt?: Preview<{ id?: string; publicKey?: string }>;
  tags?: Preview<unknown[]>;
  providerVersion?: unknown;
};

/**
 * A property bag from the engine (check()'s inputs, or the state's outputs), typed. Fields of a type the
 * provider never writes read as absent; `domainAllowlist` is undefined when absent or (at preview) not
 * fully known, else canonical.
 */
export type WidgetKeyProps = Omit<Partial<WidgetKeyOutputs>, "disabled" | "rotation" | "adopt" | "tags"> & {
  disabled?: Preview<boolean>;
  rotation?: Preview<string | number>;
  adopt?: Preview<WidgetKeyAdopt>;
  tags?: Preview<string[]>;
};

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const bool = (v: unknown) => (typeof v === "boolean" ? v : undefined);
const nullableStr = (v: unknown) => (typeof v === "string" || v === null ? v : undefined);

function adoptOf(v: unknown): WidgetKeyProps["adopt"] {
  if (isUnknown(v)) return v;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const a: Props = { ...v };
  return typeof a.id === "string" ? compact({ id: a.id, publicKey: str(a.publicKey) }) : undefined;
}

/**
 * The one parser of a WidgetKey property bag. It canonicalises a fully known allowlist (stateAllowlist:
 * the engine hands back check()'s canonical list or the state's, and canonicalising those changes nothing,
 * but the type is proven here); a method that does not look at the list passes `{ allowlist: false }`.
 */
export function parseWidgetKeyProps(p: Props, opts: { allowlist: boolean } = { allowlist: true }): WidgetKeyProps {
  const list = opts.allowlist ? p.domainAllowlist : undefined;
  const rotation = p.rotation;
  return compact({
    name: str(p.name),
    agentId: str(p.agentId),
    domainAllowlist: Array.isArray(list) && !list.some(isUnknown) ? stateAllowlist(list).list : undefined,
    disabled: isUnknown(p.disabled) ? p.disabled : bool(p.disabled),
    rotation: typeof rotation === "string" || typeof rotation === "number" ? rotation : undefined,
    adopt: adoptOf(p.adopt),
    tags: isUnknown(p.tags) ? p.tags : Array.isArray(p.tags) ? p.tags.map(String) : undefined,
    providerVersion: str(p.providerVersion),
    __provider: str(p.__provider),
    keyId: str(p.keyId),
    publicKey: str(p.publicKey),
    secretKey: str(p.secretKey),
    keyLast8: str(p.keyLast8),
    disabledAt: nullableStr(p.disabledAt),
    lastUsedAt: nullableStr(p.lastUsedAt),
    createdAt: str(p.createdAt),
    secretAvailable: bool(p.secretAvailable),
    disabledOutsidePulumi: bool(p.disabledOutsidePulumi),
  } satisfies WidgetKeyProps);
}

/** A known adopt (create and update run only with known inputs). */
export function knownAdopt(a: WidgetKeyProps["adopt"]): WidgetKeyAdopt | undefined {
  return isUnknown(a) ? undefined : a;
}
