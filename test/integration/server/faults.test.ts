import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ faults: true });
});
afterAll(() => srv.close());
afterEach(() => srv.clearFaults());

const create = (name: string, prefix = "/api/v1") => call(srv.url, "POST", `${prefix}/widget-keys`, { apiKey: srv.apiKey, body: { name } });
const names = async () =>
  (await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey })).json.map((k: { name: string }) => k.name);

describe("fault rules", () => {
  test("status: answers the status without applying the write, then only for `times` requests", async () => {
    await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "status", status: 503, times: 2 }]);
    const r1 = await create("s1");
    expect(r1.status).toBe(503);
    expect(r1.text).toMatch(/^fault_injected: status 503 by a fault rule for POST \/api\/v1\/widget-keys/);
    expect((await create("s2")).status).toBe(503);
    expect((await create("s3")).status).toBe(201);
    const all = await names();
    expect(all).not.toContain("s1");
    expect(all).not.toContain("s2");
    expect(all).toContain("s3");
  });

  test("status 429 carries Retry-After", async () => {
    await srv.setFaults([{ route: "GET /api/v1/widget-keys", mode: "status", status: 429, retryAfter: 7 }]);
    const r = await call(srv.url, "GET", "/api/v1/widget-keys", { apiKey: srv.apiKey });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
  });

  test("latency: the request is answered normally after the delay", async () => {
    await srv.setFaults([{ route: "GET /api/v1/widget-settings", mode: "latency", latencyMs: 250 }]);
    const t0 = performance.now();
    const r = await call(srv.url, "GET", "/api/v1/widget-settings", { apiKey: srv.apiKey });
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  test("drop: the connection is destroyed and nothing is applied", async () => {
    await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "drop" }]);
    await expect(create("dropped")).rejects.toThrow("fetch failed"); // no HTTP answer at all
    expect(await names()).not.toContain("dropped");
  });

  test("apply-then-fail: the key is created (an orphan) but the answer is a 500", async () => {
    await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "apply-then-fail" }]);
    const r = await create("orphan-500");
    expect(r.status).toBe(500);
    expect(r.text).toMatch(/^fault_injected: status 500 after the request was applied/);
    expect(r.text).not.toMatch(/pk_live_|sk_live_/);
    expect(await names()).toContain("orphan-500");
  });

  test("apply-then-drop: the key is created but the connection is reset", async () => {
    await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "apply-then-drop" }]);
    await expect(create("orphan-reset")).rejects.toThrow("fetch failed"); // no HTTP answer at all
    expect(await names()).toContain("orphan-reset");
  });

  test("rules match the canonical route through the aliases, with {id} or a concrete id", async () => {
    await srv.setFaults([{ route: "POST /v1/widget-keys", mode: "status", status: 502 }]);
    expect((await create("alias", "/hub-api/api/v1")).status).toBe(502);
    const k = await create("patched");
    await srv.setFaults([{ route: "PATCH /api/v1/widget-keys/{id}", mode: "status", status: 500, times: -1 }]);
    for (let i = 0; i < 3; i++) {
      expect((await call(srv.url, "PATCH", `/api/v1/widget-keys/${k.json.id}`, { apiKey: srv.apiKey, body: { name: "x" } })).status).toBe(
        500,
      );
    }
    await srv.clearFaults();
    expect((await call(srv.url, "PATCH", `/api/v1/widget-keys/${k.json.id}`, { apiKey: srv.apiKey, body: { name: "x" } })).status).toBe(
      200,
    );
  });

  test("PUT /__admin/faults validates rules, GET lists them with remaining uses", async () => {
    const bad = await call(srv.url, "PUT", "/__admin/faults", { body: [{ route: "POST /nowhere", mode: "status" }] });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^invalid_fault_rules: rules\[0\]\.route "POST \/nowhere" is not a route of this server/);
    const badMode = await call(srv.url, "PUT", "/__admin/faults", { body: [{ route: "POST /api/v1/widget-keys", mode: "explode" }] });
    expect(badMode.status).toBe(400);
    const zero = await call(srv.url, "PUT", "/__admin/faults", { body: [{ route: "POST /api/v1/widget-keys", mode: "status", times: 0 }] });
    expect(zero.status).toBe(400);
    expect(zero.text).toMatch(/times: must be a positive count, or -1 for until cleared/);
    const ok = await call(srv.url, "PUT", "/__admin/faults", {
      body: [{ route: "GET /api/v1/widget-keys", mode: "status", status: 500, times: 3 }],
    });
    expect(ok.status).toBe(200);
    expect((await call(srv.url, "GET", "/__admin/faults")).json).toEqual([
      { route: "GET /api/v1/widget-keys", mode: "status", status: 500, times: 3, remaining: 3 },
    ]);
  });
});

describe("request statistics", () => {
  test("count per canonical route and status, aliases folded in, admin routes not counted; reset", async () => {
    await srv.resetStats();
    await create("c1");
    await create("c2", "/v1");
    await call(srv.url, "GET", "/hub-api/api/v1/widget-keys", { apiKey: srv.apiKey });
    await call(srv.url, "GET", "/api/v1/widget-keys");
    expect(await srv.requestCount("POST /api/v1/widget-keys")).toBe(2);
    expect(await srv.requestCount("/api/v1/widget-keys")).toBe(4);
    expect(await srv.requestCount(/^GET /)).toBe(2);
    expect(await srv.requestCount()).toBe(4);
    const snap = (await call(srv.url, "GET", "/__admin/stats")).json;
    expect(snap.routes["GET /api/v1/widget-keys"]).toEqual({ count: 2, statuses: { "200": 1, "401": 1 } });
    await call(srv.url, "POST", "/__admin/stats/reset");
    expect(await srv.requestCount()).toBe(0);
  });

  test("faulted and dropped requests are counted", async () => {
    await srv.resetStats();
    await srv.setFaults([{ route: "POST /api/v1/widget-keys", mode: "drop" }]);
    await expect(create("d")).rejects.toThrow("fetch failed"); // no HTTP answer at all
    expect((await srv.stats()).routes["POST /api/v1/widget-keys"]).toEqual({ count: 1, statuses: { dropped: 1 } });
  });
});

describe("admin routes are absent unless enabled", () => {
  test("without faults, /__admin/faults is a 404 and nothing can be injected", async () => {
    const plain = await startServer();
    try {
      expect(
        (await call(plain.url, "PUT", "/__admin/faults", { body: [{ route: "POST /api/v1/widget-keys", mode: "drop" }] })).status,
      ).toBe(404);
      await expect(plain.setFaults([])).rejects.toThrow(/faults: true/);
    } finally {
      await plain.close();
    }
  });
});
