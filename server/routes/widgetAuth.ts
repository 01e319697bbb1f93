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
 * the key's pin, else the requested agent_id; its policy (widget_enabled, auth_mode) is enforced.
 * CORS is permissive on these routes (app.ts): the allowlist is the boundary.
 * Successful config/guest/user-token/exchange calls set the key's last_used_at.
 * Rate limits here are the public budgets (publicLimits.ts: per peer, then the peer's share of the key and
 * the key once the Origin passed), never the account's management limits. bcrypt runs in the worker pool (hashPool.ts).
 */
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { originAllowed, readRequestOrigin } from "../../contract/allowlist";
import {
  ExchangeRequest,
  GuestAuthRequest,
  RefreshRequest,
  UserTokenRequest,
  WidgetConfigQuery,
  type UserTokenResponse,
  type WidgetConfigResponse,
  type WidgetTokenResponse,
} from "../../contract/wire";
import { bearerToken } from "../auth";
import { peerAddress, type AppEnv, type ServerContext } from "../context";
import { HttpError, parseBody, readJson, zodError } from "../errors";
import { parseKey } from "../keys";
import type { WidgetKeyRow } from "../store";
import { signSession, signUserToken, verifySessionForRefresh, verifyUserToken, type SessionClaims } from "../tokens";
import { readAgentSettings } from "./agentWidgetSettings";
import { readWidgetSettings } from "./widgetSettings";

type Kind = "guest" | "user";

/** The config query, validated like a body: too long or malformed values are named, not looked up. */
function parseQuery(c: Context<AppEnv>) {
  const query = { client_key: c.req.query("client_key"), agent_id: c.req.query("agent_id") };
  const r = WidgetConfigQuery.safeParse(query);
  if (!r.success) throw zodError(r.error, query, "invalid_query");
  return r.data;
}

function requireClientKey(body: unknown): void {
  if (body === null || typeof body !== "object" || (body as Record<string, unknown>).client_key === undefined) {
    throw new HttpError(400, "missing_client_key", "Missing client_key; send the widget's public key (pk_live_…) as client_key");
  }
}

