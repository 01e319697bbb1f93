/**
 * The root program's stack configuration: what a pull request changes. Parsed with zod so a typo in a
 * stack file fails the preview with the config key and the problem, before anything is planned.
 *
 *   kataven-widget:keys      key name → { agent?, allowlist: [...], disabled?, rotation?, adopt?, tags? }
 *   kataven-widget:branding  account branding (WidgetSettings fields)
 *   kataven-widget:agents    agent id → { widgetEnabled, authMode }
 */
import { z } from "zod";
import { AUTH_MODES, formatZodIssue, LAUNCHER_POSITIONS } from "pulumi-kataven-widget/contract/wire";

export const KeyConfig = z.strictObject({
  agent: z.string().min(1).optional(),
  allowlist: z.array(z.string(), { error: 'must be a list of origins such as ["https://acme.com"]' }),
  disabled: z.boolean().optional(),
  rotation: z.union([z.string(), z.number()]).optional(),
  /** Take over an existing key by id instead of minting one (its secret can't be recovered). */
  adopt: z.string().min(1).optional(),
  /** Labels kept in the state for policies, e.g. ["allow-wildcards"] (see policy/). */
  tags: z.array(z.string()).optional(),
});
export type KeyConfig = z.infer<typeof KeyConfig>;

export const BrandingConfig = z.strictObject({
  primaryColor: z.string().optional(),
  accentColor: z.string().optional(),
  logoUrl: z.string().optional(),
  launcherPosition: z.enum(LAUNCHER_POSITIONS).optional(),
  launcherLabel: z.string().optional(),
  privacyNotice: z.string().optional(),
});
export type BrandingConfig = z.infer<typeof BrandingConfig>;

export const AgentConfig = z.strictObject({
  widgetEnabled: z.boolean(),
  authMode: z.enum(AUTH_MODES),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export const ProgramConfig = z.object({
  keys: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "key names are lower-case words joined by -" }), KeyConfig).default({}),
  branding: BrandingConfig.optional(),
  agents: z.record(z.string().min(1), AgentConfig).default({}),
});
export type ProgramConfig = z.infer<typeof ProgramConfig>;

/** Validates the raw config objects; the error names every bad key as `kataven-widget:keys.website.allowlist`. */
export function parseProgramConfig(
  raw: { keys?: unknown; branding?: unknown; agents?: unknown },
  namespace = "kataven-widget",
): ProgramConfig {
  const r = ProgramConfig.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${namespace}:${formatZodIssue(i)}`);
  throw new Error(
    `the stack configuration is invalid:\n${lines.join("\n")}\nFix it with "pulumi config set --path" or in Pulumi.<stack>.yaml.`,
  );
}

/** The snippet a web page embeds for one key (contract: widget.kataven.ai/v1.js + Kataven.init). */
export function embedSnippet(publicKey: string, agentId?: string): string {
  const init = JSON.stringify(agentId ? { publicKey, agentId } : { publicKey });
  return `<script src="https://widget.kataven.ai/v1.js"></script>\n<script>Kataven.init(${init});</script>`;
}
