/**
 * Management auth (the contract's Management auth, server/README.md): `Authorization: Bearer
 * sk_live_<account>_…` (a bare `sk_live_` without "Bearer" is tolerated). The key is found by its HMAC (constant-time
 * compare); the account is the key's row, which must agree with the key prefix. `X-Account-ID`, when
 * present, must name the same account (403 otherwise). Zitadel JWTs are not supported here (401).
 * After auth the account's rate limits apply to the request.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv, ServerContext } from "./context";
import { HttpError } from "./errors";
import { ACCOUNT_SLUG_RE, parseKey, RESERVED_ACCOUNTS } from "./keys";

const UNAUTHORIZED = "Missing or invalid bearer token; send Authorization: Bearer <account API key (sk_live_…)>";

/** The bearer credential of a request, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (m) return m[1];
  const bare = header.trim();
  return bare.startsWith("sk_live_") && !/\s/.test(bare) ? bare : null;
}

export function managementAuth(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("account") !== undefined) return next();
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new HttpError(401, "unauthorized", UNAUTHORIZED);
    const parsed = parseKey(token, "sk_live_");
    if (!parsed) {
      throw new HttpError(401, "unauthorized", `${UNAUTHORIZED}; this server accepts only account API keys, not JWTs or widget keys`);
    }
    const row = ctx.store.findApiKey(token);
    if (!row || row.account_id !== parsed.account) throw new HttpError(401, "unauthorized", UNAUTHORIZED);
    if (row.disabled_at) throw new HttpError(401, "unauthorized", "the API key has been revoked; create a new one");

    const header = c.req.header("x-account-id");
    if (header !== undefined) {
      const claimed = header.trim();
      if (RESERVED_ACCOUNTS.has(claimed)) throw new HttpError(403, "forbidden", `the account "${claimed}" is reserved`);
      if (!ACCOUNT_SLUG_RE.test(claimed)) {
        throw new HttpError(400, "invalid_account_id", `X-Account-ID must be an account slug matching ${ACCOUNT_SLUG_RE.source}`);
      }
      if (claimed !== row.account_id) {
        throw new HttpError(
          403,
          "account_mismatch",
          `X-Account-ID "${claimed}" is not the account of this API key; drop the header or fix it`,
        );
      }
    }
    c.set("account", row.account_id);
    const release = ctx.limiter.acquire(row.account_id);
    try {
      await next();
    } finally {
      release();
    }
  };
}
