import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

let srv: TestServer;
const api = (method: string, body?: unknown, apiKey = srv.apiKey) => call(srv.url, method, "/api/v1/widget-settings", { body, apiKey });
const DEFAULTS = {
  primary_color: null,
  accent_color: null,
  logo_url: null,
  launcher_position: "br",
  launcher_label: null,
  privacy_notice: null,
};

beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());

describe("GET/PATCH/PUT /api/v1/widget-settings", () => {
  test("GET returns the defaults when nothing is stored", async () => {
    const fresh = srv.createAccount("fresh-settings");
    const r = await api("GET", undefined, fresh.apiKey);
    expect(r).toMatchObject({ status: 200, json: DEFAULTS });
  });

  test("PATCH is partial: absent fields stay, null goes back to the default", async () => {
    const a = srv.createAccount("patchy");
    const r1 = await api("PATCH", { primary_color: "#2563eb", launcher_position: "tl", logo_url: "https://acme.com/logo.svg" }, a.apiKey);
    expect(r1.json).toEqual({ ...DEFAULTS, primary_color: "#2563eb", launcher_position: "tl", logo_url: "https://acme.com/logo.svg" });
    const r2 = await api("PATCH", { accent_color: "#fff", launcher_label: "Chat" }, a.apiKey);
    expect(r2.json).toEqual({ ...r1.json, accent_color: "#fff", launcher_label: "Chat" });
    const r3 = await api("PATCH", { primary_color: null, launcher_position: null }, a.apiKey);
    expect(r3.json).toEqual({ ...r2.json, primary_color: null, launcher_position: "br" });
    expect((await api("GET", undefined, a.apiKey)).json).toEqual(r3.json);
  });

  test("PUT replaces the whole document (absent = default)", async () => {
    const a = srv.createAccount("putter");
    await api("PATCH", { primary_color: "#123456", launcher_label: "Hi" }, a.apiKey);
    const r = await api("PUT", { accent_color: "#abc" }, a.apiKey);
    expect(r.json).toEqual({ ...DEFAULTS, accent_color: "#abc" });
  });

  test("settings are per account", async () => {
    const a = srv.createAccount("iso-a");
    const b = srv.createAccount("iso-b");
    await api("PATCH", { primary_color: "#000000" }, a.apiKey);
    expect((await api("GET", undefined, b.apiKey)).json.primary_color).toBeNull();
  });

  test.each([
    [{ primary_color: "blue" }, "invalid_body: primary_color: must be a hex colour such as #2563eb or #fff"],
    [{ accent_color: "#12345" }, "invalid_body: accent_color: must be a hex colour such as #2563eb or #fff"],
    [
      { logo_url: "http://acme.com/logo.png" },
      "invalid_body: logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg",
    ],
    [{ logo_url: "/logo.png" }, "invalid_body: logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg"],
    [{ launcher_position: "middle" }, "invalid_body: launcher_position: must be one of bl, br, tl, tr"],
    [{ launcher_label: "x".repeat(41) }, "invalid_body: launcher_label: must be at most 40 characters"],
    [{ privacy_notice: "x".repeat(501) }, "invalid_body: privacy_notice: must be at most 500 characters"],
    [{ colour: "#fff" }, "invalid_body: colour: unknown field"],
  ])("400 for %j", async (body, expected) => {
    const before = (await api("GET")).json;
    const r = await api("PATCH", body);
    expect(r.status).toBe(400);
    expect(r.text).toBe(expected);
    expect((await api("GET")).json).toEqual(before);
  });

  test("limits are inclusive: 40-character label and 500-character notice are accepted", async () => {
    const r = await api("PATCH", { launcher_label: "x".repeat(40), privacy_notice: "y".repeat(500) });
    expect(r.status).toBe(200);
  });
});
