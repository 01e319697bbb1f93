/**
 * The examples in examples/, each run through the real CLI against the local server, as a user would:
 * quickstart (and its step2 edit: updates in place), multi-env (three stacks, three allowlists) and
 * rotation (the new key is live before the old one is disabled). Each example is copied under .tmp/ in the
 * repository, so stack files never touch the committed ones and node_modules still resolves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

function copyExample(name: string): string {
  const dest = fs.mkdtempSync(path.join(REPO, ".tmp", `example-${name}-`));
  fs.cpSync(path.join(REPO, "examples", name), dest, { recursive: true });
  return dest;
}

describe("examples through the real engine", () => {
  let server: Server;
  const sessions: PulumiSession[] = [];
  const dirs: string[] = [];

  const listKeys = () => managementApi(server).listKeys();
  async function session(example: string, stack?: string): Promise<PulumiSession> {
    const dir = copyExample(example);
    dirs.push(dir);
    const s = await newSession(dir, { stack });
    sessions.push(s);
    await s.useServer(server);
    return s;
  }
  const outputs = async (s: PulumiSession) => JSON.parse((await s.run(["stack", "output", "--json"])).stdout);

  beforeAll(async () => {
    fs.mkdirSync(path.join(REPO, ".tmp"), { recursive: true });
    server = await startServer({ bcryptCost: 4 });
  });
  afterAll(async () => {
    for (const s of sessions) {
      await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
      s.dispose();
    }
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await server?.close();
  });

  it("quickstart: creates a key, branding and policy; step2 updates them in place", async () => {
    const s = await session("quickstart");
    await s.config("agentId", server.agents[0]);
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/\+ 4 created/);
    const first = await outputs(s);
    expect(first.publicKey).toMatch(/^pk_live_/);
    expect(first.secretKey).toBe("[secret]");
    expect(first.allowlist).toEqual(["https://acme.example", "https://www.acme.example"]);

    fs.copyFileSync(path.join(s.programDir, "step2/index.ts"), path.join(s.programDir, "index.ts"));
    const preview = await s.run(["preview", "--non-interactive", "--diff"]);
    expect(preview.stdout).toMatch(/~ 3 to update/);
    expect(preview.stdout).not.toMatch(/to replace/);
    const up2 = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up2.stdout).toMatch(/~ 3 updated/);
    const second = await outputs(s);
    expect(second.keyId).toBe(first.keyId);
    expect(second.allowlist).toEqual(["https://acme.example", "https://www.acme.example", "*.shop.acme.example"]);
    expect(preview.stdout).toMatch(/\+ \[2\]: "\*\.shop\.acme\.example"/); // the one origin added, nothing else
    expect((await managementApi(server).call("GET", "/widget-settings")).json).toMatchObject({
      launcher_position: "bl",
      launcher_label: "Questions? Ask us",
      accent_color: "#7c3aed",
    });
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    expectNoSecretKeys(s.stateText() + s.transcript.join("\n"));
  });

  it("multi-env: three stacks from one program, each with its own allowlist", async () => {
    const expected: Record<string, string[]> = {
      dev: ["http://localhost:3000", "localhost:*", "https://dev.acme.example"],
      staging: ["https://staging.acme.example", "*.preview.acme.example"],
      prod: ["https://acme.example", "https://www.acme.example"],
    };
    const dir = copyExample("multi-env");
    dirs.push(dir);
    for (const env of Object.keys(expected)) {
      const s = await newSession(dir, { stack: env });
      sessions.push(s);
      await s.useServer(server);
      await s.run(["up", "--yes", "--non-interactive"]);
      const out = await outputs(s);
      expect(out.environment).toBe(env);
      expect(out.allowlist).toEqual(expected[env]);
      const onServer = (await listKeys()).find((k) => k.name === `acme.example ${env}`);
      expect(onServer?.domain_allowlist).toEqual(expected[env]);
    }
  });

  it("rotation: the new key is live before the old, used key is disabled", async () => {
    const s = await session("rotation");
    await s.run(["up", "--yes", "--non-interactive"]);
    const old = await outputs(s);
    // use the key, so that removing it disables it instead of deleting it
    const guest = await request(`${server.url}/api/v1/widget/config?client_key=${old.publicKey}`, {
      headers: { origin: "https://acme.example" },
    });
    expect(guest.statusCode).toBe(200);
    await guest.body.text();

    await s.config("rotation", "2026-11-25");
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/^\s+\+-1 replaced$/m);
    const rotated = await outputs(s);
    expect(rotated.keyId).not.toBe(old.keyId);
    const keys = await listKeys();
    const oldKey = keys.find((k) => k.id === old.keyId);
    const newKey = keys.find((k) => k.id === rotated.keyId);
    expect(newKey?.disabled_at).toBeNull();
    expect(oldKey?.disabled_at).toEqual(expect.any(String));
    expect(Date.parse(newKey!.created_at)).toBeLessThanOrEqual(Date.parse(oldKey!.disabled_at));
    const refused = await request(`${server.url}/api/v1/widget/config?client_key=${old.publicKey}`, {
      headers: { origin: "https://acme.example" },
    });
    expect(refused.statusCode).toBe(403);
    expect(await refused.body.text()).toMatch(/^key_disabled/);
  });
});
