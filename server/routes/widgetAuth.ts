/**
 * Public widget endpoints (the contract's Widget auth, server/README.md):
 *   GET  /widget/config?client_key=pk_live_…[&agent_id=…]   bootstrap config: policy + branding
 *   POST /widget/auth/guest       {client_key, agent_id?}                      → session JWT (kind guest)
 *   POST /widget/auth/user-token  Bearer <widget secret_key | account API key>,
 *                                 {external_user_id, display_name?, email?, agent_id?} → 5-min single-use user_token
 *   POST /widget/auth/exchange    {client_key, user_token, agent_id?}          → session JWT (kind user)
 *   POST /widget/auth/refresh     {refresh_token} or Bearer <session JWT>      → new session JWT, same identity
 * Browser routes (config, guest, exchange, refresh) check the key (404 unknown, 403 key_disabled) and then
 * the Origin (falling back to Referer) against the key's allowlist before minting anything. The agent is
 * the key's pin, else the requested agent_id; its policy (widget_enabled, auth_mode) is enforced
 * (widgetAuthChecks.ts). The server-to-server user-token route is in widgetUserToken.ts.
 * CORS is permissive on these routes (app.ts): the allowlist is the boundary.
 * Successful config/guest/user-token/exchange calls set the key's last_used_at.
 * Rate limits here are the public budgets (publicLimits.ts: per peer, then the peer's share of the key and
 * the key once the Origin passed), never the account's management limits. bcrypt runs in the worker pool (hashPool.ts).
 */
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { ExchangeRequest, GuestAuthRequest, RefreshRequest, type WidgetConfigResponse } from "../../contract/wire";
import { bearerToken } from "../auth";
import type { AppEnv, ServerContext } from "../context";
import { HttpError, parseBody, readJson } from "../errors";
import { verifySessionForRefresh, verifyUserToken } from "../tokens";
import { readAgentSettings } from "./agentWidgetSettings";
import {
  checkEnabled,
  checkOrigin,
  checkPolicy,
  enabledKeyOf,
  identityOf,
  parseQuery,
  requireAgent,
  requireClientKey,
  requireKnownAgent,
  resolveAgent,
  session,
} from "./widgetAuthChecks";
import { userToken } from "./widgetUserToken";
import { readWidgetSettings } from "./widgetSettings";

export function widgetAuthRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/widget/config", (c) => widgetConfig(ctx, c));
  app.post("/widget/auth/guest", (c) => guestSession(ctx, c));
  app.post("/widget/auth/user-token", (c) => userToken(ctx, c));
  app.post("/widget/auth/exchange", (c) => exchange(ctx, c));
  app.post("/widget/auth/refresh", (c) => refresh(ctx, c));
  return app;
}

/** GET /widget/config: the key's agent policy and the account's branding. */
async function widgetConfig(ctx: ServerContext, c: Context<AppEnv>): Promise<Response> {
  const { store } = ctx;
  if (!c.req.query("client_key")) throw new HttpError(400, "missing_client_key", "Missing client_key; pass ?client_key=pk_live_…");
  const query = parseQuery(c);
  const row = enabledKeyOf(ctx, query.client_key);
  checkOrigin(ctx, c, row);
  const agent = resolveAgent(ctx, row, query.agent_id);
  const policy = agent ? readAgentSettings(store, row.account_id, agent) : { widget_enabled: false, auth_mode: "guest" as const };
  await store.write(() => store.touchWidgetKey(row.id, ctx.nowIso()));
  const out: WidgetConfigResponse = {
    account: row.account_id,
    agent_id: agent,
    widget_enabled: policy.widget_enabled,
    auth_mode: policy.auth_mode,
    branding: readWidgetSettings(store, row.account_id),
  };
  return c.json(out);
}

/** POST /widget/auth/guest: a guest session for the key's origin. */
async function guestSession(ctx: ServerContext, c: Context<AppEnv>): Promise<Response> {
  const raw = await readJson(c);
  requireClientKey(raw);
  const body = parseBody(GuestAuthRequest, raw);
  const row = enabledKeyOf(ctx, body.client_key);
  const origin = checkOrigin(ctx, c, row);
  const agent = requireAgent(resolveAgent(ctx, row, body.agent_id));
  checkPolicy(ctx, row.account_id, agent, "guest");
  const out = await session(ctx, {
    sub: `guest:${randomUUID()}`,
    acct: row.account_id,
    agent_id: agent,
    wk: row.id,
    kind: "guest",
    origin,
  });
  await ctx.store.write(() => ctx.store.touchWidgetKey(row.id, ctx.nowIso()));
  return c.json(out);
}

/** POST /widget/auth/exchange: a user session for a user_token, once, from the key it was minted for. */
async function exchange(ctx: ServerContext, c: Context<AppEnv>): Promise<Response> {
  const { store } = ctx;
  const raw = await readJson(c);
  requireClientKey(raw);
  const body = parseBody(ExchangeRequest, raw);
  const claims = await verifyUserToken(store.jwtKey(), body.user_token, ctx.nowMs());
  const row = enabledKeyOf(ctx, body.client_key);
  const origin = checkOrigin(ctx, c, row);
  if (claims.wk ? claims.wk !== row.id : claims.acct !== row.account_id) {
    throw new HttpError(
      403,
      "key_mismatch",
      "user_token was minted for another widget key; use the client_key paired with the secret that minted it",
    );
  }
  const agent = requireAgent(resolveAgent(ctx, row, row.agent_id ? undefined : (claims.agent_id ?? body.agent_id)));
  checkPolicy(ctx, row.account_id, agent, "user");
  const out = await session(ctx, {
    sub: claims.sub,
    acct: row.account_id,
    agent_id: agent,
    wk: row.id,
    kind: "user",
    origin,
    ...identityOf(claims),
  });
  const now = ctx.nowIso();
  const consumed = await store.writeTx(() => {
    if (!store.consumeExchangeToken(claims.jti, now)) return false;
    store.touchWidgetKey(row.id, now);
    return true;
  });
  if (!consumed) throw new HttpError(400, "token_used", "Missing or expired token; this user_token was already exchanged, mint a new one");
  return c.json(out);
}

/** POST /widget/auth/refresh: a new session token for a (recently) valid one, same identity. */
async function refresh(ctx: ServerContext, c: Context<AppEnv>): Promise<Response> {
  const { store } = ctx;
  const body = parseBody(RefreshRequest, await readJson(c));
  const token = body.refresh_token ?? bearerToken(c.req.header("authorization")) ?? undefined;
  if (!token) {
    throw new HttpError(
      400,
      "missing_refresh_token",
      'Missing or expired refresh_token; send {"refresh_token": <session token>} or Authorization: Bearer <session token>',
    );
  }
  const claims = await verifySessionForRefresh(store.jwtKey(), token, ctx.nowMs());
  const row = store.getWidgetKey(claims.acct, claims.wk);
  if (!row) throw new HttpError(404, "invalid_client_key", "the widget key of this session no longer exists");
  checkEnabled(row);
  const origin = checkOrigin(ctx, c, row);
  const agent = row.agent_id ?? claims.agent_id;
  requireKnownAgent(ctx, row.account_id, agent);
  checkPolicy(ctx, row.account_id, agent, claims.kind);
  const out = await session(ctx, {
    sub: claims.sub,
    acct: claims.acct,
    agent_id: agent,
    wk: claims.wk,
    kind: claims.kind,
    origin,
    ...identityOf(claims),
  });
  return c.json(out);
}
