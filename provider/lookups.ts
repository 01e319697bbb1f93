/**
 * Lookup functions: read what another stack or the dashboard manages, as plain typed values, in the
 * Pulumi program's own process (they are not resources: nothing enters the state, and `preview` runs them
 * too). The API is reached with the same settings as the resources: stack config `kataven:apiUrl`,
 * `kataven:apiKey` (secret), `kataven:accountId`, else `KATAVEN_API_URL`, `KATAVEN_API_KEY`,
 * `KATAVEN_ACCOUNT_ID`. The management API never returns a widget key's secret or its full public key after
 * create, so these functions return neither: only the id, `keyLast8` and metadata.
 *
 * Endpoints: GET /api/v1/widget-keys, GET /api/v1/widget-settings, GET /api/v1/agents/{id}/widget-settings.
 */
import type { KatavenClient } from "./api/client";
import { clientFor } from "./api/session";
import { configProblem, type ConfigSource, resolveConfig } from "./config";
import { KatavenConfigError } from "./api/errors";
import type { WidgetSettingsRecord } from "./api/records";
import { type KatavenConnection, programConfigOf } from "./connection";
import { widgetKeyInfos } from "./keyInfo";

/** A widget key as the management API lists it. Never holds a secret. */
export interface WidgetKeyInfo {
  /** The key row id (what `WidgetKey.get`, `adopt` and the `import` option take). */
  id: string;
  name: string;
  /** Last 8 characters of the public key. */
  keyLast8: string;
  domainAllowlist: string[];
  agentId: string | null;
  disabled: boolean;
  disabledAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** Filters for getWidgetKeys; every given field must match. */
export interface GetWidgetKeysArgs {
  /** Exact display name. */
  name?: string;
  /** Only keys pinned to this agent. */
  agentId?: string;
  /** Also return disabled keys. Default `false`. */
  includeDisabled?: boolean;
  /** Read another account than the stack config's (see KatavenConnection). */
  connection?: KatavenConnection;
}

/** The account's widget branding as stored (null = Kataven's default). */
export type WidgetSettingsInfo = WidgetSettingsRecord;

/** One agent's widget policy as stored (a missing row reads `{widgetEnabled: false, authMode: "guest"}`). */
export interface AgentWidgetSettingsInfo {
  agentId: string;
  widgetEnabled: boolean;
  authMode: "guest" | "user" | "both";
}

/** Stack config as the program process sees it (secrets decrypted by the engine before the program runs). */
function programConfig(): ConfigSource {
  return {
    get(key: string) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const runtime = require("@pulumi/pulumi").runtime as { getConfig(k: string): string | undefined };
        return runtime.getConfig(key);
      } catch {
        return undefined;
      }
    },
  };
}

async function lookupClient(connection?: KatavenConnection): Promise<KatavenClient> {
  const cfg = connection ? await programConfigOf(connection) : resolveConfig(programConfig());
  const problem = configProblem(cfg);
  if (problem) throw new KatavenConfigError(`Kataven lookup: ${problem}`);
  return clientFor(cfg as typeof cfg & { apiKey: string });
}

/** The account's widget keys (GET /api/v1/widget-keys), filtered; enabled ones only unless `includeDisabled`. */
export async function getWidgetKeys(args: GetWidgetKeysArgs = {}): Promise<WidgetKeyInfo[]> {
  return widgetKeyInfos(await lookupClient(args.connection), args);
}

/** One widget key by id, disabled or not. Fails, naming the id, when the account has no such key. */
export async function getWidgetKey(id: string, connection?: KatavenConnection): Promise<WidgetKeyInfo> {
  const found = (await getWidgetKeys({ includeDisabled: true, connection })).find((k) => k.id === id);
  if (!found) {
    throw new Error(`getWidgetKey: "${id}" is not a widget key of this account; check the id (getWidgetKeys() lists them)`);
  }
  return found;
}

/** The account's widget branding (GET /api/v1/widget-settings). */
export async function getWidgetSettings(connection?: KatavenConnection): Promise<WidgetSettingsInfo> {
  const s = await (await lookupClient(connection)).getWidgetSettings();
  return {
    primaryColor: s.primaryColor,
    accentColor: s.accentColor,
    logoUrl: s.logoUrl,
    launcherPosition: s.launcherPosition,
    launcherLabel: s.launcherLabel,
    privacyNotice: s.privacyNotice,
  };
}

/** One agent's widget policy (GET /api/v1/agents/{agentId}/widget-settings). */
export async function getAgentWidgetSettings(agentId: string, connection?: KatavenConnection): Promise<AgentWidgetSettingsInfo> {
  const s = await (await lookupClient(connection)).getAgentWidgetSettings(agentId);
  return { agentId: s.agentId, widgetEnabled: s.widgetEnabled, authMode: s.authMode };
}
