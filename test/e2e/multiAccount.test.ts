/**
 * Two Kataven accounts in one program (examples/multi-account) through the plain `pulumi` CLI and the
 * genuine Node.js language host, against two accounts of the local server: each resource is created in the
 * account of its KatavenConnection, with no `kataven:apiKey` in stack config; the API keys are secrets in
 * the state (inputs and outputs), never in `__provider`, and appear in no CLI output.
 */
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
jest.setTimeout(180_000);

describe("several accounts in one program through the real engine", () => {
  let server: Server;
  let s: PulumiSession;
  let globex: { url: string; apiKey: string };
  const widgetSecrets: string[] = [];

  const acmeApi = () => managementApi(server);
  const globexApi = () => managementApi(globex);
  const outputs = async (): Promise<Record<string, any>> => JSON.parse((await s.run(["stack", "output", "--json"])).stdout);
  const state = (suffix: string) => s.resources().find((r) => r.urn.endsWith(`::${suffix}`)) as any;

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    globex = { url: server.url, apiKey: server.createAccount("globex").apiKey };
    s = await newSession(path.join(REPO, "examples/multi-account"));
    await s.config("apiUrl", server.url);
    await s.config("acmeApiKey", server.apiKey, { secret: true });
    await s.config("globexApiKey", globex.apiKey, { secret: true });
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("creates each resource in its connection's account", async () => {
    // Made in globex's dashboard; the lookup runs once the globex key exists, so the first `up` lists both.
    const dash = await globexApi().call("POST", "/widget-keys", { name: "globex dashboard key", domain_allowlist: [] });
    widgetSecrets.push(dash.json.secret_key);
    await s.run(["up", "--yes", "--non-interactive"]);
    const out = await outputs();
    const acmeKeys = await acmeApi().listKeys();
    const globexKeys = await globexApi().listKeys();
    expect(acmeKeys.map((k) => [k.id, k.name])).toEqual([[out.acmeKeyId, "acme.example"]]);
    expect(globexKeys.map((k) => [k.id, k.name])).toEqual([
      [dash.json.id, "globex dashboard key"],
      [out.globexKeyId, "globex.example"],
    ]);
    expect(out.acmePublicKey).toMatch(/^pk_live_acme_/);
    expect(out.globexPublicKey).toMatch(/^pk_live_globex_/);
    expect(out.globexKeyNames).toEqual(["globex dashboard key", "globex.example"]);
    expect((await globexApi().call("GET", "/widget-settings")).json).toMatchObject({
      primary_color: "#0f766e",
      launcher_label: "Ask Globex",
    });
    expect((await acmeApi().call("GET", "/widget-settings")).json).toMatchObject({ primary_color: null, launcher_label: null });
    const secrets = JSON.parse((await s.run(["stack", "output", "--json", "--show-secrets"])).stdout);
    widgetSecrets.push(secrets.acmeSecretKey, secrets.globexSecretKey);
  });

  it("keeps each API key a secret in the state's inputs and outputs, and out of __provider", () => {
    for (const name of ["acme-site", "globex-site", "globex-branding"]) {
      const r = state(name);
      expect(r.inputs.connection[SECRET_SIG]).toBeDefined();
      expect(r.outputs.connection[SECRET_SIG]).toBeDefined();
      expect(r.outputs.__provider).not.toMatch(/sk_live_|127\.0\.0\.1/);
    }
    const text = s.stateText();
    expect(text).not.toContain(server.apiKey);
    expect(text).not.toContain(globex.apiKey);
  });

  it("refresh and a second preview change nothing", async () => {
    await s.run(["refresh", "--yes", "--non-interactive"]);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    expect(state("globex-site").outputs.connection[SECRET_SIG]).toBeDefined();
  });

  it("a new account API key is an in-place update (same key id), and the old one is no longer needed", async () => {
    const before = await outputs();
    const oldKey = globex.apiKey;
    globex = { url: server.url, apiKey: server.createAccount("globex").apiKey }; // rotates globex's account key
    await s.config("globexApiKey", globex.apiKey, { secret: true });
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).not.toMatch(/replaced|created|deleted/);
    expect((await outputs()).globexKeyId).toBe(before.globexKeyId);
    // the old account key is refused from now on, so delete below works only because the state holds the new one
    expect((await managementApi({ url: server.url, apiKey: oldKey }).call("GET", "/widget-keys")).status).toBe(401);
    await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(await acmeApi().listKeys()).toEqual([]);
    expect((await globexApi().listKeys()).map((k) => k.name)).toEqual(["globex dashboard key"]);
    expect((await globexApi().call("GET", "/widget-settings")).json).toMatchObject({ primary_color: null });
  });

  it("never prints an API key or a widget secret", () => {
    const cli = s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n");
    const text = `${cli}\n${s.stateText()}`;
    expect(findSecretKeys(`${text} ${server.apiKey}`)).toContain(server.apiKey); // positive control
    expect(findSecretKeys(text)).toEqual([]);
    for (const v of [server.apiKey, globex.apiKey, ...widgetSecrets]) expect(text).not.toContain(v);
  });
});
