/** The account's widget branding and each agent's widget policy. */
import type { Row } from "./base";
import { WidgetKeysStore } from "./widgetKeys";

export interface WidgetSettingsRow {
  primary_color: string | null;
  accent_color: string | null;
  logo_url: string | null;
  launcher_position: string | null;
  launcher_label: string | null;
  privacy_notice: string | null;
}

export interface AgentSettingsRow {
  widget_enabled: boolean;
  auth_mode: string;
}

export class SettingsStore extends WidgetKeysStore {
  getWidgetSettings(accountId: string): WidgetSettingsRow | undefined {
    const r = this.stmt(
      "SELECT primary_color, accent_color, logo_url, launcher_position, launcher_label, privacy_notice FROM widget_settings WHERE account_id = ?",
    ).get(accountId) as Row | undefined;
    return r && ({ ...r } as unknown as WidgetSettingsRow);
  }

  putWidgetSettings(accountId: string, s: WidgetSettingsRow, now: string): void {
    this.stmt(
      `INSERT INTO widget_settings (account_id, primary_color, accent_color, logo_url, launcher_position, launcher_label, privacy_notice, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(account_id) DO UPDATE SET primary_color = excluded.primary_color, accent_color = excluded.accent_color,
           logo_url = excluded.logo_url, launcher_position = excluded.launcher_position, launcher_label = excluded.launcher_label,
           privacy_notice = excluded.privacy_notice, updated_at = excluded.updated_at`,
    ).run(accountId, s.primary_color, s.accent_color, s.logo_url, s.launcher_position, s.launcher_label, s.privacy_notice, now);
  }

  getAgentSettings(accountId: string, agentId: string): AgentSettingsRow | undefined {
    const r = this.stmt("SELECT widget_enabled, auth_mode FROM agent_widget_settings WHERE account_id = ? AND agent_id = ?").get(
      accountId,
      agentId,
    ) as Row | undefined;
    return r && { widget_enabled: Number(r.widget_enabled) === 1, auth_mode: String(r.auth_mode) };
  }

  putAgentSettings(accountId: string, agentId: string, s: AgentSettingsRow, now: string): void {
    this.stmt(
      `INSERT INTO agent_widget_settings (account_id, agent_id, widget_enabled, auth_mode, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id, agent_id) DO UPDATE SET widget_enabled = excluded.widget_enabled, auth_mode = excluded.auth_mode,
           updated_at = excluded.updated_at`,
    ).run(accountId, agentId, s.widget_enabled ? 1 : 0, s.auth_mode, now);
  }
}
