/**
 * Documented actions never lose a key they can't prove is their own, through plain `pulumi` and the package's
 * `kataven-recover`:
 *  - recovery on one stack leaves another stack's same-named keys alone (used or not);
 *  - a create that the server commits after the client gave up is warned about, with the command whose
 *    window finds exactly that key;
 *  - removing the `import` option after the first `up` plans no change and keeps the key;
 *  - no plaintext secret in `up --json`, `preview --json` or `-v=3` output of an up that changes nothing.
 */
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const KEYS = path.join(REPO, "bench/programs/widget-keys");
const OPTIONS = path.join(REPO, "test/e2e/programs/options");
const RECOVER = path.join(REPO, "bin/kataven-recover.js");
const WIDGET_KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";
jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server;
const sessions: PulumiSession[] = [];
beforeAll(async () => {
  console.log(`e2e engine: pulumi ${await cliVersion()}`);
  server = await startServer({ bcryptCost: 4, faults: true });
});
afterAll(async () => {
  for (const s of sessions) {
    await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s.dispose();
  }
  await server?.close();
});

async function session(program: string, count?: number): Promise<PulumiSession> {
  const s = await newSession(program);
  sessions.push(s);
  await s.useServer(server);
  if (count !== undefined) await s.config("bench:count", String(count));
  return s;
}

/** `npx kataven-recover …` as docs/operations.md writes it, run in the program directory. */
async function recover(s: PulumiSession, ...args: string[]): Promise<string> {
  const r = await runProcess(process.execPath, [RECOVER, "--stack", s.stack, ...args], { cwd: s.programDir, env: s.env });
  s.transcript.push(`$ kataven-recover ${args.join(" ")}\n${r.output}`);
  if (r.code !== 0) throw new Error(`kataven-recover ${args.join(" ")} exited with ${r.code}:\n${r.output}`);
  return r.output;
}

const stateKeyIds = (s: PulumiSession) =>
  s
    .resources()
    .filter((r) => r.type === WIDGET_KEY)
    .map((r) => r.id!)
    .sort();
/** The keys of the account (shared by every test here) that no session's state holds. */
const untracked = async () => {
  const tracked = new Set(sessions.flatMap(stateKeyIds));
  return (await managementApi(server).listKeys()).filter((k) => !tracked.has(k.id));
};

/** The plaintext secret keys of a stack, read through the CLI. */
async function secretsOf(s: PulumiSession): Promise<string[]> {
  const exported = JSON.parse((await s.run(["stack", "export", "--show-secrets"])).stdout);
  return exported.deployment.resources
    .filter((r: any) => r.type === WIDGET_KEY)
    .map((r: any) => JSON.parse(r.outputs.secretKey.plaintext) as string);
}

describe("recovery on one stack, another stack declaring the same key names", () => {
  it("deletes and disables none of the other stack's keys, and lists them as not provably its own", async () => {
    const other = await session(KEYS, 3);
    await other.run(["up", "--yes", "--non-interactive"]);
    const mine = await session(KEYS, 3);
    await mine.run(["up", "--yes", "--non-interactive"]);
    // One of the other stack's keys is in use by its visitors.
    const [secret] = await secretsOf(other);
    const used = await request(`${server.url}/api/v1/widget/auth/user-token`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ external_user_id: "u-1" }),
    });
    expect(used.statusCode).toBe(200);
    await used.body.text();

    const before = await managementApi(server).listKeys();
    expect(before).toHaveLength(6); // the positive control: the other stack's keys are there to be lost
    const out = await recover(mine, "--delete", "--disable-used");
    for (const id of stateKeyIds(other)) expect(out).toContain(`id ${id}`);
    expect(out).toMatch(/3 widget key\(s\) that no resource of the stack tracks; 0 of them provably the stack's/);
    expect(out).toContain("Deleted 0, disabled 0 widget key(s).");
    const after = await managementApi(server).listKeys();
    expect(after.map((k) => [k.id, k.disabled_at])).toEqual(before.map((k) => [k.id, null]));
  });
});

describe("a create the server commits after the client gave up", () => {
  it("is warned about, and the command the warning prints finds and removes exactly that key", async () => {
    const s = await session(KEYS, 1);
    await s.config("kataven:timeoutMs", "3000");
    // The first POST is answered after 12 s: the client times out at 3 s, finds nothing at its check 3 s later,
    // retries successfully, and the first request's key lands after the update is over.
    await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 12_000, times: 1 }]);
    const started = Date.now();
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.output).toMatch(/widget key "bench key 0": 1 create attempt\(s\) timed out and no key of theirs appeared in the account/);
    const command = /npx --no-install kataven-recover (--name "bench key 0" --created-after \S+ --created-before \S+)/.exec(up.output);
    expect(command).not.toBeNull();
    await server.clearFaults();
    // The late key lands 12 s after its request (sent once the engine had started the update).
    let orphans = await untracked();
    while (orphans.length === 0 && Date.now() - started < 60_000) {
      await sleep(500);
      orphans = await untracked();
    }
    expect(orphans.map((k) => k.name)).toEqual(["bench key 0"]); // the late key did land

    const args = command![1].match(/--\S+|"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""));
    const listed = await recover(s, ...args);
    expect(listed).toContain(`id ${orphans[0].id}`);
    expect(listed).toMatch(/never used, created inside the window given: --delete removes it/);
    expect(await recover(s, ...args, "--delete")).toContain("Deleted 1, disabled 0 widget key(s).");
    expect(await untracked()).toEqual([]);
  });
});

describe("the import option, removed after the first up", () => {
  it("plans no change and keeps the imported key", async () => {
    const created = await managementApi(server).call("POST", "/widget-keys", {
      name: "imported site",
      domain_allowlist: ["https://opt.example"],
    });
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    const s = await session(OPTIONS);
    await s.config("keyName", "imported site");
    await s.config("importId", id);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect(stateKeyIds(s)).toEqual([id]);

    await s.run(["config", "rm", "importId"]);
    const preview = await s.run(["preview", "--diff", "--non-interactive"]);
    expect(preview.output).not.toMatch(/to replace|to delete|to create|to update/);
    expect(preview.output).toMatch(/2 unchanged/);
    await s.run(["up", "--yes", "--non-interactive"]);
    expect(stateKeyIds(s)).toEqual([id]);
    expect((await managementApi(server).listKeys()).find((k) => k.id === id)?.disabled_at).toBeNull();
  });
});

describe("engine output of an up that changes nothing", () => {
  it("holds no plaintext secret with --json, preview --json or -v=3", async () => {
    const s = await session(KEYS, 3);
    await s.run(["up", "--yes", "--non-interactive"]);
    const secrets = await secretsOf(s);
    expect(secrets).toHaveLength(3); // the positive control: the scan below has secrets to find
    const outputs = [
      await s.run(["up", "--yes", "--non-interactive", "--json"]),
      await s.run(["preview", "--non-interactive", "--json"]),
      await s.run(["up", "--yes", "--non-interactive", "-v=3", "--logtostderr"]),
    ].map((r) => r.output);
    expect(outputs[0]).toMatch(/"diagnosticEvent"|"resourcePreEvent"|"summaryEvent"/);
    expect(outputs[0]).toMatch(/RegisterResource RPC finished/); // the message that carried them is still there, scrubbed
    for (const text of outputs) {
      expect(findSecretKeys(text)).toEqual([]);
      for (const secret of secrets) expect(text).not.toContain(secret.slice("sk_live_".length));
    }
  });
});
