/**
 * A new release of the package, installed under an existing stack, plans nothing: the `__provider` stub
 * loads the installed package by name, so the new code reaches existing resources without an update, and
 * `providerVersion` alone is no diff. Only a change of the stored stub itself is an update (and one that
 * calls no API), as is the first `up` on a state written before the stub became one line. Runs a program from a temp directory whose node_modules holds a copy of this package
 * (dist/provider, dist/contract and package.json) whose version and stub the test changes, as `npm install` of a new
 * release would; every other dependency is the repository's own.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { legacyStubs } from "../support/legacyStub";
import { startServer } from "../support/server";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(240_000);

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";
new AgentWidgetSettings("support", { agentId: "agent-a", widgetEnabled: true, authMode: "guest" });
new WidgetSettings("branding", { primaryColor: "#2563eb" });
const key = new WidgetKey("website", { name: "acme.com production", domainAllowlist: ["https://acme.example"] });
export const keyId = key.keyId;
`;

function makeProject(): { dir: string; pkgDir: string; setVersion(v: string): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-release-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: kataven-release\nruntime: nodejs\nmain: index.ts\n");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "kataven-release", main: "index.ts", private: true }));
  fs.copyFileSync(path.join(REPO, "test/e2e/programs/engine-proof/tsconfig.json"), path.join(dir, "tsconfig.json"));
  fs.writeFileSync(path.join(dir, "index.ts"), PROGRAM);
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(nm);
  for (const entry of fs.readdirSync(path.join(REPO, "node_modules"))) {
    if (entry === "pulumi-kataven-widget" || entry === ".bin" || entry.startsWith(".")) continue;
    fs.symlinkSync(path.join(REPO, "node_modules", entry), path.join(nm, entry));
  }
  const pkgDir = path.join(nm, "pulumi-kataven-widget");
  fs.mkdirSync(path.join(pkgDir, "dist"), { recursive: true });
  for (const dir of ["provider", "contract"]) fs.cpSync(path.join(REPO, "dist", dir), path.join(pkgDir, "dist", dir), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  const setVersion = (v: string) => fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify({ ...pkg, version: v }, null, 2));
  return { dir, pkgDir, setVersion };
}

describe("a new release under an existing stack", () => {
  let server: Server;
  let s: PulumiSession;
  let project: ReturnType<typeof makeProject>;

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    project = makeProject();
    project.setVersion("1.0.0");
    s = await newSession(project.dir);
    await s.useServer(server);
    await s.run(["up", "--yes", "--non-interactive"]);
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    if (project) fs.rmSync(project.dir, { recursive: true, force: true });
    await server?.close();
  });

  /** The requests the server saw, other than the one account check each provider process makes before its first check. */
  const apiCallsBeyondTheAccountCheck = async () =>
    (await server.requestCount()) - (await server.requestCount("GET /api/v1/widget-settings"));

  /** A changed stub plans an update of each of the 3 resources; up applies it with no API call, then nothing is left. */
  async function expectStubRewrittenWithoutApiCalls() {
    const p = await s.run(["preview", "--non-interactive"]);
    expect(p.stdout).toMatch(/~ 3 to update/);
    await server.resetStats();
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/~ 3 updated/);
    expect(await server.requestCount("GET /api/v1/widget-settings")).toBeLessThanOrEqual(2); // the preview's and the update's account check
    expect(await apiCallsBeyondTheAccountCheck()).toBe(0);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    expect(findSecretKeys(s.stateText())).toEqual([]);
  }

  it("the state records the release that applied the resources", () => {
    const versions = s
      .resources()
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"))
      .map((r) => r.outputs?.providerVersion);
    expect(versions).toEqual(["1.0.0", "1.0.0", "1.0.0"]);
  });

  it("a new version alone plans no change on any resource, and up changes nothing", async () => {
    project.setVersion("1.1.0");
    const p = await s.run(["preview", "--diff", "--non-interactive", "--expect-no-changes"]);
    expect(p.stdout).not.toMatch(/providerVersion/);
    await server.resetStats();
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/4 unchanged/);
    expect(await server.requestCount("GET /api/v1/widget-settings")).toBeLessThanOrEqual(2); // the preview's and the update's account check
    expect(await apiCallsBeyondTheAccountCheck()).toBe(0);
    // The control: the engine did receive the new version (the inputs hold it); the provider's diff is what
    // decided that it changes nothing, so the outputs still name the release that applied them.
    const ours = s.resources().filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"));
    expect(ours.map((r) => r.inputs?.providerVersion)).toEqual(["1.1.0", "1.1.0", "1.1.0"]);
    expect(ours.map((r) => r.outputs?.providerVersion)).toEqual(["1.0.0", "1.0.0", "1.0.0"]);
  });

  it("a stack written by an earlier build (the closure-serialized stub) refreshes, then is rewritten by one update with no API call", async () => {
    const ours = () => s.resources().filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"));
    const exported = path.join(project.dir, "exported.json");
    await s.run(["stack", "export", "--file", exported]);
    const deployment = JSON.parse(fs.readFileSync(exported, "utf8"));
    const resources: Array<{ type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }> =
      deployment.deployment.resources;
    const moduleOf = (stub: unknown) => String(stub).match(/"(pulumi-kataven-widget\/provider\/lifecycle\/\w+)"/)![1];
    const legacy = legacyStubs([
      ...new Set(resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:")).map((r) => moduleOf(r.outputs.__provider))),
    ]);
    expect(Object.keys(legacy)).toHaveLength(3);
    for (const r of resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"))) {
      r.inputs.__provider = r.outputs.__provider = legacy[moduleOf(r.outputs.__provider)];
    }
    fs.writeFileSync(exported, JSON.stringify(deployment));
    await s.run(["stack", "import", "--file", exported]);
    fs.rmSync(exported);
    expect(ours().map((r) => r.outputs?.__provider)).toEqual(expect.arrayContaining([expect.stringMatching(/with\(\{ lifecycleModule: /)]));

    // the old stub still serves every method: a refresh reads all three through it and finds no drift
    await server.resetStats();
    const refresh = await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(refresh.stdout).toMatch(/4 unchanged/);
    expect(await server.requestCount()).toBeGreaterThan(0);

    await expectStubRewrittenWithoutApiCalls();
    for (const r of ours()) expect(r.outputs?.__provider).toMatch(/^exports\.handler = .*\.attach\(this, req\.config\); \} \}\);$/);
  });

  it("a release that changes the stored stub is an update of every resource, with no API call", async () => {
    const stub = path.join(project.pkgDir, "dist/provider/resources/dynamicResource.js");
    const text = fs.readFileSync(stub, "utf8");
    const changed = text.replace(/\.attach\(this, req\.config\);/, ".attach(this, req.config); /* v2 */");
    expect(changed).not.toBe(text);
    fs.writeFileSync(stub, changed);
    project.setVersion("2.0.0");
    await expectStubRewrittenWithoutApiCalls();
    expect(findSecretKeys(s.transcript.join("\n"))).toEqual([]);
  });
});
