/**
 * WidgetKey's check(): no API call. Validates name and agentId (wire.ts limits) and the other fields, and
 * canonicalises the allowlist (allowlist.ts): the boundary where the program's list becomes canonical.
 */
import { ALLOW_WILDCARDS_TAG, canonicalizeAllowlist } from "../../contract/allowlist";
import { CreateWidgetKeyRequest, LIMITS } from "../../contract/wire";
import { type CheckFailure, configFailures, isUnknown } from "./common";
import type { Props, WidgetKeyCheckedInputs } from "./widgetKeyProps";

/** Labels kept in the Pulumi state only (Kataven has no field for them), for policies and reviews. */
const TAG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function zodParse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } },
  v: unknown,
): Parsed<T> {
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: r.error.issues[0]?.message ?? "is invalid" };
}

function checkAllowlist(list: unknown, inputs: WidgetKeyCheckedInputs, failures: CheckFailure[]): void {
  if (isUnknown(list)) inputs.domainAllowlist = list;
  else if (list === undefined || list === null) {
    failures.push({
      property: "domainAllowlist",
      reason: 'is required: list the origins that may embed the widget, such as ["https://acme.com"] (an empty list blocks the key)',
    });
  } else if (!Array.isArray(list)) {
    failures.push({ property: "domainAllowlist", reason: 'must be a list of origins such as ["https://acme.com", "*.acme.com"]' });
  } else if (list.some(isUnknown)) {
    inputs.domainAllowlist = list;
  } else {
    const { canonical, failures: bad } = canonicalizeAllowlist(list);
    for (const f of bad) {
      failures.push({
        property: `domainAllowlist[${f.index}]`,
        reason: typeof list[f.index] === "string" ? `${JSON.stringify(f.entry)} ${f.reason}` : f.reason,
      });
    }
    if (canonical.length > LIMITS.allowlistMax) {
      failures.push({
        property: "domainAllowlist",
        reason: `must hold at most ${LIMITS.allowlistMax} distinct entries (has ${canonical.length})`,
      });
    }
    inputs.domainAllowlist = canonical;
  }
}

function checkAdopt(adopt: unknown, inputs: WidgetKeyCheckedInputs, failures: CheckFailure[]): void {
  if (adopt === undefined || adopt === null) return;
  if (isUnknown(adopt)) {
    inputs.adopt = adopt;
    return;
  }
  if (typeof adopt !== "object" || Array.isArray(adopt)) {
    failures.push({ property: "adopt", reason: 'must be an object such as {id: "<widget key id>"}' });
    return;
  }
  const a: Props = { ...adopt };
  const out: { id?: string; publicKey?: string } = {};
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

function checkTags(tags: unknown, inputs: WidgetKeyCheckedInputs, failures: CheckFailure[]): void {
  if (tags === undefined || tags === null) return;
  if (isUnknown(tags)) inputs.tags = tags;
  else if (!Array.isArray(tags)) failures.push({ property: "tags", reason: `must be a list of labels such as ["${ALLOW_WILDCARDS_TAG}"]` });
  else {
    tags.forEach((t, i) => {
      if (!isUnknown(t) && (typeof t !== "string" || !TAG_RE.test(t))) {
        failures.push({
          property: `tags[${i}]`,
          reason: `${JSON.stringify(t)} must be a lower-case label of letters, digits and "-" (at most 63 characters)`,
        });
      }
    });
    inputs.tags = [...new Set(tags)];
  }
}

export async function check(_olds: Props, news: Props): Promise<{ inputs: WidgetKeyCheckedInputs; failures: CheckFailure[] }> {
  const failures: CheckFailure[] = [...configFailures()];
  const inputs: WidgetKeyCheckedInputs = {};

  const name = news.name;
  if (isUnknown(name)) inputs.name = name;
  else if (name === undefined) failures.push({ property: "name", reason: 'is required, e.g. "acme.com production"' });
  else {
    const r = zodParse(CreateWidgetKeyRequest.shape.name, name);
    if (!r.ok) failures.push({ property: "name", reason: r.reason });
    else inputs.name = r.value; // trimmed by the schema
  }

  const agentId = news.agentId;
  if (agentId !== undefined && agentId !== null) {
    const r: Parsed<string | null | undefined> = isUnknown(agentId)
      ? { ok: true, value: agentId }
      : zodParse(CreateWidgetKeyRequest.shape.agent_id, agentId);
    if (!r.ok) failures.push({ property: "agentId", reason: r.reason });
    else if (typeof r.value === "string") inputs.agentId = r.value;
  }

  checkAllowlist(news.domainAllowlist, inputs, failures);

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
    } else
      failures.push({
        property: "rotation",
        reason: 'must be a string or a number, e.g. "2025-06" or 3; changing it mints a new key pair',
      });
  }

  checkAdopt(news.adopt, inputs, failures);
  checkTags(news.tags, inputs, failures);

  if (inputs.adopt !== undefined && inputs.rotation !== undefined) {
    failures.push({
      property: "rotation",
      reason:
        "cannot be combined with adopt: an adopted key is taken over, not minted. Remove adopt to mint a key of your own (that replaces the adopted one), then rotate it",
    });
  }

  if (news.providerVersion !== undefined) inputs.providerVersion = news.providerVersion;
  return { inputs, failures };
}
