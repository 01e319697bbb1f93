import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/http";

let srv: TestServer;
const api = (method: string, agent: string, body?: unknown, apiKey = srv.apiKey) =>
  call(srv.url, method, `/api/v1/agents/${agent}/widget-settings`, { body, apiKey });

beforeAll(async () => {
  srv = await startServer({ agents: ["agent-a", "agent-b", "agent-c"] });
});
afterAll(() => srv.close());

describe("GET/PATCH /api/v1/agents/{agentId}/widget-settings", () => {
  test("a missing row reads {widget_enabled: false, auth_mode: guest}", async () => {
    const r = await api("GET", "agent-c");
    expect(r).toMatchObject({ status: 200, json: { agent_id: "agent-c", widget_enabled: false, auth_mode: "guest" } });
  });

  test("PATCH sets the policy, partially", async () => {
    const r1 = await api("PATCH", "agent-a", { widget_enabled: true, auth_mode: "both" });
    expect(r1.json).toEqual({ agent_id: "agent-a", widget_enabled: true, auth_mode: "both" });
    const r2 = await api("PATCH", "agent-a", { auth_mode: "user" });
    expect(r2.json).toEqual({ agent_id: "agent-a", widget_enabled: true, auth_mode: "user" });
    const r3 = await api("PATCH", "agent-a", { widget_enabled: false });
    expect(r3.json).toEqual({ agent_id: "agent-a", widget_enabled: false, auth_mode: "user" });
    expect((await api("GET", "agent-a")).json).toEqual(r3.json);
  });

  test("a body agent_id equal to the path is fine; a different one is 400", async () => {
    expect((await api("PATCH", "agent-b", { agent_id: "agent-b", widget_enabled: true })).status).toBe(200);
    const r = await api("PATCH", "agent-b", { agent_id: "agent-a", widget_enabled: false });
    expect(r.status).toBe(400);
    expect(r.text).toBe('agent_id_mismatch: agent_id "agent-a" in the body differs from "agent-b" in the path; omit it or make them equal');
    expect((await api("GET", "agent-b")).json.widget_enabled).toBe(true);
  });

  test.each([
    [{ auth_mode: "public" }, "invalid_body: auth_mode: must be one of guest, user, both"],
    [{ widget_enabled: "true" }, "invalid_body: widget_enabled: must be true or false"],
  ])("400 for %j", async (body, expected) => {
    const r = await api("PATCH", "agent-a", body);
    expect(r).toMatchObject({ status: 400, text: expected });
  });

  test("404 for an unknown agent and for another account's agent", async () => {
    expect(await api("GET", "ghost")).toMatchObject({ status: 404, text: 'not_found: agent "ghost" not found' });
    expect((await api("PATCH", "ghost", { widget_enabled: true })).status).toBe(404);
    const other = srv.createAccount("other-co", ["their-agent"]);
    expect((await api("GET", "their-agent")).status).toBe(404);
    expect((await api("PATCH", "their-agent", { widget_enabled: true })).status).toBe(404);
    expect((await api("GET", "their-agent", undefined, other.apiKey)).json.widget_enabled).toBe(false);
  });
});
