/**
 * Pulumi resource options on WidgetKey through the plain `pulumi` CLI and the genuine Node.js language host
 * (test/e2e/programs/options, options switched from stack config), against the local server. Each test
 * states what holds, checked in the state and in the requests the server saw; docs/reference.md's "Resource
 * options" table says the same.
 */
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const PROGRAM = path.join(REPO, "test/e2e/programs/options");
const WIDGET_KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";

describe("resource options on WidgetKey through the real engine", () => {
  let server: Server;
  let s: PulumiSession;

  const keys = () => s.resources().filter((r) => r.type === WIDGET_KEY);
  const up = () => s.run(["up", "--yes", "--non-interactive"]);
  const onServer = async () => managementApi(server).listKeys();

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4, faults: true });
    s = await newSession(PROGRAM);
    await s.useServer(server);
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("customTimeouts: accepted, but the engine gives a dynamic provider no deadline (a 4 s create under a 1 s timeout succeeds)", async () => {
    await s.config("createTimeout", "1s");
    await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 4000 }]);
    const started = Date.now();
    await up();
    expect(Date.now() - started).toBeGreaterThan(4000);
    expect(keys()).toHaveLength(1);
    expect(keys()[0].urn).toMatch(/::opt$/);
    expect(await onServer()).toHaveLength(1);
    await s.run(["config", "rm", "--stack", s.stack, "createTimeout"]);
  });

  it("ignoreChanges on domainAllowlist: an allowlist edit plans nothing and calls no API", async () => {
    await s.config("ignoreAllowlist", "true");
    await s.configObject("allowlist", ["https://opt.example", "https://new.example"]);
    await server.resetStats();
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    await up();
    expect(await server.requestCount(/PATCH|POST|DELETE/)).toBe(0);
    expect((await onServer())[0].domain_allowlist).toEqual(["https://opt.example"]);
    // positive control: without ignoreChanges the same edit is an in-place update
    await s.config("ignoreAllowlist", "false");
    const r = await up();
    expect(r.stdout).toMatch(/1 updated/);
    expect((await onServer())[0].domain_allowlist).toEqual(["https://opt.example", "https://new.example"]);
  });

  it("replaceOnChanges on name: NOT honoured for a dynamic resource; the rename is an in-place update (same key)", async () => {
    // The engine applies replaceOnChanges only to keys a provider reports in a detailed diff, and the
    // dynamic-provider shim sends none (see docs/reference.md, "Resource options"; the workaround is rotation).
    const before = keys()[0].id;
    await s.config("replaceOnName", "true");
    await s.config("keyName", "options demo renamed");
    const r = await up();
    expect(r.stdout).toMatch(/opt updated .*\[diff: ~name\]/);
    expect(r.stdout).not.toMatch(/replaced/);
    expect(keys()[0].id).toBe(before);
    expect((await onServer()).map((k) => [k.id, k.name])).toEqual([[before, "options demo renamed"]]);
    await s.config("replaceOnName", "false");
  });

  it("the workaround holds: a field fed to rotation replaces the key when it changes (new key first)", async () => {
    await s.config("rotateOnName", "true");
    await up(); // rotation goes from unset to the name: that replaces once
    const before = keys()[0].id;
    await s.config("keyName", "options demo renamed again");
    const r = await up();
    expect(r.stdout).toMatch(/1 replaced/);
    const after = keys()[0].id;
    expect(after).not.toBe(before);
    expect((await onServer()).map((k) => [k.id, k.name])).toEqual([[after, "options demo renamed again"]]);
    await s.run(["config", "rm", "--stack", s.stack, "rotateOnName"]);
    await up();
  });

  it("aliases: renaming the resource with an alias moves it in the state; no API call", async () => {
    const id = keys()[0].id;
    await s.config("resourceName", "renamed");
    await s.config("aliasOf", "opt");
    await server.resetStats();
    const r = await up();
    expect(r.stdout).not.toMatch(/created|deleted|replaced/);
    expect(keys()).toHaveLength(1);
    expect(keys()[0].urn).toMatch(/::renamed$/);
    expect(keys()[0].id).toBe(id);
    expect(await server.requestCount(/PATCH|POST|DELETE/)).toBe(0);
  });

  it("protect: destroy is refused and the key stays; unprotecting allows it again", async () => {
    await s.config("protect", "true");
    await up();
    const r = await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/protected/);
    expect(keys()).toHaveLength(1);
    expect(await onServer()).toHaveLength(1);
    await s.config("protect", "false");
    await up();
    expect(keys()[0].outputs.__provider).toBeDefined();
  });

  it("retainOnDelete: destroy removes the key from the state but leaves it enabled in Kataven", async () => {
    const id = keys()[0].id;
    await s.config("retainOnDelete", "true");
    await up();
    await server.resetStats();
    await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(keys()).toHaveLength(0);
    expect(await server.requestCount(/DELETE|PATCH/)).toBe(0);
    const left = await onServer();
    expect(left.map((k) => [k.id, k.disabled_at])).toEqual([[id, null]]);
  });

  it("never writes a secret to the state or the CLI output", () => {
    const text = s.stateText() + s.transcript.join("\n");
    expect(findSecretKeys(`${text} sk_live_acme_${"x".repeat(24)}`)).toHaveLength(1); // positive control
    expect(findSecretKeys(text)).toEqual([]);
  });
});
