/**
 * Public traffic cannot lock the management API, and management traffic does not throttle visitors: 60
 * refused guest calls from a foreign origin once made the account's next GET /widget-keys a 429 for 60 s,
 * and real visitors got 429 too. The public budgets are keyed by the peer address, never by a header the
 * client chooses, and one address cannot spend a key's whole budget; their tables stay bounded.
 */
import { ACCOUNTS_MAX, RateLimiter } from "../../server/ratelimit";
import { PublicRateLimiter, TABLE_MAX } from "../../server/publicLimits";
import { fakeClock, startServer, type TestServer } from "../support/server";
import { bearer, expectReply, json, send } from "./support";

const T0 = Date.parse("2026-11-29T12:00:00Z"); // on a minute boundary: the public windows are whole minutes
const ACME: [string, string] = ["origin", "https://acme.com"];
const EVIL: [string, string] = ["origin", "https://evil.example"];
const FOREIGN = "origin_not_allowed: Origin not in allowlist for this client_key (origin https://evil.example)";

async function setup(opts: Parameters<typeof startServer>[0]) {
  const clock = fakeClock(T0);
  const srv = await startServer({ clock, ...opts });
  srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
  const mk = async () =>
    JSON.parse(
      (
        await send(
          srv.url,
          json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: ["https://acme.com"], agent_id: "agent-a" }, [
            bearer(srv.apiKey),
          ]),
        )
      ).text,
    );
  return { srv, clock, mk };
}
const guest = (srv: TestServer, pk: string, origin: [string, string], localAddress?: string) =>
  send(srv.url, { ...json("POST", "/api/v1/widget/auth/guest", { client_key: pk }, [origin]), localAddress });
const listKeys = (srv: TestServer) => send(srv.url, { method: "GET", path: "/api/v1/widget-keys", headers: [bearer(srv.apiKey)] });

