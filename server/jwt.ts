/**
 * Widget JWTs, HS256. Verification goes through jose (v5: it ships CommonJS, which the project's jest needs)
 * with the algorithm pinned, so `alg: none`, algorithm confusion and tokens signed with another key all fail.
 * Signing is node:crypto's HMAC directly: the same bytes jose's SignJWT produces for this header (a unit
 * test holds them equal), without its per-call WebCrypto-style key import, which cost more than the HMAC.
 * Both take the key as a KeyObject (the store imports it once): raw bytes would be imported anew on every
 * call, by createHmac and by jose alike, at several times the cost of the HMAC itself.
 */
import { createHmac, type KeyObject } from "node:crypto";
import { errors, jwtVerify, type JWTPayload } from "jose";

export type JwtPayload = JWTPayload & Record<string, unknown>;

export class JwtError extends Error {
  constructor(
    readonly code: "invalid" | "expired",
    message: string,
  ) {
    super(message);
    this.name = "JwtError";
  }
}

/** base64url of the fixed protected header, as jose writes it for setProtectedHeader({ alg, typ }) */
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/** A compact HS256 JWS of the payload (JSON), signed with `key`; byte for byte what jose's SignJWT makes. */
export function signHs256Sync(payload: JwtPayload, key: KeyObject): string {
  if (key.symmetricKeySize === 0) throw new TypeError("HS256 needs a non-empty key");
  const input = `${HS256_HEADER}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

export function signHs256(payload: JwtPayload, key: KeyObject): Promise<string> {
  return Promise.resolve(signHs256Sync(payload, key));
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  nowS: number;
  /** seconds past exp still accepted */
  toleranceS?: number;
  required?: string[];
}

export async function verifyHs256(token: string, key: KeyObject, opts: VerifyOptions): Promise<JwtPayload> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer: opts.issuer,
      audience: opts.audience,
      currentDate: new Date(opts.nowS * 1000),
      clockTolerance: opts.toleranceS ?? 0,
      requiredClaims: opts.required,
    });
    return payload as JwtPayload;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new JwtError("expired", "token expired");
    throw new JwtError("invalid", err instanceof Error ? err.message : "invalid token");
  }
}
