/**
 * WidgetSettings lifecycle: the account's branding singleton (one per account; declare it once per stack).
 *
 * Module path: the `__provider` stub stored in every stack's state requires
 * `pulumi-kataven-widget/provider/lifecycle/widgetSettings` by name, so this file's path and its `attach` export
 * must not change (test/integration/provider/lifecyclePaths.test.ts).
 *
 *   check   no API call: the schema's checks (./checkFields.ts), then each field's wire.ts field schema
 *   diff    no API call: each field with its default applied (colours compared case-insensitively)
 *   create  GET /api/v1/widget-settings (adopt what is there), PATCH the fields that differ
 *   read    GET /api/v1/widget-settings
 *   update  PATCH /api/v1/widget-settings with the fields that differ; a field removed from the program
 *           goes back to its default (null; launcherPosition "br")
 *   delete  onDelete "reset": PATCH every field back to its default; "retain": no call. Default: "reset",
 *           unless create found values someone else had set (then "retain", with a warning): Kataven marks no
 *           owner, and another stack or a person may own the account's branding (effectiveOnDelete)
 * Nothing replaces.
 */
import { randomBytes } from "node:crypto";
import type { WidgetSettingsRecord, WidgetSettingsRecordPatch } from "../api/client";
import {
  color,
  httpsUrl,
  LAUNCHER_POSITIONS,
  launcherLabel,
  launcherPosition,
  privacyNotice,
  WIDGET_SETTINGS_DEFAULTS,
} from "../../contract/wire";
import type { Preview, Props } from "../../contract/engine";
import { widgetSettingsSchema } from "../schema/widgetSettings";
import { checkFields, type FieldRule, type FieldRules, zodRefine } from "./checkFields";
import { attachTo, type CheckFailure, client, compact, configFailures, isUnknown, session, warn } from "./common";
import type { ConfigSource } from "../config";
import { stubChanged } from "./stateCompat";

/** Ids look like `widget-settings-1a2b3c4d`: unique per resource, so a replacement can be told apart. */
export const WIDGET_SETTINGS_ID_PREFIX = "widget-settings-";

export const ON_DELETE = ["reset", "retain"] as const;
export type OnDelete = (typeof ON_DELETE)[number];

export type SettingsField = keyof WidgetSettingsRecord;

type SafeParse<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } };
/** `canon`: the spelling check() stores (colours in lower case; the schemas do not transform). */
type FieldSpec<T> = { schema: SafeParse<T>; def: T; ci: boolean; canon?: (v: T) => T };
const lowerCase = (v: string | null) => v?.toLowerCase() ?? null;

/** Field → (validator, default, case-insensitive compare). */
export const SETTINGS_FIELDS: { readonly [F in SettingsField]: FieldSpec<WidgetSettingsRecord[F]> } = {
  primaryColor: { schema: color, def: WIDGET_SETTINGS_DEFAULTS.primary_color, ci: true, canon: lowerCase },
  accentColor: { schema: color, def: WIDGET_SETTINGS_DEFAULTS.accent_color, ci: true, canon: lowerCase },
  logoUrl: { schema: httpsUrl, def: WIDGET_SETTINGS_DEFAULTS.logo_url, ci: false },
  launcherPosition: { schema: launcherPosition, def: WIDGET_SETTINGS_DEFAULTS.launcher_position, ci: false },
  launcherLabel: { schema: launcherLabel, def: WIDGET_SETTINGS_DEFAULTS.launcher_label, ci: false },
  privacyNotice: { schema: privacyNotice, def: WIDGET_SETTINGS_DEFAULTS.privacy_notice, ci: false },
};
const FIELDS: readonly SettingsField[] = ["primaryColor", "accentColor", "logoUrl", "launcherPosition", "launcherLabel", "privacyNotice"];

/** The settings fields, each possibly unknown at preview. */
type SettingsValues = { [F in SettingsField]?: Preview<WidgetSettingsRecord[F]> };

/** check()'s inputs: a field that failed is left out; at preview a field may be unknown. */
export type WidgetSettingsCheckedInputs = SettingsValues & { onDelete?: Preview<OnDelete>; providerVersion?: unknown };

/** A property bag from the engine (check()'s inputs, or the state's outputs), typed; a value of a type the provider never writes reads as absent. */
export type WidgetSettingsProps = SettingsValues & {
  onDelete?: Preview<OnDelete>;
  adoptedValues?: boolean;
  providerVersion?: string;
  __provider?: string;
};

export interface WidgetSettingsOutputs extends WidgetSettingsRecord {
  onDelete: OnDelete;
  /** create found values other than the defaults (someone else may own them), so onDelete defaults to "retain" */
  adoptedValues?: boolean;
  providerVersion?: string;
}

