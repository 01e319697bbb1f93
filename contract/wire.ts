/**
 * The wire contract (server/README.md, "The contract in brief"): one zod schema per JSON body, snake_case as on the wire.
 * The local server validates requests with these and the REST client parses responses with them, so the
 * two cannot drift apart. Field limits live here once and are reused by the resources' check().
 */
import { z } from "zod";

/** Limits chosen by the project where the contract is silent (recorded in server/README.md). */
export const LIMITS = {
  keyNameMax: 200,
  allowlistMax: 100,
  launcherLabelMax: 40,
  privacyNoticeMax: 500,
  idMax: 200,
  /** logo_url is served on every /widget/config call: keep it a URL, not a payload */
  logoUrlMax: 2048,
  displayNameMax: 200,
  /** RFC 5321 path limit */
  emailMax: 254,
  /** pk_live_ + a 63-character slug + _ + up to 128 random characters */
  clientKeyMax: 200,
  /** user_token and refresh_token: this server's JWTs are well under 2 KB */
  tokenMax: 4096,
} as const;

const atMost = (n: number) => ({ error: `must be at most ${n} characters` });

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * A JSON string may hold an unpaired surrogate ("\ud800"), which is no character at all: SQLite would
 * store it as U+FFFD. Text fields refuse it, naming the field.
 */
const text = () =>
  z.string({ error: "must be a string" }).refine((v) => !LONE_SURROGATE_RE.test(v), {
    error: "holds an unpaired surrogate (a lone \\uD800–\\uDFFF escape), which is not text; send valid Unicode",
  });

export const LAUNCHER_POSITIONS = ["bl", "br", "tl", "tr"] as const;
export const AUTH_MODES = ["guest", "user", "both"] as const;

const COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

const keyName = text()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(LIMITS.keyNameMax, { error: `must be at most ${LIMITS.keyNameMax} characters` });
const agentId = text()
  .min(1, { error: "must not be empty" })
  .max(LIMITS.idMax, { error: `must be at most ${LIMITS.idMax} characters` });
const allowlist = z
  .array(z.string({ error: "must be a string" }), { error: "must be an array of origins" })
  .max(LIMITS.allowlistMax, { error: `must hold at most ${LIMITS.allowlistMax} entries` });
const timestamp = z.string();

export const color = z.string({ error: "must be a string" }).regex(COLOR_RE, { error: "must be a hex colour such as #2563eb or #fff" });
export const httpsUrl = z
  .string({ error: "must be a string" })
  .max(LIMITS.logoUrlMax, atMost(LIMITS.logoUrlMax))
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === "https:" && u.hostname !== "" && u.username === "" && u.password === "";
      } catch {
        return false;
      }
    },
    { error: "must be an absolute https:// URL such as https://acme.com/logo.svg" },
  );
export const launcherPosition = z.enum(LAUNCHER_POSITIONS, { error: `must be one of ${LAUNCHER_POSITIONS.join(", ")}` });
export const launcherLabel = text().max(LIMITS.launcherLabelMax, { error: `must be at most ${LIMITS.launcherLabelMax} characters` });
export const privacyNotice = text().max(LIMITS.privacyNoticeMax, { error: `must be at most ${LIMITS.privacyNoticeMax} characters` });
export const authMode = z.enum(AUTH_MODES, { error: `must be one of ${AUTH_MODES.join(", ")}` });

// ---- widget keys ---------------------------------------------------------------------------------------

