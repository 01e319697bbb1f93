/**
 * Two-phase rotation through the plain `pulumi` CLI and the genuine Node.js language host, against the
 * local server.
 *  1. examples/customer-backend with `keyGenerations`: while a loop asks the backend for a user token and
 *     exchanges it at Kataven every 100 ms, phase 1 (a new label in front) mints the next key and keeps the
 *     old one; a second backend starts with the new secret and takes over (blue/green), the old one stops;
 *     phase 2 (the old label removed) retires the old key. 0 failed calls across both phases, and the old
 *     secret is refused afterwards.
 *  2. examples/rotation with `keyMaxAgeDays`: the age trigger starts phase 1 by itself, and later `up`s
 *     reuse the automatic key instead of minting again.
 * Logs, CLI output and state are scanned for plaintext secrets (with a positive control).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { type CustomerBackend, startCustomerBackend } from "./support/customerBackend";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const SITE = "https://shop.example";
// Each test runs several `up`s and a 100 ms loop across them.
jest.setTimeout(300_000);

type Backend = CustomerBackend;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
}

describe("two-phase rotation through the real engine", () => {
  let server: Server;
  const sessions: PulumiSession[] = [];
  const backends: Backend[] = [];
  const secrets: string[] = [];
  const tmpDirs: string[] = [];

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
  });
  afterAll(async () => {
    for (const b of backends) await b.stop();
    for (const s of sessions) {
      await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
      s.dispose();
    }
    for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
    await server?.close();
  });

  /** backend.ts with the secret injected from a stack output by the shell (support/customerBackend.ts). */
  async function startBackend(s: PulumiSession, outputName: string): Promise<Backend> {
    const b = await startCustomerBackend({ session: s, outputName, apiUrl: server.url });
    backends.push(b);
    return b;
  }

  it("customer-backend rolls over with 0 failed calls across both phases; the old secret is refused after phase 2", async () => {
    const s = await newSession(path.join(REPO, "examples/customer-backend"));
    sessions.push(s);
    const agent = server.agents[0];
    await s.useServer(server);
    await s.config("agentId", agent);
    await s.config("siteOrigin", SITE);
    await s.configObject("keyGenerations", ["g1"]);
    await s.run(["up", "--yes", "--non-interactive"]);
    const out = async () => JSON.parse((await s.run(["stack", "output", "--json"])).stdout);
    const o1 = await out();
    expect(o1.secretKey).toBe("[secret]");

    // The page and its backend, switched together (blue/green).
    let active = { backend: await startBackend(s, "secretKey"), publicKey: o1.publicKey as string };
    const oldBackend = active.backend;
    const phases = { before: 0, phase1: 0, rollover: 0, phase2: 0 };
    let phase: keyof typeof phases = "before";
    const failures: string[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const started = Date.now();
        const { backend, publicKey } = active;
        const t = await post(`${backend.url}/widget-token`, {}, { "x-demo-user": "alice" });
        const e =
          t.status === 200
            ? await post(
                `${server.url}/api/v1/widget/auth/exchange`,
                { client_key: publicKey, user_token: t.json.user_token },
                { origin: SITE },
              )
            : undefined;
        if (t.status !== 200 || e?.status !== 200) failures.push(`${phase}: widget-token ${t.status}, exchange ${e?.status ?? "-"}`);
        phases[phase]++;
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
      }
    })();
    const waitCalls = async (n: number) => {
      const target = phases[phase] + n;
      while (phases[phase] < target && failures.length === 0) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      await waitCalls(5);

      // Phase 1: a new label in front. The new key is minted; the old one stays enabled.
      phase = "phase1";
      await s.configObject("keyGenerations", ["g2", "g1"]);
      const up1 = await s.run(["up", "--yes", "--non-interactive"]);
      expect(up1.stdout).toMatch(/\+ 1 created/);
      expect(up1.stdout).not.toMatch(/deleted|replaced/);
      const o2 = await out();
      expect(o2.previousKeyId).toBe(o1.keyId);
      expect(o2.keyId).not.toBe(o1.keyId);
      expect(o2.previousSecretKey).toBe("[secret]");
      const live = await managementApi(server).listKeys();
      expect(
        live
          .filter((k) => k.disabled_at === null)
          .map((k) => k.id)
          .sort(),
      ).toEqual([o1.keyId, o2.keyId].sort());
      await waitCalls(5);

      // Roll the backend: start one with the new secret, switch the page and traffic to it, stop the old one.
      phase = "rollover";
      const newBackend = await startBackend(s, "secretKey");
      active = { backend: newBackend, publicKey: o2.publicKey };
      await waitCalls(3);
      await oldBackend.stop();
      // Keep the old secret (read as an operator would) to prove it is refused after phase 2.
      const oldSecret = (await s.run(["stack", "output", "previousSecretKey", "--show-secrets"])).stdout.trim();
      expect(oldSecret).toMatch(/^sk_live_/);
      secrets.push(oldSecret);
      const stillValid = await post(
        `${server.url}/api/v1/widget/auth/user-token`,
        { external_user_id: "probe" },
        { authorization: `Bearer ${oldSecret}` },
      );
      expect(stillValid.status).toBe(200);

      // Phase 2: the old label goes. The old (used) key is disabled.
      phase = "phase2";
      await s.configObject("keyGenerations", ["g2"]);
      const up2 = await s.run(["up", "--yes", "--non-interactive"]);
      expect(up2.stdout).toMatch(/- 1 deleted/);
      expect(up2.stdout).not.toMatch(/created/);
      const o3 = await out();
      expect(o3.keyId).toBe(o2.keyId);
      expect(o3.previousKeyId).toBeNull();
      expect(o3.previousSecretKey).toBeNull(); // a plain null, not "[secret]", once there is no previous key
      expect(up1.output + up2.output).not.toMatch(/Undefined value/);
      await waitCalls(5);

      const refused = await post(
        `${server.url}/api/v1/widget/auth/user-token`,
        { external_user_id: "probe" },
        { authorization: `Bearer ${oldSecret}` },
      );
      expect(refused.status).toBe(403);
      expect(refused.text).toMatch(/^key_disabled/);
      const keys = await managementApi(server).listKeys();
      expect(keys.find((k) => k.id === o1.keyId)?.disabled_at).toEqual(expect.any(String));
      expect(keys.find((k) => k.id === o2.keyId)?.disabled_at).toBeNull();
    } finally {
      stop = true;
      await loop;
    }
    console.log(`zero-downtime rotation: calls per phase ${JSON.stringify(phases)}, failures ${failures.length}`);
    expect(failures).toEqual([]);
    for (const n of Object.values(phases)) expect(n).toBeGreaterThanOrEqual(3);
  });

  it("age trigger: an aged key starts phase 1 by itself, and later ups reuse the automatic key", async () => {
    fs.mkdirSync(path.join(REPO, ".tmp"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(REPO, ".tmp", "example-rotation-"));
    tmpDirs.push(dir);
    fs.cpSync(path.join(REPO, "examples/rotation"), dir, { recursive: true });
    const s = await newSession(dir);
    sessions.push(s);
    await s.useServer(server);
    await s.configObject("keyGenerations", ["g1"]);
    await s.run(["up", "--yes", "--non-interactive"]);
    const out = async () => JSON.parse((await s.run(["stack", "output", "--json"])).stdout);
    const first = await out();
    expect(first.backendGeneration).toBe("g1");

    // Not aged yet: a day's limit plans nothing.
    await s.config("keyMaxAgeDays", "1");
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);

    // 0.00002 days = 1.7 s.
    await new Promise((r) => setTimeout(r, 2000));
    await s.config("keyMaxAgeDays", "0.00002");
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.output).toMatch(/generation "g1" is [\d.]+ days old \(maxAgeDays 0\.00002\)/);
    expect(up.stdout).toMatch(/\+ 1 created/);
    expect(up.stdout).not.toMatch(/deleted/);
    const aged = await out();
    expect(aged.backendGeneration).toMatch(/^auto-\d{4}-\d{2}-\d{2}$/);
    expect(aged.backendPreviousGenerations).toEqual(["g1"]);
    expect(aged.backendPreviousKeyId).toBe(first.backendKeyId);
    const autoKey = (await managementApi(server).listKeys()).find((k) => k.id === aged.backendKeyId);
    expect(autoKey?.name).toBe(`acme.example backend (${aged.backendGeneration})`);

    // The next up finds that key and keeps it: nothing new is minted.
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);

    // Phase 2, as the warning says: the automatic label becomes the list.
    await s.configObject("keyGenerations", [aged.backendGeneration]);
    await s.config("keyMaxAgeDays", "1");
    const up2 = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up2.stdout).toMatch(/- 1 deleted/);
    const after = await out();
    expect(after.backendKeyId).toBe(aged.backendKeyId);
    expect(after.backendPreviousKeyId).toBeNull();
  });

  it("never writes a secret to the state, the CLI output or a backend log", () => {
    const cli = sessions.flatMap((s) => s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")));
    const text = [...sessions.map((s) => s.stateText()), ...cli, ...backends.flatMap((b) => [...b.stdout, ...b.stderr])].join("\n");
    expect(secrets.length).toBeGreaterThan(0);
    expect(findSecretKeys(`${text}\n${secrets[0]}`)).toContain(secrets[0]); // positive control
    expect(findSecretKeys(text)).toEqual([]);
    for (const v of [...secrets, server.apiKey]) expect(text).not.toContain(v);
  });
});
