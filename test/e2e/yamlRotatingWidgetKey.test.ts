/**
 * `kataven:index:RotatingWidgetKey` declared in a Pulumi YAML program: a component the native plugin serves
 * through Construct, its generations' keys being native `kataven:index:WidgetKey` children. Phase 1 (a new
 * label in front of `generations`) mints the new key and keeps the old one: both secrets are accepted by
 * the widget API. Phase 2 (the old label removed) retires the old key: its secret is refused. State and
 * output are scanned for plaintext secrets.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, type PulumiSession } from "./support/pulumi";
import { yamlProgramHead } from "./support/yamlProgram";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(240_000);

const PROJECT = "kataven-yaml-rotating";
const PROGRAM = `${yamlProgramHead(PROJECT)}config:
  generations:
    type: array
    items:
      type: string
resources:
  shop:
    type: kataven:index:RotatingWidgetKey
    properties:
      name: shop.example
      domainAllowlist:
        - https://shop.example
      generations: \${generations}
outputs:
  keyId: \${shop.keyId}
  generation: \${shop.generation}
  secretKey: \${shop.secretKey}
  previousKeyId: \${shop.previousKeyId}
  previousSecretKey: \${shop.previousSecretKey}
`;

describe("RotatingWidgetKey as a component of the native plugin (Pulumi YAML)", () => {
  let server: Server;
  let s: PulumiSession;
  let dir: string;
  const secrets: string[] = [];

  const up = () => s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
  const outputs = async (showSecrets = false): Promise<Record<string, any>> =>
    JSON.parse((await s.run(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])])).stdout);
  /** What the widget API answers a backend that asks for a user token with this secret. */
  const userToken = async (secret: string) => {
    const res = await request(`${server.url}/api/v1/widget/auth/user-token`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ external_user_id: "probe" }),
    });
    return { status: res.statusCode, text: await res.body.text() };
  };

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-yaml-rotating-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROGRAM);
    s = await newSession(dir);
    await s.useServer(server);
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up constructs the component with one native WidgetKey child per generation", async () => {
    await s.configObject("generations", ["g1"]);
    const r = await up();
    expect(r.stdout).toMatch(/kataven:index:RotatingWidgetKey/);
    const component = s.resources().find((x) => x.type === "kataven:index:RotatingWidgetKey") as any;
    const children = s.resources().filter((x) => x.type === "kataven:index:WidgetKey") as any[];
    expect(component.urn).toMatch(/::shop$/);
    expect(children.map((c) => [c.urn.split("::").pop(), c.parent])).toEqual([["shop-g1", component.urn]]);
    expect((await managementApi(server).listKeys()).map((k) => k.name)).toEqual(["shop.example (g1)"]);
    const out = await outputs();
    expect(out).toMatchObject({ keyId: children[0].id, generation: "g1", secretKey: "[secret]" });
  });

  it("phase 1 (a new label in front) mints the new key and keeps the old: both secrets work", async () => {
    await s.configObject("generations", ["g2", "g1"]);
    const p = await s.run(["preview", "--non-interactive"]);
    expect(p.stdout).toMatch(/\+ 1 to create/);
    expect(p.stdout).not.toMatch(/replace|delete/);
    await up();
    const out = await outputs(true);
    secrets.push(out.secretKey, out.previousSecretKey);
    expect(out.generation).toBe("g2");
    expect(out.previousKeyId).not.toBe(out.keyId);
    expect((await managementApi(server).listKeys()).map((k) => k.name).sort()).toEqual(["shop.example (g1)", "shop.example (g2)"]);
    expect(await userToken(out.secretKey)).toMatchObject({ status: 200 });
    expect(await userToken(out.previousSecretKey)).toMatchObject({ status: 200 });
  });

  it("phase 2 (the old label removed) retires the old key: its secret is refused", async () => {
    const before = await outputs(true);
    await s.configObject("generations", ["g2"]);
    const r = await up();
    expect(r.stdout).toMatch(/- 1 deleted/);
    const out = await outputs();
    expect(out.keyId).toBe(before.keyId);
    expect(out.previousKeyId).toBeNull();
    const refused = await userToken(before.previousSecretKey);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/^key_disabled/);
    expect(await userToken(before.secretKey)).toMatchObject({ status: 200 });
    const old = (await managementApi(server).listKeys()).find((k) => k.id === before.previousKeyId);
    expect(old?.disabled_at).toEqual(expect.any(String));
  });

  it("keeps every secret out of the state's plaintext and out of all output", () => {
    expect(secrets.filter((x) => /^sk_live_/.test(x))).toHaveLength(2);
    const text = s.stateText();
    expectNoSecretKeys(text);
    for (const secret of [...secrets, server.apiKey]) expect(text).not.toContain(secret);
    expectNoSecretKeys(s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n"));
  });
});
