/**
 * The wire bodies in camelCase, as the client hands them to the lifecycles, and the snake_case <-> camelCase
 * conversion (the only place it happens). Named `…Record` so they never collide with the resource classes
 * `WidgetKey`, `WidgetSettings` and `AgentWidgetSettings`.
 */

export interface WidgetKeyRecord {
  id: string;
  name: string;
  keyLast8: string;
  domainAllowlist: string[];
  agentId: string | null;
  disabledAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface CreatedWidgetKeyRecord extends WidgetKeyRecord {
  publicKey: string;
  secretKey: string;
}
export interface CreateWidgetKeyInput {
  name: string;
  domainAllowlist?: string[];
  agentId?: string | null;
}
export interface UpdateWidgetKeyInput {
  name?: string;
  domainAllowlist?: string[];
  agentId?: string | null;
  disabled?: boolean;
}
export interface DeleteWidgetKeyResult {
  id: string;
  outcome: "deleted" | "disabled";
  disabledAt: string | null;
}
export interface WidgetSettingsRecord {
  primaryColor: string | null;
  accentColor: string | null;
  logoUrl: string | null;
  launcherPosition: "bl" | "br" | "tl" | "tr";
  launcherLabel: string | null;
  privacyNotice: string | null;
}
export type WidgetSettingsRecordPatch = { [K in keyof WidgetSettingsRecord]?: WidgetSettingsRecord[K] | null };
export interface AgentWidgetSettingsRecord {
  agentId: string;
  widgetEnabled: boolean;
  authMode: "guest" | "user" | "both";
}
export type AgentWidgetSettingsRecordPatch = Partial<Omit<AgentWidgetSettingsRecord, "agentId">>;

// ---- snake <-> camel (flat objects; the wire bodies are flat) ------------------------------------------

export function toCamel<T>(obj: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out as T;
}
export function toSnake(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  }
  return out;
}
