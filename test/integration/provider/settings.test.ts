/**
 * WidgetSettings (account branding) and AgentWidgetSettings (per-agent policy) against the local server:
 * create adopts what is stored, removed fields go back to their defaults, read shows drift, delete resets
 * or retains, and faults on their GET/PATCH either heal or fail clearly.
 */
import * as agent from "../../../provider/lifecycle/agentWidgetSettings";
import * as settings from "../../../provider/lifecycle/widgetSettings";
import { startServer, type TestServer } from "../../support/server";
import { api, type As, freshAccount, shutdown } from "./support";

type Props = Record<string, unknown>;
const PV = "1";

let srv: TestServer;
let acct: As;
beforeAll(async () => {
  srv = await startServer({ faults: true });
});
afterAll(() => shutdown(srv));
beforeEach(async () => {
  acct = freshAccount(srv, { timeoutMs: 600, backoffBaseMs: 5, retryAfterCapMs: 1000 });
  await srv.clearFaults();
  await srv.resetStats();
});

const DEFAULTS = {
  primary_color: null,
  accent_color: null,
  logo_url: null,
  launcher_position: "br",
  launcher_label: null,
  privacy_notice: null,
};

async function checked<T extends { check(o: Props, n: Props): Promise<{ inputs: Props; failures: unknown[] }> }>(m: T, program: Props) {
  const r = await m.check({}, { providerVersion: PV, ...program });
  expect(r.failures).toEqual([]);
  return r.inputs;
}

