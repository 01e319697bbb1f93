/**
 * examples/yaml through plain `pulumi` and the Pulumi YAML language host, with the native provider plugin
 * bin/pulumi-resource-kataven (plugins.providers[].path), against two accounts of the local server: preview,
 * up, an allowlist edit in place whose preview names the added origin, a replacement through
 * `websiteRotation`, refresh with no drift, a drifted key reported, destroy. The state and every output
 * are scanned for plaintext `sk_live_` values.
 */
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(240_000);

describe("Pulumi YAML with the native kataven provider", () => {
  let server: Server;
  let s: PulumiSession;
  let globex: { url: string; apiKey: string };
  const seenSecrets: string[] = [];

  const acme = () => managementApi(server);
  const outputs = async (showSecrets = false): Promise<Record<string, any>> =>
    JSON.parse((await s.run(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])])).stdout);
  const state = (name: string) => s.resources().find((r) => r.urn.endsWith(`::${name}`)) as any;
  const up = () => s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    globex = { url: server.url, apiKey: server.createAccount("globex").apiKey };
    s = await newSession(path.join(REPO, "examples/yaml"));
    await s.useServer(server);
    await s.config("globexApiUrl", server.url);
    await s.config("globexApiKey", globex.apiKey, { secret: true });
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("previews the native resources without calling the API's write endpoints", async () => {
    await server.resetStats();
    const r = await s.run(["preview", "--non-interactive"]);
    expect(r.stdout).toMatch(/kataven:index:WidgetKey\s+website\s+create/);
    expect(r.stdout).toMatch(/pulumi:providers:kataven\s+globex\s+create/);
    expect(await server.requestCount(/POST|PATCH|DELETE/)).toBe(0);
  });

  it("up creates each resource in its provider's account, secretKey a secret output", async () => {
    await up();
    const out = await outputs();
    expect(out.secretKey).toBe("[secret]");
    expect(out.publicKey).toMatch(/^pk_live_acme_/);
    expect(out.globexPublicKey).toMatch(/^pk_live_globex_/);
    expect(out.allowlist).toEqual(["https://acme.example", "*.acme.example"]);
    expect((await acme().listKeys()).map((k) => k.name)).toEqual(["acme.example production"]);
    expect((await managementApi(globex).listKeys()).map((k) => k.name)).toEqual(["globex.example"]);
    expect((await managementApi(globex).call("GET", "/widget-settings")).json).toMatchObject({
      primary_color: "#0f766e",
      launcher_label: "Ask Globex",
    });
    expect((await acme().call("GET", "/widget-settings")).json).toMatchObject({ primary_color: "#2563eb", launcher_label: "Talk to us" });
    expect((await acme().call("GET", "/agents/agent-a/widget-settings")).json).toMatchObject({ widget_enabled: true, auth_mode: "both" });
    const secrets = await outputs(true);
    expect(secrets.secretKey).toMatch(/^sk_live_acme_/);
    seenSecrets.push(secrets.secretKey, secrets.globexSecretKey);
    expect(state("website").type).toBe("kataven:index:WidgetKey");
    expect(state("website").outputs.secretKey["4dabf18193072939515e22adb298388d"]).toBeDefined();
  });

  it("an allowlist edit is an in-place update whose preview names the added origin", async () => {
    const before = (await outputs()).publicKey;
    // Re-ordered and re-spelled: no change at all.
    await s.configObject("websiteAllowlist", ["*.ACME.example", "https://acme.example/"]);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    await s.configObject("websiteAllowlist", ["https://acme.example", "*.acme.example", "https://shop.acme.example"]);
    const p = await s.run(["preview", "--non-interactive", "--diff"]);
    console.log(
      `preview --diff of the allowlist edit:\n${p.stdout
        .split("\n")
        .filter((l) => /domainAllowlist|shop\.acme/.test(l))
        .join("\n")}`,
    );
    expect(p.stdout).toMatch(/\+ ?\[2\]: "https:\/\/shop\.acme\.example"|domainAllowlist\[2\].*shop\.acme\.example/);
    expect(p.stdout).toMatch(/~ 1 to update|1 to update/);
    expect(p.stdout).not.toMatch(/replace/);
    await server.resetStats();
    const r = await up();
    expect(r.stdout).toMatch(/1 updated/);
    expect(await server.requestCount(/POST|DELETE/)).toBe(0);
    const out = await outputs();
    expect(out.publicKey).toBe(before);
    expect(out.allowlist).toEqual(["https://acme.example", "*.acme.example", "https://shop.acme.example"]);
  });

  it("a new websiteRotation replaces the key: a new pair first, then the old one goes", async () => {
    const before = await outputs();
    await s.config("websiteRotation", "2");
    const r = await up();
    expect(r.stdout).toMatch(/1 replaced/);
    const after = await outputs();
    expect(after.publicKey).not.toBe(before.publicKey);
    expect((await acme().listKeys()).map((k) => k.name)).toEqual(["acme.example production"]);
    seenSecrets.push((await outputs(true)).secretKey);
  });

  it("refresh finds no drift; a key edited outside Pulumi is reported, and up puts it back", async () => {
    await s.run(["refresh", "--yes", "--non-interactive"]);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    const id = state("website").id;
    await acme().call("PATCH", `/widget-keys/${id}`, { domain_allowlist: ["https://acme.example"] });
    const r = await s.run(["refresh", "--yes", "--non-interactive", "--diff"]);
    expect(r.stdout).toMatch(/website/);
    expect(r.stdout).toMatch(/1 updated/);
    expect(state("website").outputs.domainAllowlist).toEqual(["https://acme.example"]);
    await up();
    expect((await acme().listKeys())[0].domain_allowlist).toEqual(["https://acme.example", "*.acme.example", "https://shop.acme.example"]);
  });

  it("keeps every secret out of the state's plaintext and out of all output", () => {
    const text = s.stateText();
    expectNoSecretKeys(text);
    for (const secret of [...seenSecrets, server.apiKey, globex.apiKey]) expect(text).not.toContain(secret);
    expectNoSecretKeys(s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n"));
  });

  it("destroy removes the keys and resets the settings in both accounts", async () => {
    await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(await acme().listKeys()).toEqual([]);
    expect(await managementApi(globex).listKeys()).toEqual([]);
    expect((await managementApi(globex).call("GET", "/widget-settings")).json).toMatchObject({ primary_color: null });
    expect((await acme().call("GET", "/agents/agent-a/widget-settings")).json).toMatchObject({ widget_enabled: false, auth_mode: "guest" });
  });
});
