/**
 * The WidgetKey lifecycle through the real Pulumi CLI, on the root program (Pulumi.yaml + program/) with a
 * stack config like a user's, against the local server: create, re-spelled allowlist (no diff, no API
 * call), in-place update, rotation (create before delete), out-of-band disable and delete seen by
 * refresh, adopt, bad input refused at preview, destroy. After every step the state and all CLI output
 * are scanned for plaintext `sk_live_` values.
 */
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, expectNoSecretKeys, newSession, PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

describe("WidgetKey through the real engine (root program)", () => {
  let server: Server;
  let s: PulumiSession;
  let agent: string;
  /** secrets read with --show-secrets, to scan for afterwards */
  const seenSecrets: string[] = [];

  const api = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) => managementApi(server).call(method, path, body);
  const listKeys = () => managementApi(server).listKeys();

  async function setKeys(keys: Record<string, unknown>) {
    await s.configObject("kataven-widget:keys", keys);
  }
  async function output(name: string, secret = false) {
    const r = await s.run(["stack", "output", name, "--json", ...(secret ? ["--show-secrets"] : [])]);
    return JSON.parse(r.stdout);
  }
  function widgetKeyState(name: string) {
    return s.resources().find((r) => r.type === "pulumi-nodejs:dynamic/kataven:WidgetKey" && r.urn.endsWith(`::${name}`));
  }
  function expectNoLeaks() {
    const state = s.stateText();
    expectNoSecretKeys(state);
    expect(seenSecrets.length).toBeGreaterThan(0);
    for (const secret of [...seenSecrets, server.apiKey]) expect(state).not.toContain(secret);
    const visible = s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n");
    expectNoSecretKeys(visible);
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    agent = server.agents[0];
    s = await newSession(REPO);
    await s.useServer(server);
    await s.configObject("kataven-widget:agents", { [agent]: { widgetEnabled: true, authMode: "both" } });
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("refuses a bad allowlist entry at preview, naming the field, and creates nothing", async () => {
    await setKeys({ website: { agent, allowlist: ["https://acme.example/app"] } });
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/domainAllowlist\[0\]/);
    expect(r.output).toMatch(/has a path/);
    expect(await listKeys()).toHaveLength(0);
  });

  it("creates a key with a secret output and a canonical allowlist", async () => {
    await setKeys({ website: { agent, allowlist: ["https://acme.example", "*.acme.example"] } });
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/\+\s+pulumi-nodejs:dynamic\/kataven:WidgetKey\s+website\s+created/);
    const keys = await output("widgetKeys");
    expect(keys.website.publicKey).toMatch(/^pk_live_/);
    expect(keys.website.domainAllowlist).toEqual(["https://acme.example", "*.acme.example"]);
    expect((await s.run(["stack", "output", "secretKeys"])).stdout.trim()).toBe("[secret]");
    const secrets = await output("secretKeys", true);
    expect(secrets.website).toMatch(/^sk_live_/);
    seenSecrets.push(secrets.website);
    const onServer = await listKeys();
    expect(onServer).toHaveLength(1);
    expect(onServer[0].id).toBe(keys.website.keyId);
    expect(onServer[0].domain_allowlist).toEqual(["https://acme.example", "*.acme.example"]);
    // The entry names the program line that declared the key (the SDK's stack trace, which the resource's
    // cheaper registration leaves intact), and its __provider is the package's one-line stub.
    const entry = widgetKeyState("website") as { stackTrace?: { sourcePosition?: string }[]; outputs?: { __provider?: string } };
    expect(entry.stackTrace?.map((f) => f.sourcePosition ?? "")).toContainEqual(expect.stringMatching(/program\/index\.ts#\d+,\d+$/));
    expect(entry.outputs?.__provider).toMatch(
      /^exports\.handler = .*require\("pulumi-kataven-widget\/provider\/lifecycle\/widgetKey"\)\.attach\(this, req\.config\); \} \}\);$/,
    );
    expectNoLeaks();
  });

  it("plans nothing, and calls the API only for its one account check, when the allowlist is only reordered or re-spelled", async () => {
    await setKeys({ website: { agent, allowlist: ["*.acme.example", "ACME.example.", "https://acme.example:443/", "*.ACME.example"] } });
    await server.resetStats();
    const r = await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    expect(r.stdout).toMatch(/unchanged/);
    const stats = await server.stats();
    expect(stats.total).toBe(1);
    expect(Object.keys(stats.routes)).toEqual(["GET /api/v1/widget-settings"]);
  });

  it("updates the allowlist in place, keeping the key and its secret", async () => {
    const before = await output("widgetKeys");
    await setKeys({ website: { agent, allowlist: ["https://acme.example", "*.acme.example", "https://shop.example"] } });
    const p = await s.run(["preview", "--non-interactive", "--diff"]);
    expect(p.stdout).toMatch(/~ pulumi-nodejs:dynamic\/kataven:WidgetKey: \(update\)/);
    expect(p.stdout).toMatch(/\+ \[2\]: "https:\/\/shop\.example"/);
    expect(p.stdout).toMatch(/~ 1 to update/);
    expect(p.stdout).not.toMatch(/secretKey/);
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/~ 1 updated/);
    const after = await output("widgetKeys");
    expect(after.website.keyId).toBe(before.website.keyId);
    expect((await output("secretKeys", true)).website).toBe(seenSecrets[0]);
    expect((await listKeys())[0].domain_allowlist).toContain("https://shop.example");
    expectNoLeaks();
  });

  it("rotates: the new key is created before the old one is deleted", async () => {
    const before = await output("widgetKeys");
    await setKeys({ website: { agent, allowlist: ["https://acme.example", "*.acme.example", "https://shop.example"], rotation: 1 } });
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/^\s+\+-1 replaced$/m);
    const created = r.stdout.search(/website\s+(creating replacement|created replacement)/);
    const deleted = r.stdout.search(/website\s+(deleting original|deleted original)/);
    expect(created).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeGreaterThan(created);
    const after = await output("widgetKeys");
    expect(after.website.keyId).not.toBe(before.website.keyId);
    const secret = (await output("secretKeys", true)).website;
    expect(secret).toMatch(/^sk_live_/);
    expect(secret).not.toBe(seenSecrets[0]);
    seenSecrets.push(secret);
    // the old key was never used, so deleting it removed it
    expect((await listKeys()).map((k) => k.id)).toEqual([after.website.keyId]);
    expectNoLeaks();
  });

  it("refresh shows nothing when nothing changed", async () => {
    const r = await s.run(["refresh", "--yes", "--non-interactive", "--expect-no-changes"]);
    expect(r.stdout).toMatch(/unchanged/);
  });

  it("refresh sees a key disabled outside Pulumi; up keeps it revoked until the program says disabled: false", async () => {
    const { website } = await output("widgetKeys");
    expect((await api("PATCH", `/widget-keys/${website.keyId}`, { disabled: true })).status).toBe(200);
    await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(widgetKeyState("website")?.outputs?.disabled).toBe(true);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    const allowlist = ["https://acme.example", "*.acme.example", "https://shop.example"];
    await setKeys({ website: { agent, allowlist, rotation: 1, disabled: false } });
    const p = await s.run(["preview", "--non-interactive"]);
    expect(p.stdout).toMatch(/~\s+pulumi-nodejs:dynamic\/kataven:WidgetKey\s+website\s+update/);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect((await listKeys()).find((k) => k.id === website.keyId)?.disabled_at).toBeNull();
    await setKeys({ website: { agent, allowlist, rotation: 1 } });
    expectNoLeaks();
  });

  it("refresh drops a key deleted outside Pulumi with a warning, and up mints a new one", async () => {
    const { website } = await output("widgetKeys");
    expect((await api("DELETE", `/widget-keys/${website.keyId}`)).status).toBe(200);
    const r = await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(r.output).toMatch(/warning: widget key "website" \S+ \(…\w{8}\) no longer exists in Kataven; it was deleted outside Pulumi/);
    expect(widgetKeyState("website")).toBeUndefined();
    await s.run(["up", "--yes", "--non-interactive"]);
    const again = await output("widgetKeys");
    expect(again.website.keyId).not.toBe(website.keyId);
    seenSecrets.push((await output("secretKeys", true)).website);
    expectNoLeaks();
  });

  it("adopts an existing key without minting one, and says its secret is unavailable", async () => {
    const made = await api("POST", "/widget-keys", { name: "legacy", domain_allowlist: ["https://legacy.example"] });
    expect(made.status).toBe(201);
    seenSecrets.push(made.json.secret_key);
    const countBefore = (await listKeys()).length;
    await setKeys({
      website: { agent, allowlist: ["https://acme.example", "*.acme.example", "https://shop.example"], rotation: 1 },
      legacy: { adopt: made.json.id, allowlist: ["https://legacy.example"] },
    });
    await s.run(["up", "--yes", "--non-interactive"]);
    expect((await listKeys()).length).toBe(countBefore);
    const state = widgetKeyState("legacy");
    expect(state?.id).toBe(made.json.id);
    expect(state?.outputs?.secretAvailable).toBe(false);
    expect((await output("secretKeys", true)).legacy ?? null).toBeNull();
    expectNoLeaks();
  });

  it("destroy deletes an unused key and disables a used one", async () => {
    const { website, legacy } = await output("widgetKeys");
    const guest = await request(`${server.url}/api/v1/widget/auth/guest`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://www.acme.example" },
      body: JSON.stringify({ client_key: website.publicKey }),
    });
    expect(guest.statusCode).toBe(200);
    await guest.body.text();
    const r = await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/deleted/);
    const left = await listKeys();
    expect(left.find((k) => k.id === legacy.keyId)).toBeUndefined();
    const used = left.find((k) => k.id === website.keyId);
    expect(used?.disabled_at).toEqual(expect.any(String));
    expectNoLeaks();
  });
});