describe("WidgetSettings", () => {
  it("create adopts the stored settings and PATCHes only what differs; values someone else set are warned about and kept on delete", async () => {
    await api(acct, "PATCH", "/api/v1/widget-settings", { launcher_label: "Hi", accent_color: "#111111" });
    await srv.resetStats();
    const inputs = await checked(settings, { primaryColor: "#2563EB", launcherLabel: "Hi", accentColor: "#111111" });
    const printed = jest.spyOn(console, "error").mockImplementation(() => undefined);
    let r: Awaited<ReturnType<typeof settings.create>>;
    let lines: string[];
    try {
      r = await settings.create(inputs);
    } finally {
      lines = printed.mock.calls.map((c) => String(c[0]));
      printed.mockRestore();
    }
    expect(lines).toEqual([
      expect.stringMatching(
        /already held values other than the defaults \(accentColor="#111111", launcherLabel="Hi"\); another stack or a person may own them.*onDelete "retain"/,
      ),
    ]);
    expect(r.id).toMatch(/^widget-settings-[0-9a-f]{8}$/);
    expect(r.outs).toEqual({
      primaryColor: "#2563eb",
      accentColor: "#111111",
      logoUrl: null,
      launcherPosition: "br",
      launcherLabel: "Hi",
      privacyNotice: null,
      onDelete: "retain",
      adoptedValues: true,
      providerVersion: PV,
    });
    const stats = await srv.stats();
    expect(Object.keys(stats.routes)).toEqual(["GET /api/v1/widget-settings", "PATCH /api/v1/widget-settings"]);
    await settings.delete(r.id, r.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toMatchObject({ primary_color: "#2563eb", launcher_label: "Hi" });
  });

  it("create of what is already stored makes a single GET", async () => {
    const r = await settings.create(await checked(settings, { launcherPosition: "br" }));
    expect(r.outs.launcherPosition).toBe("br");
    expect(await srv.requestCount()).toBe(1);
  });

  it("a field removed from the program goes back to its default; an unchanged program makes no request", async () => {
    const c = await settings.create(await checked(settings, { primaryColor: "#000", launcherPosition: "tl", privacyNotice: "Recorded." }));
    const olds = { ...c.outs, __provider: "P" } as unknown as Props;
    await srv.resetStats();
    const same = await checked(settings, { primaryColor: "#000", launcherPosition: "tl", privacyNotice: "Recorded." });
    expect((await settings.diff(c.id, olds, same)).changes).toBe(false);
    expect(await srv.requestCount()).toBe(0);
    const fewer = await checked(settings, { primaryColor: "#000" });
    expect(settings.changedFields(olds, fewer)).toEqual(["launcherPosition", "privacyNotice"]);
    const u = await settings.update(c.id, olds, fewer);
    expect(u.outs).toMatchObject({ primaryColor: "#000", launcherPosition: "br", privacyNotice: null });
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toEqual({ ...DEFAULTS, primary_color: "#000" });
  });

  it("read shows a change made out of band, and returns matching inputs", async () => {
    const c = await settings.create(await checked(settings, { launcherLabel: "Chat" }));
    await api(acct, "PATCH", "/api/v1/widget-settings", { launcher_label: "Hacked" });
    const r = await settings.read(c.id, c.outs as unknown as Props);
    expect(r.props).toMatchObject({ launcherLabel: "Hacked", onDelete: "reset", providerVersion: PV });
    expect(r.inputs).toMatchObject({ launcherLabel: "Hacked" });
    expect(settings.changedFields(r.props as unknown as Props, await checked(settings, { launcherLabel: "Chat" }))).toEqual([
      "launcherLabel",
    ]);
  });

  it("delete resets to the defaults by default, and leaves them with onDelete: retain", async () => {
    const a = await settings.create(await checked(settings, { primaryColor: "#abc", onDelete: "retain" }));
    await settings.delete(a.id, a.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toMatchObject({ primary_color: "#abc" });
    await api(acct, "PATCH", "/api/v1/widget-settings", { primary_color: null });
    const b = await settings.create(await checked(settings, { primaryColor: "#abc" }));
    await settings.delete(b.id, b.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toEqual(DEFAULTS);
  });

  it("a rename (create the new resource, then delete the old) keeps the new settings", async () => {
    const old = await settings.create(await checked(settings, { primaryColor: "#111" }));
    const renamed = await settings.create(await checked(settings, { primaryColor: "#222" }));
    await settings.delete(old.id, old.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toMatchObject({ primary_color: "#222" });
    await settings.delete(renamed.id, renamed.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toEqual(DEFAULTS);
  });

  it.each([
    ["GET", { mode: "status", status: 503 }],
    ["GET", { mode: "drop" }],
    ["PATCH", { mode: "apply-then-fail" }],
    ["PATCH", { mode: "apply-then-drop" }],
    ["PATCH", { mode: "latency", latencyMs: 900 }],
    ["PATCH", { mode: "status", status: 429, retryAfter: 0 }],
  ] as const)("create heals a transient %s fault %j", async (method, rule) => {
    await srv.setFaults([{ route: `${method} /api/v1/widget-settings`, times: 1, ...rule }]);
    const r = await settings.create(await checked(settings, { launcherLabel: "Hello" }));
    expect(r.outs.launcherLabel).toBe("Hello");
    await srv.clearFaults();
    expect((await api(acct, "GET", "/api/v1/widget-settings")).body).toMatchObject({ launcher_label: "Hello" });
  });

  it("a persistent fault fails clearly", async () => {
    await srv.setFaults([{ route: "PATCH /api/v1/widget-settings", mode: "status", status: 500, times: -1 }]);
    await expect(settings.create(await checked(settings, { launcherLabel: "Hello" }))).rejects.toThrow(
      /^PATCH \/api\/v1\/widget-settings failed \(after 4 attempts\): 500 fault_injected: .*; the Kataven API failed; retry later$/,
    );
  });
});

describe("AgentWidgetSettings", () => {
  it("create adopts the stored policy, PATCHes what differs; id names the agent", async () => {
    const r = await agent.create(await checked(agent, { agentId: "agent-a", widgetEnabled: true, authMode: "both" }));
    expect(r.id).toMatch(/^agent-a~[0-9a-f]{8}$/);
    expect(r.outs).toEqual({ agentId: "agent-a", widgetEnabled: true, authMode: "both", onDelete: "reset", providerVersion: PV });
    expect((await api(acct, "GET", "/api/v1/agents/agent-a/widget-settings")).body).toEqual({
      agent_id: "agent-a",
      widget_enabled: true,
      auth_mode: "both",
    });
  });

  it("removed fields go back to the defaults (disabled, guest)", async () => {
    const c = await agent.create(await checked(agent, { agentId: "agent-a", widgetEnabled: true, authMode: "user" }));
    const u = await agent.update(c.id, c.outs as unknown as Props, await checked(agent, { agentId: "agent-a" }));
    expect(u.outs).toMatchObject({ widgetEnabled: false, authMode: "guest" });
    expect((await api(acct, "GET", "/api/v1/agents/agent-a/widget-settings")).body).toMatchObject({
      widget_enabled: false,
      auth_mode: "guest",
    });
  });

  it("an unknown agent fails naming the agent", async () => {
    await expect(agent.create(await checked(agent, { agentId: "agent-404", widgetEnabled: true }))).rejects.toThrow(
      'GET /api/v1/agents/agent-404/widget-settings failed: 404 not_found: agent "agent-404" not found; agent "agent-404" does not exist in this account; check agentId',
    );
  });

  it("read shows drift; an agent deleted out of band drops the resource", async () => {
    const c = await agent.create(await checked(agent, { agentId: "agent-b", widgetEnabled: true, authMode: "guest" }));
    await api(acct, "PATCH", "/api/v1/agents/agent-b/widget-settings", { widget_enabled: false });
    const r = await agent.read(c.id, c.outs as unknown as Props);
    expect(r.props).toMatchObject({ widgetEnabled: false });
    expect(
      agent.diffAgentSettings(
        r.props as unknown as Props,
        await checked(agent, { agentId: "agent-b", widgetEnabled: true, authMode: "guest" }),
      ).changed,
    ).toEqual(["widgetEnabled"]);
    const gone = await agent.read("agent-nope~00000000", { agentId: "agent-nope", onDelete: "reset" }).catch((e: Error) => e);
    expect(gone).toEqual({ id: "" });
  });

  it("delete resets (or retains) the policy; a missing agent is already done", async () => {
    const c = await agent.create(await checked(agent, { agentId: "agent-a", widgetEnabled: true, authMode: "both" }));
    await agent.delete(c.id, c.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/agents/agent-a/widget-settings")).body).toMatchObject({
      widget_enabled: false,
      auth_mode: "guest",
    });
    const k = await agent.create(await checked(agent, { agentId: "agent-b", widgetEnabled: true, onDelete: "retain" }));
    await agent.delete(k.id, k.outs as unknown as Props);
    expect((await api(acct, "GET", "/api/v1/agents/agent-b/widget-settings")).body).toMatchObject({ widget_enabled: true });
    await expect(agent.delete("agent-nope~00000000", { agentId: "agent-nope", onDelete: "reset" })).resolves.toBeUndefined();
  });

  it.each([
    ["GET", { mode: "status", status: 500 }],
    ["PATCH", { mode: "apply-then-drop" }],
    ["PATCH", { mode: "drop" }],
    ["PATCH", { mode: "latency", latencyMs: 900 }],
  ] as const)("create heals a transient %s fault %j", async (method, rule) => {
    await srv.setFaults([{ route: `${method} /api/v1/agents/{id}/widget-settings`, times: 1, ...rule }]);
    const r = await agent.create(await checked(agent, { agentId: "agent-a", widgetEnabled: true, authMode: "user" }));
    expect(r.outs).toMatchObject({ widgetEnabled: true, authMode: "user" });
  });
});

describe("no-change previews make no requests", () => {
  it("check + diff of both settings resources: 0 requests", async () => {
    const s = await settings.create(await checked(settings, { primaryColor: "#fff" }));
    const a = await agent.create(await checked(agent, { agentId: "agent-a", widgetEnabled: true }));
    await srv.resetStats();
    const sIn = await checked(settings, { primaryColor: "#FFF" });
    const aIn = await checked(agent, { agentId: "agent-a", widgetEnabled: true });
    expect((await settings.diff(s.id, s.outs as unknown as Props, sIn)).changes).toBe(false);
    expect((await agent.diff(a.id, a.outs as unknown as Props, aIn)).changes).toBe(false);
    expect(await srv.requestCount()).toBe(0);
  });
});
