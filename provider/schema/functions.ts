/** The lookup functions' arguments and results (native: `kataven:index:<name>`; TypeScript: provider/lookups.ts). */
import type { Fields } from "./types";

const widgetKeyInfo = {
  id: { type: { kind: "string" }, input: true, required: true, description: "The key row id (what `adopt` and `pulumi import` take)." },
  name: { type: { kind: "string" }, input: true, required: true, description: "Display name." },
  keyLast8: { type: { kind: "string" }, input: true, required: true, description: "Last 8 characters of the public key." },
  domainAllowlist: { type: { kind: "stringArray" }, input: true, required: true, description: "The allowlist as stored." },
  agentId: { type: { kind: "string" }, input: true, description: "The agent the key is pinned to, if any." },
  disabled: { type: { kind: "boolean" }, input: true, required: true, description: "Whether the key is disabled." },
  disabledAt: { type: { kind: "string" }, input: true, description: "When it was disabled (ISO 8601)." },
  lastUsedAt: { type: { kind: "string" }, input: true, description: "When it last served a widget call (ISO 8601)." },
  createdAt: { type: { kind: "string" }, input: true, required: true, description: "When it was minted (ISO 8601)." },
} as const satisfies Fields;

export interface FunctionSchema {
  readonly name: string;
  readonly description: string;
  readonly inputs: Fields;
  readonly outputs: Fields;
}

export const functionSchemas = [
  {
    name: "getWidgetKeys",
    description:
      "The account's widget keys (GET /api/v1/widget-keys), filtered; enabled ones only unless `includeDisabled`. Never returns a secret.",
    inputs: {
      name: { type: { kind: "string" }, input: true, description: "Exact display name." },
      agentId: { type: { kind: "string" }, input: true, description: "Only keys pinned to this agent." },
      includeDisabled: { type: { kind: "boolean" }, input: true, description: "Also return disabled keys. Default `false`." },
    },
    outputs: {
      keys: {
        type: { kind: "objectArray", name: "WidgetKeyInfo", fields: widgetKeyInfo },
        input: true,
        required: true,
        description: "The matching keys (a list).",
      },
    },
  },
  {
    name: "getWidgetSettings",
    description: "The account's widget branding (GET /api/v1/widget-settings); null = Kataven's default.",
    inputs: {},
    outputs: {
      primaryColor: { type: { kind: "string" }, input: true, description: "Main colour." },
      accentColor: { type: { kind: "string" }, input: true, description: "Accent colour." },
      logoUrl: { type: { kind: "string" }, input: true, description: "Logo URL." },
      launcherPosition: { type: { kind: "string" }, input: true, required: true, description: "Launcher corner." },
      launcherLabel: { type: { kind: "string" }, input: true, description: "Launcher button text." },
      privacyNotice: { type: { kind: "string" }, input: true, description: "Privacy notice." },
    },
  },
  {
    name: "getAgentWidgetSettings",
    description: "One agent's widget policy (GET /api/v1/agents/{agentId}/widget-settings).",
    inputs: { agentId: { type: { kind: "string" }, input: true, required: true, description: "The agent's id." } },
    outputs: {
      agentId: { type: { kind: "string" }, input: true, required: true, description: "The agent's id." },
      widgetEnabled: {
        type: { kind: "boolean" },
        input: true,
        required: true,
        description: "Whether the widget may start sessions with it.",
      },
      authMode: { type: { kind: "string" }, input: true, required: true, description: "`guest`, `user` or `both`." },
    },
  },
] as const satisfies readonly FunctionSchema[];