describe("public traffic never throttles the management API", () => {
  let s: Awaited<ReturnType<typeof setup>>;
  let key: { public_key: string; secret_key: string };
  beforeAll(async () => {
    // the documented 60/min; the public budgets on, roomy enough for the 331 calls below from one address
    s = await setup({ limits: {}, publicLimits: { perPeer: 1000 } });
    key = await s.mk();
  });
  afterAll(() => s.srv.close());

  test("60 refused guest calls from a foreign origin: each 403, none counted against the account", async () => {
    for (let i = 0; i < 60; i++) expectReply(await guest(s.srv, key.public_key, EVIL), 403, FOREIGN);
    expectReply(await listKeys(s.srv), 200, /^\[/);
  });

  test("real visitors are still admitted after the foreign flood", async () => {
    expectReply(await guest(s.srv, key.public_key, ACME), 200, /"kind":"guest"/);
  });

  test("200 admitted visitor calls leave the account's 60/min management budget untouched", async () => {
    for (let i = 0; i < 200; i++) expect((await guest(s.srv, key.public_key, ACME)).status).toBe(200);
    expectReply(await listKeys(s.srv), 200, /^\[/);
  });

  test("user-token calls (widget secret) do not count against the management budget either", async () => {
    for (let i = 0; i < 70; i++) {
      const r = await send(
        s.srv.url,
        json("POST", "/api/v1/widget/auth/user-token", { external_user_id: `u${i}` }, [bearer(key.secret_key)]),
      );
      expect(r.status).toBe(200);
    }
    expectReply(await listKeys(s.srv), 200, /^\[/);
  });
});

describe("management traffic never throttles visitors", () => {
  test("the account at its management limit still serves guests and config", async () => {
    const s = await setup({ limits: { perMinute: 3 }, publicLimits: {} });
    try {
      const key = await s.mk(); // 1 management call
      expect((await listKeys(s.srv)).status).toBe(200);
      expect((await listKeys(s.srv)).status).toBe(200);
      expectReply(await listKeys(s.srv), 429, "rate_limited: per-minute (3) exceeded");
      expectReply(await guest(s.srv, key.public_key, ACME), 200, /"kind":"guest"/);
      expectReply(
        await send(s.srv.url, { method: "GET", path: `/api/v1/widget/config?client_key=${key.public_key}`, headers: [ACME] }),
        200,
        /"account":"acme"/,
      );
    } finally {
      await s.srv.close();
    }
  });
});

describe("public budgets: per peer, per key", () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    s = await setup({ limits: {}, publicLimits: { perPeer: 5, perKey: 3, perPeerKey: 3 } });
  });
  afterEach(() => s.srv.close());

  test("a flood from one peer throttles that peer only, whatever its Origin, with Retry-After", async () => {
    const key = await s.mk();
    for (let i = 0; i < 5; i++) expectReply(await guest(s.srv, key.public_key, EVIL), 403, FOREIGN);
    s.clock.advance(15_000);
    const r = await guest(s.srv, key.public_key, EVIL);
    expectReply(r, 429, "rate_limited: public widget calls from this address (5 per minute) exceeded; retry after 45 s");
    expect(r.headers["retry-after"]).toBe("45");
    expectReply(await guest(s.srv, key.public_key, ACME), 429, /^rate_limited: public widget calls from this address/);
    expectReply(await guest(s.srv, key.public_key, ACME, "127.0.0.2"), 200, /"kind":"guest"/);
    expectReply(await listKeys(s.srv), 200, /^\[/);
  });

  test("refused calls are cheap: past the budget even a malformed body is not parsed", async () => {
    for (let i = 0; i < 5; i++)
      expect((await send(s.srv.url, { method: "POST", path: "/api/v1/widget/auth/guest", body: "{", headers: [EVIL] })).status).toBe(400);
    expectReply(
      await send(s.srv.url, { method: "POST", path: "/api/v1/widget/auth/guest", body: "{", headers: [EVIL] }),
      429,
      /^rate_limited: public widget calls from this address \(5 per minute\) exceeded/,
    );
  });

  test("unknown keys count against the peer budget too (no free guessing)", async () => {
    const unknown = "pk_live_acme_" + "Z".repeat(32);
    for (let i = 0; i < 5; i++)
      expectReply(await guest(s.srv, unknown, EVIL), 404, "invalid_client_key: no widget key matches this client_key");
    expectReply(await guest(s.srv, unknown, EVIL), 429, /^rate_limited: public widget calls from this address/);
  });

  test("a key's budget is spent only by calls whose Origin passed; another key of the account is unaffected", async () => {
    const key = await s.mk();
    const other = await s.mk();
    for (let i = 0; i < 4; i++) expectReply(await guest(s.srv, key.public_key, EVIL, "127.0.0.3"), 403, FOREIGN);
    for (let i = 0; i < 3; i++) expectReply(await guest(s.srv, key.public_key, ACME), 200, /"kind":"guest"/);
    expectReply(
      await guest(s.srv, key.public_key, ACME),
      429,
      /^rate_limited: public widget calls for this key \(3 per minute\) exceeded; retry after 60 s$/,
    );
    expectReply(await guest(s.srv, other.public_key, ["origin", "https://acme.com:443"]), 200, /"kind":"guest"/);
    expectReply(await listKeys(s.srv), 200, /^\[/);
  });

  test("the windows reset after a minute", async () => {
    const key = await s.mk();
    for (let i = 0; i < 3; i++) expect((await guest(s.srv, key.public_key, ACME)).status).toBe(200);
    expect((await guest(s.srv, key.public_key, ACME)).status).toBe(429);
    s.clock.advance(60_000);
    expectReply(await guest(s.srv, key.public_key, ACME), 200, /"kind":"guest"/);
  });

  test("user-token is budgeted per widget key after its secret is verified", async () => {
    const key = await s.mk();
    const ut = () => send(s.srv.url, json("POST", "/api/v1/widget/auth/user-token", { external_user_id: "u" }, [bearer(key.secret_key)]));
    for (let i = 0; i < 3; i++) expect((await ut()).status).toBe(200);
    expectReply(await ut(), 429, /^rate_limited: public widget calls for this key \(3 per minute\) exceeded/);
  });

  test("CORS preflights are not counted", async () => {
    const key = await s.mk();
    for (let i = 0; i < 10; i++) {
      const r = await send(s.srv.url, {
        method: "OPTIONS",
        path: "/api/v1/widget/auth/guest",
        headers: [ACME, ["access-control-request-method", "POST"]],
      });
      expect(r.status).toBe(204);
    }
    expectReply(await guest(s.srv, key.public_key, ACME), 200, /"kind":"guest"/);
  });
});

describe("one address cannot spend a key's budget, whatever it sends", () => {
  test("spellings of an allowed origin share one peer budget, and one address gets only its share of the key", async () => {
    const s = await setup({ limits: {}, publicLimits: { perPeer: 20, perKey: 50 } }); // share: 50 / 10 = 5
    try {
      const key = JSON.parse(
        (
          await send(
            s.srv.url,
            json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: ["https://acme.com", "*.acme.com"], agent_id: "agent-a" }, [
              bearer(s.srv.apiKey),
            ]),
          )
        ).text,
      );
      const spellings = [
        "https://acme.com",
        "https://ACME.com",
        "https://acme.com.",
        "https://acme.com:443",
        "https://x1.acme.com",
        "https://X2.ACME.COM.",
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await guest(s.srv, key.public_key, ["origin", spellings[i % spellings.length]])).status);
      expect(statuses.filter((x) => x === 200)).toHaveLength(5);
      expectReply(
        await guest(s.srv, key.public_key, ACME),
        429,
        /^rate_limited: public widget calls from this address \(20 per minute\) exceeded/,
      );
      // a visitor from another address is still served
      expectReply(await guest(s.srv, key.public_key, ACME, "127.0.0.2"), 200, /"kind":"guest"/);
    } finally {
      await s.srv.close();
    }
  });

  test("the share refuses before the key is charged: ten addresses are needed to use up a key", async () => {
    const s = await setup({ limits: {}, publicLimits: { perPeer: 100, perKey: 20 } }); // share 2
    try {
      const key = await s.mk();
      for (let i = 0; i < 2; i++) expect((await guest(s.srv, key.public_key, ACME)).status).toBe(200);
      for (let i = 0; i < 30; i++) {
        expectReply(
          await guest(s.srv, key.public_key, ACME),
          429,
          /^rate_limited: public widget calls for this key from this address \(2 per minute, this address's share of the key's 20\) exceeded; retry after 60 s$/,
        );
      }
      for (let p = 2; p <= 10; p++)
        for (let i = 0; i < 2; i++) expect((await guest(s.srv, key.public_key, ACME, `127.0.0.${p}`)).status).toBe(200);
      expectReply(
        await guest(s.srv, key.public_key, ACME, "127.0.0.11"),
        429,
        /^rate_limited: public widget calls for this key \(20 per minute\) exceeded/,
      );
    } finally {
      await s.srv.close();
    }
  });

  test("rotating the Origin header gives no fresh budget: 200 distinct origins, 429 after the 20th call", async () => {
    const s = await setup({ limits: {}, publicLimits: { perPeer: 20, perKey: 50 } });
    try {
      const key = await s.mk();
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await guest(s.srv, key.public_key, ["origin", `https://o${i}.evil.example`])).status);
      expect(statuses.slice(0, 20).every((x) => x === 403)).toBe(true);
      expect(statuses.slice(20).every((x) => x === 429)).toBe(true);
    } finally {
      await s.srv.close();
    }
  });

  test("the budget tables stay bounded: 57,000 distinct peers, at most TABLE_MAX buckets each", () => {
    const l = new PublicRateLimiter({ perPeer: 300, perKey: 10_000_000 }, () => 0);
    for (let i = 0; i < 57_000; i++) {
      const peer = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      l.takePeer(peer);
      l.takeKey("k", peer);
    }
    expect(l.tableSizes()).toEqual({ peer: TABLE_MAX, key: 1, peerKey: TABLE_MAX });
    const m = new RateLimiter({ perMinute: 60, perHour: 1000, perDay: 10_000, concurrent: 20 }, () => 0);
    for (let i = 0; i < ACCOUNTS_MAX + 500; i++) m.acquire(`acct-${i}`)();
    expect(m.size).toBe(ACCOUNTS_MAX);
  });
});
