/**
 * Configuration mistakes through the real CLI: a missing API key fails the preview with one clear message,
 * a wrong one or an API URL where nothing listens fails the preview in seconds with a message that says what
 * to check, and neither the wrong key nor anything
 * else secret is printed. Nothing is created in either case.
 */
import * as net from "node:net";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

/** A loopback port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

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
    expect(r.output).toContain(
      'kataven:apiKey is not set. Run "pulumi config set --secret kataven:apiKey sk_live_…" or set KATAVEN_API_KEY.',
    );
    expect(await keysOnServer()).toHaveLength(0);
  });

  it("a wrong kataven:apiKey fails the preview, in seconds, with a 401 that names the setting, and never prints the key", async () => {
    const wrong = "sk_live_acme_ThisIsNotTheRightKey0000000000";
    await s.config("kataven:apiKey", wrong, { secret: true });
    const started = Date.now();
    const r = await s.run(["preview", "--non-interactive"], { allowFailure: true });
    console.log(`a wrong key failed the preview in ${Date.now() - started} ms`);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/GET \/api\/v1\/widget-settings failed: 401 unauthorized: /);
    expect(r.output).toMatch(/kataven:apiKey/);
    expect(r.output).not.toContain(wrong);
    const up = await s.run(["up", "--yes", "--non-interactive"], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.output).toMatch(/401 unauthorized/);
    expectNoSecretKeys(r.output + up.output + s.stateText());
    expect(await keysOnServer()).toHaveLength(0);
  });

  it("an API URL where nothing listens fails the preview and the up in seconds, naming the URL, with no false alarm", async () => {
    await s.config("kataven:apiKey", server.apiKey, { secret: true });
    const port = await closedPort();
    await s.config("kataven:apiUrl", `http://127.0.0.1:${port}`);
    try {
      for (const cmd of [["preview"], ["up", "--yes"]]) {
        const started = Date.now();
        const r = await s.run([...cmd, "--non-interactive"], { allowFailure: true });
        console.log(`a refused port failed ${cmd[0]} in ${Date.now() - started} ms`);
        expect(r.code).not.toBe(0);
        expect(r.output).toContain(`could not connect to http://127.0.0.1:${port}: the connection was refused`);
        expect(r.output).not.toMatch(/may be live in Kataven|secret lost/);
      }
    } finally {
      await s.config("kataven:apiUrl", server.url);
    }
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
