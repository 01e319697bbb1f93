import { createSecretKey, randomBytes } from "node:crypto";
import { signHs256 } from "../../../server/jwt";
import { fakeClock, startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

const ORIGIN = "https://shop.acme.com";
const FOREIGN = "https://evil.example";
const clock = fakeClock(Date.parse("2026-03-01T12:00:00Z"));
let srv: TestServer;

interface Key {
  id: string;
  public_key: string;
  secret_key: string;
}

const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
const mgmt = (method: string, path: string, body?: unknown) => call(srv.url, method, `/api/v1${path}`, { body, apiKey: srv.apiKey });
const post = (path: string, body: unknown, headers: Record<string, string> = { origin: ORIGIN }) =>
  call(srv.url, "POST", `/api/v1/widget/auth/${path}`, { body, headers });
const guest = (key: Key, body: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  post("guest", { client_key: key.public_key, ...body }, headers);
const userToken = (key: Key | string, body: Record<string, unknown> = {}) =>
  call(srv.url, "POST", "/api/v1/widget/auth/user-token", {
    body: { external_user_id: "u-42", display_name: "Ada", email: "ada@acme.com", ...body },
    headers: { authorization: `Bearer ${typeof key === "string" ? key : key.secret_key}` },
  });

async function newKey(body: Record<string, unknown> = {}): Promise<Key> {
  const r = await mgmt("POST", "/widget-keys", {
    name: "site",
    domain_allowlist: ["*.acme.com", "localhost:*"],
    agent_id: "agent-a",
    ...body,
  });
  expect(r.status).toBe(201);
  return r.json;
}
const policy = (agent: string, widget_enabled: boolean, auth_mode: "guest" | "user" | "both") =>
  mgmt("PATCH", `/agents/${agent}/widget-settings`, { widget_enabled, auth_mode });
const lastUsed = async (id: string) => (await mgmt("GET", "/widget-keys")).json.find((k: { id: string }) => k.id === id).last_used_at;

beforeAll(async () => {
  srv = await startServer({ clock, agents: ["agent-a", "agent-b", "agent-guest", "agent-user", "agent-off"] });
  await policy("agent-a", true, "both");
  await policy("agent-b", true, "both");
  await policy("agent-guest", true, "guest");
  await policy("agent-user", true, "user");
  await policy("agent-off", false, "both");
});
afterAll(() => srv.close());

describe("GET /api/v1/widget/config", () => {
  test("returns policy and branding for an allowed origin, and marks the key used", async () => {
    await mgmt("PATCH", "/widget-settings", { primary_color: "#2563eb" });
    const k = await newKey();
    const r = await call(srv.url, "GET", `/api/v1/widget/config?client_key=${k.public_key}`, { origin: ORIGIN });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ account: "acme", agent_id: "agent-a", widget_enabled: true, auth_mode: "both" });
    expect(r.json.branding).toMatchObject({ primary_color: "#2563eb", launcher_position: "br" });
    expect(await lastUsed(k.id)).toBe(new Date(clock()).toISOString());
  });

  test("falls back to the Referer, cut to its origin", async () => {
    const k = await newKey();
    const r = await call(srv.url, "GET", `/api/v1/widget/config?client_key=${k.public_key}`, {
      headers: { referer: `${ORIGIN}/products/1?x=y` },
    });
    expect(r.status).toBe(200);
  });

  test("400 without client_key, 404 for an unknown key, 403 for a foreign origin and for a disabled key", async () => {
    expect((await call(srv.url, "GET", "/api/v1/widget/config", { origin: ORIGIN })).text).toMatch(
      /^missing_client_key: Missing client_key/,
    );
    const unknown = await call(srv.url, "GET", "/api/v1/widget/config?client_key=pk_live_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", {
      origin: ORIGIN,
    });
    expect(unknown).toMatchObject({ status: 404, text: "invalid_client_key: no widget key matches this client_key" });
    const k = await newKey();
    const foreign = await call(srv.url, "GET", `/api/v1/widget/config?client_key=${k.public_key}`, { origin: FOREIGN });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toMatch(/^origin_not_allowed: Origin not in allowlist for this client_key/);
    await mgmt("PATCH", `/widget-keys/${k.id}`, { disabled: true });
    const disabled = await call(srv.url, "GET", `/api/v1/widget/config?client_key=${k.public_key}`, { origin: ORIGIN });
    expect(disabled.status).toBe(403);
    expect(disabled.text).toMatch(/^key_disabled: /);
  });
});

