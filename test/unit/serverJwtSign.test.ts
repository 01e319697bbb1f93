/**
 * The server signs widget JWTs with node:crypto's HMAC (server/jwt.ts) instead of jose's SignJWT, for
 * throughput. The tokens must be the same bytes jose makes, verify with jose with the
 * algorithm pinned, and fail verification under another key or algorithm.
 */
import { createSecretKey, randomBytes } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { signHs256, signHs256Sync, verifyHs256 } from "../../server/jwt";

const key = new Uint8Array(randomBytes(32));
/** the same key as the server holds it */
const keyObject = createSecretKey(key);
const payload = {
  sub: "guest:6f1c1d2e-0000-4000-8000-000000000000",
  acct: "acme",
  agent_id: "agent-a",
  wk: "wk_123",
  kind: "guest",
  origin: "https://acme.com",
  name: 'Zoë \u2028 "quoted" <tag>',
  typ: "widget_session",
  iss: "kataven-local",
  aud: "kataven-widget",
  iat: 1_800_000_000,
  exp: 1_800_000_900,
  jti: "0d5c8c1e-1111-4222-8333-444455556666",
};

test("the same bytes as jose's SignJWT with { alg: HS256, typ: JWT }", async () => {
  const viaJose = await new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key);
  expect(signHs256Sync(payload, keyObject)).toBe(viaJose);
  expect(await signHs256(payload, keyObject)).toBe(viaJose);
});

test("verifies with jose (algorithm pinned) and with the server's verifier", async () => {
  const token = signHs256Sync(payload, keyObject);
  const { payload: p, protectedHeader } = await jwtVerify(token, key, { algorithms: ["HS256"], currentDate: new Date(1_800_000_100_000) });
  expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
  expect(p).toEqual(payload);
  await expect(
    verifyHs256(token, keyObject, { issuer: "kataven-local", audience: "kataven-widget", nowS: 1_800_000_100 }),
  ).resolves.toEqual(payload);
});

test("another key, a changed payload or another pinned algorithm fail", async () => {
  const token = signHs256Sync(payload, keyObject);
  const opts = { issuer: "kataven-local", audience: "kataven-widget", nowS: 1_800_000_100 };
  await expect(verifyHs256(token, createSecretKey(randomBytes(32)), opts)).rejects.toMatchObject({ code: "invalid" });
  const [h, , s] = token.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, acct: "other" })).toString("base64url")}.${s}`;
  await expect(verifyHs256(forged, keyObject, opts)).rejects.toMatchObject({ code: "invalid" });
  await expect(jwtVerify(token, key, { algorithms: ["HS512"], currentDate: new Date(1_800_000_100_000) })).rejects.toThrow();
});

test("an empty key is refused", () => {
  expect(() => signHs256Sync(payload, createSecretKey(new Uint8Array(0)))).toThrow(/non-empty key/);
});
