import { fakeClock, startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

const list = (srv: TestServer, apiKey = srv.apiKey) => call(srv.url, "GET", "/api/v1/widget-keys", { apiKey });

describe("per-account rate limits", () => {
  const clock = fakeClock(Date.parse("2026-03-01T00:00:00Z"));
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ clock, limits: { perMinute: 3, perHour: 5, perDay: 1000 } });
  });
  afterAll(() => srv.close());

  test("429 after the per-minute limit, with Retry-After counting down on the sliding window", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await list(srv)).status).toBe(200);
      clock.advance(10_000);
    }
    // requests at t=0,10,20 s; now t=30 s: the first leaves the window at t=60 s
    const r = await list(srv);
    expect(r.status).toBe(429);
    expect(r.text).toBe("rate_limited: per-minute (3) exceeded");
    expect(r.headers.get("retry-after")).toBe("30");
    clock.advance(29_000);
    expect((await list(srv)).headers.get("retry-after")).toBe("1");
    clock.advance(1_000);
    expect((await list(srv)).status).toBe(200);
  });

  test("other accounts have their own counters", async () => {
    const other = srv.createAccount("other-rl");
    expect((await list(srv, other.apiKey)).status).toBe(200);
  });

  test("the per-hour limit reports the longest wait", async () => {
    clock.advance(120_000);
    expect((await list(srv)).status).toBe(200); // 5th admitted request within the hour
    clock.advance(120_000);
    const r = await list(srv);
    expect(r.status).toBe(429);
    expect(r.text).toBe("rate_limited: per-hour (5) exceeded");
    // the oldest of the 5 was admitted at t=0 and it is now t=30+30+240=300 s: 3300 s to go
    expect(r.headers.get("retry-after")).toBe("3300");
  });

  test("widget auth routes never count against the account's management limits", async () => {
    const other = srv.createAccount("widget-rl", ["w-agent"]);
    srv.setAgentPolicy("w-agent", { widget_enabled: true, auth_mode: "guest" }, "widget-rl");
    clock.advance(3_600_000);
    const k = await call(srv.url, "POST", "/api/v1/widget-keys", {
      apiKey: other.apiKey,
      body: { name: "k", domain_allowlist: ["https://a.example.com"], agent_id: "w-agent" },
    });
    expect(k.status).toBe(201);
    const guest = () =>
      call(srv.url, "POST", "/api/v1/widget/auth/guest", { body: { client_key: k.json.public_key }, origin: "https://a.example.com" });
    for (let i = 0; i < 5; i++) expect((await guest()).status).toBe(200);
    // one management call used so far this minute (the create): two more fit in the per-minute 3
    expect((await list(srv, other.apiKey)).status).toBe(200);
    expect((await list(srv, other.apiKey)).status).toBe(200);
  });
});

describe("defaults and concurrency", () => {
  test("the documented 60/min applies when limits are on with defaults", async () => {
    const clock = fakeClock();
    const srv = await startServer({ clock, limits: {} });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await list(srv)).status);
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(statuses[60]).toBe(429);
      const r = await list(srv);
      expect(r.text).toBe("rate_limited: per-minute (60) exceeded");
      expect(r.headers.get("retry-after")).toBe("60");
    } finally {
      await srv.close();
    }
  });

  test("the concurrency limit answers 429 with Retry-After: 1 while a request is in flight", async () => {
    // a high bcrypt cost keeps the create request in flight (bcryptjs yields to the event loop while hashing)
    const srv = await startServer({ limits: { concurrent: 1 }, bcryptCost: 12 });
    try {
      const slow = call(srv.url, "POST", "/api/v1/widget-keys", { apiKey: srv.apiKey, body: { name: "slow" } });
      await new Promise((r) => setTimeout(r, 30));
      const r = await list(srv);
      expect(r.status).toBe(429);
      expect(r.text).toBe("rate_limited: concurrent (1) exceeded");
      expect(r.headers.get("retry-after")).toBe("1");
      expect((await slow).status).toBe(201);
      expect((await list(srv)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  test("limits can be turned off", async () => {
    const srv = await startServer({ limits: false });
    try {
      for (let i = 0; i < 70; i++) expect((await list(srv)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});
