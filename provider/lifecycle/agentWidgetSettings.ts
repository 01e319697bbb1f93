/**
 * AgentWidgetSettings lifecycle: one agent's widget policy (who may start a widget session).
 *
 * Module path: the `__provider` stub stored in every stack's state requires
 * `pulumi-kataven-widget/provider/lifecycle/agentWidgetSettings` by name, so this file's path and its `attach` export
 * must not change (test/integration/provider/lifecyclePaths.test.ts).
 *
 *   check   no API call: the schema's checks (./checkFields.ts), the agent id by its wire.ts schema
 *   diff    no API call: `agentId` replaces; other fields compared with their defaults applied
 *   create  GET /api/v1/agents/{agentId}/widget-settings (adopt what is there), PATCH what differs
 *   read    GET /api/v1/agents/{agentId}/widget-settings; an agent deleted out of band drops the resource
 *   update  PATCH with what differs; a field removed from the program goes back to its default
 *           (widgetEnabled false, authMode "guest": the contract's Settings)
 *   delete  onDelete "reset": PATCH the defaults back; "retain": no call; 404 (agent gone) = done. Default:
 *           "reset", unless create found a policy someone else had set ("retain", see widgetSettings.ts)
 */
import { randomBytes } from "node:crypto";
import type { AgentWidgetSettingsRecord, AgentWidgetSettingsRecordPatch } from "../api/client";
import { KatavenApiError } from "../api/errors";
import { AGENT_WIDGET_SETTINGS_DEFAULT, AgentWidgetSettingsPatch, AUTH_MODES } from "../../contract/wire";
import type { Preview, Props } from "../../contract/engine";
import { agentWidgetSettingsSchema } from "../schema/agentWidgetSettings";
import { checkFields, type FieldRules, zodRefine } from "./checkFields";
import { attachTo, type CheckFailure, client, compact, configFailures, isUnknown, warn } from "./common";
import type { ConfigSource } from "../config";
import { agentIdOf, stubChanged } from "./stateCompat";
import { adoptedValuesWarning, effectiveOnDelete, ON_DELETE, onDeleteChanged, type OnDelete } from "./widgetSettings";

type AuthMode = AgentWidgetSettingsRecord["authMode"];

/** check()'s inputs: a field that failed is left out; at preview a field may be unknown. */
export type AgentWidgetSettingsCheckedInputs = {
  agentId?: Preview<string>;
  widgetEnabled?: Preview<boolean>;
  authMode?: Preview<AuthMode>;
  onDelete?: Preview<OnDelete>;
  providerVersion?: unknown;
};

/** A property bag from the engine (check()'s inputs, or the state's outputs), typed; a value of a type the provider never writes reads as absent. */
export type AgentWidgetSettingsProps = Omit<AgentWidgetSettingsCheckedInputs, "providerVersion"> & {
  adoptedValues?: boolean;
  providerVersion?: string;
  __provider?: string;
};

/** The inputs a program would have to hold to match the server (returned by read so refresh leaves no diff). */
export type AgentWidgetSettingsInputs = AgentWidgetSettingsRecord & { onDelete: OnDelete; providerVersion?: string };

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const preview = <T>(v: unknown, parse: (v: unknown) => T | undefined): Preview<T> | undefined => (isUnknown(v) ? v : parse(v));
const known = <T>(v: Preview<T> | undefined): T | undefined => (isUnknown(v) ? undefined : v);

/** The one parser of an AgentWidgetSettings property bag. */
export function parseAgentWidgetSettingsProps(p: Props): AgentWidgetSettingsProps {
  return compact({
    agentId: preview(p.agentId, str),
    widgetEnabled: preview(p.widgetEnabled, (v) => (typeof v === "boolean" ? v : undefined)),
    authMode: preview(p.authMode, (v) => AUTH_MODES.find((m) => m === v)),
    onDelete: preview(p.onDelete, (v) => ON_DELETE.find((o) => o === v)),
    adoptedValues: p.adoptedValues === true ? true : undefined,
    providerVersion: str(p.providerVersion),
    __provider: str(p.__provider),
  } satisfies AgentWidgetSettingsProps);
}

