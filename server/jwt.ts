/**
 * Compact HS256 JWTs on node:crypto. jose 6 is ESM-only and the project's jest runs CommonJS without VM
 * modules, so the server signs and verifies here; the algorithm is pinned: the header must be exactly
 * {"alg":"HS256"} (typ optional "JWT"), so `alg: none`, RS256/ES256 confusion and unsigned tokens fail.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type JwtPayload = Record<string, unknown> & { exp?: number; iat?: number; iss?: string; aud?: string | string[]; jti?: string; sub?: string };

export class JwtError extends Error {
  constructor(
    readonly code: "malformed" | "algorithm" | "signature" | "claims" | "expired",
    message: string,
  ) {
    super(message);
    this.name = "JwtError";
  }
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function signHs256(payload: JwtPayload, key: Uint8Array): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac("sha256", key).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new JwtError("malformed", `${what} is not base64url`);
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch {
    throw new JwtError("malformed", `${what} is not a JSON object`);
  }
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  nowS: number;
  /** seconds past exp still accepted */
  toleranceS?: number;
  required?: string[];
}

export function verifyHs256(token: string, key: Uint8Array, opts: VerifyOptions): JwtPayload {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed", "not a compact JWT");
  const [head, body, sig] = parts;
  const header = decodeJson(head, "header");
  if (header.alg !== "HS256") throw new JwtError("algorithm", `algorithm ${JSON.stringify(header.alg)} is not accepted`);
  if (header.crit !== undefined) throw new JwtError("algorithm", "crit headers are not supported");
  const expected = createHmac("sha256", key).update(`${head}.${body}`).digest();
  const given = /^[A-Za-z0-9_-]+$/.test(sig) ? Buffer.from(sig, "base64url") : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError("signature", "signature mismatch");
  const payload = decodeJson(body, "payload") as JwtPayload;
  for (const claim of opts.required ?? []) {
    if (payload[claim] === undefined) throw new JwtError("claims", `missing claim ${claim}`);
  }
  if (payload.iss !== opts.issuer) throw new JwtError("claims", "unexpected issuer");
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.includes(opts.audience)) throw new JwtError("claims", "unexpected audience");
  if (typeof payload.exp !== "number") throw new JwtError("claims", "exp must be a number");
  if (payload.iat !== undefined && (typeof payload.iat !== "number" || payload.iat > opts.nowS + 60)) {
    throw new JwtError("claims", "iat is in the future");
  }
  if (payload.exp + (opts.toleranceS ?? 0) <= opts.nowS) throw new JwtError("expired", "token expired");
  return payload;
}
