import { FaultInjector } from "../../server/faults";
import { base62, parseKey } from "../../server/keys";
import { canonicalPath, normaliseRouteSpec, routeKey } from "../../server/routeTable";

describe("route keys", () => {
  test.each([
    ["GET", "/api/v1/widget-keys", "GET /api/v1/widget-keys"],
    ["POST", "/hub-api/api/v1/widget-keys", "POST /api/v1/widget-keys"],
    ["PATCH", "/v1/widget-keys/123", "PATCH /api/v1/widget-keys/:id"],
    ["patch", "/v1/agents/a-1/widget-settings", "PATCH /api/v1/agents/:agentId/widget-settings"],
    ["OPTIONS", "/v1/widget/auth/guest", "OPTIONS /api/v1/widget/auth/guest"],
    ["GET", "/v1/api/v1/widget-keys", null],
    ["PUT", "/api/v1/widget-keys", null],
    ["GET", "/api/v1/widget-keys/1/2", null],
  ])("%s %s → %s", (method, path, key) => {
    expect(routeKey(method, path)).toBe(key);
  });

  test("canonicalPath rewrites only whole prefixes", () => {
    expect(canonicalPath("/v1x/widget-keys")).toBe("/v1x/widget-keys");
    expect(canonicalPath("/hub-api/api/v1/widget-settings")).toBe("/api/v1/widget-settings");
  });

  test.each([
    ["post /v1/widget-keys", "POST /api/v1/widget-keys"],
    ["DELETE /api/v1/widget-keys/{id}", "DELETE /api/v1/widget-keys/:id"],
    ["DELETE /api/v1/widget-keys/:id", "DELETE /api/v1/widget-keys/:id"],
    ["* /api/v1/widget-keys", "* /api/v1/widget-keys"],
    ["POST /api/v1/nothing", null],
    ["nonsense", null],
  ])("normaliseRouteSpec(%s) = %s", (spec, key) => {
    expect(normaliseRouteSpec(spec)).toBe(key);
  });
});

describe("FaultInjector", () => {
  test("applies a rule `times` times, in order, and -1 until cleared", () => {
    const f = new FaultInjector();
    f.set([
      { route: "POST /api/v1/widget-keys", mode: "status", status: 503, times: 2 },
      { route: "* /api/v1/widget-keys", mode: "latency", latencyMs: 5, times: -1 },
    ]);
    expect(f.take("POST /api/v1/widget-keys")?.status).toBe(503);
    expect(f.take("POST /api/v1/widget-keys")?.status).toBe(503);
    expect(f.take("POST /api/v1/widget-keys")?.mode).toBe("latency");
    expect(f.take("GET /api/v1/widget-keys")?.mode).toBe("latency");
    expect(f.take("GET /api/v1/widget-settings")).toBeUndefined();
    f.clear();
    expect(f.take("GET /api/v1/widget-keys")).toBeUndefined();
  });

  test("rejects unknown routes and modes", () => {
    const f = new FaultInjector();
    expect(() => f.set([{ route: "GET /x", mode: "drop" }])).toThrow(/rules\[0\]\.route "GET \/x" is not a route/);
    expect(() => f.set([{ route: "GET /api/v1/widget-keys", mode: "boom" as "drop" }])).toThrow(
      /"path": \[\s*0,\s*"mode"\s*\][\s\S]*"message": "Invalid option: expected one of /,
    );
  });
});

describe("keys", () => {
  test("base62 has the requested length and alphabet", () => {
    const s = base62(32);
    expect(s).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(base62(32)).not.toBe(s);
  });

  test("parseKey splits at the last underscore (slugs may contain _)", () => {
    expect(parseKey("pk_live_acme_co_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "pk_live_")).toEqual({
      account: "acme_co",
      random: "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    });
    expect(parseKey("sk_live_acme_short", "sk_live_")).toBeNull();
    expect(parseKey("pk_live_acme_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "sk_live_")).toBeNull();
    expect(parseKey("pk_live_Bad Slug_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "pk_live_")).toBeNull();
  });
});