/** `data.WidgetKey`: a list item. Never holds key material beyond the last 8 characters. */
export const WidgetKeyWire = z.object({
  id: z.string(),
  name: z.string(),
  key_last8: z.string(),
  domain_allowlist: z.array(z.string()),
  agent_id: z.string().nullable(),
  disabled_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type WidgetKeyWire = z.infer<typeof WidgetKeyWire>;

/** `data.CreatedWidgetKey`: the 201 body of create, the only place the key pair is ever shown. */
export const CreatedWidgetKeyWire = WidgetKeyWire.extend({
  public_key: z.string().startsWith("pk_live_"),
  secret_key: z.string().startsWith("sk_live_"),
});
export type CreatedWidgetKeyWire = z.infer<typeof CreatedWidgetKeyWire>;

export const WidgetKeyListWire = z.array(WidgetKeyWire);

export const CreateWidgetKeyRequest = z.object({
  name: keyName,
  domain_allowlist: allowlist.optional(),
  agent_id: agentId.nullable().optional(),
});
export type CreateWidgetKeyRequest = z.infer<typeof CreateWidgetKeyRequest>;

export const UpdateWidgetKeyRequest = z.object({
  name: keyName.optional(),
  domain_allowlist: allowlist.optional(),
  agent_id: agentId.nullable().optional(),
  disabled: z.boolean({ error: "must be true or false" }).optional(),
});
export type UpdateWidgetKeyRequest = z.infer<typeof UpdateWidgetKeyRequest>;

export const DeleteWidgetKeyResponse = z.object({
  id: z.string(),
  outcome: z.enum(["deleted", "disabled"]),
  disabled_at: timestamp.nullable(),
});
export type DeleteWidgetKeyResponse = z.infer<typeof DeleteWidgetKeyResponse>;

// ---- account widget settings (branding) ----------------------------------------------------------------

export const WidgetSettingsWire = z.object({
  primary_color: z.string().nullable(),
  accent_color: z.string().nullable(),
  logo_url: z.string().nullable(),
  launcher_position: launcherPosition,
  launcher_label: z.string().nullable(),
  privacy_notice: z.string().nullable(),
});
export type WidgetSettingsWire = z.infer<typeof WidgetSettingsWire>;

/** PATCH body: absent = unchanged, null = back to the default (the contract's Settings). */
export const WidgetSettingsPatch = z.strictObject({
  primary_color: color.nullable().optional(),
  accent_color: color.nullable().optional(),
  logo_url: httpsUrl.nullable().optional(),
  launcher_position: launcherPosition.nullable().optional(),
  launcher_label: launcherLabel.nullable().optional(),
  privacy_notice: privacyNotice.nullable().optional(),
});
export type WidgetSettingsPatch = z.infer<typeof WidgetSettingsPatch>;

/** What GET returns when nothing is stored (the contract's Settings). */
export const WIDGET_SETTINGS_DEFAULTS: WidgetSettingsWire = Object.freeze({
  primary_color: null,
  accent_color: null,
  logo_url: null,
  launcher_position: "br",
  launcher_label: null,
  privacy_notice: null,
});

// ---- per-agent widget settings (policy) ----------------------------------------------------------------

export const AgentWidgetSettingsWire = z.object({
  agent_id: z.string(),
  widget_enabled: z.boolean(),
  auth_mode: authMode,
});
export type AgentWidgetSettingsWire = z.infer<typeof AgentWidgetSettingsWire>;

export const AgentWidgetSettingsPatch = z.object({
  agent_id: agentId.optional(),
  widget_enabled: z.boolean({ error: "must be true or false" }).optional(),
  auth_mode: authMode.optional(),
});
export type AgentWidgetSettingsPatch = z.infer<typeof AgentWidgetSettingsPatch>;

/** A missing row reads as this (the contract's Settings: closed by default). */
export const AGENT_WIDGET_SETTINGS_DEFAULT = Object.freeze({ widget_enabled: false, auth_mode: "guest" as const });

// ---- public widget auth --------------------------------------------------------------------------------

const clientKey = z
  .string({ error: "must be a string (the widget's pk_live_ public key)" })
  .max(LIMITS.clientKeyMax, atMost(LIMITS.clientKeyMax))
  .startsWith("pk_live_", { error: "must be a pk_live_ public key" });
const token = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(LIMITS.tokenMax, atMost(LIMITS.tokenMax));

export const GuestAuthRequest = z.object({ client_key: clientKey, agent_id: agentId.optional() });
export const UserTokenRequest = z.object({
  external_user_id: text().min(1, { error: "must not be empty" }).max(LIMITS.idMax, atMost(LIMITS.idMax)),
  display_name: text().max(LIMITS.displayNameMax, atMost(LIMITS.displayNameMax)).optional(),
  email: z
    .string({ error: "must be a string" })
    .max(LIMITS.emailMax, atMost(LIMITS.emailMax))
    .pipe(z.email({ error: "must be an email address" }))
    .optional(),
  agent_id: agentId.optional(),
});
export const ExchangeRequest = z.object({
  client_key: clientKey,
  user_token: token,
  agent_id: agentId.optional(),
});
/** The token may also come as `Authorization: Bearer <jwt>` (the contract's Widget auth). */
export const RefreshRequest = z.object({ refresh_token: token.optional() });
/** GET /widget/config query parameters. */
export const WidgetConfigQuery = z.object({ client_key: clientKey, agent_id: agentId.optional() });

export const WidgetTokenResponse = z.object({
  token: z.string(),
  expires_at: timestamp,
  agent_id: z.string().nullable(),
  kind: z.enum(["guest", "user"]),
});
export type WidgetTokenResponse = z.infer<typeof WidgetTokenResponse>;
export const UserTokenResponse = z.object({ user_token: z.string(), expires_at: timestamp });
export type UserTokenResponse = z.infer<typeof UserTokenResponse>;

export const WidgetConfigResponse = z.object({
  account: z.string(),
  agent_id: z.string().nullable(),
  widget_enabled: z.boolean(),
  auth_mode: authMode,
  branding: WidgetSettingsWire,
});
export type WidgetConfigResponse = z.infer<typeof WidgetConfigResponse>;

// ---- messages ------------------------------------------------------------------------------------------

/** `domain_allowlist[2]`-style path, as zod's toDotPath does, for error texts that name the field. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** One zod issue as `field: problem`, e.g. `launcher_label: must be at most 40 characters`. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const field = issuePath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return `${issue.keys.map((k) => (field ? `${field}.${k}` : k)).join(", ")}: unknown field`;
  }
  return field ? `${field}: ${issue.message}` : issue.message;
}
