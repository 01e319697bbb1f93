/**
 * The REST client's pure parts: Retry-After parsing, backoff, snake/camel conversion, error text (what
 * failed, why, what to do; never a secret), and config resolution.
 */
import { toCamel, toSnake } from "../../provider/api/records";
import { backoffMs, parseRetryAfter } from "../../provider/api/retry";
import { accountKeyOf } from "../../provider/api/transport";
import { configProblem, DEFAULT_API_URL, MISSING_API_KEY_MESSAGE, resolveConfig } from "../../provider/config";
import {
  hintFor,
  KatavenApiError,
  KatavenConfigError,
  KatavenError,
  KatavenNetworkError,
  KatavenResponseError,
  parseErrorBody,
  redact,
} from "../../provider/api/errors";

describe("Retry-After", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it.each([
    ["0", 0],
    ["1", 1000],
    ["30", 30_000],
    [" 5 ", 5000],
    ["1.5", 1500],
    ["3600", 60_000], // capped
    ["Sun, 01 Jun 2025 12:00:10 GMT", 10_000],
    ["Sun, 01 Jun 2025 11:59:00 GMT", 0], // in the past
    ["Sun, 01 Jun 2025 13:00:00 GMT", 60_000], // capped
  ])("%j waits %d ms", (value, ms) => {
    expect(parseRetryAfter(value, 60_000, now)).toBe(ms);
  });

  it.each([[undefined], [null], [""], ["soon"], ["-5"], ["12abc"]])("%j is not a usable value", (value) => {
    expect(parseRetryAfter(value as string | undefined, 60_000, now)).toBeUndefined();
  });

  it("takes the first of repeated headers", () => {
    expect(parseRetryAfter(["2", "9"], 60_000, now)).toBe(2000);
  });
});

describe("backoff", () => {
  it("grows exponentially with full jitter in the upper half, capped", () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(400);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    for (let i = 0; i < 50; i++) {
      const v = backoffMs(2, 100);
      expect(v).toBeGreaterThanOrEqual(100);
      expect(v).toBeLessThanOrEqual(200);
    }
  });
});

describe("wire case conversion", () => {
  it("snake_case on the wire, camelCase outside", () => {
    expect(toCamel({ key_last8: "x", domain_allowlist: [], agent_id: null, id: "1" })).toEqual({
      keyLast8: "x",
      domainAllowlist: [],
      agentId: null,
      id: "1",
    });
    expect(toSnake({ domainAllowlist: ["a"], agentId: null, launcherPosition: "br", name: undefined })).toEqual({
      domain_allowlist: ["a"],
      agent_id: null,
      launcher_position: "br",
    });
  });
});

describe("error text", () => {
  it("names method, path, status, code, detail and the next step", () => {
    const e = new KatavenApiError({
      status: 404,
      code: "not_found",
      detail: "widget key not found",
      method: "PATCH",
      path: "/api/v1/widget-keys/3f2a",
      hint: 'it may have been deleted outside Pulumi, run "pulumi refresh".',
    });
    expect(e.message).toBe(
      'PATCH /api/v1/widget-keys/3f2a failed: 404 not_found: widget key not found; it may have been deleted outside Pulumi, run "pulumi refresh".',
    );
    expect(e).toMatchObject({
      status: 404,
      code: "not_found",
      detail: "widget key not found",
      method: "PATCH",
      path: "/api/v1/widget-keys/3f2a",
    });
  });

  it("401 says to check kataven:apiKey", () => {
    const e = new KatavenApiError({
      status: 401,
      code: "unauthorized",
      detail: "Missing or invalid bearer token",
      method: "GET",
      path: "/api/v1/widget-keys",
    });
    expect(e.message).toMatch(
      /^GET \/api\/v1\/widget-keys failed: 401 unauthorized: Missing or invalid bearer token; check kataven:apiKey/,
    );
  });

  it("counts attempts when retried", () => {
    const e = new KatavenApiError({ status: 503, code: "unavailable", detail: "down", method: "GET", path: "/p", attempts: 4 });
    expect(e.message).toMatch(/failed \(after 4 attempts\): 503/);
  });

  it("never carries key material, bearer tokens or JWTs", () => {
    const secret = "sk_live_acme_Zx81kQ2mN4pL7rT9vW3yB6cD";
    const e = new KatavenApiError({
      status: 400,
      code: "bad",
      detail: `got ${secret} with Authorization: Bearer ${secret} and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig`,
      method: "POST",
      path: "/p",
    });
    expect(e.message).not.toContain("Zx81kQ2mN4pL7rT9vW3yB6cD");
    expect(e.message).not.toContain("eyJzdWIiOiJ4In0");
    expect(e.detail).not.toContain("Zx81kQ2mN4pL7rT9vW3yB6cD");
    const n = new KatavenNetworkError({ code: "ECONNRESET", method: "GET", path: "/p", reason: `socket closed for ${secret}` });
    expect(n.message).not.toContain("Zx81kQ2mN4pL7rT9vW3yB6cD");
    expect(n.message).toMatch(/check kataven:apiUrl/);
    expect(redact("Basic dXNlcjpwYXNz")).toBe("Basic [redacted]");
  });

  it.each([
    ["not_found: widget key not found", "not_found", "widget key not found"],
    ["rate_limited: per-minute (60) exceeded", "rate_limited", "per-minute (60) exceeded"],
    [
      "invalid_allowlist_entry: domain_allowlist[2] must not contain a path",
      "invalid_allowlist_entry",
      "domain_allowlist[2] must not contain a path",
    ],
    ["<html>Bad gateway</html>", "unknown_error", "<html>Bad gateway</html>"],
    ["", "unknown_error", "(empty response body)"],
  ])("plain-text body %j → %s", (body, code, detail) => {
    expect(parseErrorBody(body)).toEqual({ code, detail });
  });
});

