/**
 * Referencing what Pulumi does not (yet) manage, through the plain `pulumi` CLI and the genuine Node.js
 * language host (test/e2e/programs/reference): the `import:` resource option (turned into adopt), the
 * static `WidgetKey.get`, and the lookup functions. Keys are made out of band with the management API, as
 * the dashboard or another stack would; every step checks the state and the requests the server saw, and
 * the state and CLI output are scanned for plaintext secrets at the end.
 */
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const PROGRAM = path.join(REPO, "test/e2e/programs/reference");
const WIDGET_KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";

describe("import, get and lookups through the real engine", () => {
  let server: Server;
  let s: PulumiSession;
  const secrets: string[] = [];
  let dashboardKey: { id: string; key_last8: string };
  let otherStackKey: { id: string; name: string };

  const api = () => managementApi(server);
  async function outputs(): Promise<Record<string, any>> {
    return JSON.parse((await s.run(["stack", "output", "--json"])).stdout);
  }
  const stateOf = (name: string) => s.resources().find((r) => r.type === WIDGET_KEY && r.urn.endsWith(`::${name}`)) as any;

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    s = await newSession(PROGRAM);
    await s.useServer(server);
    const a = await api().call("POST", "/widget-keys", { name: "made in the dashboard", domain_allowlist: ["https://dash.example"] });
    const b = await api().call("POST", "/widget-keys", {
      name: "other stack key",
      domain_allowlist: ["https://other.example"],
      agent_id: server.agents[0],
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    secrets.push(a.json.secret_key, b.json.secret_key);
    dashboardKey = a.json;
    otherStackKey = b.json;
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("import: { import: id } takes over the key (adopt), with no new key minted and no secret", async () => {
    await s.config("importId", dashboardKey.id);
    await server.resetStats();
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.output).not.toMatch(/toJavaScript/);
    expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(0);
    const st = stateOf("imported");
    expect(st.id).toBe(dashboardKey.id);
    expect(st.outputs.adopt).toEqual({ id: dashboardKey.id });
    expect(st.outputs.secretAvailable).toBe(false);
    expect(st.outputs.secretKey).toBeUndefined();
    const out = await outputs();
    expect(out.imported.keyId).toBe(dashboardKey.id);
    expect(out.imported.keyLast8).toBe(dashboardKey.key_last8);
    expect(out.imported.secretAvailable).toBe(false);
    expect(await api().listKeys()).toHaveLength(2);
    // A second up plans nothing: the import is not repeated.
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
  });

  it("import on AgentWidgetSettings is dropped: create adopts the stored policy and applies the program's", async () => {
    const agent = server.agents[1];
    await s.config("importPolicyOf", agent);
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.output).not.toMatch(/toJavaScript/);
    expect(s.resources().some((x) => x.urn.endsWith("::imported-policy"))).toBe(true);
    expect((await api().call("GET", `/agents/${agent}/widget-settings`)).json).toMatchObject({ widget_enabled: true, auth_mode: "both" });
    await s.run(["config", "rm", "--stack", s.stack, "importPolicyOf"]);
  });

  it("WidgetKey.get reads a key without managing it; its secret is not available", async () => {
    await s.config("getId", otherStackKey.id);
    await s.run(["up", "--yes", "--non-interactive"]);
    const st = stateOf("fetched");
    expect(st.external).toBe(true);
    expect(st.id).toBe(otherStackKey.id);
    const out = await outputs();
    expect(out.fetched).toMatchObject({
      keyId: otherStackKey.id,
      name: "other stack key",
      domainAllowlist: ["https://other.example"],
      secretAvailable: false,
    });
    await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(stateOf("fetched").id).toBe(otherStackKey.id);
  });

  it("lookups return plain typed values, filtered, without secrets", async () => {
    await s.config("lookupName", "other stack key");
    await s.config("agentId", server.agents[0]);
    await api().call("PATCH", "/widget-settings", { launcher_label: "Ask us" });
    await s.run(["up", "--yes", "--non-interactive"]);
    const out = await outputs();
    expect(out.keysNamed).toEqual([
      expect.objectContaining({
        id: otherStackKey.id,
        name: "other stack key",
        agentId: server.agents[0],
        disabled: false,
        domainAllowlist: ["https://other.example"],
      }),
    ]);
    expect(Object.keys(out.keysNamed[0]).sort()).toEqual([
      "agentId",
      "createdAt",
      "disabled",
      "disabledAt",
      "domainAllowlist",
      "id",
      "keyLast8",
      "lastUsedAt",
      "name",
    ]);
    expect(out.allKeys.map((k: { id: string }) => k.id).sort()).toEqual([dashboardKey.id, otherStackKey.id].sort());
    expect(out.branding).toMatchObject({ launcherLabel: "Ask us", launcherPosition: "br", primaryColor: null });
    expect(out.agentPolicy).toEqual({ agentId: server.agents[0], widgetEnabled: false, authMode: "guest" });
  });

  it("a lookup with no API key fails naming the config key to set", async () => {
    await s.run(["config", "rm", "--stack", s.stack, "kataven:apiKey"]);
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Kataven lookup: kataven:apiKey is not set/);
    await s.config("kataven:apiKey", server.apiKey, { secret: true });
  });

  it("destroy deletes the imported key but leaves the key read with get", async () => {
    await s.run(["destroy", "--yes", "--non-interactive"]);
    const ids = (await api().listKeys()).map((k) => k.id);
    expect(ids).toEqual([otherStackKey.id]);
  });

  it("never writes a secret to the state or the CLI output", () => {
    const text = s.stateText() + s.transcript.join("\n");
    // positive control: the scanner finds a secret planted in a copy of the text
    expect(findSecretKeys(`${text} ${secrets[0]}`)).toContain(secrets[0]);
    expect(findSecretKeys(text)).toEqual([]);
    for (const secret of [...secrets, server.apiKey]) expect(text).not.toContain(secret);
  });
});
