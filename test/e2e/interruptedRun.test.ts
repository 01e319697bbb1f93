/**
 * An `up` of 20 keys killed with SIGKILL in the middle (the whole CLI process group, as `kill -9` of a CI
 * job does), then docs/operations.md's steps ("Recovering from an interrupted run") through plain `pulumi` and the
 * package's `kataven-recover`: the provider process stops with its engine (it would otherwise go on retrying
 * into the API outage that follows), and the run ends with 0 orphan keys on the server, 20 keys whose
 * secrets work, and every key of another stack that declares the same 20 names untouched.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
const PROGRAM = path.join(REPO, "bench/programs/widget-keys");
const WIDGET_KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";
const RECOVER = path.join(REPO, "bin/kataven-recover.js");
jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an interrupted up of 20 keys, recovered with the documented steps (docs/operations.md)", () => {
  let server: Server;
  let s: PulumiSession;
  let other: PulumiSession;
  let otherKeys: string[] = [];
  const listKeys = () => managementApi(server).listKeys();
  const stateKeyIds = () =>
    s
      .resources()
      .filter((r) => r.type === WIDGET_KEY)
      .map((r) => r.id!)
      .sort();
  /** `npx kataven-recover …` as docs/operations.md writes it, run in the program directory. */
  const recover = async (...args: string[]) => {
    const r = await runProcess(process.execPath, [RECOVER, "--stack", s.stack, ...args], { cwd: PROGRAM, env: s.env });
    s.transcript.push(`$ kataven-recover ${args.join(" ")}\n${r.output}`);
    if (r.code !== 0) throw new Error(`kataven-recover ${args.join(" ")} exited with ${r.code}:\n${r.output}`);
    return r.output;
  };

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4, faults: true });
    // Another stack of the same program on the same account: the same 20 key names, all of them live.
    other = await newSession(PROGRAM);
    await other.useServer(server);
    await other.config("bench:count", "20");
    await other.run(["up", "--yes", "--non-interactive"]);
    otherKeys = (await listKeys()).map((k) => k.id).sort();
    expect(otherKeys).toHaveLength(20);
    s = await newSession(PROGRAM);
    await s.useServer(server);
    await s.config("bench:count", "20");
  });
  afterAll(async () => {
    await server?.clearFaults().catch(() => undefined);
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await other?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    other?.dispose();
    await server?.close();
  });

  /** Processes of this session's plugins (PULUMI_HOME marks them) that run `cmd` (Linux /proc). */
  const pluginProcesses = (cmd: RegExp): number[] =>
    fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
          return env.includes(`PULUMI_HOME=${s.env.PULUMI_HOME}`) && cmd.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        } catch {
          return false;
        }
      })
      .map(Number);
  const DYNAMIC_PROVIDER = /cmd\/dynamic-provider/;

  it("kill -9 mid-up leaves live keys the state does not hold", async () => {
    // Each create takes 1.5 s on the server, so the kill lands while creates are in flight; the server
    // still commits them after the CLI is gone.
    await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 1500, times: -1 }]);
    const child = spawn("pulumi", ["up", "--yes", "--non-interactive"], { cwd: PROGRAM, env: s.env, detached: true, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    const t0 = Date.now();
    const baseline = await server.requestCount("POST /api/v1/widget-keys");
    while ((await server.requestCount("POST /api/v1/widget-keys")) < baseline + 8) {
      if (Date.now() - t0 > 120_000) throw new Error("the up never reached 8 creates");
      await sleep(50);
    }
    await sleep(500);
    // the positive control for the process check below: the provider runs while the CLI does
    expect(pluginProcesses(DYNAMIC_PROVIDER).length).toBeGreaterThan(0);
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    // An API outage right after the kill: a provider that outlived its engine would keep retrying into it.
    await server.setFaults([
      { route: "POST /api/v1/widget-keys", mode: "status", status: 503, times: -1 },
      { route: "GET /api/v1/widget-keys", mode: "status", status: 503, times: -1 },
    ]);
    const killedAt = Date.now();
    while (pluginProcesses(DYNAMIC_PROVIDER).length > 0 && Date.now() - killedAt < 10_000) await sleep(100);
    expect(pluginProcesses(DYNAMIC_PROVIDER)).toEqual([]);
    console.log(`the provider process exited ${Date.now() - killedAt} ms after its engine was killed`);
    await sleep(2_000); // the creates already on the server land
    await server.clearFaults();
    const onServer = (await listKeys()).map((k) => k.id).filter((id) => !otherKeys.includes(id));
    const inState = stateKeyIds();
    expect(onServer.length).toBeLessThan(20);
    // the positive control for the rest: there are orphans to find
    expect(onServer.length).toBeGreaterThan(inState.length);
    console.log(`after kill -9: ${onServer.length} keys on the server, ${inState.length} in the state`);
  });

  it("follows docs/operations.md: cancel, kataven-recover (list, --delete), refresh --clear-pending-creates, up", async () => {
    const orphans = (await listKeys()).filter((k) => !stateKeyIds().includes(k.id) && !otherKeys.includes(k.id));
    expect(orphans.length).toBeGreaterThan(0);

    // 1. the killed CLI left its lock behind
    const blocked = await s.run(["up", "--yes", "--non-interactive"], { allowFailure: true });
    expect(blocked.code).not.toBe(0);
    expect(blocked.output).toMatch(/locked/);
    await s.run(["cancel", "--yes"]);

    // 2. list what no resource tracks: every orphan, by name and id, with created / last used
    const listed = await recover();
    for (const o of orphans) expect(listed).toContain(`"${o.name}"  id ${o.id}`);
    expect(listed).toMatch(new RegExp(`${orphans.length} widget key\\(s\\) that no resource of the stack tracks`));
    expect(listed).toMatch(/last used never/);
    expect((await listKeys()).length).toBe(stateKeyIds().length + orphans.length + otherKeys.length); // listing changes nothing

    expect(listed).toMatch(new RegExp(`${orphans.length} of them provably the stack's`));

    // 3. delete the never-used ones: exactly the orphans, nothing of the other stack sharing their names
    const deleted = await recover("--delete");
    expect(deleted).toContain(`Deleted ${orphans.length}, disabled 0`);
    expect((await listKeys()).map((k) => k.id).sort()).toEqual([...stateKeyIds(), ...otherKeys].sort());

    // 4. clear the pending creates the killed run left in the state, 5. up again
    await s.run(["refresh", "--clear-pending-creates", "--yes", "--non-interactive"]);
    const up = await s.run(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).toMatch(/created/);
    const after = await recover();
    expect(after).toContain("0 of them provably the stack's");
    for (const id of otherKeys) expect(after).toContain(`id ${id}`);
  });

  it("ends with 0 orphans and 20 keys whose secrets work; nothing deletes them afterwards", async () => {
    const ids = stateKeyIds();
    expect(ids).toHaveLength(20);
    await sleep(5_000); // what a provider left running by the killed CLI would do now
    expect((await listKeys()).map((k) => k.id).sort()).toEqual([...ids, ...otherKeys].sort());
    const secrets = s
      .resources()
      .filter((r) => r.type === WIDGET_KEY)
      .map((r) => r.outputs?.secretKey);
    // secretKey is a secret output: the state holds it encrypted; read it through the CLI
    const exported = JSON.parse((await s.run(["stack", "export", "--show-secrets"])).stdout);
    const plain: string[] = exported.deployment.resources
      .filter((r: any) => r.type === WIDGET_KEY)
      .map((r: any) => {
        const v = r.outputs.secretKey; // {<sig>: <secret marker>, plaintext: "\"sk_live_…\""}
        return typeof v === "object" && v !== null && typeof v.plaintext === "string" ? JSON.parse(v.plaintext) : v;
      });
    expect(secrets.every((v) => typeof v === "object")).toBe(true);
    expect(new Set(plain).size).toBe(20);
    for (const secret of plain) {
      const res = await request(`${server.url}/api/v1/widget/auth/user-token`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ external_user_id: "u-1" }),
      });
      const body = await res.body.text();
      expect(`${res.statusCode} ${body.startsWith("{") ? "" : body}`).toBe("200 ");
    }
    // No plaintext secret anywhere but the --show-secrets export (positive control: the scan finds them there).
    expect(findSecretKeys(plain.join("\n"))).toHaveLength(20);
    const visible = s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n");
    expect(findSecretKeys(visible)).toEqual([]);
    expect(findSecretKeys(s.stateText())).toEqual([]);
  });
});