describe("config", () => {
  const source = (m: Record<string, string>) => ({ get: (k: string) => m[k] });

  it("stack config wins over the environment; the URL defaults to the hosted API", () => {
    const env = { KATAVEN_API_KEY: "sk_live_env_x", KATAVEN_API_URL: "http://env:1", KATAVEN_ACCOUNT_ID: "envacct" };
    expect(resolveConfig(source({ "kataven:apiKey": "sk_live_cfg_x", "kataven:accountId": "cfgacct" }), env)).toMatchObject({
      apiKey: "sk_live_cfg_x",
      accountId: "cfgacct",
      apiUrl: "http://env:1",
    });
    expect(resolveConfig(undefined, {}).apiUrl).toBe(DEFAULT_API_URL);
    expect(resolveConfig(source({ "kataven:apiUrl": "http://127.0.0.1:5/" }), {}).apiUrl).toBe("http://127.0.0.1:5");
  });

  it("a missing key and a bad URL are reported plainly", () => {
    expect(configProblem(resolveConfig(undefined, {}))).toBe(MISSING_API_KEY_MESSAGE);
    expect(configProblem({ apiUrl: "ftp://x", apiKey: "sk_live_a_b" })).toMatch(/kataven:apiUrl "ftp:\/\/x" is not an http\(s\) URL/);
  });

  it("the per-account key holds no key material", () => {
    expect(accountKeyOf({ apiUrl: "http://h", apiKey: "sk_live_acme_corp_Zx81kQ2m" })).toBe("http://h|acme_corp");
    expect(accountKeyOf({ apiUrl: "http://h", apiKey: "opaque-token", accountId: "acme" })).toBe("http://h|acme");
    expect(accountKeyOf({ apiUrl: "http://h", apiKey: "opaque-token" })).not.toContain("opaque-token");
  });
});

describe("one error base", () => {
  test("every error has a stable code; every call error names its method and path; the hint is the message's tail", () => {
    const api = new KatavenApiError({ status: 404, code: "not_found", detail: "gone", method: "GET", path: "/p", hint: "look elsewhere" });
    const net = new KatavenNetworkError({ code: "timeout", method: "PATCH", path: "/q", reason: "slow" });
    const body = new KatavenResponseError("POST", "/r", "id: is required");
    const cfg = new KatavenConfigError("kataven:apiKey is not set.");
    for (const e of [api, net, body, cfg]) {
      expect(e).toBeInstanceOf(KatavenError);
      expect(e.code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(e.name).toBe(e.constructor.name);
      if (e.hint) expect(e.message.endsWith(`; ${e.hint}`)).toBe(true);
    }
    expect([api, net, body].map((e) => [e.code, e.method, e.path])).toEqual([
      ["not_found", "GET", "/p"],
      ["timeout", "PATCH", "/q"],
      ["unexpected_response", "POST", "/r"],
    ]);
    expect([cfg.code, cfg.method, cfg.path]).toEqual(["invalid_config", undefined, undefined]);
    expect(api.message).toBe("GET /p failed: 404 not_found: gone; look elsewhere");
  });

  test("a 404 hint from the caller wins; other statuses keep the status hint", () => {
    expect(hintFor(404, "not_found", "check agentId")).toBe("check agentId");
    expect(hintFor(404, "not_found")).toBe("");
    expect(hintFor(401, "unauthorized", "check agentId")).toMatch(/^check kataven:apiKey/);
  });
});
