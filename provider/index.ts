/**
 * pulumi-kataven-widget: Pulumi dynamic resources for Kataven's embeddable chat widget.
 *
 * Configure with stack config `kataven:apiKey` (secret), `kataven:apiUrl`, `kataven:accountId`, or the
 * environment variables `KATAVEN_API_KEY`, `KATAVEN_API_URL`, `KATAVEN_ACCOUNT_ID`.
 */
export { WidgetKey, type WidgetKeyArgs } from "./resources/widgetKey";
export { RotatingWidgetKey, type RotatingWidgetKeyArgs } from "./resources/rotatingWidgetKey";
export { WidgetSettings, type WidgetSettingsArgs } from "./resources/widgetSettings";
export { AgentWidgetSettings, type AgentWidgetSettingsArgs } from "./resources/agentWidgetSettings";
export { KatavenConnection, type KatavenConnectionArgs } from "./connection";
export { KatavenError, KatavenApiError, KatavenNetworkError, KatavenConfigError, KatavenResponseError } from "./api/errors";
export {
  getWidgetKeys,
  getWidgetKey,
  getWidgetSettings,
  getAgentWidgetSettings,
  type GetWidgetKeysArgs,
  type WidgetKeyInfo,
  type WidgetSettingsInfo,
  type AgentWidgetSettingsInfo,
} from "./lookups";
