/**
 * The native resources: each type token's lifecycle module (provider/lifecycle/*, the same code the dynamic
 * provider runs) and its diff in the form the engine takes from a native provider: the changed properties,
 * the replacing ones, and a detailed diff (per element for `domainAllowlist`).
 */
import * as agentWidgetSettings from "../lifecycle/agentWidgetSettings";
import * as widgetKey from "../lifecycle/widgetKey";
import * as widgetSettings from "../lifecycle/widgetSettings";
import { agentWidgetSettingsSchema } from "../schema/agentWidgetSettings";
import { typeToken } from "../schema/package";
import type { ResourceSchema } from "../schema/types";
import { widgetKeySchema } from "../schema/widgetKey";
import { widgetSettingsSchema } from "../schema/widgetSettings";
import type { Props } from "./values";

/** PropertyDiff.Kind (pulumi/provider.proto). */
export const Kind = { ADD: 0, ADD_REPLACE: 1, DELETE: 2, DELETE_REPLACE: 3, UPDATE: 4, UPDATE_REPLACE: 5 } as const;

export interface NativeDiff {
  changed: string[];
  replaces: string[];
  /** Property path → Kind. */
  detailed: Record<string, number>;
}

type Method<A extends unknown[]> = (...args: A) => Promise<unknown>;

export interface NativeResource {
  schema: ResourceSchema;
  check: Method<[Props, Props]>;
  create: Method<[Props]>;
  read: Method<[string, Props]>;
  update: Method<[string, Props, Props]>;
  delete: Method<[string, Props]>;
  diff(olds: Props, news: Props): NativeDiff;
}

const present = (v: unknown) => v !== undefined && v !== null;

/** The detailed diff of whole properties: added, deleted or updated, replacing or not. */
export function detailedOf(changed: string[], replaces: string[], olds: Props, news: Props): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of changed) {
    const r = replaces.includes(k);
    if (!present(olds[k])) out[k] = r ? Kind.ADD_REPLACE : Kind.ADD;
    else if (!present(news[k])) out[k] = r ? Kind.DELETE_REPLACE : Kind.DELETE;
    else out[k] = r ? Kind.UPDATE_REPLACE : Kind.UPDATE;
  }
  return out;
}

/** `__provider` belongs to the dynamic provider's stub only. */
const own = (keys: string[]) => keys.filter((k) => k !== "__provider");

function widgetKeyDiff(olds: Props, news: Props): NativeDiff {
  const d = widgetKey.diffWidgetKey(olds, news);
  const changed = own(d.changed);
  const detailed = detailedOf(
    changed.filter((k) => k !== "domainAllowlist"),
    d.replaces,
    olds,
    news,
  );
  if (changed.includes("domainAllowlist")) {
    // One entry per origin added or removed (a set compare: order and spelling never count), so the
    // preview names exactly the origins that change.
    const oldList = Array.isArray(olds.domainAllowlist) ? olds.domainAllowlist : [];
    const newList = Array.isArray(news.domainAllowlist) ? news.domainAllowlist : [];
    const perElement: Record<string, number> = {};
    for (const e of d.allowlistRemoved) {
      const i = oldList.indexOf(e);
      if (i >= 0) perElement[`domainAllowlist[${i}]`] = Kind.DELETE;
    }
    for (const e of d.allowlistAdded) {
      const i = newList.indexOf(e);
      if (i < 0) continue;
      const path = `domainAllowlist[${i}]`;
      perElement[path] = path in perElement ? Kind.UPDATE : Kind.ADD;
    }
    if (Object.keys(perElement).length === 0) perElement.domainAllowlist = Kind.UPDATE; // e.g. an unknown list at preview
    Object.assign(detailed, perElement);
  }
  return { changed, replaces: d.replaces, detailed };
}

function settingsDiff(olds: Props, news: Props): NativeDiff {
  const changed = own(widgetSettings.changedFields(olds, news));
  return { changed, replaces: [], detailed: detailedOf(changed, [], olds, news) };
}

function agentSettingsDiff(olds: Props, news: Props): NativeDiff {
  const d = agentWidgetSettings.diffAgentSettings(olds, news);
  const changed = own(d.changed);
  return { changed, replaces: d.replaces, detailed: detailedOf(changed, d.replaces, olds, news) };
}

export const nativeResources: Record<string, NativeResource> = {
  [typeToken(widgetKeySchema.name)]: { schema: widgetKeySchema, ...widgetKey, delete: widgetKey.remove, diff: widgetKeyDiff },
  [typeToken(widgetSettingsSchema.name)]: {
    schema: widgetSettingsSchema,
    ...widgetSettings,
    delete: widgetSettings.remove,
    diff: settingsDiff,
  },
  [typeToken(agentWidgetSettingsSchema.name)]: {
    schema: agentWidgetSettingsSchema,
    ...agentWidgetSettings,
    delete: agentWidgetSettings.remove,
    diff: agentSettingsDiff,
  },
};

/** The outputs a resource always marks secret (`secretKey`). */
export function secretOutputs(r: NativeResource): string[] {
  return Object.entries(r.schema.fields)
    .filter(([, f]) => f.secret)
    .map(([k]) => k);
}
