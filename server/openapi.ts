/**
 * GET /openapi.json: an OpenAPI 3.1 document whose schemas are generated from the shared zod wire schemas
 * (contract/wire.ts) with z.toJSONSchema, so the document cannot drift from what the server validates.
 */
import { z } from "zod";
import * as wire from "../contract/wire";
import { API_PREFIXES } from "./routeTable";

const SCHEMAS = {
  WidgetKey: wire.WidgetKeyWire,
  CreatedWidgetKey: wire.CreatedWidgetKeyWire,
  CreateWidgetKeyRequest: wire.CreateWidgetKeyRequest,
  UpdateWidgetKeyRequest: wire.UpdateWidgetKeyRequest,
  DeleteWidgetKeyResponse: wire.DeleteWidgetKeyResponse,
  WidgetSettings: wire.WidgetSettingsWire,
  WidgetSettingsPatch: wire.WidgetSettingsPatch,
  AgentWidgetSettings: wire.AgentWidgetSettingsWire,
  AgentWidgetSettingsPatch: wire.AgentWidgetSettingsPatch,
  GuestAuthRequest: wire.GuestAuthRequest,
  UserTokenRequest: wire.UserTokenRequest,
  ExchangeRequest: wire.ExchangeRequest,
  RefreshRequest: wire.RefreshRequest,
  WidgetTokenResponse: wire.WidgetTokenResponse,
  UserTokenResponse: wire.UserTokenResponse,
  WidgetConfigResponse: wire.WidgetConfigResponse,
} as const;

type Name = keyof typeof SCHEMAS;
const ref = (name: Name) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: Name | { type: "array"; items: object }) => ({
  "application/json": { schema: typeof name === "string" ? ref(name) : name },
});
const text = (description: string) => ({ description, content: { "text/plain": { schema: { type: "string" } } } });

interface Op {
  summary: string;
  security?: boolean;
  body?: Name;
  ok: { status: number; schema: Name | { type: "array"; items: object } };
  errors: Record<number, string>;
  params?: { name: string; in: "path" | "query"; required: boolean }[];
}

const MGMT_ERRORS = {
  401: "unauthorized: missing or invalid bearer token",
  403: "account_mismatch / forbidden",
  429: "rate_limited, with Retry-After",
};

