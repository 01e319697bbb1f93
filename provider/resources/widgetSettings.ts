/**
 * WidgetSettings: the account's widget branding, shared by every embedded widget of the account. A
 * singleton: declare at most one per account. Type token `pulumi-nodejs:dynamic/kataven:WidgetSettings`.
 *
 * Endpoints (see provider/lifecycle/widgetSettings.ts): create GET then PATCH /api/v1/widget-settings
 * (adopts whatever is stored); read GET; update PATCH of the fields that differ; delete PATCH every field
 * back to its default (`onDelete: "reset"`, the default) or nothing (`"retain"`). Nothing replaces.
 * A field removed from the program goes back to its default on the next update.
 */
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerStub } from "./dynamicResource";
import { packageVersion } from "../config";
import { accountScope, claimUnique, warnIfApiKeyInPlainText } from "./programChecks";
import { connectionInput, type KatavenConnection } from "../connection";
import { withoutImport } from "./importOption";
import { inputPlaceholders } from "../schema/props";
import { widgetSettingsSchema } from "../schema/widgetSettings";

export interface WidgetSettingsArgs {
  /** Main colour, `#RRGGBB` or `#RGB` (compared case-insensitively). Default: none (Kataven's own). */
  primaryColor?: pulumi.Input<string>;
  /** Accent colour, `#RRGGBB` or `#RGB`. Default: none. */
  accentColor?: pulumi.Input<string>;
  /** Absolute `https://` URL of the logo. Default: none. */
  logoUrl?: pulumi.Input<string>;
  /** Launcher corner: `br` (default), `bl`, `tr` or `tl`. */
  launcherPosition?: pulumi.Input<"bl" | "br" | "tl" | "tr">;
  /** Launcher button text, at most 40 characters. Default: none. */
  launcherLabel?: pulumi.Input<string>;
  /** Privacy notice shown before a session, at most 500 characters. Default: none. */
  privacyNotice?: pulumi.Input<string>;
  /**
   * What destroy does: `reset` puts every field back to its default; `retain` leaves them. Default: `reset`,
   * unless the account already held values other than the defaults when this resource was created (another
   * stack or a person may own them; create warns): then `retain`.
   */
  onDelete?: pulumi.Input<"reset" | "retain">;
  /**
   * The Kataven account to manage this in (a KatavenConnection); default: stack config `kataven:*`. Stored
   * as a secret input and output; never in `__provider`. Changing the URL or account id replaces the resource.
   */
  connection?: KatavenConnection;
}

const widgetSettingsStub = providerStub("pulumi-kataven-widget/provider/lifecycle/widgetSettings");

export class WidgetSettings extends DynamicResource {
  /** The stored values (null = default). */
  declare public readonly primaryColor: pulumi.Output<string | null>;
  declare public readonly accentColor: pulumi.Output<string | null>;
  declare public readonly logoUrl: pulumi.Output<string | null>;
  declare public readonly launcherPosition: pulumi.Output<"bl" | "br" | "tl" | "tr">;
  declare public readonly launcherLabel: pulumi.Output<string | null>;
  declare public readonly privacyNotice: pulumi.Output<string | null>;
  declare public readonly onDelete: pulumi.Output<"reset" | "retain">;
  declare public readonly providerVersion: pulumi.Output<string>;

  constructor(name: string, args: WidgetSettingsArgs = {}, opts?: pulumi.CustomResourceOptions) {
    // Create adopts what the account holds, so `import` has nothing to add (see ./importOption.ts).
    ({ opts } = withoutImport(opts));
    warnIfApiKeyInPlainText();
    claimUnique("WidgetSettings", "account", name, undefined, accountScope(args?.connection));
    super(
      "WidgetSettings",
      widgetSettingsStub,
      name,
      {
        ...inputPlaceholders(widgetSettingsSchema),
        ...args,
        providerVersion: packageVersion(),
        connection: connectionInput(args?.connection),
      },
      opts,
    );
  }
}
