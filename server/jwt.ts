/**
 * Widget JWTs through jose (v5: it ships CommonJS, which the project's jest needs), HS256 with the algorithm
 * pinned on verification, so `alg: none`, algorithm confusion and tokens signed with another key all fail.
 */
import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";

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

export function signHs256(payload: JwtPayload, key: Uint8Array): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key);
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
