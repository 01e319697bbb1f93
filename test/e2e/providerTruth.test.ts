/**
 * The provider's reports through plain `pulumi` and the genuine Node.js language host, against the local server: what the
 * provider reports and does when Kataven changed outside Pulumi (allowlist entries it does not accept, keys
 * revoked out of band), the hosted base URL spellings, credentials (clear-text http, a plain-text API key),
 * duplicates in one program, the WidgetSettings create preview, a failing refresh printed once, and an
 * orphan check that waits for the API. Every step's output and the state are scanned for plaintext secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const WIDGET_KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";
jest.setTimeout(240_000);

/** The Diagnostics section of a CLI run (everything after its "Diagnostics:" line up to "Resources:"/"Outputs:"). */
function diagnostics(output: string): string {
  const i = output.lastIndexOf("Diagnostics:");
  if (i < 0) return "";
  const rest = output.slice(i);
  const end = rest.search(/\n(Resources|Outputs):/);
  return end < 0 ? rest : rest.slice(0, end);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("the root program against drift, credentials and base URLs", () => {
  let server: Server;
  let s: PulumiSession;
  const api = () => managementApi(server);
  const setKeys = (keys: Record<string, unknown>) => s.configObject("kataven-widget:keys", keys);
  const keyState = (name: string) => s.resources().find((r) => r.type === WIDGET_KEY && r.urn.endsWith(`::${name}`));
  const WEBSITE = { allowlist: ["https://acme.example"] };

  function expectNoLeaks() {
    const state = s.stateText();
    expect(findSecretKeys(state)).toEqual([]);
    expect(state).not.toContain(server.apiKey);
    const visible = s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n");
    expect(findSecretKeys(visible)).toEqual([]);
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4, faults: true });
    s = await newSession(REPO);
    await s.useServer(server);
  });
  afterAll(async () => {
    await server?.clearFaults().catch(() => undefined);
    await s?.config("kataven:apiUrl", server.url).catch(() => undefined);
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("accepts the documented hosted base URL spellings: …/v1, …/api/v1, …/hub-api/api/v1", async () => {
    await s.config("kataven:apiUrl", `${server.url}/v1`);
    await setKeys({ website: WEBSITE });
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/\+\s+pulumi-nodejs:dynamic\/kataven:WidgetKey\s+website\s+created/);
    expect((await api().listKeys()).map((k) => k.id)).toEqual([keyState("website")?.id]);
    for (const base of [`${server.url}/api/v1/`, `${server.url}/hub-api/api/v1`]) {
      await s.config("kataven:apiUrl", base);
      await server.resetStats();
      await s.run(["refresh", "--yes", "--non-interactive", "--expect-no-changes"]);
      expect(await server.requestCount("GET /api/v1/widget-keys")).toBeGreaterThan(0);
    }
    await s.config("kataven:apiUrl", server.url);
    expectNoLeaks();
  });

  it("a base URL with no API behind it names kataven:apiUrl, not an agent", async () => {
    await s.config("kataven:apiUrl", `${server.url}/not-the-api`);
    await setKeys({ website: WEBSITE, shop: { allowlist: ["https://shop.acme.example"] } });
    const r = await s.run(["up", "--yes", "--non-interactive"], { allowFailure: true });
    await s.config("kataven:apiUrl", server.url);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(
      /GET \/api\/v1\/widget-settings failed: 404 not_found: no route .*; the API has no such route: check kataven:apiUrl/,
    );
    expect(r.output).not.toMatch(/agent "null"/);
    await setKeys({ website: WEBSITE });
    // refresh runs with the provider settings the last deployment recorded: record the right URL again
    await s.run(["up", "--yes", "--non-interactive"]);
  });

  it("an allowlist entry added out of band that the provider does not accept shows as drift with a warning, and up removes it", async () => {
    const id = keyState("website")!.id!;
    // Another client stored an http:// origin for a public host; the contract allows it, the local server's
    // grammar does not, so it goes straight into the server's store.
    server.store.updateWidgetKey(server.accountId, id, { domain_allowlist: ["https://acme.example", "http://evil.example"] });
    const refresh = await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(refresh.output).toMatch(
      /warning: widget key "website" \S+ \(…\w{8}\) has allowlist entry "http:\/\/evil\.example" that was added outside Pulumi/,
    );
    expect(refresh.output).toMatch(/The next "pulumi up" removes it/);
    expect(refresh.stdout).toMatch(/~ 1 updated/);
    expect(keyState("website")?.outputs?.domainAllowlist).toEqual(["https://acme.example", "http://evil.example"]);
    const preview = await s.run(["preview", "--diff", "--non-interactive"]);
    expect(preview.stdout).toMatch(/- \[1\]: "http:\/\/evil\.example"/);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect((await api().listKeys()).find((k) => k.id === id)?.domain_allowlist).toEqual(["https://acme.example"]);
    await s.run(["refresh", "--yes", "--non-interactive", "--expect-no-changes"]);
    expectNoLeaks();
  });

  it("a key revoked out of band is reported at refresh and stays revoked; only disabled: false re-enables it", async () => {
    const id = keyState("website")!.id!;
    expect((await api().call("PATCH", `/widget-keys/${id}`, { disabled: true })).status).toBe(200);
    const refresh = await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(refresh.output).toMatch(
      /warning: widget key "website" \S+ \(…\w{8}\) was disabled outside Pulumi at \S+ \(revoked in the dashboard, or deleted while in use\)\. It stays disabled/,
    );
    expect(keyState("website")?.outputs).toMatchObject({ disabled: true, disabledOutsidePulumi: true });
    // The program is silent about disabled: nothing planned, and up leaves the key revoked.
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect((await api().listKeys()).find((k) => k.id === id)?.disabled_at).toEqual(expect.any(String));
    // The program says disabled: false explicitly: up re-enables it.
    await setKeys({ website: { ...WEBSITE, disabled: false } });
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/~ 1 updated/);
    expect((await api().listKeys()).find((k) => k.id === id)?.disabled_at).toBeNull();
    expect(keyState("website")?.outputs?.disabledOutsidePulumi).toBeUndefined();
    await setKeys({ website: WEBSITE });
    await s.run(["up", "--yes", "--non-interactive"]);
  });

  it('a used key "deleted" in the dashboard (which disables it) is reported the same way and not re-enabled', async () => {
    const id = keyState("website")!.id!;
    const publicKey = keyState("website")!.outputs!.publicKey;
    const used = await request(`${server.url}/api/v1/widget/config?client_key=${publicKey}`, {
      headers: { origin: "https://acme.example" },
    });
    await used.body.text();
    expect(used.statusCode).toBe(200);
    const del = await api().call("DELETE", `/widget-keys/${id}`);
    expect(del.json.outcome).toBe("disabled");
    const refresh = await s.run(["refresh", "--yes", "--non-interactive"]);
    expect(refresh.output).toMatch(/widget key "website" \S+ \(…\w{8}\) was disabled outside Pulumi/);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect((await api().listKeys()).find((k) => k.id === id)?.disabled_at).toEqual(expect.any(String));
    expectNoLeaks();
  });

  it("refuses a clear-text http:// apiUrl on a non-loopback host at preview, unless kataven:allowInsecureHttp", async () => {
    await s.config("kataven:apiUrl", "http://kataven.internal.example:8080");
    const refused = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(
      /kataven:apiUrl "http:\/\/kataven\.internal\.example:8080" uses http:\/\/ on a host that is not this machine/,
    );
    expect(refused.output).toMatch(/pulumi config set kataven:allowInsecureHttp true/);
    await s.config("kataven:allowInsecureHttp", "true");
    // Allowed, the preview goes on to ask that host, which does not exist here.
    const allowed = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    await s.run(["config", "rm", "kataven:allowInsecureHttp", "--stack", s.stack]);
    await s.config("kataven:apiUrl", server.url);
    expect(allowed.output).not.toMatch(/uses http:\/\//);
    expect(allowed.output).toMatch(/could not resolve the host of http:\/\/kataven\.internal\.example:8080/);
  });

  it("warns at preview, with the command that fixes it, when kataven:apiKey is not a secret", async () => {
    const quiet = await s.run(["preview", "--non-interactive"]);
    expect(quiet.output).not.toMatch(/kataven:apiKey is stored in plain text/);
    // without --secret, as the issue describes (the value through stdin, so no command line carries it)
    await s.run(["config", "set", "--stack", s.stack, "kataven:apiKey"], { stdin: server.apiKey });
    expect(fs.readFileSync(path.join(REPO, `Pulumi.${s.stack}.yaml`), "utf8")).toContain(server.apiKey);
    const warned = await s.run(["preview", "--non-interactive"]);
    expect(warned.output).toMatch(
      /warning: kataven:apiKey is stored in plain text in the stack's settings file \(Pulumi\.\S+\.yaml\).*Encrypt it: run "pulumi config set --secret kataven:apiKey"/,
    );
    expect(count(warned.output, "kataven:apiKey is stored in plain text")).toBeLessThanOrEqual(2); // progress line + diagnostics
    // the warning never quotes the key (positive control: the transcript scan finds it in plain text otherwise)
    expect(warned.output).not.toContain(server.apiKey);
    await s.config("kataven:apiKey", server.apiKey, { secret: true });
  });

  it("shows every field a WidgetSettings create writes, the undeclared ones at their defaults", async () => {
    await s.configObject("kataven-widget:branding", { primaryColor: "#2563eb" });
    const p = await s.run(["preview", "--diff", "--non-interactive"]);
    const block = p.stdout.slice(p.stdout.indexOf("kataven:WidgetSettings: (create)"));
    for (const line of [
      /accentColor\s+: <null>/,
      /launcherLabel\s+: <null>/,
      /launcherPosition: "br"/,
      /logoUrl\s+: <null>/,
      /primaryColor\s+: "#2563eb"/,
      /privacyNotice\s+: <null>/,
    ]) {
      expect(block).toMatch(line);
    }
    await s.run(["config", "rm", "kataven-widget:branding", "--stack", s.stack]);
  });

  it("a failed refresh prints its error once, in words, without a stack trace", async () => {
    await server.setFaults([{ route: "GET /api/v1/widget-keys", mode: "status", status: 503, times: -1 }]);
    const r = await s.run(["refresh", "--yes", "--non-interactive"], { allowFailure: true });
    await server.clearFaults();
    expect(r.code).not.toBe(0);
    const message = "GET /api/v1/widget-keys failed (after 4 attempts): 503";
    expect(count(diagnostics(r.output), message)).toBe(1);
    expect(count(r.output, message)).toBeLessThanOrEqual(2); // the progress line and the diagnostics
    expect(r.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(r.output).not.toMatch(/KatavenApiError/);
    expectNoLeaks();
  });
});

