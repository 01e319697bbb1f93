/**
 * What the public widget routes (widgetAuth.ts, widgetUserToken.ts) check before minting anything, in the
 * order they check it: the key (404 unknown, 403 key_disabled), the Origin against its allowlist, the agent
 * (the key's pin, else the requested one) and its policy; and the session token they answer with.
 */
import type { Context } from "hono";
import { originAllowed, readRequestOrigin } from "../../contract/allowlist";
import { WidgetConfigQuery, type WidgetTokenResponse } from "../../contract/wire";
import { peerAddress, type AppEnv, type ServerContext } from "../context";
import { HttpError, zodError } from "../errors";
import { parseKey } from "../keys";
import type { WidgetKeyRow } from "../store";
import { signSession, type SessionClaims } from "../tokens";
import { readAgentSettings } from "./agentWidgetSettings";

type Kind = "guest" | "user";

/** The config query, validated like a body: too long or malformed values are named, not looked up. */
export function parseQuery(c: Context<AppEnv>) {
  const query = { client_key: c.req.query("client_key"), agent_id: c.req.query("agent_id") };
  const r = WidgetConfigQuery.safeParse(query);
  if (!r.success) throw zodError(r.error, query, "invalid_query");
  return r.data;
}

export function requireClientKey(body: unknown): void {
  if (body === null || typeof body !== "object" || (body as Record<string, unknown>).client_key === undefined) {
    throw new HttpError(400, "missing_client_key", "Missing client_key; send the widget's public key (pk_live_…) as client_key");
  }
}

/** Unknown → 404, disabled → 403 key_disabled. */
export function enabledKeyOf(ctx: ServerContext, clientKey: string): WidgetKeyRow {
  const row = parseKey(clientKey, "pk_live_") ? ctx.store.findWidgetKeyByPublic(clientKey) : undefined;
  if (!row) throw new HttpError(404, "invalid_client_key", "no widget key matches this client_key");
  checkEnabled(row);
  return row;
}

export function checkEnabled(row: WidgetKeyRow): void {
  if (row.disabled_at) {
    throw new HttpError(
      403,
      "key_disabled",
      `widget key …${row.key_last8} is disabled; re-enable it (PATCH {"disabled": false}) or use another key`,
    );
  }
}

/** The Origin must pass the key's allowlist; then the call counts against the key's public budget. */
export function checkOrigin(ctx: ServerContext, c: Context<AppEnv>, row: WidgetKeyRow): string {
  const read = readRequestOrigin({ origin: c.req.header("origin"), referer: c.req.header("referer") });
  if (read.origin === null) throw new HttpError(403, "origin_not_allowed", `Origin not in allowlist for this client_key (${read.problem})`);
  const origin = read.origin;
  if (!originAllowed(origin, row.domain_allowlist)) {
    const why = row.domain_allowlist.length === 0 ? "; the key's domain_allowlist is empty, which blocks every origin" : "";
    throw new HttpError(403, "origin_not_allowed", `Origin not in allowlist for this client_key (origin ${origin}${why})`);
  }
  ctx.publicLimiter.takeKey(row.id, peerAddress(c));
  return origin;
}

export function requireKnownAgent(ctx: ServerContext, account: string, agent: string): void {
  if (!ctx.store.hasAgent(account, agent)) throw new HttpError(404, "agent_not_found", `agent "${agent}" not found`);
}

/** The key's pinned agent, else the requested one (which must exist), else null. */
export function resolveAgent(ctx: ServerContext, row: WidgetKeyRow, requested: string | undefined | null): string | null {
  const agent = row.agent_id ?? requested ?? null;
  if (agent) requireKnownAgent(ctx, row.account_id, agent);
  return agent;
}

export function requireAgent(agent: string | null): string {
  if (!agent) throw new HttpError(400, "missing_agent_id", "agent_id is required because this widget key is not pinned to an agent");
  return agent;
}

/** The agent's widget must be enabled, and its auth_mode must allow this kind of session. */
export function checkPolicy(ctx: ServerContext, account: string, agent: string, kind: Kind): void {
  const p = readAgentSettings(ctx.store, account, agent);
  if (!p.widget_enabled) {
    throw new HttpError(
      403,
      "agent_not_enabled",
      `the widget is not enabled for agent "${agent}"; set widget_enabled: true in its widget settings`,
    );
  }
  const ok = kind === "guest" ? p.auth_mode !== "user" : p.auth_mode !== "guest";
  if (!ok) {
    throw new HttpError(
      403,
      "auth_mode_not_allowed",
      `agent "${agent}" has auth_mode "${p.auth_mode}"; ${kind} sessions need "${kind}" or "both"`,
    );
  }
}

export async function session(ctx: ServerContext, claims: SessionClaims): Promise<WidgetTokenResponse> {
  const s = await signSession(ctx.store.jwtKey(), claims, ctx.nowMs());
  return { token: s.token, expires_at: s.expiresAt, agent_id: claims.agent_id, kind: claims.kind };
}

/** The user's display name and email, where a token carries them, for the claims of the next token. */
export function identityOf(claims: { name?: string; email?: string }): { name?: string; email?: string } {
  return { ...(claims.name !== undefined ? { name: claims.name } : {}), ...(claims.email !== undefined ? { email: claims.email } : {}) };
}
