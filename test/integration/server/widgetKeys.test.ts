import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

let srv: TestServer;
const api = (method: string, path: string, body?: unknown, apiKey = srv.apiKey) =>
  call(srv.url, method, `/api/v1${path}`, { body, apiKey });

beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

async function create(body: Record<string, unknown> = {}) {
  const r = await api("POST", "/widget-keys", { name: "site", domain_allowlist: ["https://acme.com"], ...body });
  expect(r.status).toBe(201);
  return r.json;
}

/** Marks a key used by minting a guest session from an allowed origin. */
async function use(publicKey: string) {
  srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
  const r = await call(srv.url, "POST", "/api/v1/widget/auth/guest", {
    body: { client_key: publicKey, agent_id: "agent-a" },
    origin: "https://acme.com",
  });
  expect(r.status).toBe(200);
}

describe("POST /api/v1/widget-keys", () => {
  test("mints a key pair shown once, with canonical allowlist and pinned agent", async () => {
    const k = await create({
      name: "acme.com production",
      domain_allowlist: ["https://www.acme.com", "ACME.com", "https://acme.com:443/"],
      agent_id: "agent-a",
    });
    expect(k.public_key).toMatch(/^pk_live_acme_[0-9A-Za-z]{24,}$/);
    expect(k.secret_key).toMatch(/^sk_live_acme_[0-9A-Za-z]{24,}$/);
    expect(k.key_last8).toBe(k.public_key.slice(-8));
    expect(k.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(k.domain_allowlist).toEqual(["https://www.acme.com", "https://acme.com"]); // canonical, deduplicated, order kept
    expect(k.agent_id).toBe("agent-a");
    expect(k).toMatchObject({ name: "acme.com production", disabled_at: null, last_used_at: null });
    expect(k.created_at).toBe(k.updated_at);
  });

  test("server-set fields in the body are ignored", async () => {
    const k = await create({ id: "mine", created_at: "1999-01-01T00:00:00Z", key_last8: "xxxxxxxx" });
    expect(k.id).not.toBe("mine");
    expect(k.created_at).not.toBe("1999-01-01T00:00:00Z");
    expect(k.key_last8).not.toBe("xxxxxxxx");
  });

  test("no allowlist gives an empty (blocking) list and no pin", async () => {
    const r = await api("POST", "/widget-keys", { name: "bare" });
    expect(r.status).toBe(201);
    expect(r.json.domain_allowlist).toEqual([]);
    expect(r.json.agent_id).toBeNull();
  });

  test.each([
    [{}, "invalid_body: name: is required"],
    [{ name: "" }, "invalid_body: name: must not be empty"],
    [{ name: 7 }, "invalid_body: name: must be a string"],
    [{ name: "x", domain_allowlist: "https://acme.com" }, "invalid_body: domain_allowlist: must be an array of origins"],
    [{ name: "x", domain_allowlist: ["https://acme.com", 5] }, "invalid_body: domain_allowlist[1]: must be a string"],
  ])("400 for body %j", async (body, expected) => {
    const r = await api("POST", "/widget-keys", body);
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(r.text).toBe(expected);
  });

  test("400 names the bad allowlist entry and its index", async () => {
    const r = await api("POST", "/widget-keys", { name: "x", domain_allowlist: ["https://acme.com", "*.acme.com", "https://a.com/x"] });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^invalid_allowlist_entry: domain_allowlist\[2\] "https:\/\/a\.com\/x" has a path/);
  });

  test.each([
    "*",
    "https://acme.com?x=1",
    "https://acme.com#top",
    "https://user:pw@acme.com",
    "ac*me.com",
    "ftp://acme.com",
    "http://acme.com",
  ])("400 invalid_allowlist_entry for %s", async (entry) => {
    const r = await api("POST", "/widget-keys", { name: "x", domain_allowlist: [entry] });
    expect(r.status).toBe(400);
    expect(r.text.startsWith(`invalid_allowlist_entry: domain_allowlist[0] ${JSON.stringify(entry)} `)).toBe(true);
  });

  test("400 for an agent that is not in the account", async () => {
    const r = await api("POST", "/widget-keys", { name: "x", agent_id: "nope" });
    expect(r).toMatchObject({ status: 400, text: 'invalid_agent_id: agent_id "nope" is not an agent of this account' });
  });

  test("400 for malformed JSON and for a non-object body", async () => {
    const bad = await call(srv.url, "POST", "/api/v1/widget-keys", {
      rawBody: "{nope",
      apiKey: srv.apiKey,
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^invalid_json: /);
    const arr = await api("POST", "/widget-keys", ["x"]);
    expect(arr).toMatchObject({ status: 400, text: "invalid_body: the request body must be a JSON object" });
  });
});

describe("GET /api/v1/widget-keys", () => {
  test("lists metadata only: no key material beyond the last 8 characters", async () => {
    const k = await create({ name: "listed" });
    const r = await api("GET", "/widget-keys");
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
    const item = r.json.find((x: { id: string }) => x.id === k.id);
    expect(Object.keys(item).sort()).toEqual(
      ["agent_id", "created_at", "disabled_at", "domain_allowlist", "id", "key_last8", "last_used_at", "name", "updated_at"].sort(),
    );
    expect(r.text).not.toContain(k.public_key);
    expect(r.text).not.toContain(k.secret_key);
  });

  test("another account sees none of these keys", async () => {
    const other = srv.createAccount("globex");
    const mine = await create({ name: "mine" });
    const r = await api("GET", "/widget-keys", undefined, other.apiKey);
    expect(r.status).toBe(200);
    expect(r.json.map((x: { id: string }) => x.id)).not.toContain(mine.id);
  });
});

describe("PATCH /api/v1/widget-keys/{id}", () => {
  test("renames, replaces the allowlist, re-pins and unpins", async () => {
    const k = await create({ agent_id: "agent-a" });
    const r1 = await api("PATCH", `/widget-keys/${k.id}`, { name: "renamed", domain_allowlist: ["*.acme.com"], agent_id: "agent-b" });
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({
      id: k.id,
      name: "renamed",
      domain_allowlist: ["*.acme.com"],
      agent_id: "agent-b",
      key_last8: k.key_last8,
    });
    expect(r1.json.public_key).toBeUndefined();
    const r2 = await api("PATCH", `/widget-keys/${k.id}`, { agent_id: null });
    expect(r2.json.agent_id).toBeNull();
    expect(r2.json.name).toBe("renamed");
  });

  test("an empty patch changes nothing, updated_at included", async () => {
    const k = await create();
    const r = await api("PATCH", `/widget-keys/${k.id}`, {});
    expect(r.status).toBe(200);
    expect(r.json.updated_at).toBe(k.updated_at);
  });

  test("disabled:true is idempotent and keeps the first disabled_at; disabled:false re-enables", async () => {
    const k = await create();
    const r1 = await api("PATCH", `/widget-keys/${k.id}`, { disabled: true });
    expect(r1.json.disabled_at).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 5));
    const r2 = await api("PATCH", `/widget-keys/${k.id}`, { disabled: true });
    expect(r2.json.disabled_at).toBe(r1.json.disabled_at);
    const r3 = await api("PATCH", `/widget-keys/${k.id}`, { disabled: false });
    expect(r3.json.disabled_at).toBeNull();
  });

  test("400 for invalid fields, naming them", async () => {
    const k = await create();
    expect((await api("PATCH", `/widget-keys/${k.id}`, { disabled: "yes" })).text).toBe("invalid_body: disabled: must be true or false");
    const r = await api("PATCH", `/widget-keys/${k.id}`, { domain_allowlist: ["acme.com", "https://acme.com/path"] });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^invalid_allowlist_entry: domain_allowlist\[1\] "https:\/\/acme.com\/path" has a path/);
    expect((await api("PATCH", `/widget-keys/${k.id}`, { agent_id: "ghost" })).status).toBe(400);
  });

  test("404 for an unknown id and for another account's key", async () => {
    const k = await create();
    const other = srv.createAccount("initech");
    const r1 = await api("PATCH", "/widget-keys/00000000-0000-0000-0000-000000000000", { name: "x" });
    expect(r1).toMatchObject({ status: 404, text: 'not_found: widget key "00000000-0000-0000-0000-000000000000" not found' });
    const r2 = await api("PATCH", `/widget-keys/${k.id}`, { name: "stolen" }, other.apiKey);
    expect(r2.status).toBe(404);
    expect(r2.text).toBe(`not_found: widget key "${k.id}" not found`);
    expect((await api("GET", "/widget-keys")).json.find((x: { id: string }) => x.id === k.id).name).toBe("site");
  });
});

