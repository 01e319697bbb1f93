/**
 * Configuration mistakes through the real CLI: a missing API key fails the preview with one clear message,
 * a wrong one fails `up` with a message that says what to check, and neither the wrong key nor anything
 * else secret is printed. Nothing is created in either case.
 */
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

describe("configuration errors (root program)", () => {
  let server: Server;
  let s: PulumiSession;

  const keysOnServer = () => managementApi(server).listKeys();

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    s = await newSession(REPO);
    await s.config("kataven:apiUrl", server.url);
    await s.configObject("kataven-widget:keys", { website: { allowlist: ["https://acme.example"] } });
  });
  afterAll(async () => {
    s?.dispose();
    await server?.close();
  });

  it("a missing kataven:apiKey fails the preview and says how to set it", async () => {
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('kataven:apiKey is not set. Run "pulumi config set --secret kataven:apiKey sk_live_…" or set KATAVEN_API_KEY.');
    expect(await keysOnServer()).toHaveLength(0);
  });

  it("a wrong kataven:apiKey fails up with a 401 that names the setting, and never prints the key", async () => {
    const wrong = "sk_live_acme_ThisIsNotTheRightKey0000000000";
    await s.config("kataven:apiKey", wrong, { secret: true });
    const r = await s.run(["up", "--yes", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/(GET|POST|PATCH) \/api\/v1\/\S+ failed: 401 unauthorized: /);
    expect(r.output).toMatch(/kataven:apiKey/);
    expect(r.output).not.toContain(wrong);
    expectNoSecretKeys(r.output + s.stateText());
    expect(await keysOnServer()).toHaveLength(0);
  });

  it("a typo in the stack config names the key and the problem", async () => {
    await s.config("kataven:apiKey", server.apiKey, { secret: true });
    await s.configObject("kataven-widget:keys", { website: { allowlist: "https://acme.example" } });
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/kataven-widget:keys\.website\.allowlist: must be a list of origins/);
  });
});
