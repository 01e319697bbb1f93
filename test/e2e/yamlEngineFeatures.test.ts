/**
 * What the engine does with the native provider's resources, through plain `pulumi` and a Pulumi YAML
 * program this test writes step by step: `pulumi import` (the key adopted as it is, its secret unavailable,
 * the printed code valid and planning no change), `protect`, `replaceOnChanges`, `ignoreChanges`,
 * `aliases`, `retainOnDelete` and `customTimeouts` (the deadline reaches the HTTP request).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, type PulumiSession } from "./support/pulumi";
import { yamlProgramHead } from "./support/yamlProgram";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(240_000);

const PROJECT = "kataven-yaml-features";

describe("engine features on the native resources (Pulumi YAML)", () => {
  let server: Server;
  let s: PulumiSession;
  let dir: string;
  let imported: { id: string; secret: string };

  const api = () => managementApi(server);
  const state = (name: string) => s.resources().find((r) => r.urn.endsWith(`::${name}`)) as any;
  const up = (allowFailure = false) => s.run(["up", "--yes", "--non-interactive", "--skip-preview"], { allowFailure });
  const urn = (name: string) => `urn:pulumi:${s.stack}::${PROJECT}::kataven:index:WidgetKey::${name}`;
  function program(resources: string): void {
    const head = yamlProgramHead(PROJECT);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `${head}${resources.trim() === "" ? "resources: {}\n" : resources}`);
  }
  const key = (name: string, keyName: string, options = "", allowlist = "https://opt.example") =>
    `  ${name}:\n    type: kataven:index:WidgetKey\n    properties:\n      name: ${keyName}\n      domainAllowlist:\n        - ${allowlist}\n${options ? `    options:\n${options}` : ""}`;
  let siteYaml = "";

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4, faults: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-yaml-"));
    program("");
    s = await newSession(dir);
    await s.useServer(server);
    const made = await api().call("POST", "/widget-keys", { name: "site.example", domain_allowlist: ["https://site.example"] });
    imported = { id: made.json.id, secret: made.json.secret_key };
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pulumi import adopts an existing key: secret unavailable, the printed code is valid and plans no change", async () => {
    const out = path.join(dir, "imported.yaml");
    await server.resetStats();
    const r = await s.run(["import", "kataven:index:WidgetKey", "site", imported.id, "--yes", "--non-interactive", "--out", out]);
    expect(r.stdout).toMatch(/1 imported/);
    expect(await server.requestCount(/POST|PATCH|DELETE/)).toBe(0);
    const site = state("site");
    expect(site.type).toBe("kataven:index:WidgetKey");
    expect(site.id).toBe(imported.id);
    expect(site.outputs.secretAvailable).toBe(false);
    expect(site.outputs.secretKey).toBeUndefined();
    expect(site.protect).toBe(true);
    const code = fs.readFileSync(out, "utf8");
    // The CLI writes the short token (`kataven:WidgetKey` is `kataven:index:WidgetKey` in Pulumi YAML).
    expect(code).toMatch(/type: kataven:(index:)?WidgetKey\n/);
    console.log(`pulumi import printed:\n${code}`);
    expect(code).toMatch(/site\.example/);
    // The printed program, as is, is the program: its preview plans nothing.
    siteYaml = code.replace(/^resources:\s*\n/m, "");
    program(`resources:\n${siteYaml}`);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
  });

  it("protect: destroy fails and the key stays, in Kataven and in the state", async () => {
    const r = await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/protected/);
    expect((await api().listKeys()).map((k) => k.id)).toContain(imported.id);
    siteYaml = siteYaml.replace(/protect: true/, "protect: false");
    program(`resources:\n${siteYaml}`);
    await up();
    expect(state("site").protect).toBeFalsy();
  });

  it("replaceOnChanges: [name] turns a rename into a replacement", async () => {
    program(`resources:\n${siteYaml}${key("opt", "opt one", "      replaceOnChanges:\n        - name\n")}`);
    await up();
    const before = state("opt").id;
    program(`resources:\n${siteYaml}${key("opt", "opt two", "      replaceOnChanges:\n        - name\n")}`);
    const p = await s.run(["preview", "--non-interactive", "--diff"]);
    expect(p.stdout).toMatch(/replace/);
    const r = await up();
    expect(r.stdout).toMatch(/1 replaced/);
    expect(state("opt").id).not.toBe(before);
    // positive control: without the option the same rename is an update in place
    program(`resources:\n${siteYaml}${key("opt", "opt three")}`);
    const r2 = await up();
    expect(r2.stdout).toMatch(/1 updated/);
  });

  it("ignoreChanges: [domainAllowlist] plans nothing for an allowlist edit", async () => {
    program(
      `resources:\n${siteYaml}${key("opt", "opt three", "      ignoreChanges:\n        - domainAllowlist\n", "https://new.example")}`,
    );
    await server.resetStats();
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    await up();
    expect(await server.requestCount(/PATCH|POST|DELETE/)).toBe(0);
  });

  it("aliases: renaming the resource moves it in the state, with no API call", async () => {
    const before = state("opt").id;
    program(`resources:\n${siteYaml}${key("renamed", "opt three", `      aliases:\n        - ${urn("opt")}\n`)}`);
    await server.resetStats();
    await up();
    expect(state("renamed").id).toBe(before);
    expect(state("opt")).toBeUndefined();
    expect(await server.requestCount(/PATCH|POST|DELETE/)).toBe(0);
  });

  it("retainOnDelete: removing the resource drops it from the state and leaves the key in Kataven", async () => {
    const id = state("renamed").id;
    program(`resources:\n${siteYaml}${key("renamed", "opt three", "      retainOnDelete: true\n")}`);
    await up();
    program(`resources:\n${siteYaml}`);
    await server.resetStats();
    await up();
    expect(state("renamed")).toBeUndefined();
    expect(await server.requestCount("DELETE /api/v1/widget-keys/{id}")).toBe(0);
    expect((await api().listKeys()).find((k) => k.id === id)?.disabled_at).toBeNull();
  });

  it("customTimeouts: a create slower than its timeout fails at the deadline, and leaves no key behind", async () => {
    await s.config("kataven:timeoutMs", "5000"); // bounds the wait before the orphan check
    await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 4000 }]);
    program(`resources:\n${siteYaml}${key("slow", "slow.example", "      customTimeouts:\n        create: 1s\n")}`);
    await server.resetStats();
    const r = await up(true);
    expect(r.code).not.toBe(0);
    console.log(
      `up under create: 1s:\n${r.output
        .split("\n")
        .filter((l) => /error:/.test(l))
        .join("\n")}`,
    );
    expect(r.output).toMatch(/customTimeouts/);
    // The first POST was cut at the deadline (the server saw the client go), the orphan check listed the
    // keys, and no second POST was sent after the deadline.
    const stats = (await server.stats()).routes;
    expect(stats["POST /api/v1/widget-keys"].count).toBe(1);
    expect(stats["GET /api/v1/widget-keys"]?.count).toBeGreaterThanOrEqual(1);
    expect(state("slow")).toBeUndefined();
    expect((await api().listKeys()).map((k) => k.name)).not.toContain("slow.example");
    // positive control: with room for the latency the same create succeeds
    await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 4000 }]);
    program(`resources:\n${siteYaml}${key("slow", "slow.example", "      customTimeouts:\n        create: 20s\n")}`);
    await up();
    expect(state("slow").id).toBeDefined();
  });

  it("keeps secrets out of the state and the output", () => {
    const text = s.stateText();
    expectNoSecretKeys(text);
    expect(text).not.toContain(imported.secret);
    expectNoSecretKeys(s.transcript.join("\n"));
  });
});
