/** AgentWidgetSettings' fields: the one description of the resource's shape (see ./types.ts). */
import { PROVIDER_VERSION } from "./common";
import { AUTH_MODES, LIMITS } from "../../contract/wire";
import type { ResourceSchema } from "./types";

export const agentWidgetSettingsSchema = {
  name: "AgentWidgetSettings",
  description:
    "One agent's widget policy: whether the widget may start sessions with it, and for whom (`guest` visitors, identified `user`s, or `both`). " +
    "Create adopts what is stored; a field removed from the program goes back to its default. Changing `agentId` replaces it.",
  fields: {
    agentId: {
      type: { kind: "string" },
      input: true,
      required: true,
      replaces: true,
      limits: { maxLength: LIMITS.idMax },
      example: '"agent-a"',
      description: `The agent's id (opaque, at most ${LIMITS.idMax} characters). Changing it replaces the resource.`,
    },
    widgetEnabled: {
      type: { kind: "boolean" },
      input: true,
      alwaysSet: true,
      default: false,
      description: "Whether the widget may start sessions with this agent. Default `false`.",
    },
    authMode: {
      type: { kind: "string", enum: AUTH_MODES },
      input: true,
      alwaysSet: true,
      default: "guest",
      description: "Who may start them: `guest` (default), `user` (via your backend's user token) or `both`.",
    },
    onDelete: {
      type: { kind: "string", enum: ["reset", "retain"] },
      input: true,
      alwaysSet: true,
      description:
        'What destroy does: `reset` restores `{widgetEnabled: false, authMode: "guest"}`; `retain` leaves it. Default: `reset`, unless the agent ' +
        "already had another policy when this resource was created (another stack or a person may own it; create warns): then `retain`.",
    },
    adoptedValues: {
      type: { kind: "boolean" },
      input: false,
      stateOnly: true,
      description:
        "True when create found a policy other than the defaults (another stack or a person may own it): `onDelete` then defaults to `retain`.",
    },
    providerVersion: PROVIDER_VERSION,
  },
} as const satisfies ResourceSchema;