describe("two resources that would write the same thing in Kataven", () => {
  const PROGRAM = path.join(REPO, "test/e2e/programs/duplicates");
  let s: PulumiSession;
  let server: Server;
  beforeAll(async () => {
    // Preview asks the account once (its URL and key must work), then only checks and diffs.
    server = await startServer({ bcryptCost: 4 });
    s = await newSession(PROGRAM);
    await s.useServer(server);
  });
  afterAll(async () => {
    s?.dispose();
    await server?.close();
  });

  it.each([
    [
      "settings",
      /WidgetSettings "branding-again" declares the account's branding \(one per account\), which WidgetSettings "branding" in this program already declares/,
    ],
    [
      "agent",
      /AgentWidgetSettings "support-too" declares the widget policy of agent "agent-a", which AgentWidgetSettings "support" in this program already declares/,
    ],
    [
      "keys",
      /WidgetKey "website-2" declares a widget key named "acme\.com production", which WidgetKey "website" in this program already declares.*Give each key its own name/,
    ],
    [
      "keys-output",
      /WidgetKey "website-2" declares a widget key named "acme\.com production", which WidgetKey "website" in this program already declares/,
    ],
  ])("%s: an error at preview", async (which, message) => {
    await s.config("case", which);
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(message);
  });

  it("distinct resources preview cleanly (the control)", async () => {
    await s.config("case", "none");
    const r = await s.run(["preview", "--non-interactive"]);
    expect(r.stdout).toMatch(/\+ 6 to create/);
  });
});