describe("DELETE /api/v1/widget-keys/{id}", () => {
  test("a never-used key is hard-deleted", async () => {
    const k = await create();
    const r = await api("DELETE", `/widget-keys/${k.id}`);
    expect(r).toMatchObject({ status: 200, json: { id: k.id, outcome: "deleted", disabled_at: null } });
    expect((await api("GET", "/widget-keys")).json.map((x: { id: string }) => x.id)).not.toContain(k.id);
    expect((await api("DELETE", `/widget-keys/${k.id}`)).status).toBe(404);
  });

  test("a used key is soft-disabled, stays listed, and keeps its disabled_at on a second delete", async () => {
    const k = await create();
    await use(k.public_key);
    const r = await api("DELETE", `/widget-keys/${k.id}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: k.id, outcome: "disabled", disabled_at: expect.any(String) });
    const listed = (await api("GET", "/widget-keys")).json.find((x: { id: string }) => x.id === k.id);
    expect(listed.disabled_at).toBe(r.json.disabled_at);
    expect(listed.last_used_at).toEqual(expect.any(String));
    const again = await api("DELETE", `/widget-keys/${k.id}`);
    expect(again.json).toEqual(r.json);
    const guest = await call(srv.url, "POST", "/api/v1/widget/auth/guest", {
      body: { client_key: k.public_key, agent_id: "agent-a" },
      origin: "https://acme.com",
    });
    expect(guest.status).toBe(403);
    expect(guest.text).toMatch(/^key_disabled: /);
  });

  test("404 for another account's key, which survives", async () => {
    const k = await create();
    const other = srv.createAccount("umbrella");
    expect((await api("DELETE", `/widget-keys/${k.id}`, undefined, other.apiKey)).status).toBe(404);
    expect((await api("GET", "/widget-keys")).json.map((x: { id: string }) => x.id)).toContain(k.id);
  });
});