const isOnDelete = (v: unknown): v is OnDelete => ON_DELETE.some((o) => o === v);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const strOrNull = (v: unknown) => (typeof v === "string" || v === null ? v : undefined);
const preview = <T>(v: unknown, parse: (v: unknown) => T | undefined): Preview<T> | undefined => (isUnknown(v) ? v : parse(v));

/** The one parser of a WidgetSettings property bag. */
export function parseWidgetSettingsProps(p: Props): WidgetSettingsProps {
  return compact({
    primaryColor: preview(p.primaryColor, strOrNull),
    accentColor: preview(p.accentColor, strOrNull),
    logoUrl: preview(p.logoUrl, strOrNull),
    launcherPosition: preview(p.launcherPosition, (v) => LAUNCHER_POSITIONS.find((pos) => pos === v)),
    launcherLabel: preview(p.launcherLabel, strOrNull),
    privacyNotice: preview(p.privacyNotice, strOrNull),
    onDelete: preview(p.onDelete, (v) => (isOnDelete(v) ? v : undefined)),
    adoptedValues: p.adoptedValues === true ? true : undefined,
    providerVersion: str(p.providerVersion),
    __provider: str(p.__provider),
  } satisfies WidgetSettingsProps);
}

/**
 * The onDelete in effect: the program's; else "retain" for a resource whose create adopted values someone
 * else had set (it can't tell whose they are, so destroying it must not wipe them), else "reset".
 * Shared with AgentWidgetSettings.
 */
export function effectiveOnDelete(given: Preview<OnDelete> | undefined, adoptedValues: boolean | undefined): Preview<OnDelete> {
  return given ?? (adoptedValues ? "retain" : "reset");
}

/** Whether the onDelete in effect changes (state outputs hold the one in effect). */
export function onDeleteChanged(
  olds: { onDelete?: Preview<OnDelete>; adoptedValues?: boolean },
  news: { onDelete?: Preview<OnDelete> },
): boolean {
  return (olds.onDelete ?? "reset") !== effectiveOnDelete(news.onDelete, olds.adoptedValues);
}

/** The create-time warning when the account already held values the program did not set. */
export function adoptedValuesWarning(what: string, held: string): string {
  return (
    `${what} already held values other than the defaults (${held}); another stack or a person may own them. ` +
    `This resource takes them over, and on destroy leaves them as they are (onDelete "retain") unless the program sets onDelete: "reset".`
  );
}

/**
 * WidgetSettings' own rules: each field's wire.ts schema (colours, https URL, text) and its canonical spelling;
 * every field left out is filled in with its default, so the preview shows every field with the value it will
 * get (create adopts the account and resets what the program leaves out). onDelete left out stays out: its
 * default depends on what create finds (effectiveOnDelete).
 */
function settingsRule<T>(spec: FieldSpec<T>): FieldRule {
  return { refine: zodRefine(spec.schema, spec.canon), absent: spec.def };
}
const RULES: FieldRules = Object.fromEntries(FIELDS.map((f) => [f, settingsRule<unknown>(SETTINGS_FIELDS[f] as FieldSpec<unknown>)]));

export async function check(_olds: Props, news: Props): Promise<{ inputs: WidgetSettingsCheckedInputs; failures: CheckFailure[] }> {
  const checked = checkFields(widgetSettingsSchema, news, RULES);
  return { inputs: checked.inputs as WidgetSettingsCheckedInputs, failures: [...configFailures(), ...checked.failures] };
}

/** The desired value of a field: the input, or its default when absent. */
function desired<F extends SettingsField>(news: SettingsValues, f: F): Preview<WidgetSettingsRecord[F]> {
  return news[f] ?? SETTINGS_FIELDS[f].def;
}

function same(f: SettingsField, a: unknown, b: unknown): boolean {
  if (isUnknown(b)) return false;
  const na = a ?? null;
  const nb = b ?? null;
  if (SETTINGS_FIELDS[f].ci && typeof na === "string" && typeof nb === "string") return na.toLowerCase() === nb.toLowerCase();
  return na === nb;
}

/** The properties that differ between state outputs and new inputs. Pure. */
export function changedFields(oldProps: Props, newProps: Props): string[] {
  const olds = parseWidgetSettingsProps(oldProps);
  const news = parseWidgetSettingsProps(newProps);
  const out: string[] = FIELDS.filter((f) => !same(f, olds[f] ?? SETTINGS_FIELDS[f].def, desired(news, f)));
  if (onDeleteChanged(olds, news)) out.push("onDelete");
  if (stubChanged(olds, news)) out.push("__provider");
  return out;
}

export async function diff(_id: string, olds: Props, news: Props) {
  const replaces: string[] = []; // nothing replaces
  return { changes: changedFields(olds, news).length > 0, replaces, deleteBeforeReplace: false };
}

/** create and update run with known inputs only; an unknown would be a bug, and reads as the default. */
function known<T>(v: Preview<T> | undefined): T | undefined {
  return isUnknown(v) ? undefined : v;
}

