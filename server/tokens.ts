/**
 * Widget JWTs (the contract's Widget auth, server/README.md): HS256 (jose, jwt.ts) with the server key stored
 * in the database, the algorithm pinned on verification (so `alg: none` and other algorithms fail).
 *   session token: 15 minutes, typ "widget_session"; refresh accepts it up to 5 minutes after exp.
 *   user_token:    5 minutes, typ "widget_user_exchange", single use (jti recorded in exchange_tokens).
 */
import { type KeyObject, randomUUID } from "node:crypto";
import { HttpError } from "./errors";
import { JwtError, signHs256, verifyHs256, type JwtPayload as JWTPayload } from "./jwt";

export const ISSUER = "kataven-local";
export const AUDIENCE = "kataven-widget";
export const SESSION_TTL_S = 15 * 60;
export const REFRESH_GRACE_S = 5 * 60;
export const USER_TOKEN_TTL_S = 5 * 60;

export interface SessionClaims {
  sub: string;
  acct: string;
  agent_id: string;
  wk: string;
  kind: "guest" | "user";
  origin: string;
  name?: string;
  email?: string;
}

export interface UserTokenClaims {
  sub: string;
  acct: string;
  /** widget key the token is bound to; null when minted with the account API key */
  wk: string | null;
  agent_id?: string;
  name?: string;
  email?: string;
  via: "widget_secret" | "account_api_key";
}

async function sign(key: KeyObject, claims: Record<string, unknown>, nowMs: number, ttlS: number, typ: string) {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + ttlS;
  const jti = randomUUID();
  const token = await signHs256({ ...claims, typ, iss: ISSUER, aud: AUDIENCE, iat, exp, jti }, key);
  return { token, jti, expiresAt: new Date(exp * 1000).toISOString() };
}

export function signSession(key: KeyObject, claims: SessionClaims, nowMs: number) {
  return sign(key, { ...claims }, nowMs, SESSION_TTL_S, "widget_session");
}

export function signUserToken(key: KeyObject, claims: UserTokenClaims, nowMs: number) {
  return sign(key, { ...claims }, nowMs, USER_TOKEN_TTL_S, "widget_user_exchange");
}

async function verify(
  key: KeyObject,
  token: string,
  nowMs: number,
  toleranceS: number,
  typ: string,
  field: string,
  expiredDetail: string,
): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    payload = await verifyHs256(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      nowS: Math.floor(nowMs / 1000),
      toleranceS,
      required: ["exp", "iat", "jti", "sub"],
    });
  } catch (err) {
    if (err instanceof JwtError && err.code === "expired") throw new HttpError(400, "token_expired", expiredDetail);
    throw new HttpError(400, "invalid_token", `${field} is not a token issued by this server`);
  }
  if (payload.typ !== typ) throw new HttpError(400, "invalid_token", `${field} is not a ${typ} token`);
  return payload;
}

export async function verifySessionForRefresh(key: KeyObject, token: string, nowMs: number) {
  const p = await verify(
    key,
    token,
    nowMs,
    REFRESH_GRACE_S,
    "widget_session",
    "refresh_token",
    "Missing or expired refresh_token; it expired more than 5 minutes ago, start a new widget session",
  );
  return p as JWTPayload & SessionClaims;
}

export async function verifyUserToken(key: KeyObject, token: string, nowMs: number) {
  const p = await verify(
    key,
    token,
    nowMs,
    0,
    "widget_user_exchange",
    "user_token",
    "Missing or expired token; user_token lives 5 minutes, mint a new one with POST /api/v1/widget/auth/user-token",
  );
  return p as JWTPayload & UserTokenClaims & { jti: string };
}
