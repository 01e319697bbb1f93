/**
 * WidgetSettings lifecycle: the account's branding singleton (one per account; declare it once per stack).
 *
 * Module path: the `__provider` stub stored in every stack's state requires
 * `pulumi-kataven-widget/provider/lifecycle/widgetSettings` by name, so this file's path and its `attach` export
 * must not change (test/integration/provider/lifecyclePaths.test.ts).
 *
 *   check   no API call: every field validated with the wire.ts field schemas, named in camelCase
 *   diff    no API call: each field with its default applied (colours compared case-insensitively)
 *   create  GET /api/v1/widget-settings (adopt what is there), PATCH the fields that differ
 *   read    GET /api/v1/widget-settings
 *   update  PATCH /api/v1/widget-settings with the fields that differ; a field removed from the program
 *           goes back to its default (null; launcherPosition "br")
 *   delete  onDelete "reset" (default): PATCH every field back to its default; "retain": no call
 * Nothing replaces.
 */
import { randomBytes } from "node:crypto";
import type { WidgetSettingsRecord, WidgetSettingsRecordPatch } from "../client";
import { color, httpsUrl, launcherLabel, launcherPosition, privacyNotice, WIDGET_SETTINGS_DEFAULTS } from "../../contract/wire";
import { attachTo, type CheckFailure, client, compact, configFailures, isUnknown } from "./common";
import type { ConfigSource } from "../config";
import { stubChanged } from "../release";

/** Ids look like `widget-settings-1a2b3c4d`: unique per resource, so a replacement can be told apart. */
export const WIDGET_SETTINGS_ID_PREFIX = "widget-settings-";

export const ON_DELETE = ["reset", "retain"] as const;
export type OnDelete = (typeof ON_DELETE)[number];

/** Field → (validator, default, case-insensitive compare). */
export const SETTINGS_FIELDS = {
  primaryColor: { schema: color, def: WIDGET_SETTINGS_DEFAULTS.primary_color, ci: true },
  accentColor: { schema: color, def: WIDGET_SETTINGS_DEFAULTS.accent_color, ci: true },
  logoUrl: { schema: httpsUrl, def: WIDGET_SETTINGS_DEFAULTS.logo_url, ci: false },
  launcherPosition: { schema: launcherPosition, def: WIDGET_SETTINGS_DEFAULTS.launcher_position, ci: false },
  launcherLabel: { schema: launcherLabel, def: WIDGET_SETTINGS_DEFAULTS.launcher_label, ci: false },
  privacyNotice: { schema: privacyNotice, def: WIDGET_SETTINGS_DEFAULTS.privacy_notice, ci: false },
} as const;
export type SettingsField = keyof typeof SETTINGS_FIELDS;
const FIELDS = Object.keys(SETTINGS_FIELDS) as SettingsField[];

type Props = Record<string, unknown>;

export interface WidgetSettingsOutputs extends WidgetSettingsRecord {
  onDelete: OnDelete;
  providerVersion?: string;
}

/** Validates `onDelete`; shared with AgentWidgetSettings. */
export function checkOnDelete(v: unknown, failures: CheckFailure[]): unknown {
  if (v === undefined || v === null) return "reset";
  if (isUnknown(v) || (typeof v === "string" && (ON_DELETE as readonly string[]).includes(v))) return v;
  failures.push({ property: "onDelete", reason: `must be one of ${ON_DELETE.join(", ")} (default reset)` });
  return undefined;
}

export async function check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const failures: CheckFailure[] = [...configFailures()];
  const inputs: Props = {};
  for (const f of FIELDS) {
    const v = news[f];
    // Every field is written (create adopts the account and resets what the program leaves out), so the
    // preview shows every field with the value it will get: a field left out shows its default.
    if (v === undefined || v === null) {
      inputs[f] = SETTINGS_FIELDS[f].def;
      continue;
    }
    if (isUnknown(v)) {
      inputs[f] = v;
      continue;
    }
    const r = SETTINGS_FIELDS[f].schema.safeParse(v);
    if (!r.success) failures.push({ property: f, reason: r.error.issues[0]?.message ?? "is invalid" });
    else inputs[f] = SETTINGS_FIELDS[f].ci ? (v as string).toLowerCase() : v;
  }
  for (const k of Object.keys(news)) {
    if (k !== "__provider" && k !== "onDelete" && k !== "providerVersion" && !(FIELDS as string[]).includes(k) && news[k] !== undefined) {
      failures.push({ property: k, reason: `is not a WidgetSettings field (${FIELDS.join(", ")}, onDelete)` });
    }
  }
  inputs.onDelete = checkOnDelete(news.onDelete, failures);
  if (news.providerVersion !== undefined) inputs.providerVersion = news.providerVersion;
  return { inputs: compact(inputs), failures };
}

