/**
 * The one REST client for the Kataven management API (server/README.md, "The contract in brief"): the typed API every
 * resource goes through. Its parts:
 *  - ./transport.ts: keep-alive pools, auth headers, the 20-in-flight cap per account, retries (429 and
 *    `Retry-After` for every method; 5xx, timeouts and resets for GET/PATCH/DELETE);
 *  - ./orphanSafeCreate.ts: POST of a widget key, retried only after the failed attempt's key is removed;
 *  - ./records.ts: the camelCase shapes returned here, converted from the snake_case wire only there;
 *  - every response parsed with the zod schemas of contract/wire.ts.
 * Nothing here logs, and no message carries the API key, the Authorization header or key material.
 */
import {
  AgentWidgetSettingsWire,
  DeleteWidgetKeyResponse,
  WidgetKeyListWire,
  WidgetKeyWire,
  WidgetSettingsWire,
} from "../../contract/wire";
import type { KatavenConfig } from "../config";
import { agentNotFoundHint, isNoRoute, KatavenApiError, noRouteHint } from "./errors";
import { createWidgetKey, type KeyApi } from "./orphanSafeCreate";
import {
  type AgentWidgetSettingsRecord,
  type AgentWidgetSettingsRecordPatch,
  type CreatedWidgetKeyRecord,
  type CreateWidgetKeyInput,
  type DeleteWidgetKeyResult,
  toCamel,
  toSnake,
  type UpdateWidgetKeyInput,
  type WidgetKeyRecord,
  type WidgetSettingsRecord,
  type WidgetSettingsRecordPatch,
} from "./records";
import type { AccountState } from "./session";
import { Transport } from "./transport";

export type {
  AgentWidgetSettingsRecord,
  AgentWidgetSettingsRecordPatch,
  CreatedWidgetKeyRecord,
  CreateWidgetKeyInput,
  DeleteWidgetKeyResult,
  UpdateWidgetKeyInput,
  WidgetKeyRecord,
  WidgetSettingsRecord,
  WidgetSettingsRecordPatch,
} from "./records";

const API = "/api/v1";

export class KatavenClient implements KeyApi {
  readonly transport: Transport;
  readonly accountKey: string;
  /** Tolerated clock skew between this machine and the API when matching a create's orphan. */
  orphanSkewMs = 5_000;
  readonly orphanCheckMs?: number;

  constructor(
    cfg: KatavenConfig & { apiKey: string },
    readonly account: AccountState,
  ) {
    this.transport = new Transport(cfg, account);
    this.orphanCheckMs = cfg.orphanCheckMs;
    this.accountKey = this.transport.accountKey;
  }

  /** Requests of this account currently on the wire (for tests). */
  get inFlight(): number {
    return this.transport.inFlight;
  }

  // ---- widget keys ---------------------------------------------------------------------------------------

  async listWidgetKeys(): Promise<WidgetKeyRecord[]> {
    const rows = await this.transport.call("GET", `${API}/widget-keys`, { schema: WidgetKeyListWire });
    for (const r of rows) this.account.knownIds.add(r.id);
    return rows.map((r) => toCamel<WidgetKeyRecord>(r));
  }

  /** Creates a key pair; the result always carries the secret. Orphan-safe: see ./orphanSafeCreate.ts. */
  createWidgetKey(input: CreateWidgetKeyInput): Promise<CreatedWidgetKeyRecord> {
    return createWidgetKey(this, input);
  }

  async updateWidgetKey(id: string, patch: UpdateWidgetKeyInput): Promise<WidgetKeyRecord> {
    const row = await this.transport.call("PATCH", `${API}/widget-keys/${encodeURIComponent(id)}`, {
      body: toSnake({ ...patch }),
      schema: WidgetKeyWire,
      notFoundHint: (code, detail) =>
        isNoRoute(detail)
          ? noRouteHint()
          : /agent/.test(code)
            ? agentNotFoundHint(patch.agentId ?? undefined)(code, detail)
            : 'it may have been deleted outside Pulumi, run "pulumi refresh".',
    });
    return toCamel<WidgetKeyRecord>(row);
  }

  /** DELETE; null when the key was already gone (404). */
  async deleteWidgetKey(id: string): Promise<DeleteWidgetKeyResult | null> {
    try {
      const r = await this.transport.call("DELETE", `${API}/widget-keys/${encodeURIComponent(id)}`, { schema: DeleteWidgetKeyResponse });
      return toCamel<DeleteWidgetKeyResult>(r);
    } catch (err) {
      if (err instanceof KatavenApiError && err.status === 404) return null;
      throw err;
    }
  }

  // ---- settings ------------------------------------------------------------------------------------------

  async getWidgetSettings(): Promise<WidgetSettingsRecord> {
    return toCamel<WidgetSettingsRecord>(await this.transport.call("GET", `${API}/widget-settings`, { schema: WidgetSettingsWire }));
  }

  async updateWidgetSettings(patch: WidgetSettingsRecordPatch): Promise<WidgetSettingsRecord> {
    const r = await this.transport.call("PATCH", `${API}/widget-settings`, { body: toSnake({ ...patch }), schema: WidgetSettingsWire });
    return toCamel<WidgetSettingsRecord>(r);
  }

  async getAgentWidgetSettings(agentId: string): Promise<AgentWidgetSettingsRecord> {
    const r = await this.transport.call("GET", `${API}/agents/${encodeURIComponent(agentId)}/widget-settings`, {
      schema: AgentWidgetSettingsWire,
      notFoundHint: agentNotFoundHint(agentId),
    });
    return toCamel<AgentWidgetSettingsRecord>(r);
  }

  async updateAgentWidgetSettings(agentId: string, patch: AgentWidgetSettingsRecordPatch): Promise<AgentWidgetSettingsRecord> {
    const r = await this.transport.call("PATCH", `${API}/agents/${encodeURIComponent(agentId)}/widget-settings`, {
      body: toSnake({ ...patch }),
      schema: AgentWidgetSettingsWire,
      notFoundHint: agentNotFoundHint(agentId),
    });
    return toCamel<AgentWidgetSettingsRecord>(r);
  }
}
