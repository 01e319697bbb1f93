import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

const list = (headers: Record<string, string>, path = "/api/v1/widget-keys") => call(srv.url, "GET", path, { headers });

describe("management auth (Bearer account API key, X-Account-ID)", () => {
  test("401 without an Authorization header", async () => {
    const r = await list({});
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/^unauthorized: Missing or invalid bearer token/);
  });

  test("401 for an unknown key, a JWT and a non-bearer scheme", async () => {
    expect((await list({ authorization: "Bearer sk_live_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })).status).toBe(401);
    expect((await list({ authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x" })).status).toBe(401);
    expect((await list({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })).status).toBe(401);
  });

  test("a key with another account's prefix is refused even if the random part is right", async () => {
    const random = srv.apiKey.slice(srv.apiKey.lastIndexOf("_") + 1);
    expect((await list({ authorization: `Bearer sk_live_globex_${random}` })).status).toBe(401);
  });

  test("the error never echoes the presented key", async () => {
    const bogus = "sk_live_acme_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";
    const r = await list({ authorization: `Bearer ${bogus}` });
    expect(r.text).not.toContain(bogus);
  });

  test("a widget secret key is not a management credential", async () => {
    const created = await call(srv.url, "POST", "/api/v1/widget-keys", { apiKey: srv.apiKey, body: { name: "w" } });
    expect((await list({ authorization: `Bearer ${created.json.secret_key}` })).status).toBe(401);
  });

  test("Bearer works, and a bare sk_live_ key is tolerated", async () => {
    expect((await list({ authorization: `Bearer ${srv.apiKey}` })).status).toBe(200);
    expect((await list({ authorization: srv.apiKey })).status).toBe(200);
  });

  test("X-Account-ID matching the key is accepted; another account is 403; kataven-admin is 403; junk is 400", async () => {
    expect((await list({ authorization: `Bearer ${srv.apiKey}`, "x-account-id": "acme" })).status).toBe(200);
    const other = await list({ authorization: `Bearer ${srv.apiKey}`, "x-account-id": "globex" });
    expect(other.status).toBe(403);
    expect(other.text).toMatch(/^account_mismatch: X-Account-ID "globex" is not the account of this API key/);
    const admin = await list({ authorization: `Bearer ${srv.apiKey}`, "x-account-id": "kataven-admin" });
    expect(admin).toMatchObject({ status: 403, text: 'forbidden: the account "kataven-admin" is reserved' });
    expect((await list({ authorization: `Bearer ${srv.apiKey}`, "x-account-id": "Not A Slug" })).status).toBe(400);
  });

  test("a revoked API key is refused", async () => {
    const other = srv.createAccount("revoked-co");
    srv.store.db.prepare("UPDATE api_keys SET disabled_at = ? WHERE account_id = ?").run(new Date().toISOString(), "revoked-co");
    const r = await list({ authorization: `Bearer ${other.apiKey}` });
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/revoked/);
  });

  test("every management route needs the key", async () => {
    for (const [method, path] of [
      ["POST", "/api/v1/widget-keys"],
      ["PATCH", "/api/v1/widget-keys/x"],
      ["DELETE", "/api/v1/widget-keys/x"],
      ["GET", "/api/v1/widget-settings"],
      ["PATCH", "/api/v1/widget-settings"],
      ["GET", "/api/v1/agents/agent-a/widget-settings"],
      ["PATCH", "/api/v1/agents/agent-a/widget-settings"],
    ]) {
      expect([method, path, (await call(srv.url, method, path, method === "GET" ? {} : { body: {} })).status]).toEqual([method, path, 401]);
    }
  });
});

describe("path prefixes (the contract's Paths)", () => {
  test.each(["/api/v1", "/hub-api/api/v1", "/v1"])("%s/widget-keys answers with the same data", async (prefix) => {
    const r = await list({ authorization: `Bearer ${srv.apiKey}` }, `${prefix}/widget-keys`);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
  });

  test("the doubled /v1/api/v1 docs artefact is not served", async () => {
    const r = await list({ authorization: `Bearer ${srv.apiKey}` }, "/v1/api/v1/widget-keys");
    expect(r.status).toBe(404);
    expect(r.text).toMatch(/^not_found: /);
  });
});
