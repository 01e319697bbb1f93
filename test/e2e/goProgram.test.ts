/**
 * examples/go through plain `pulumi` and the Go language host (scripts/toolchain.sh --go builds it; npm
 * test does that), with the SDK in sdk/go that Pulumi's Go code generator made from the native plugin's
 * schema: sdk/go is checked to be what the generator makes today, then preview, up (the resources exist in
 * Kataven), an allowlist edit whose preview names the added origin, destroy. The state and every output
 * are scanned for plaintext `sk_live_` values.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { buildGoProgram, GO_BUILD_TIMEOUT_MS, missingGo } from "./support/go";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, type PulumiSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(300_000);

const PROGRAM = path.join(REPO, "examples/go");

/** Every file under dir, relative path → content. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) files.set(f, fs.readFileSync(p, "utf8"));
  }
  return files;
}

const missing = missingGo();
if (missing) console.warn(`SKIPPED the Go program: ${missing}`);
const describeGo = missing ? describe.skip : describe;

describeGo("a Go program with the generated Go SDK", () => {
  let server: Server;
  let s: PulumiSession;
  const seenSecrets: string[] = [];

  const api = () => managementApi(server);
  const outputs = async (showSecrets = false): Promise<Record<string, any>> =>
    JSON.parse((await s.run(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])])).stdout);
  const state = (name: string) => s.resources().find((r) => r.urn.endsWith(`::${name}`)) as any;

  beforeAll(async () => {
    // The program's first build compiles the Pulumi Go SDK: done here, timed, so the CLI's commands below
    // measure the engine, not the compiler.
    await buildGoProgram(PROGRAM);
    server = await startServer({ bcryptCost: 4 });
    s = await newSession(PROGRAM);
    await s.useServer(server);
  }, GO_BUILD_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("sdk/go is what Pulumi's Go code generator makes from the plugin's schema (npm run gen:go-sdk)", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-go-sdk-"));
    try {
      const r = await runProcess("bash", ["scripts/gen-go-sdk.sh", out], { cwd: REPO, timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`scripts/gen-go-sdk.sh failed:\n${r.output}`);
      const fresh = tree(out);
      const committed = tree(path.join(REPO, "sdk/go"));
      expect([...committed.keys()]).toEqual([...fresh.keys()]);
      expect([...fresh.keys()]).toEqual(expect.arrayContaining(["go.mod", "kataven/widgetKey.go", "kataven/pulumi-plugin.json"]));
      const stale = [...fresh].filter(([f, text]) => committed.get(f) !== text).map(([f]) => f);
      expect(stale).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 660_000);

  it("previews the native resources without calling the API's write endpoints", async () => {
    await server.resetStats();
    const r = await s.run(["preview", "--non-interactive"]);
    expect(r.stdout).toMatch(/kataven:index:WidgetKey\s+website\s+create/);
    expect(r.stdout).toMatch(/kataven:index:WidgetSettings\s+branding\s+create/);
    expect(r.stdout).toMatch(/kataven:index:AgentWidgetSettings\s+support\s+create/);
    expect(await server.requestCount(/POST|PATCH|DELETE/)).toBe(0);
  });

  it("up creates the key, the branding and the agent policy; secretKey is a secret output", async () => {
    const t0 = Date.now();
    await s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
    console.log(`pulumi up of examples/go: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const out = await outputs();
    expect(out.secretKey).toBe("[secret]");
    expect(out.publicKey).toMatch(/^pk_live_acme_/);
    expect(out.allowlist).toEqual(["https://acme.example", "*.acme.example"]);
    const keys = await api().listKeys();
    expect(keys.map((k) => [k.id, k.name, k.key_last8, k.agent_id, k.domain_allowlist])).toEqual([
      [state("website").id, "acme.example production", out.publicKey.slice(-8), "agent-a", ["https://acme.example", "*.acme.example"]],
    ]);
    expect((await api().call("GET", "/widget-settings")).json).toMatchObject({ primary_color: "#2563eb", launcher_label: "Talk to us" });
    expect((await api().call("GET", "/agents/agent-a/widget-settings")).json).toMatchObject({ widget_enabled: true, auth_mode: "both" });
    const secrets = await outputs(true);
    expect(secrets.secretKey).toMatch(/^sk_live_acme_/);
    seenSecrets.push(secrets.secretKey);
    expect(state("website").type).toBe("kataven:index:WidgetKey");
    expect(state("website").outputs.secretKey["4dabf18193072939515e22adb298388d"]).toBeDefined();
  });

  it("an allowlist edit is an in-place update whose preview names the added origin", async () => {
    const before = (await outputs()).publicKey;
    await s.configObject("websiteAllowlist", ["https://acme.example", "*.acme.example", "https://shop.acme.example"]);
    const p = await s.run(["preview", "--non-interactive", "--diff"]);
    expect(p.stdout).toMatch(/\+ ?\[2\]: "https:\/\/shop\.acme\.example"/);
    expect(p.stdout).toMatch(/1 to update/);
    expect(p.stdout).not.toMatch(/replace/);
    await server.resetStats();
    const r = await s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
    expect(r.stdout).toMatch(/1 updated/);
    expect(await server.requestCount(/POST|DELETE/)).toBe(0);
    expect((await outputs()).publicKey).toBe(before);
    expect((await api().listKeys())[0].domain_allowlist).toEqual(["https://acme.example", "*.acme.example", "https://shop.acme.example"]);
  });

  it("keeps every secret out of the state's plaintext and out of all output", () => {
    const text = s.stateText();
    expectNoSecretKeys(text);
    for (const secret of [...seenSecrets, server.apiKey]) expect(text).not.toContain(secret);
    expectNoSecretKeys(s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n"));
  });

  it("destroy removes the key and resets the settings", async () => {
    await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(await api().listKeys()).toEqual([]);
    expect((await api().call("GET", "/widget-settings")).json).toMatchObject({ primary_color: null });
    expect((await api().call("GET", "/agents/agent-a/widget-settings")).json).toMatchObject({ widget_enabled: false, auth_mode: "guest" });
  });
});