describe("a create whose answer is lost while the API can't be asked about it", () => {
  const PROGRAM = path.join(REPO, "bench/programs/widget-keys");
  let server: Server;
  let s: PulumiSession;
  const keyIds = () =>
    s
      .resources()
      .filter((r) => r.type === WIDGET_KEY)
      .map((r) => r.id!)
      .sort();
  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4, faults: true });
    s = await newSession(PROGRAM);
    await s.useServer(server);
    await s.config("bench:count", "1");
  });
  afterAll(async () => {
    await server?.clearFaults().catch(() => undefined);
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("keeps asking until the API answers, then removes what the lost attempt made: one key, no duplicate", async () => {
    await server.setFaults([
      { route: "POST /api/v1/widget-keys", mode: "apply-then-drop", times: 1 },
      { route: "GET /api/v1/widget-keys", mode: "status", status: 503, times: 9 },
    ]);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect(await server.requestCount("GET /api/v1/widget-keys")).toBeGreaterThan(9);
    expect((await managementApi(server).listKeys()).map((k) => k.id).sort()).toEqual(keyIds());
    expect(keyIds()).toHaveLength(1);
    await s.run(["destroy", "--yes", "--non-interactive"]);
  });

  it("when it can't decide, the error names the key and the recovery command, which then removes it", async () => {
    await s.config("kataven:orphanCheckTimeoutMs", "2000");
    await server.setFaults([
      { route: "POST /api/v1/widget-keys", mode: "apply-then-drop", times: 1 },
      { route: "GET /api/v1/widget-keys", mode: "status", status: 503, times: -1 },
    ]);
    const failed = await s.run(["up", "--yes", "--non-interactive"], { allowFailure: true });
    await server.clearFaults();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(
      /A widget key named "bench key 0" created between \S+ and \S+ may be live in Kataven with its secret lost/,
    );
    const command = /npx --no-install kataven-recover --name "bench key 0" (--created-after \S+ --created-before \S+)/.exec(failed.output);
    expect(command).not.toBeNull();
    expect(await managementApi(server).listKeys()).toHaveLength(1); // the key it warns about is real
    // Up again (a new key), then the command the message gives, with --delete.
    await s.run(["up", "--yes", "--non-interactive"]);
    const rec = await runProcess(
      process.execPath,
      [path.join(REPO, "bin/kataven-recover.js"), "--stack", s.stack, "--name", "bench key 0", ...command![1].split(" "), "--delete"],
      { cwd: PROGRAM, env: s.env },
    );
    expect(rec.code).toBe(0);
    expect(rec.output).toMatch(/"bench key 0" {2}id \S+ .*last used never/);
    expect(rec.output).toContain("Deleted 1, disabled 0");
    expect((await managementApi(server).listKeys()).map((k) => k.id).sort()).toEqual(keyIds());
    expect(findSecretKeys(rec.output + failed.output)).toEqual([]);
  });
});