function patchFor(current: WidgetSettingsRecord, news: SettingsValues): WidgetSettingsRecordPatch {
  const patch: WidgetSettingsRecordPatch = {};
  const put = <F extends SettingsField>(f: F) => {
    const want = known<WidgetSettingsRecord[F]>(news[f]) ?? SETTINGS_FIELDS[f].def;
    if (!same(f, current[f], want)) patch[f] = want;
  };
  for (const f of FIELDS) put(f);
  return patch;
}

function outputsFrom(s: WidgetSettingsRecord, inputs: WidgetSettingsProps, adoptedValues: boolean | undefined): WidgetSettingsOutputs {
  return compact({
    ...s,
    onDelete: known(effectiveOnDelete(inputs.onDelete, adoptedValues)) ?? "reset",
    adoptedValues: adoptedValues || undefined,
    providerVersion: inputs.providerVersion,
  } satisfies WidgetSettingsOutputs);
}

/** The fields of `s` that hold something other than their default, as `field=value` for a message. */
function nonDefaults(s: WidgetSettingsRecord): string[] {
  return FIELDS.filter((f) => !same(f, s[f], SETTINGS_FIELDS[f].def)).map((f) => `${f}=${JSON.stringify(s[f])}`);
}

async function apply(inputs: WidgetSettingsProps): Promise<WidgetSettingsOutputs> {
  const c = client();
  const current = await c.getWidgetSettings();
  // Values a create of this process applied (a rename is a create, then a delete) are not someone else's.
  const held = c.account.appliedSettings.has(APPLIED_KEY) ? [] : nonDefaults(current);
  if (held.length > 0) warn(adoptedValuesWarning("The account's widget settings", held.join(", ")));
  const patch = patchFor(current, inputs);
  const next = Object.keys(patch).length > 0 ? await c.updateWidgetSettings(patch) : current;
  return outputsFrom(next, inputs, held.length > 0);
}

/** The account's singleton in AccountState.appliedSettings (../api/session.ts): a rename's delete keeps it. */
const APPLIED_KEY = "widgetSettings";

export async function create(props: Props): Promise<{ id: string; outs: WidgetSettingsOutputs }> {
  const outs = await apply(parseWidgetSettingsProps(props));
  const id = `${WIDGET_SETTINGS_ID_PREFIX}${randomBytes(4).toString("hex")}`;
  session().account.appliedSettings.set(APPLIED_KEY, id);
  return { id, outs };
}

/** The inputs a program would have to hold to match the server (returned by read so refresh leaves no diff). */
export type WidgetSettingsInputs = WidgetSettingsRecord & { onDelete: OnDelete; providerVersion?: string };

export async function read(id: string, props: Props): Promise<{ id: string; props: WidgetSettingsOutputs; inputs: WidgetSettingsInputs }> {
  const state = parseWidgetSettingsProps(props);
  const s = await client().getWidgetSettings();
  const outs = outputsFrom(s, state, state.adoptedValues);
  const inputs = { onDelete: outs.onDelete, providerVersion: outs.providerVersion, ...s } satisfies WidgetSettingsInputs;
  return { id, props: outs, inputs: compact(inputs) };
}

export async function update(_id: string, oldProps: Props, newProps: Props): Promise<{ outs: WidgetSettingsOutputs }> {
  const olds = parseWidgetSettingsProps(oldProps);
  const news = parseWidgetSettingsProps(newProps);
  const current = {
    primaryColor: known(olds.primaryColor) ?? null,
    accentColor: known(olds.accentColor) ?? null,
    logoUrl: known(olds.logoUrl) ?? null,
    launcherPosition: known(olds.launcherPosition) ?? "br",
    launcherLabel: known(olds.launcherLabel) ?? null,
    privacyNotice: known(olds.privacyNotice) ?? null,
  } satisfies WidgetSettingsRecord;
  const patch = patchFor(current, news);
  if (Object.keys(patch).length === 0) return { outs: outputsFrom(current, news, olds.adoptedValues) };
  return { outs: outputsFrom(await client().updateWidgetSettings(patch), news, olds.adoptedValues) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const state = parseWidgetSettingsProps(props);
  if (effectiveOnDelete(state.onDelete, state.adoptedValues) === "retain") return;
  const newer = session().account.appliedSettings.get(APPLIED_KEY);
  if (newer !== undefined && newer !== id) return;
  const reset: WidgetSettingsRecordPatch = {};
  for (const f of FIELDS) reset[f] = null;
  await client().updateWidgetSettings(reset);
}

export { remove as delete };

/** Gives the provider object of the `__provider` stub its methods (see resources/dynamicResource.ts). */
export function attach(provider: object, config?: ConfigSource): void {
  attachTo(provider, config, { check, diff, create, read, update, delete: remove });
}