const OPS: Record<string, Record<string, Op>> = {
  "/widget-keys": {
    get: {
      summary: "List widget keys (metadata only)",
      security: true,
      ok: { status: 200, schema: { type: "array", items: ref("WidgetKey") } },
      errors: MGMT_ERRORS,
    },
    post: {
      summary: "Create a widget key pair; public_key and secret_key are returned once",
      security: true,
      body: "CreateWidgetKeyRequest",
      ok: { status: 201, schema: "CreatedWidgetKey" },
      errors: { 400: "invalid_body / invalid_allowlist_entry / invalid_agent_id", ...MGMT_ERRORS },
    },
  },
  "/widget-keys/{id}": {
    patch: {
      summary: "Update, revoke (disabled: true) or re-enable a widget key",
      security: true,
      body: "UpdateWidgetKeyRequest",
      ok: { status: 200, schema: "WidgetKey" },
      errors: { 400: "invalid_body / invalid_allowlist_entry / invalid_agent_id", 404: "not_found", ...MGMT_ERRORS },
      params: [{ name: "id", in: "path", required: true }],
    },
    delete: {
      summary: "Delete a never-used key, soft-disable a used one",
      security: true,
      ok: { status: 200, schema: "DeleteWidgetKeyResponse" },
      errors: { 404: "not_found", ...MGMT_ERRORS },
      params: [{ name: "id", in: "path", required: true }],
    },
  },
  "/widget-settings": {
    get: { summary: "Account widget branding", security: true, ok: { status: 200, schema: "WidgetSettings" }, errors: MGMT_ERRORS },
    patch: {
      summary: "Update branding (absent = unchanged, null = default)",
      security: true,
      body: "WidgetSettingsPatch",
      ok: { status: 200, schema: "WidgetSettings" },
      errors: { 400: "invalid_body", ...MGMT_ERRORS },
    },
  },
  "/agents/{agentId}/widget-settings": {
    get: {
      summary: "Per-agent widget policy",
      security: true,
      ok: { status: 200, schema: "AgentWidgetSettings" },
      errors: { 404: "not_found", ...MGMT_ERRORS },
      params: [{ name: "agentId", in: "path", required: true }],
    },
    patch: {
      summary: "Update the per-agent widget policy",
      security: true,
      body: "AgentWidgetSettingsPatch",
      ok: { status: 200, schema: "AgentWidgetSettings" },
      errors: { 400: "invalid_body / agent_id_mismatch", 404: "not_found", ...MGMT_ERRORS },
      params: [{ name: "agentId", in: "path", required: true }],
    },
  },
  "/widget/config": {
    get: {
      summary: "Widget bootstrap config for a client key (Origin checked)",
      ok: { status: 200, schema: "WidgetConfigResponse" },
      errors: {
        400: "missing_client_key",
        403: "origin_not_allowed / key_disabled",
        404: "invalid_client_key / agent_not_found",
        429: "rate_limited",
      },
      params: [
        { name: "client_key", in: "query", required: true },
        { name: "agent_id", in: "query", required: false },
      ],
    },
  },
  "/widget/auth/guest": {
    post: {
      summary: "Mint a guest session JWT (Origin checked)",
      body: "GuestAuthRequest",
      ok: { status: 200, schema: "WidgetTokenResponse" },
      errors: {
        400: "missing_client_key / invalid_body / missing_agent_id",
        403: "origin_not_allowed / key_disabled / agent_not_enabled / auth_mode_not_allowed",
        404: "invalid_client_key / agent_not_found",
        429: "rate_limited",
      },
    },
  },
  "/widget/auth/user-token": {
    post: {
      summary: "Customer backend: mint a 5-minute single-use user_token (Bearer widget secret_key)",
      body: "UserTokenRequest",
      ok: { status: 200, schema: "UserTokenResponse" },
      errors: {
        400: "invalid_body",
        401: "invalid_secret_key",
        403: "key_disabled / agent_not_enabled / auth_mode_not_allowed",
        404: "agent_not_found",
        429: "rate_limited",
      },
    },
  },
  "/widget/auth/exchange": {
    post: {
      summary: "Exchange a user_token for a user session JWT (client key and Origin re-checked)",
      body: "ExchangeRequest",
      ok: { status: 200, schema: "WidgetTokenResponse" },
      errors: {
        400: "missing_client_key / invalid_body / token_expired / invalid_token / token_used / missing_agent_id",
        403: "origin_not_allowed / key_disabled / key_mismatch / agent_not_enabled / auth_mode_not_allowed",
        404: "invalid_client_key / agent_not_found",
        429: "rate_limited",
      },
    },
  },
  "/widget/auth/refresh": {
    post: {
      summary: "Refresh a session JWT (unexpired or expired less than 5 minutes ago)",
      body: "RefreshRequest",
      ok: { status: 200, schema: "WidgetTokenResponse" },
      errors: {
        400: "missing_refresh_token / token_expired / invalid_token",
        403: "origin_not_allowed / key_disabled / agent_not_enabled / auth_mode_not_allowed",
        404: "invalid_client_key / agent_not_found",
        429: "rate_limited",
      },
    },
  },
};

let cached: object | null = null;

export function openApiDocument(): object {
  if (cached) return cached;
  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const { $schema: _drop, ...s } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    schemas[name] = s;
  }
  const paths: Record<string, unknown> = {};
  for (const [path, ops] of Object.entries(OPS)) {
    const item: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(ops)) {
      item[method] = {
        summary: op.summary,
        ...(op.security ? { security: [{ bearer: [] }] } : {}),
        ...(op.params ? { parameters: op.params.map((p) => ({ ...p, schema: { type: "string" } })) } : {}),
        ...(op.body ? { requestBody: { required: true, content: json(op.body) } } : {}),
        responses: {
          [op.ok.status]: { description: "OK", content: json(op.ok.schema) },
          ...Object.fromEntries(Object.entries(op.errors).map(([s, d]) => [s, text(d)])),
        },
      };
    }
    paths[`/api/v1${path}`] = item;
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Kataven widget API (local server)",
      version: "1.0.0",
      description: `Local Kataven-compatible server. Every path is also served under ${API_PREFIXES.filter((p) => p !== "/api/v1").join(" and ")} in place of /api/v1. Error bodies are text/plain "<code>: <detail>".`,
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "account API key sk_live_<account>_…" } },
      schemas,
    },
    paths,
  };
  return cached;
}
