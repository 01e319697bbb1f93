/**
 * Per-agent widget policy (the contract's Settings, server/README.md):
 *   GET   /agents/{agentId}/widget-settings   a missing row reads {widget_enabled: false, auth_mode: "guest"}
 *   PATCH /agents/{agentId}/widget-settings   partial; a body agent_id that differs from the path is a 400
 * The agent must exist in the caller's account; otherwise (another account's agent included) 404.
 */
import { Hono } from "hono";
import { AGENT_WIDGET_SETTINGS_DEFAULT, AgentWidgetSettingsPatch, type AgentWidgetSettingsWire } from "../../contract/wire";
import type { AppEnv, ServerContext } from "../context";
import { HttpError, parseBody, readJson } from "../errors";
import type { Store } from "../store";

export function readAgentSettings(store: Store, account: string, agentId: string): AgentWidgetSettingsWire {
  const row = store.getAgentSettings(account, agentId);
  return {
    agent_id: agentId,
    widget_enabled: row?.widget_enabled ?? AGENT_WIDGET_SETTINGS_DEFAULT.widget_enabled,
    auth_mode: (row?.auth_mode ?? AGENT_WIDGET_SETTINGS_DEFAULT.auth_mode) as AgentWidgetSettingsWire["auth_mode"],
  };
}

export function agentWidgetSettingsRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const agentOf = (account: string, agentId: string): string => {
    if (!ctx.store.hasAgent(account, agentId)) throw new HttpError(404, "not_found", `agent "${agentId}" not found`);
    return agentId;
  };

  app.get("/agents/:agentId/widget-settings", (c) => {
    const account = c.get("account");
    return c.json(readAgentSettings(ctx.store, account, agentOf(account, c.req.param("agentId"))));
  });

  app.patch("/agents/:agentId/widget-settings", async (c) => {
    const account = c.get("account");
    const agentId = agentOf(account, c.req.param("agentId"));
    const patch = parseBody(AgentWidgetSettingsPatch, await readJson(c));
    if (patch.agent_id !== undefined && patch.agent_id !== agentId) {
      throw new HttpError(
        400,
        "agent_id_mismatch",
        `agent_id "${patch.agent_id}" in the body differs from "${agentId}" in the path; omit it or make them equal`,
      );
    }
    const out = await ctx.store.writeTx(() => {
      const current = readAgentSettings(ctx.store, account, agentId);
      const next: AgentWidgetSettingsWire = {
        agent_id: agentId,
        widget_enabled: patch.widget_enabled ?? current.widget_enabled,
        auth_mode: patch.auth_mode ?? current.auth_mode,
      };
      ctx.store.putAgentSettings(account, agentId, next, ctx.nowIso());
      return next;
    });
    return c.json(out);
  });

  return app;
}
