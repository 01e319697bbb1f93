/**
 * AgentWidgetSettings: one agent's widget policy: whether the widget may start sessions with it, and for
 * whom (`guest` visitors, identified `user`s, or `both`). Type token
 * `pulumi-nodejs:dynamic/kataven:AgentWidgetSettings`.
 *
 * Endpoints (see provider/lifecycle/agentWidgetSettings.ts): create GET then PATCH
 * /api/v1/agents/{agentId}/widget-settings (adopts what is stored); read GET; update PATCH of what differs;
 * delete PATCH back to the defaults (`onDelete: "reset"`, the default) or nothing (`"retain"`).
 * Replacing field: `agentId`. A field removed from the program goes back to its default.
 */
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerStub } from "./dynamicResource";
import { packageVersion } from "../config";
import { accountScope, claimUnique, warnIfApiKeyInPlainText } from "./programChecks";
import { connectionInput, type KatavenConnection } from "../connection";
import { withoutImport } from "./importOption";
import { inputPlaceholders } from "../schema/props";
import { agentWidgetSettingsSchema } from "../schema/agentWidgetSettings";

export interface AgentWidgetSettingsArgs {
  /** The agent's id (opaque, at most 200 characters). Changing it replaces the resource. */
  agentId: pulumi.Input<string>;
  /** Whether the widget may start sessions with this agent. Default `false`. */
  widgetEnabled?: pulumi.Input<boolean>;
  /** Who may start them: `guest` (default), `user` (via your backend's user token) or `both`. */
  authMode?: pulumi.Input<"guest" | "user" | "both">;
  /**
   * What destroy does: `reset` restores `{widgetEnabled: false, authMode: "guest"}`; `retain` leaves it.
   * Default: `reset`, unless the agent already had another policy when this resource was created (another
   * stack or a person may own it; create warns): then `retain`.
   */
  onDelete?: pulumi.Input<"reset" | "retain">;
  /**
   * The Kataven account to manage this in (a KatavenConnection); default: stack config `kataven:*`. Stored
   * as a secret input and output; never in `__provider`. Changing the URL or account id replaces the resource.
   */
  connection?: KatavenConnection;
}

const agentWidgetSettingsStub = providerStub("pulumi-kataven-widget/provider/lifecycle/agentWidgetSettings");

export class AgentWidgetSettings extends DynamicResource {
  declare public readonly agentId: pulumi.Output<string>;
  declare public readonly widgetEnabled: pulumi.Output<boolean>;
  declare public readonly authMode: pulumi.Output<"guest" | "user" | "both">;
  declare public readonly onDelete: pulumi.Output<"reset" | "retain">;
  declare public readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: AgentWidgetSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    // Create adopts what the account holds, so `import` has nothing to add (see ./importOption.ts).
    ({ opts } = withoutImport(opts));
    warnIfApiKeyInPlainText();
    const agentId = claimUnique("AgentWidgetSettings", args?.agentId, name, undefined, accountScope(args?.connection));
    super(
      "AgentWidgetSettings",
      agentWidgetSettingsStub,
      name,
      {
        ...inputPlaceholders(agentWidgetSettingsSchema),
        ...args,
        agentId,
        providerVersion: packageVersion(),
        connection: connectionInput(args?.connection),
      },
      opts,
    );
  }
}