export interface AgentWidgetSettingsOutputs extends AgentWidgetSettingsRecord {
  onDelete: OnDelete;
  /** create found a policy other than the defaults (someone else may own it), so onDelete defaults to "retain" */
  adoptedValues?: boolean;
  providerVersion?: string;
}

const DEFAULTS = { widgetEnabled: AGENT_WIDGET_SETTINGS_DEFAULT.widget_enabled, authMode: AGENT_WIDGET_SETTINGS_DEFAULT.auth_mode };
/** AgentWidgetSettings' own rule: the agent id by the wire.ts schema; fields left out stay out (diff applies the defaults). */
const RULES: FieldRules = {
  // The schema does not transform: the program's value.
  agentId: { refine: zodRefine(AgentWidgetSettingsPatch.shape.agent_id) },
};

export async function check(_olds: Props, news: Props): Promise<{ inputs: AgentWidgetSettingsCheckedInputs; failures: CheckFailure[] }> {
  const checked = checkFields(agentWidgetSettingsSchema, news, RULES);
  return { inputs: checked.inputs as AgentWidgetSettingsCheckedInputs, failures: [...configFailures(), ...checked.failures] };
}

function desired(news: AgentWidgetSettingsProps) {
  return {
    widgetEnabled: news.widgetEnabled ?? DEFAULTS.widgetEnabled,
    authMode: news.authMode ?? DEFAULTS.authMode,
  };
}

export interface AgentSettingsDiff {
  changes: boolean;
  replaces: string[];
  changed: string[];
}

/** Pure comparison of state outputs with new inputs. */
export function diffAgentSettings(oldProps: Props, newProps: Props): AgentSettingsDiff {
  const olds = parseAgentWidgetSettingsProps(oldProps);
  const news = parseAgentWidgetSettingsProps(newProps);
  const want = desired(news);
  const changed: string[] = [];
  const replaces: string[] = [];
  if (olds.agentId !== news.agentId || isUnknown(news.agentId)) replaces.push("agentId");
  if ((olds.widgetEnabled ?? DEFAULTS.widgetEnabled) !== want.widgetEnabled || isUnknown(news.widgetEnabled)) changed.push("widgetEnabled");
  if ((olds.authMode ?? DEFAULTS.authMode) !== want.authMode || isUnknown(news.authMode)) changed.push("authMode");
  if (onDeleteChanged(olds, news)) changed.push("onDelete");
  if (stubChanged(olds, news)) changed.push("__provider");
  const all = [...replaces, ...changed];
  return { changes: all.length > 0, replaces, changed: all };
}

export async function diff(_id: string, olds: Props, news: Props) {
  const d = diffAgentSettings(olds, news);
  return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
}

function patchFor(
  current: Pick<AgentWidgetSettingsRecord, "widgetEnabled" | "authMode">,
  news: AgentWidgetSettingsProps,
): AgentWidgetSettingsRecordPatch {
  const want = { widgetEnabled: known(news.widgetEnabled) ?? DEFAULTS.widgetEnabled, authMode: known(news.authMode) ?? DEFAULTS.authMode };
  const patch: AgentWidgetSettingsRecordPatch = {};
  if (current.widgetEnabled !== want.widgetEnabled) patch.widgetEnabled = want.widgetEnabled;
  if (current.authMode !== want.authMode) patch.authMode = want.authMode;
  return patch;
}

function outputsFrom(
  s: AgentWidgetSettingsRecord,
  inputs: AgentWidgetSettingsProps,
  adoptedValues: boolean | undefined,
): AgentWidgetSettingsOutputs {
  return compact({
    agentId: s.agentId,
    widgetEnabled: s.widgetEnabled,
    authMode: s.authMode,
    onDelete: known(effectiveOnDelete(inputs.onDelete, adoptedValues)) ?? "reset",
    adoptedValues: adoptedValues || undefined,
    providerVersion: inputs.providerVersion,
  } satisfies AgentWidgetSettingsOutputs);
}

