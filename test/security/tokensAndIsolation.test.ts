/**
 * Forged tokens and cross-account use (keep 30/30 forged JWTs refused, 0 cross-account reads or
 * writes, 0 leaked keys). Forgeries are signed with jose: another key, `alg: none`, other algorithms with the
 * server's own key, wrong issuer, audience or type, tampered payloads; every one is a 400 or 404 that names
 * the token field, and no answer or log line holds a key, secret or token.
 */
import { createHmac, randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { startServer, type TestServer } from "../support/server";
import { bearer, expectNoSecrets, expectReply, json, send } from "./support";

let srv: TestServer;
const log: string[] = [];
const seen: string[] = [];
let k1: { id: string; public_key: string; secret_key: string };
let k2: { id: string; public_key: string; secret_key: string };
let kB: { id: string; public_key: string; secret_key: string };
let kBfree: { secret_key: string };
let other: { apiKey: string };
let session = "";
let serverKey: Uint8Array;
const ACME: [string, string] = ["origin", "https://acme.com"];

async function mk(apiKey: string, body: object) {
  return JSON.parse((await send(srv.url, json("POST", "/api/v1/widget-keys", body, [bearer(apiKey)]))).text);
}
async function go(req: Parameters<typeof send>[1]) {
  const r = await send(srv.url, req);
  if (r.status >= 400) seen.push(r.text); // refusals; a success legitimately carries its token
  return r;
}

beforeAll(async () => {
  srv = await startServer({ logger: (l) => log.push(l) });
  srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
  const b = srv.createAccount("bee-co", ["agent-bee"]);
  other = b;
  srv.setAgentPolicy("agent-bee", { widget_enabled: true, auth_mode: "both" }, "bee-co");
  k1 = await mk(srv.apiKey, { name: "one", domain_allowlist: ["https://acme.com"], agent_id: "agent-a" });
  k2 = await mk(srv.apiKey, { name: "two", domain_allowlist: ["https://acme.com"], agent_id: "agent-a" });
  kB = await mk(other.apiKey, { name: "bee", domain_allowlist: ["https://acme.com"], agent_id: "agent-bee" });
  kBfree = await mk(other.apiKey, { name: "bee unpinned", domain_allowlist: ["https://acme.com"] });
  session = JSON.parse((await send(srv.url, json("POST", "/api/v1/widget/auth/guest", { client_key: k1.public_key }, [ACME]))).text).token;
  serverKey = new Uint8Array(srv.store.jwtKey().export()); // the raw bytes, to forge with as an attacker holding them would
});
afterAll(async () => {
  await srv.close();
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
function claims(extra: Record<string, unknown> = {}) {
  return {
    sub: "guest:x",
    acct: "acme",
    agent_id: "agent-a",
    wk: k1.id,
    kind: "guest",
    origin: "https://acme.com",
    typ: "widget_session",
    iss: "kataven-local",
    aud: "kataven-widget",
    iat: now(),
    exp: now() + 600,
    jti: "j1",
    ...extra,
  };
}
const sign = (payload: Record<string, unknown>, key: Uint8Array, alg = "HS256") =>
  new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
const hmacToken = (header: object, payload: object, key: Uint8Array, hash = "sha256") => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest("base64url")}`;
};

const NOT_OURS = "invalid_token: refresh_token is not a token issued by this server";
type Forgery = [string, () => Promise<string> | string, number, string | RegExp];
const forgeries: Forgery[] = [
  ["signed with another key", () => sign(claims(), randomBytes(32)), 400, NOT_OURS],
  ["alg none, no signature", () => `${b64({ alg: "none", typ: "JWT" })}.${b64(claims())}.`, 400, NOT_OURS],
  ["alg None (case), no signature", () => `${b64({ alg: "None", typ: "JWT" })}.${b64(claims())}.`, 400, NOT_OURS],
  ["HS512 with the server's own key", () => sign(claims(), serverKey, "HS512"), 400, NOT_OURS],
  ["HS384 with the server's own key", () => sign(claims(), serverKey, "HS384"), 400, NOT_OURS],
  ["RS256 header over an HMAC signature", () => hmacToken({ alg: "RS256", typ: "JWT" }, claims(), serverKey), 400, NOT_OURS],
  [
    "a jku header pointing elsewhere",
    () => hmacToken({ alg: "HS256", jku: "https://evil.example/jwks" }, claims(), randomBytes(32)),
    400,
    NOT_OURS,
  ],
  [
    "a tampered payload (acct) under a real signature",
    () => {
      const [h, , s] = session.split(".");
      return `${h}.${b64({ ...JSON.parse(Buffer.from(session.split(".")[1], "base64url").toString()), acct: "bee-co" })}.${s}`;
    },
    400,
    NOT_OURS,
  ],
  [
    "a tampered payload (wk) under a real signature",
    () => {
      const [h, , s] = session.split(".");
      return `${h}.${b64({ ...JSON.parse(Buffer.from(session.split(".")[1], "base64url").toString()), wk: kB.id })}.${s}`;
    },
    400,
    NOT_OURS,
  ],
  ["the signature stripped", () => session.split(".").slice(0, 2).join(".") + ".", 400, NOT_OURS],
  ["the signature of another token", () => `${session.split(".").slice(0, 2).join(".")}.${"A".repeat(43)}`, 400, NOT_OURS],
  ["a wrong issuer, real key", () => sign(claims({ iss: "kataven-evil" }), serverKey), 400, NOT_OURS],
  ["a wrong audience, real key", () => sign(claims({ aud: "other-app" }), serverKey), 400, NOT_OURS],
  ["no jti, real key", () => sign({ ...claims(), jti: undefined }, serverKey), 400, NOT_OURS],
  ["no exp, real key", () => sign({ ...claims(), exp: undefined }, serverKey), 400, NOT_OURS],
  [
    "typ of a user token, real key",
    () => sign(claims({ typ: "widget_user_exchange" }), serverKey),
    400,
    "invalid_token: refresh_token is not a widget_session token",
  ],
  [
    "expired beyond the 5-minute grace, real key",
    () => sign(claims({ iat: now() - 3600, exp: now() - 301 }), serverKey),
    400,
    "token_expired: Missing or expired refresh_token; it expired more than 5 minutes ago, start a new widget session",
  ],
  ["three dots of garbage", () => "x.y.z", 400, NOT_OURS],
  ["not base64", () => "!!!.???.***", 400, NOT_OURS],
  ["a widget secret key", () => k1.secret_key, 400, NOT_OURS],
  [
    "a session of a deleted key, real key",
    () => sign(claims({ wk: "00000000-0000-4000-8000-000000000000" }), serverKey),
    404,
    "invalid_client_key: the widget key of this session no longer exists",
  ],
  [
    "acct of another account with this account's key id, real key",
    () => sign(claims({ acct: "bee-co" }), serverKey),
    404,
    "invalid_client_key: the widget key of this session no longer exists",
  ],
];

describe("forged session tokens on /widget/auth/refresh", () => {
  test.each(forgeries)("%s (body)", async (_n, token, status, message) => {
    expectReply(await go(json("POST", "/api/v1/widget/auth/refresh", { refresh_token: await token() }, [ACME])), status, message);
  });
  test.each(forgeries.slice(0, 10))("%s (Authorization: Bearer)", async (_n, token, status, message) => {
    expectReply(await go(json("POST", "/api/v1/widget/auth/refresh", {}, [ACME, bearer(await token())])), status, message);
  });
});

describe("forged and misused user tokens on /widget/auth/exchange", () => {
  const exchange = async (userToken: string, clientKey = k1.public_key) =>
    go(json("POST", "/api/v1/widget/auth/exchange", { client_key: clientKey, user_token: userToken }, [ACME]));
  const userClaims = (extra: Record<string, unknown> = {}) => ({
    sub: "user:u",
    acct: "acme",
    wk: k1.id,
    via: "widget_secret",
    typ: "widget_user_exchange",
    iss: "kataven-local",
    aud: "kataven-widget",
    iat: now(),
    exp: now() + 300,
    jti: `j-${Math.random()}`,
    ...extra,
  });
  const mint = async (secret: string) =>
    JSON.parse((await send(srv.url, json("POST", "/api/v1/widget/auth/user-token", { external_user_id: "u" }, [bearer(secret)]))).text)
      .user_token as string;
  const NOT_OURS_UT = "invalid_token: user_token is not a token issued by this server";

  test.each([
    ["signed with another key", () => sign(userClaims(), randomBytes(32)), 400, NOT_OURS_UT],
    ["alg none", () => `${b64({ alg: "none" })}.${b64(userClaims())}.`, 400, NOT_OURS_UT],
    ["HS512 with the server's key", () => sign(userClaims(), serverKey, "HS512"), 400, NOT_OURS_UT],
    ["a session token as a user token", () => session, 400, "invalid_token: user_token is not a widget_user_exchange token"],
    [
      "expired, real key",
      () => sign(userClaims({ iat: now() - 900, exp: now() - 1 }), serverKey),
      400,
      "token_expired: Missing or expired token; user_token lives 5 minutes, mint a new one with POST /api/v1/widget/auth/user-token",
    ],
    [
      "never issued (jti unknown), real key",
      () => sign(userClaims(), serverKey),
      400,
      "token_used: Missing or expired token; this user_token was already exchanged, mint a new one",
    ],
  ] as [string, () => Promise<string> | string, number, string][])("%s", async (_n, token, status, message) => {
    expectReply(await exchange(await token()), status, message);
  });

  test("a user token is single use", async () => {
    const ut = await mint(k1.secret_key);
    expectReply(await exchange(ut), 200, /"kind":"user"/);
    expectReply(await exchange(ut), 400, "token_used: Missing or expired token; this user_token was already exchanged, mint a new one");
  });

  test("a user token of one key cannot be exchanged with another key of the account", async () => {
    expectReply(
      await exchange(await mint(k1.secret_key), k2.public_key),
      403,
      "key_mismatch: user_token was minted for another widget key; use the client_key paired with the secret that minted it",
    );
  });

  test("a user token of another account cannot be exchanged here", async () => {
    expectReply(
      await exchange(await mint(kB.secret_key), k1.public_key),
      403,
      "key_mismatch: user_token was minted for another widget key; use the client_key paired with the secret that minted it",
    );
  });
});

describe("cross-account isolation", () => {
  const asOther = (method: string, path: string, body?: object) => go({ method, path, body, headers: [bearer(other.apiKey)] });
  test.each([
    [
      "PATCH another account's key",
      "PATCH",
      () => `/api/v1/widget-keys/${k1.id}`,
      { disabled: true },
      404,
      () => `not_found: widget key "${k1.id}" not found`,
    ],
    [
      "DELETE another account's key",
      "DELETE",
      () => `/api/v1/widget-keys/${k1.id}`,
      undefined,
      404,
      () => `not_found: widget key "${k1.id}" not found`,
    ],
    [
      "read another account's agent policy",
      "GET",
      () => "/api/v1/agents/agent-a/widget-settings",
      undefined,
      404,
      () => 'not_found: agent "agent-a" not found',
    ],
    [
      "write another account's agent policy",
      "PATCH",
      () => "/api/v1/agents/agent-a/widget-settings",
      { widget_enabled: false },
      404,
      () => 'not_found: agent "agent-a" not found',
    ],
    [
      "pin another account's agent",
      "POST",
      () => "/api/v1/widget-keys",
      { name: "x", agent_id: "agent-a" },
      400,
      () => 'invalid_agent_id: agent_id "agent-a" is not an agent of this account',
    ],
  ] as [string, string, () => string, object | undefined, number, () => string][])(
    "%s",
    async (_n, method, path, body, status, message) => {
      expectReply(await asOther(method, path(), body), status, message());
    },
  );

  test("after all that, account acme's key is untouched and its list holds only its own keys", async () => {
    const r = await go({ method: "GET", path: "/api/v1/widget-keys", headers: [bearer(srv.apiKey)] });
    expect(r.status).toBe(200);
    const list = JSON.parse(r.text) as { id: string; disabled_at: string | null }[];
    expect(list.map((k) => k.id).sort()).toEqual([k1.id, k2.id].sort());
    expect(list.every((k) => k.disabled_at === null)).toBe(true);
  });

  test("another account's widget secret cannot mint for this account's agent", async () => {
    expectReply(
      await go(json("POST", "/api/v1/widget/auth/user-token", { external_user_id: "u", agent_id: "agent-a" }, [bearer(kBfree.secret_key)])),
      404,
      'agent_not_found: agent "agent-a" not found',
    );
  });
});

test("no answer and no log line of this file holds a key, secret or token", () => {
  const secrets = [srv.apiKey, other.apiKey, k1.secret_key, k2.secret_key, kB.secret_key, kBfree.secret_key, session];
  expect(seen.length).toBeGreaterThan(40);
  expect(log.length).toBeGreaterThan(40);
  for (const text of [...seen, ...log]) expectNoSecrets(text, secrets);
});
