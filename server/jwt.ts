/**
 * Widget JWTs, HS256. Verification goes through jose (v5: it ships CommonJS, which the project's jest needs)
 * with the algorithm pinned, so `alg: none`, algorithm confusion and tokens signed with another key all fail.
 * Signing is node:crypto's HMAC directly: the same bytes jose's SignJWT produces for this header (a unit
 * test holds them equal), without its per-call WebCrypto-style key import, which cost more than the HMAC.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
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

/**
 * KeyObjects of the signing keys seen (the server has one): createHmac() with raw bytes imports the key
 * anew on every call, which costs several times the HMAC itself. Keyed by the array, so a key is imported
 * once and dropped with it.
 */
const keyObjects = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();

function hmacKey(key: Uint8Array): KeyObject {
  const hit = keyObjects.get(key);
  // the bytes are compared too, so a caller that reuses and rewrites its array still signs with what it holds
  if (hit && hit.bytes.equals(key)) return hit.key;
  const bytes = Buffer.from(key);
  const entry = { bytes, key: createSecretKey(bytes) };
  keyObjects.set(key, entry);
  return entry.key;
}

/** A compact HS256 JWS of the payload (JSON), signed with `key`; byte for byte what jose's SignJWT makes. */
export function signHs256Sync(payload: JwtPayload, key: Uint8Array): string {
  if (key.byteLength === 0) throw new TypeError("HS256 needs a non-empty key");
  const input = `${HS256_HEADER}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${input}.${createHmac("sha256", hmacKey(key)).update(input).digest("base64url")}`;
}

export function signHs256(payload: JwtPayload, key: Uint8Array): Promise<string> {
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

export async function verifyHs256(token: string, key: Uint8Array, opts: VerifyOptions): Promise<JwtPayload> {
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