export async function create(props: Props): Promise<{ id: string; outs: AgentWidgetSettingsOutputs }> {
  const inputs = parseAgentWidgetSettingsProps(props);
  const c = client();
  const agentId = known(inputs.agentId) ?? "";
  const current = await c.getAgentWidgetSettings(agentId);
  // A policy a create of this process applied (a replacement is a create, then a delete) is not someone else's.
  const held =
    !c.account.appliedSettings.has(appliedKey(agentId)) &&
    (current.widgetEnabled !== DEFAULTS.widgetEnabled || current.authMode !== DEFAULTS.authMode);
  if (held)
    warn(
      adoptedValuesWarning(
        `Agent "${agentId}"'s widget settings`,
        `widgetEnabled=${current.widgetEnabled}, authMode="${current.authMode}"`,
      ),
    );
  const patch = patchFor(current, inputs);
  const next = Object.keys(patch).length > 0 ? await c.updateAgentWidgetSettings(agentId, patch) : current;
  // The id names the agent plus a suffix unique to this resource, so a replacement can be told apart.
  const id = `${agentId}~${randomBytes(4).toString("hex")}`;
  c.account.appliedSettings.set(appliedKey(agentId), id);
  return { id, outs: outputsFrom(next, inputs, held) };
}

/** The agent's entry in AccountState.appliedSettings (../api/session.ts): a replacement's delete keeps the new policy. */
const appliedKey = (agentId: string) => `agent:${agentId}`;

export async function read(
  id: string,
  props: Props,
): Promise<{ id: string; props?: AgentWidgetSettingsOutputs; inputs?: AgentWidgetSettingsInputs }> {
  const state = parseAgentWidgetSettingsProps(props);
  const agentId = agentIdOf(id, known(state.agentId));
  let s: AgentWidgetSettingsRecord;
  try {
    s = await client().getAgentWidgetSettings(agentId);
  } catch (err) {
    if (err instanceof KatavenApiError && err.status === 404) {
      warn(`agent "${agentId}" no longer exists in Kataven, so its widget settings are dropped from the stack.`);
      return { id: "" };
    }
    throw err;
  }
  const outs = outputsFrom(s, state, state.adoptedValues);
  const inputs = {
    agentId: s.agentId,
    widgetEnabled: s.widgetEnabled,
    authMode: s.authMode,
    onDelete: outs.onDelete,
    providerVersion: outs.providerVersion,
  } satisfies AgentWidgetSettingsInputs;
  return { id, props: outs, inputs: compact(inputs) };
}

export async function update(_id: string, oldProps: Props, newProps: Props): Promise<{ outs: AgentWidgetSettingsOutputs }> {
  const olds = parseAgentWidgetSettingsProps(oldProps);
  const news = parseAgentWidgetSettingsProps(newProps);
  const agentId = known(news.agentId) ?? "";
  const current = {
    agentId,
    widgetEnabled: known(olds.widgetEnabled) ?? DEFAULTS.widgetEnabled,
    authMode: known(olds.authMode) ?? DEFAULTS.authMode,
  } satisfies AgentWidgetSettingsRecord;
  const patch = patchFor(current, news);
  if (Object.keys(patch).length === 0) return { outs: outputsFrom(current, news, olds.adoptedValues) };
  return { outs: outputsFrom(await client().updateAgentWidgetSettings(agentId, patch), news, olds.adoptedValues) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const state = parseAgentWidgetSettingsProps(props);
  if (effectiveOnDelete(state.onDelete, state.adoptedValues) === "retain") return;
  const agentId = agentIdOf(id, known(state.agentId));
  const newer = client().account.appliedSettings.get(appliedKey(agentId));
  if (newer !== undefined && newer !== id) return;
  try {
    await client().updateAgentWidgetSettings(agentId, { widgetEnabled: DEFAULTS.widgetEnabled, authMode: DEFAULTS.authMode });
  } catch (err) {
    if (err instanceof KatavenApiError && err.status === 404) return;
    throw err;
  }
}

export { remove as delete };

/** Gives the provider object of the `__provider` stub its methods (see resources/dynamicResource.ts). */
export function attach(provider: object, config?: ConfigSource): void {
  attachTo(provider, config, { check, diff, create, read, update, delete: remove });
}
