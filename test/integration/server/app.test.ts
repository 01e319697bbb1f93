import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

describe("request log", () => {
  const lines: string[] = [];
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ logger: (l) => lines.push(l) });
  });
  afterAll(() => srv.close());

  test("one line per request: method, route pattern, status, ms; never a key, token or body", async () => {
    srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
    const k = await call(srv.url, "POST", "/api/v1/widget-keys", {
      apiKey: srv.apiKey,
      body: { name: "secret-name-in-body", domain_allowlist: ["https://a.com"], agent_id: "agent-a" },
    });
    await call(srv.url, "PATCH", `/v1/widget-keys/${k.json.id}`, { apiKey: srv.apiKey, body: { name: "n2" } });
    const g = await call(srv.url, "POST", "/api/v1/widget/auth/guest", {
      body: { client_key: k.json.public_key },
      origin: "https://a.com",
    });
    const u = await call(srv.url, "POST", "/api/v1/widget/auth/user-token", {
      body: { external_user_id: "u" },
      headers: { authorization: `Bearer ${k.json.secret_key}` },
    });
    await call(srv.url, "GET", `/api/v1/widget/config?client_key=${k.json.public_key}`, { origin: "https://a.com" });
    await call(srv.url, "GET", "/nowhere");
    expect(lines.slice(0, 6).map((l) => l.replace(/ [\d.]+ms$/, " Nms"))).toEqual([
      "POST /api/v1/widget-keys 201 Nms",
      "PATCH /api/v1/widget-keys/:id 200 Nms",
      "POST /api/v1/widget/auth/guest 200 Nms",
      "POST /api/v1/widget/auth/user-token 200 Nms",
      "GET /api/v1/widget/config 200 Nms",
      "GET (no route) 404 Nms",
    ]);
    const all = lines.join("\n");
    for (const s of [
      srv.apiKey,
      k.json.public_key,
      k.json.secret_key,
      k.json.id,
      g.json.token,
      u.json.user_token,
      "secret-name-in-body",
      "https://a.com",
    ]) {
      expect(all).not.toContain(s);
    }
  });
});

describe("misc routes", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  test("GET /openapi.json documents every route with schemas generated from the wire types", async () => {
    const r = await call(srv.url, "GET", "/openapi.json");
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe("3.1.0");
    expect(Object.keys(r.json.paths).sort()).toEqual(
      [
        "/api/v1/agents/{agentId}/widget-settings",
        "/api/v1/widget-keys",
        "/api/v1/widget-keys/{id}",
        "/api/v1/widget-settings",
        "/api/v1/widget/auth/exchange",
        "/api/v1/widget/auth/guest",
        "/api/v1/widget/auth/refresh",
        "/api/v1/widget/auth/user-token",
        "/api/v1/widget/config",
      ].sort(),
    );
    const create = r.json.components.schemas.CreateWidgetKeyRequest;
    expect(create.required).toEqual(["name"]);
    expect(create.properties.domain_allowlist.type).toBe("array");
    // absent = unchanged, null = back to the default: the patch field is a bounded string or null
    expect(r.json.components.schemas.WidgetSettingsPatch.properties.launcher_label).toEqual({
      anyOf: [{ type: "string", maxLength: 40 }, { type: "null" }],
    });
    expect(r.json.paths["/api/v1/widget-keys"].post.responses["201"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/CreatedWidgetKey",
    );
  });

  test("GET /widget-demo serves the demo page with a #status element", async () => {
    const r = await call(srv.url, "GET", "/widget-demo?client_key=pk_live_x&api=http://127.0.0.1:1");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.text).toContain('id="status"');
    expect(r.text).toContain("/api/v1/widget/auth/guest");
    expect(r.text).toContain("guest session ok");
    expect(r.text).not.toContain("pk_live_x"); // parameters are read in the browser, never echoed
  });

  test("unknown routes are a plain-text 404", async () => {
    const r = await call(srv.url, "GET", "/api/v1/nothing");
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(r.text).toBe("not_found: no route GET /api/v1/nothing");
  });
});