describe("POST /api/v1/widget/auth/guest", () => {
  test("mints a 15-minute guest session JWT with the documented claims", async () => {
    const k = await newKey();
    const r = await guest(k, { agent_id: "agent-b" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ agent_id: "agent-a", kind: "guest" }); // the key's pin wins over the body
    const now = Math.floor(clock() / 1000);
    expect(r.json.expires_at).toBe(new Date((now + 900) * 1000).toISOString());
    expect(JSON.parse(Buffer.from(r.json.token.split(".")[0], "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const p = payload(r.json.token);
    expect(p).toMatchObject({
      iss: "kataven-local",
      aud: "kataven-widget",
      acct: "acme",
      agent_id: "agent-a",
      wk: k.id,
      kind: "guest",
      origin: ORIGIN,
      iat: now,
      exp: now + 900,
    });
    expect(p.sub).toMatch(/^guest:[0-9a-f-]{36}$/);
    expect(p.jti).toEqual(expect.any(String));
    expect(await lastUsed(k.id)).not.toBeNull();
  });

  test("an unpinned key uses the body's agent_id, and needs one", async () => {
    const k = await newKey({ agent_id: null });
    expect((await guest(k, { agent_id: "agent-b" })).json.agent_id).toBe("agent-b");
    const none = await guest(k);
    expect(none).toMatchObject({
      status: 400,
      text: "missing_agent_id: agent_id is required because this widget key is not pinned to an agent",
    });
    expect((await guest(k, { agent_id: "nobody" })).status).toBe(404);
  });

  test("localhost:* allows http on any port", async () => {
    const k = await newKey();
    expect((await guest(k, {}, { origin: "http://localhost:5173" })).status).toBe(200);
  });

  test("refusals: no Origin, foreign Origin, empty allowlist, disabled key", async () => {
    const k = await newKey();
    const noOrigin = await guest(k, {}, {});
    expect(noOrigin).toMatchObject({
      status: 403,
      text: "origin_not_allowed: Origin not in allowlist for this client_key (the request has no Origin or Referer header)",
    });
    const foreign = await guest(k, {}, { origin: FOREIGN });
    expect(foreign).toMatchObject({
      status: 403,
      text: `origin_not_allowed: Origin not in allowlist for this client_key (origin ${FOREIGN})`,
    });
    expect((await guest(k, {}, { origin: "https://acme.com" })).status).toBe(403); // *.acme.com is not the apex
    expect((await guest(k, {}, { origin: "http://shop.acme.com" })).status).toBe(403); // bare host/wildcard = https only
    const empty = await newKey({ domain_allowlist: [] });
    expect((await guest(empty)).text).toMatch(/domain_allowlist is empty/);
    await mgmt("PATCH", `/widget-keys/${k.id}`, { disabled: true });
    const disabled = await guest(k);
    expect(disabled.status).toBe(403);
    expect(disabled.text).toMatch(/^key_disabled: widget key …\S{8} is disabled/);
    expect(disabled.text).not.toContain(k.public_key);
  });

  test("refusals: widget-disabled agent, user-only agent", async () => {
    const off = await newKey({ agent_id: "agent-off" });
    const r1 = await guest(off);
    expect(r1.status).toBe(403);
    expect(r1.text).toMatch(/^agent_not_enabled: the widget is not enabled for agent "agent-off"/);
    const userOnly = await newKey({ agent_id: "agent-user" });
    const r2 = await guest(userOnly);
    expect(r2).toMatchObject({
      status: 403,
      text: 'auth_mode_not_allowed: agent "agent-user" has auth_mode "user"; guest sessions need "guest" or "both"',
    });
  });

  test("400 missing_client_key, 400 malformed key, 404 unknown key", async () => {
    expect(await post("guest", {})).toMatchObject({
      status: 400,
      text: "missing_client_key: Missing client_key; send the widget's public key (pk_live_…) as client_key",
    });
    expect((await post("guest", { client_key: "abc" })).text).toBe("invalid_body: client_key: must be a pk_live_ public key");
    expect((await post("guest", { client_key: "pk_live_acme_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" })).status).toBe(404);
  });

  test("CORS: preflight is answered and error responses are readable cross-origin", async () => {
    const pre = await call(srv.url, "OPTIONS", "/api/v1/widget/auth/guest", {
      headers: { origin: FOREIGN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
    const k = await newKey();
    const refused = await guest(k, {}, { origin: FOREIGN });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect((await mgmt("GET", "/widget-keys")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("user flow: user-token → exchange", () => {
  test("secret key → 5-minute user_token → session JWT with the user's identity; the key is marked used", async () => {
    const k = await newKey();
    const t = await userToken(k);
    expect(t.status).toBe(200);
    expect(t.json.expires_at).toBe(new Date((Math.floor(clock() / 1000) + 300) * 1000).toISOString());
    expect(payload(t.json.user_token)).toMatchObject({ typ: "widget_user_exchange", sub: "user:u-42", wk: k.id, via: "widget_secret" });
    expect(await lastUsed(k.id)).not.toBeNull();
    const s = await post("exchange", { client_key: k.public_key, user_token: t.json.user_token });
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ kind: "user", agent_id: "agent-a" });
    expect(payload(s.json.token)).toMatchObject({
      sub: "user:u-42",
      kind: "user",
      name: "Ada",
      email: "ada@acme.com",
      wk: k.id,
      origin: ORIGIN,
      typ: "widget_session",
    });
  });

  test("the user_token is single use: a replay is 400", async () => {
    const k = await newKey();
    const t = await userToken(k);
    expect((await post("exchange", { client_key: k.public_key, user_token: t.json.user_token })).status).toBe(200);
    const replay = await post("exchange", { client_key: k.public_key, user_token: t.json.user_token });
    expect(replay).toMatchObject({
      status: 400,
      text: "token_used: Missing or expired token; this user_token was already exchanged, mint a new one",
    });
  });

  test("a refused exchange (foreign origin) does not burn the token", async () => {
    const k = await newKey();
    const t = await userToken(k);
    const foreign = await post("exchange", { client_key: k.public_key, user_token: t.json.user_token }, { origin: FOREIGN });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toMatch(/^origin_not_allowed: /);
    expect((await post("exchange", { client_key: k.public_key, user_token: t.json.user_token }, {})).status).toBe(403);
    expect((await post("exchange", { client_key: k.public_key, user_token: t.json.user_token })).status).toBe(200);
  });

  test("the token is bound to its key: another key of the same account is 403 key_mismatch", async () => {
    const k1 = await newKey();
    const k2 = await newKey();
    const t = await userToken(k1);
    const r = await post("exchange", { client_key: k2.public_key, user_token: t.json.user_token });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/^key_mismatch: /);
  });

  test("an expired user_token (5 minutes) is 400 token_expired", async () => {
    const k = await newKey();
    const t = await userToken(k);
    clock.advance(300_000);
    const r = await post("exchange", { client_key: k.public_key, user_token: t.json.user_token });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^token_expired: Missing or expired token/);
  });

  test("user-token refusals: no or wrong secret 401, disabled key 403, guest-only and disabled agents 403, bad body 400", async () => {
    const k = await newKey();
    const none = await call(srv.url, "POST", "/api/v1/widget/auth/user-token", { body: { external_user_id: "u" } });
    expect(none.status).toBe(401);
    expect(none.text).toMatch(/^invalid_secret_key: /);
    const wrong = k.secret_key.slice(0, -4) + (k.secret_key.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await userToken(wrong)).status).toBe(401);
    expect((await userToken(k.public_key)).status).toBe(401);
    expect((await userToken(k, { external_user_id: "" })).text).toBe("invalid_body: external_user_id: must not be empty");
    expect((await userToken(k, { email: "not-an-email" })).text).toBe("invalid_body: email: must be an email address");
    const guestOnly = await newKey({ agent_id: "agent-guest" });
    expect((await userToken(guestOnly)).text).toMatch(
      /^auth_mode_not_allowed: agent "agent-guest" has auth_mode "guest"; user sessions need "user" or "both"/,
    );
    const off = await newKey({ agent_id: "agent-off" });
    expect((await userToken(off)).text).toMatch(/^agent_not_enabled: /);
    await mgmt("PATCH", `/widget-keys/${k.id}`, { disabled: true });
    const disabled = await userToken(k);
    expect(disabled.status).toBe(403);
    expect(disabled.text).toMatch(/^key_disabled: /);
  });

  test("exchange re-checks policy: an agent switched to guest-only refuses the exchange", async () => {
    await policy("agent-b", true, "both");
    const k = await newKey({ agent_id: "agent-b" });
    const t = await userToken(k);
    await policy("agent-b", true, "guest");
    const r = await post("exchange", { client_key: k.public_key, user_token: t.json.user_token });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/^auth_mode_not_allowed: /);
    await policy("agent-b", true, "both");
  });

  test("exchange: missing client_key 400, missing user_token 400, forged user_token 400", async () => {
    const k = await newKey();
    expect((await post("exchange", { user_token: "x" })).text).toMatch(/^missing_client_key: /);
    expect((await post("exchange", { client_key: k.public_key })).text).toBe("invalid_body: user_token: is required");
    const forged = await post("exchange", { client_key: k.public_key, user_token: "a.b.c" });
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/^invalid_token: /);
  });

  test("the account API key may also mint a user_token, bound to the account", async () => {
    const k = await newKey();
    const t = await userToken(srv.apiKey, { agent_id: "agent-a" });
    expect(t.status).toBe(200);
    expect(payload(t.json.user_token)).toMatchObject({ via: "account_api_key", wk: null, acct: "acme" });
    expect((await post("exchange", { client_key: k.public_key, user_token: t.json.user_token })).status).toBe(200);
    const other = srv.createAccount("stranger", ["s-agent"]);
    const t2 = await userToken(other.apiKey);
    const cross = await post("exchange", { client_key: k.public_key, user_token: t2.json.user_token });
    expect(cross.status).toBe(403);
    expect(cross.text).toMatch(/^key_mismatch: /);
  });
});

describe("POST /api/v1/widget/auth/refresh", () => {
  async function session(agent = "agent-a") {
    const k = await newKey({ agent_id: agent });
    const r = await guest(k);
    expect(r.status).toBe(200);
    return { key: k, token: r.json.token as string };
  }

  test("an unexpired token is refreshed with the same identity claims and a new expiry", async () => {
    const { token } = await session();
    clock.advance(60_000);
    const r = await post("refresh", { refresh_token: token });
    expect(r.status).toBe(200);
    const before = payload(token);
    const after = payload(r.json.token);
    expect(after).toMatchObject({ sub: before.sub, acct: before.acct, wk: before.wk, kind: "guest", agent_id: before.agent_id });
    expect(after.exp).toBe(before.exp + 60);
    expect(after.jti).not.toBe(before.jti);
  });

  test("the token can come as Authorization: Bearer", async () => {
    const { token } = await session();
    const r = await post("refresh", {}, { origin: ORIGIN, authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
  });

  test("accepted up to 5 minutes after expiry, refused beyond", async () => {
    const { token } = await session();
    clock.advance((15 + 4) * 60_000 + 59_000); // 4 min 59 s after exp
    expect((await post("refresh", { refresh_token: token })).status).toBe(200);
    clock.advance(1_000); // exactly 5 minutes after exp
    const late = await post("refresh", { refresh_token: token });
    expect(late.status).toBe(400);
    expect(late.text).toMatch(/^token_expired: Missing or expired refresh_token/);
  });

  test("missing token 400", async () => {
    const r = await post("refresh", {});
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^missing_refresh_token: Missing or expired refresh_token/);
  });

  test("alg none, another signing key, a tampered payload and a user_token are all refused", async () => {
    const { token } = await session();
    const [, body] = token.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${body}.`;
    const r1 = await post("refresh", { refresh_token: none });
    expect(r1).toMatchObject({ status: 400, text: "invalid_token: refresh_token is not a token issued by this server" });
    const otherKey = await signHs256(payload(token), createSecretKey(randomBytes(32)));
    expect((await post("refresh", { refresh_token: otherKey })).text).toMatch(/^invalid_token: /);
    const tampered = payload(token);
    tampered.sub = "user:admin";
    const forged = `${token.split(".")[0]}.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}.${token.split(".")[2]}`;
    expect((await post("refresh", { refresh_token: forged })).text).toMatch(/^invalid_token: /);
    const k = await newKey();
    const ut = await userToken(k);
    expect((await post("refresh", { refresh_token: ut.json.user_token })).text).toMatch(
      /^invalid_token: refresh_token is not a widget_session token/,
    );
  });

  test("refresh re-checks origin, key and policy", async () => {
    const { key, token } = await session("agent-b");
    expect((await post("refresh", { refresh_token: token }, { origin: FOREIGN })).status).toBe(403);
    await policy("agent-b", true, "user");
    expect((await post("refresh", { refresh_token: token })).text).toMatch(/^auth_mode_not_allowed: /);
    await policy("agent-b", true, "both");
    await mgmt("PATCH", `/widget-keys/${key.id}`, { disabled: true });
    expect((await post("refresh", { refresh_token: token })).text).toMatch(/^key_disabled: /);
  });
});