/** The desired value of a field: the input, or its default when absent. */
function desired(news: Props, f: SettingsField): unknown {
  const v = news[f];
  return v === undefined || v === null ? SETTINGS_FIELDS[f].def : v;
}

function same(f: SettingsField, a: unknown, b: unknown): boolean {
  if (isUnknown(b)) return false;
  const na = a ?? null;
  const nb = b ?? null;
  if (SETTINGS_FIELDS[f].ci && typeof na === "string" && typeof nb === "string") return na.toLowerCase() === nb.toLowerCase();
  return na === nb;
}

/** The properties that differ between state outputs and new inputs. Pure. */
export function changedFields(olds: Props, news: Props): string[] {
  const out: string[] = FIELDS.filter((f) => !same(f, olds[f] ?? SETTINGS_FIELDS[f].def, desired(news, f)));
  if ((olds.onDelete ?? "reset") !== (news.onDelete ?? "reset")) out.push("onDelete");
  if (stubChanged(olds, news)) out.push("__provider");
  return out;
}

export async function diff(_id: string, olds: Props, news: Props) {
  return { changes: changedFields(olds, news).length > 0, replaces: [] as string[], deleteBeforeReplace: false };
}

function patchFor(current: WidgetSettingsRecord, news: Props): WidgetSettingsRecordPatch {
  const patch: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const want = desired(news, f);
    if (!same(f, current[f], want)) patch[f] = want;
  }
  return patch as WidgetSettingsRecordPatch;
}

function outputsFrom(s: WidgetSettingsRecord, inputs: Props): WidgetSettingsOutputs {
  return compact({
    ...s,
    onDelete: ((inputs.onDelete as OnDelete | undefined) ?? "reset") as OnDelete,
    providerVersion: inputs.providerVersion as string | undefined,
  });
}

async function apply(inputs: Props): Promise<WidgetSettingsOutputs> {
  const c = client();
  const current = await c.getWidgetSettings();
  const patch = patchFor(current, inputs);
  const next = Object.keys(patch).length > 0 ? await c.updateWidgetSettings(patch) : current;
  return outputsFrom(next, inputs);
}

/**
 * Per account, the id of the resource a create in this process applied. If the engine then deletes an
 * *older* resource for the same singleton (a rename without an alias is a create followed by a delete),
 * resetting would wipe what was just applied, so delete skips the reset for any other id.
 */
const appliedHere = new Map<string, string>();

export async function create(inputs: Props): Promise<{ id: string; outs: WidgetSettingsOutputs }> {
  const outs = await apply(inputs);
  const id = `${WIDGET_SETTINGS_ID_PREFIX}${randomBytes(4).toString("hex")}`;
  appliedHere.set(client().accountKey, id);
  return { id, outs };
}

export async function read(id: string, props: Props): Promise<{ id: string; props: WidgetSettingsOutputs; inputs: Props }> {
  const s = await client().getWidgetSettings();
  const outs = outputsFrom(s, props);
  const inputs: Props = { onDelete: outs.onDelete, providerVersion: outs.providerVersion };
  for (const f of FIELDS) inputs[f] = s[f];
  return { id, props: outs, inputs: compact(inputs) };
}

export async function update(_id: string, olds: Props, news: Props): Promise<{ outs: WidgetSettingsOutputs }> {
  const current: WidgetSettingsRecord = {
    primaryColor: (olds.primaryColor ?? null) as string | null,
    accentColor: (olds.accentColor ?? null) as string | null,
    logoUrl: (olds.logoUrl ?? null) as string | null,
    launcherPosition: (olds.launcherPosition ?? "br") as WidgetSettingsRecord["launcherPosition"],
    launcherLabel: (olds.launcherLabel ?? null) as string | null,
    privacyNotice: (olds.privacyNotice ?? null) as string | null,
  };
  const patch = patchFor(current, news);
  if (Object.keys(patch).length === 0) return { outs: outputsFrom(current, news) };
  return { outs: outputsFrom(await client().updateWidgetSettings(patch), news) };
}

export async function remove(id: string, props: Props): Promise<void> {
  if (props.onDelete === "retain") return;
  const newer = appliedHere.get(client().accountKey);
  if (newer !== undefined && newer !== id) return;
  const reset: Record<string, null> = {};
  for (const f of FIELDS) reset[f] = null;
  await client().updateWidgetSettings(reset as WidgetSettingsRecordPatch);
}

export { remove as delete };

/** Gives the serialized provider object its methods (see resources/widgetSettings.ts). */
export function attach(provider: object, config?: ConfigSource): void {
  attachTo(provider, config, { check, diff, create, read, update, delete: remove });
}