export function widgetAuthRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { store } = ctx;

  /** Unknown → 404, disabled → 403 key_disabled. */
  const keyOf = (clientKey: string): WidgetKeyRow => {
    const row = parseKey(clientKey, "pk_live_") ? store.findWidgetKeyByPublic(clientKey) : undefined;
    if (!row) throw new HttpError(404, "invalid_client_key", "no widget key matches this client_key");
    return row;
  };
  const checkEnabled = (row: WidgetKeyRow): void => {
    if (row.disabled_at) {
      throw new HttpError(
        403,
        "key_disabled",
        `widget key …${row.key_last8} is disabled; re-enable it (PATCH {"disabled": false}) or use another key`,
      );
    }
  };
  /** The Origin must pass the key's allowlist; then the call counts against the key's public budget. */
  const checkOrigin = (c: Context<AppEnv>, row: WidgetKeyRow): string => {
    const read = readRequestOrigin({ origin: c.req.header("origin"), referer: c.req.header("referer") });
    if (read.origin === null)
      throw new HttpError(403, "origin_not_allowed", `Origin not in allowlist for this client_key (${read.problem})`);
    const origin = read.origin;
    if (!originAllowed(origin, row.domain_allowlist)) {
      const why = row.domain_allowlist.length === 0 ? "; the key's domain_allowlist is empty, which blocks every origin" : "";
      throw new HttpError(403, "origin_not_allowed", `Origin not in allowlist for this client_key (origin ${origin}${why})`);
    }
    ctx.publicLimiter.takeKey(row.id, peerAddress(c));
    return origin;
  };
  const resolveAgent = (row: WidgetKeyRow, requested: string | undefined | null): string | null => {
    const agent = row.agent_id ?? requested ?? null;
    if (agent && !store.hasAgent(row.account_id, agent)) throw new HttpError(404, "agent_not_found", `agent "${agent}" not found`);
    return agent;
  };
  const requireAgent = (agent: string | null): string => {
    if (!agent) throw new HttpError(400, "missing_agent_id", "agent_id is required because this widget key is not pinned to an agent");
    return agent;
  };
  const checkPolicy = (account: string, agent: string, kind: Kind): void => {
    const p = readAgentSettings(store, account, agent);
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
  };
  const session = async (claims: SessionClaims): Promise<WidgetTokenResponse> => {
    const s = await signSession(store.jwtKey(), claims, ctx.nowMs());
    return { token: s.token, expires_at: s.expiresAt, agent_id: claims.agent_id, kind: claims.kind };
  };

  app.get("/widget/config", async (c) => {
    if (!c.req.query("client_key")) throw new HttpError(400, "missing_client_key", "Missing client_key; pass ?client_key=pk_live_…");
    const query = parseQuery(c);
    const row = keyOf(query.client_key);
    checkEnabled(row);
    checkOrigin(c, row);
    const agent = resolveAgent(row, query.agent_id);
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
  });

  app.post("/widget/auth/guest", async (c) => {
    const raw = await readJson(c);
    requireClientKey(raw);
    const body = parseBody(GuestAuthRequest, raw);
    const row = keyOf(body.client_key);
    checkEnabled(row);
    const origin = checkOrigin(c, row);
    const agent = requireAgent(resolveAgent(row, body.agent_id));
    checkPolicy(row.account_id, agent, "guest");
    const out = await session({ sub: `guest:${randomUUID()}`, acct: row.account_id, agent_id: agent, wk: row.id, kind: "guest", origin });
    await store.write(() => store.touchWidgetKey(row.id, ctx.nowIso()));
    return c.json(out);
  });

  app.post("/widget/auth/user-token", async (c) => {
    const secret = bearerToken(c.req.header("authorization"));
    const invalid = new HttpError(
      401,
      "invalid_secret_key",
      "Missing or invalid secret key; send Authorization: Bearer <the widget key's secret_key (sk_live_…)>",
    );
    const parsed = secret ? parseKey(secret, "sk_live_") : null;
    if (!secret || !parsed) throw invalid;
    const body = parseBody(UserTokenRequest, await readJson(c));

    // The contract's Widget auth: the widget key's secret (bcrypt-checked) binds the token to that key; an account
    // API key is also accepted and binds it to the account only.
    const row = store.findWidgetKeyBySecret(secret);
    let wk: WidgetKeyRow | null = null;
    let account: string;
    let via: "widget_secret" | "account_api_key";
    if (row) {
      if (row.account_id !== parsed.account || !(await ctx.hasher.compare(parsed.random, row.secret_bcrypt))) throw invalid;
      wk = row;
      account = row.account_id;
      via = "widget_secret";
    } else {
      const apiKey = store.findApiKey(secret);
      if (!apiKey || apiKey.disabled_at || apiKey.account_id !== parsed.account) throw invalid;
      account = apiKey.account_id;
      via = "account_api_key";
    }
    ctx.publicLimiter.takeKey(wk?.id ?? `account:${account}`, peerAddress(c));
    if (wk) checkEnabled(wk);
    const agent = wk ? resolveAgent(wk, body.agent_id) : (body.agent_id ?? null);
    if (agent) {
      if (!store.hasAgent(account, agent)) throw new HttpError(404, "agent_not_found", `agent "${agent}" not found`);
      checkPolicy(account, agent, "user");
    }
    const now = ctx.nowMs();
    const t = await signUserToken(
      store.jwtKey(),
      {
        sub: `user:${body.external_user_id}`,
        acct: account,
        wk: wk?.id ?? null,
        ...(agent ? { agent_id: agent } : {}),
        ...(body.display_name !== undefined ? { name: body.display_name } : {}),
        ...(body.email !== undefined ? { email: body.email } : {}),
        via,
      },
      now,
    );
    await store.writeTx(() => {
      store.pruneExchangeTokens(new Date(now - 86_400_000).toISOString());
      store.insertExchangeToken({
        jti: t.jti,
        account_id: account,
        widget_key_id: wk?.id ?? null,
        expires_at: t.expiresAt,
        now: ctx.nowIso(),
      });
      if (wk) store.touchWidgetKey(wk.id, ctx.nowIso());
    });
    const out: UserTokenResponse = { user_token: t.token, expires_at: t.expiresAt };
    return c.json(out);
  });

  app.post("/widget/auth/exchange", async (c) => {
    const raw = await readJson(c);
    requireClientKey(raw);
    const body = parseBody(ExchangeRequest, raw);
    const claims = await verifyUserToken(store.jwtKey(), body.user_token, ctx.nowMs());
    const row = keyOf(body.client_key);
    checkEnabled(row);
    const origin = checkOrigin(c, row);
    if (claims.wk ? claims.wk !== row.id : claims.acct !== row.account_id) {
      throw new HttpError(
        403,
        "key_mismatch",
        "user_token was minted for another widget key; use the client_key paired with the secret that minted it",
      );
    }
    const agent = requireAgent(resolveAgent(row, row.agent_id ? undefined : (claims.agent_id ?? body.agent_id)));
    checkPolicy(row.account_id, agent, "user");
    const out = await session({
      sub: claims.sub,
      acct: row.account_id,
      agent_id: agent,
      wk: row.id,
      kind: "user",
      origin,
      ...(claims.name !== undefined ? { name: claims.name } : {}),
      ...(claims.email !== undefined ? { email: claims.email } : {}),
    });
    const now = ctx.nowIso();
    const consumed = await store.writeTx(() => {
      if (!store.consumeExchangeToken(claims.jti, now)) return false;
      store.touchWidgetKey(row.id, now);
      return true;
    });
    if (!consumed)
      throw new HttpError(400, "token_used", "Missing or expired token; this user_token was already exchanged, mint a new one");
    return c.json(out);
  });

  app.post("/widget/auth/refresh", async (c) => {
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
    const origin = checkOrigin(c, row);
    const agent = row.agent_id ?? claims.agent_id;
    if (!store.hasAgent(row.account_id, agent)) throw new HttpError(404, "agent_not_found", `agent "${agent}" not found`);
    checkPolicy(row.account_id, agent, claims.kind);
    const out = await session({
      sub: claims.sub,
      acct: claims.acct,
      agent_id: agent,
      wk: claims.wk,
      kind: claims.kind,
      origin,
      ...(claims.name !== undefined ? { name: claims.name } : {}),
      ...(claims.email !== undefined ? { email: claims.email } : {}),
    });
    return c.json(out);
  });

  return app;
}
