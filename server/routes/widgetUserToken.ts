/**
 * POST /widget/auth/user-token (the contract's Widget auth, server/README.md): a customer's backend, holding
 * the widget key's secret, mints a 5-minute single-use user_token for one of its users. The widget key's
 * secret (bcrypt-checked) binds the token to that key; an account API key is also accepted and binds it to
 * the account only.
 */
import type { Context } from "hono";
import { UserTokenRequest, type UserTokenResponse } from "../../contract/wire";
import { bearerToken } from "../auth";
import { peerAddress, type AppEnv, type ServerContext } from "../context";
import { HttpError, parseBody, readJson } from "../errors";
import { parseKey } from "../keys";
import type { WidgetKeyRow } from "../store";
import { signUserToken } from "../tokens";
import { checkEnabled, checkPolicy, identityOf, requireKnownAgent, resolveAgent } from "./widgetAuthChecks";

/** Who is asking: the widget key whose secret was sent, or the account whose API key was. */
interface Caller {
  wk: WidgetKeyRow | null;
  account: string;
  via: "widget_secret" | "account_api_key";
}

const invalidSecret = () =>
  new HttpError(
    401,
    "invalid_secret_key",
    "Missing or invalid secret key; send Authorization: Bearer <the widget key's secret_key (sk_live_…)>",
  );

export async function userToken(ctx: ServerContext, c: Context<AppEnv>): Promise<Response> {
  const { store } = ctx;
  const secret = bearerToken(c.req.header("authorization"));
  const parsed = secret ? parseKey(secret, "sk_live_") : null;
  if (!secret || !parsed) throw invalidSecret();
  const body = parseBody(UserTokenRequest, await readJson(c));
  const { wk, account, via } = await callerOf(ctx, secret, parsed);
  ctx.publicLimiter.takeKey(wk?.id ?? `account:${account}`, peerAddress(c));
  if (wk) checkEnabled(wk);
  const agent = wk ? resolveAgent(ctx, wk, body.agent_id) : (body.agent_id ?? null);
  if (agent) {
    requireKnownAgent(ctx, account, agent);
    checkPolicy(ctx, account, agent, "user");
  }
  const now = ctx.nowMs();
  const t = await signUserToken(
    store.jwtKey(),
    {
      sub: `user:${body.external_user_id}`,
      acct: account,
      wk: wk?.id ?? null,
      ...(agent ? { agent_id: agent } : {}),
      ...identityOf({ name: body.display_name, email: body.email }),
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
}

/** The caller a well-formed secret names, checked against the store: a live key's secret or a live account API key. */
async function callerOf(ctx: ServerContext, secret: string, parsed: { account: string; random: string }): Promise<Caller> {
  const row = ctx.store.findWidgetKeyBySecret(secret);
  if (row) {
    if (row.account_id !== parsed.account || !(await ctx.hasher.compare(parsed.random, row.secret_bcrypt))) throw invalidSecret();
    return { wk: row, account: row.account_id, via: "widget_secret" };
  }
  const apiKey = ctx.store.findApiKey(secret);
  if (!apiKey || apiKey.disabled_at || apiKey.account_id !== parsed.account) throw invalidSecret();
  return { wk: null, account: apiKey.account_id, via: "account_api_key" };
}
