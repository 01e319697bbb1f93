/**
 * Account widget branding (the contract's Settings, server/README.md):
 *   GET   /widget-settings   stored settings, or WIDGET_SETTINGS_DEFAULTS when nothing is stored
 *   PATCH /widget-settings   partial: absent = unchanged, null = back to the default
 *   PUT   /widget-settings   undocumented alias: full replace, absent = default
 */
import { Hono, type Context } from "hono";
import { WIDGET_SETTINGS_DEFAULTS, WidgetSettingsPatch, WidgetSettingsWire } from "../../contract/wire";
import type { AppEnv, ServerContext } from "../context";
import { parseBody, readJson } from "../errors";
import type { Store } from "../store";

const FIELDS = WidgetSettingsWire.keyof().options;

export function readWidgetSettings(store: Store, account: string): WidgetSettingsWire {
  const row = store.getWidgetSettings(account);
  if (!row) return { ...WIDGET_SETTINGS_DEFAULTS };
  const out = { ...WIDGET_SETTINGS_DEFAULTS } as Record<string, unknown>;
  for (const f of FIELDS) if (row[f] !== null) out[f] = row[f];
  return out as WidgetSettingsWire;
}

export function widgetSettingsRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/widget-settings", (c) => c.json(readWidgetSettings(ctx.store, c.get("account"))));

  const write = (replace: boolean) => async (c: Context<AppEnv>) => {
    const account = c.get("account");
    const patch = parseBody(WidgetSettingsPatch, await readJson(c));
    const out = await ctx.store.writeTx(() => {
      const current = replace ? { ...WIDGET_SETTINGS_DEFAULTS } : readWidgetSettings(ctx.store, account);
      const next = { ...current } as Record<string, unknown>;
      for (const f of FIELDS) {
        const v = patch[f];
        if (v === undefined) continue;
        next[f] = v === null ? WIDGET_SETTINGS_DEFAULTS[f] : v;
      }
      const settings = next as WidgetSettingsWire;
      ctx.store.putWidgetSettings(account, settings, ctx.nowIso());
      return settings;
    });
    return c.json(out);
  };
  app.patch("/widget-settings", write(false));
  app.put("/widget-settings", write(true));

  return app;
}
