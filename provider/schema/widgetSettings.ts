/** WidgetSettings' fields: the one description of the resource's shape (see ./types.ts). */
import { PROVIDER_VERSION } from "./common";
import { LAUNCHER_POSITIONS, LIMITS } from "../../contract/wire";
import type { ResourceSchema } from "./types";

const ON_DELETE = ["reset", "retain"] as const;

export const widgetSettingsSchema = {
  name: "WidgetSettings",
  description:
    "The account's widget branding, shared by every embedded widget of the account. A singleton: declare at most one per account. " +
    "Create adopts whatever the account holds; a field removed from the program goes back to its default. Nothing replaces.",
  fields: {
    primaryColor: {
      type: { kind: "string" },
      input: true,
      nullable: true,
      example: '"#2563eb"',
      description: "Main colour, `#RRGGBB` or `#RGB` (compared case-insensitively). Default: none (Kataven's own).",
    },
    accentColor: {
      type: { kind: "string" },
      input: true,
      nullable: true,
      example: '"#fff"',
      description: "Accent colour, `#RRGGBB` or `#RGB`. Default: none.",
    },
    logoUrl: {
      type: { kind: "string" },
      input: true,
      nullable: true,
      limits: { maxLength: LIMITS.logoUrlMax },
      example: '"https://acme.com/logo.svg"',
      description: "Absolute `https://` URL of the logo. Default: none.",
    },
    launcherPosition: {
      type: { kind: "string", enum: LAUNCHER_POSITIONS },
      input: true,
      alwaysSet: true,
      default: "br",
      description: "Launcher corner: `br` (default), `bl`, `tr` or `tl`.",
    },
    launcherLabel: {
      type: { kind: "string" },
      input: true,
      nullable: true,
      limits: { maxLength: LIMITS.launcherLabelMax },
      example: '"Talk to us"',
      description: `Launcher button text, at most ${LIMITS.launcherLabelMax} characters. Default: none.`,
    },
    privacyNotice: {
      type: { kind: "string" },
      input: true,
      nullable: true,
      limits: { maxLength: LIMITS.privacyNoticeMax },
      description: `Privacy notice shown before a session, at most ${LIMITS.privacyNoticeMax} characters. Default: none.`,
    },
    onDelete: {
      type: { kind: "string", enum: ON_DELETE },
      input: true,
      alwaysSet: true,
      description:
        "What destroy does: `reset` puts every field back to its default; `retain` leaves them. Default: `reset`, unless the account already held values other than the defaults when this resource was created (another stack or a person may own them; create warns): then `retain`.",
    },
    adoptedValues: {
      type: { kind: "boolean" },
      input: false,
      stateOnly: true,
      description:
        "True when create found values other than the defaults (another stack or a person may own them): `onDelete` then defaults to `retain`.",
    },
    providerVersion: PROVIDER_VERSION,
  },
} as const satisfies ResourceSchema;
