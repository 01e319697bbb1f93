/**
 * Team backends: the state in a shared server, not a file:// directory. For each of PostgreSQL (Debian's
 * package, started here with initdb/pg_ctl) and an S3-compatible server (SeaweedFS, built into the toolchain
 * cache), all on 127.0.0.1 and stopped at the end:
 *   - the main job (`npm start`) twice: it provisions, then finds nothing to change;
 *   - the GitOps example's jobs, run from its workflow file's own `run:` steps (test/e2e/support/workflow.ts):
 *     the PR job (allowlist report, policy pack), the merge job (`pulumi up`), and the drift job, which must
 *     fail naming the key and field after an out-of-band allowlist edit and after a revocation;
 *   - `kataven-recover` lists a key the stack doesn't track, and deletes it once named (`--key`);
 *   - a second merge job while one is running fails fast on the backend's lock, and afterwards state and
 *     Kataven agree (no orphan, no duplicate, the drift job passes).
 * The Kataven credentials reach the jobs as CI passes them (KATAVEN_API_URL/KATAVEN_API_KEY in the
 * environment); nothing any command prints, and nothing in the exported state, holds an sk_live_ value.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { postgresBin, startPostgres, startSeaweedS3, type StateBackend } from "./support/backends";
import { managementApi } from "./support/kataven";
import { cliVersion, expectNoSecretKeys, newSession, type PulumiSession, REPO, runProcess } from "./support/pulumi";
import { runWorkflowJob, type JobResult } from "./support/workflow";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { load(text: string): any } = require("js-yaml");

type Server = Awaited<ReturnType<typeof startServer>>;

const GITOPS = path.join(REPO, "examples/gitops");
const WORKFLOW = path.join(GITOPS, ".github/workflows/widget-keys.yml");
const PROD = yaml.load(fs.readFileSync(path.join(GITOPS, "Pulumi.prod.yaml"), "utf8")).config;
const AGENTS = Object.keys(PROD["kataven-widget:agents"]);
const KEYS: Record<string, { allowlist: string[] }> = PROD["kataven-widget:keys"];

const BACKENDS: Array<[string, () => Promise<StateBackend>, string | null]> = [
  ["PostgreSQL", startPostgres, postgresBin() ? null : "PostgreSQL is not installed (scripts/install-system-deps.sh, as root)"],
  ["S3 (SeaweedFS)", startSeaweedS3, null],
];

/** The stack's WidgetKeys in the exported state: resource name → Kataven key id. */
async function stateKeys(s: PulumiSession): Promise<Map<string, string>> {
  const doc = JSON.parse((await s.run(["stack", "export", "--stack", s.stack])).stdout);
  const keys = new Map<string, string>();
  for (const r of doc.deployment.resources ?? []) {
    if (r.type === "pulumi-nodejs:dynamic/kataven:WidgetKey") keys.set(r.urn.slice(r.urn.lastIndexOf("::") + 2), r.id);
  }
  return keys;
}

for (const [label, start, missing] of BACKENDS) {
  const describeBackend = missing ? describe.skip : describe;
  if (missing) console.warn(`SKIPPED team backend ${label}: ${missing}`);

  describeBackend(`team backend: ${label}`, () => {
    let backend: StateBackend;
    const outputs: string[] = [];

    beforeAll(async () => {
      console.log(`e2e engine: pulumi ${await cliVersion()}`);
      const t0 = Date.now();
      backend = await start();
      console.log(`${label}: backend ${backend.url.replace(/\?.*/, "")} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }, 20 * 60_000);
    afterAll(async () => {
      await backend?.stop();
    });

    it(
      "runs the main job twice: provisions, then finds nothing to change",
      async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-main-team-"));
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ...backend.env,
          KATAVEN_DEMO_BACKEND: backend.url,
          PULUMI_HOME: `${root}/home`,
          KATAVEN_LOCAL_DATA: `${root}/server/data`,
          INIT_CWD: undefined,
          KATAVEN_API_KEY: undefined,
          KATAVEN_API_URL: undefined,
        };
        try {
          const startJob = () => runProcess("node", [path.join(REPO, "dist/scripts/start.js")], { cwd: REPO, env, timeoutMs: 180_000 });
          const first = await startJob();
          outputs.push(first.output);
          expect(first.code).toBe(0);
          expect(first.stdout).toMatch(/\+ 6 created/);
          const second = await startJob();
          outputs.push(second.output);
          expect(second.code).toBe(0);
          expect(second.stdout).toMatch(/6 unchanged/);
          expect(second.stdout).not.toMatch(/created|updated|replaced/);
          // The state is in the team backend: exported through it, it holds the keys and no plaintext secret.
          const exported = await runProcess("pulumi", ["stack", "export", "--stack", "dev"], {
            cwd: REPO,
            env: { ...env, PULUMI_BACKEND_URL: backend.url, PULUMI_CONFIG_PASSPHRASE: "local-only-passphrase" },
          });
          expect(exported.code).toBe(0);
          expect(exported.stdout).toContain("pulumi-nodejs:dynamic/kataven:WidgetKey");
          expectNoSecretKeys(exported.stdout);
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      },
      8 * 60_000,
    );

    describe("the GitOps example's jobs", () => {
      let server: Server;
      let s: PulumiSession;
      let jobEnv: NodeJS.ProcessEnv;
      const job = async (name: string) => {
        const r = await runWorkflowJob(WORKFLOW, name, jobEnv);
        outputs.push(r.output);
        return r;
      };
      const keyNamed = async (name: string) => (await managementApi(server).listKeys()).find((k) => k.name === name)!;
      /** The drift job failed, and its output names the key (its URN line) and the field. */
      const expectDriftFails = (r: JobResult, key: string, field: RegExp) => {
        expect(r.ok).toBe(false);
        expect(r.output).toContain(`::pulumi-nodejs:dynamic/kataven:WidgetKey::${key}]`);
        expect(r.output).toMatch(field);
      };

      beforeAll(async () => {
        server = await startServer({ agents: AGENTS, faults: true });
        s = await newSession(GITOPS, {
          stack: `prod-e2e-${path
            .basename(fs.mkdtempSync(path.join(os.tmpdir(), "gitops-")))
            .slice(7)
            .toLowerCase()}`,
          env: { PULUMI_BACKEND_URL: backend.url, ...backend.env },
        });
        // The committed prod stack's settings, as the main branch holds them.
        await s.configObject("kataven-widget:agents", PROD["kataven-widget:agents"]);
        await s.configObject("kataven-widget:keys", KEYS);
        // As CI passes them: from the secret store into the environment, never into the repository.
        jobEnv = { ...s.env, KATAVEN_API_URL: server.url, KATAVEN_API_KEY: server.apiKey, STACK: s.stack };
        fs.rmSync(path.join(REPO, "report.md"), { force: true });
      }, 120_000);
      afterAll(async () => {
        await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true, env: jobEnv });
        s?.dispose();
        await server?.close();
        fs.rmSync(path.join(REPO, "report.md"), { force: true });
      });

      it(
        "PR job: the allowlist report from preview --json, and the policy pack",
        async () => {
          const r = await job("pr");
          const report = r.steps.find((x) => x.id === "report")!;
          expect(report.code).toBe(0);
          const md = fs.readFileSync(path.join(REPO, "report.md"), "utf8");
          expect(md).toContain(`## Kataven widget keys: stack \`${s.stack}\``);
          for (const [name, k] of Object.entries(KEYS)) expect(md).toContain(`| \`${name}\` | created | +${k.allowlist.length} |`);
          expectNoSecretKeys(md);
          const policy = r.steps.find((x) => x.id === "policy")!;
          if (/could not read plugin \[[^\]]*policy[^\]]*\]: not supported|not supported/.test(policy.output) && policy.code !== 0) {
            // The toolchain's language host (sdk v3.68.0) can't start policy packs (policy/README.md); the pack's
            // rules are checked through the CLI's analyzer by test/e2e/policy.test.ts. The job then fails, as it should.
            console.warn("PR job: the policy step needs a newer Node.js language host; its failure is the expected 'not supported'");
            expect(r.ok).toBe(false);
          } else {
            expect(policy.code).toBe(0);
            expect(r.ok).toBe(true);
          }
          expect(await managementApi(server).listKeys()).toEqual([]); // a preview changes nothing
        },
        5 * 60_000,
      );

      it(
        "merge job: pulumi up creates the keys; the drift job then passes",
        async () => {
          const merged = await job("merge");
          expect(merged.ok).toBe(true);
          const live = await managementApi(server).listKeys();
          expect(live.map((k) => k.name).sort()).toEqual(Object.keys(KEYS).sort());
          expect([...(await stateKeys(s)).values()].sort()).toEqual(live.map((k) => k.id).sort());
          expect((await job("drift")).ok).toBe(true);
        },
        5 * 60_000,
      );

      it(
        "drift job: an allowlist edited outside Pulumi fails it, naming the key and field; merge restores it",
        async () => {
          const key = await keyNamed("website");
          const edited = [...key.domain_allowlist, "https://evil.example"];
          expect((await managementApi(server).call("PATCH", `/widget-keys/${key.id}`, { domain_allowlist: edited })).status).toBe(200);
          const drift = await job("drift");
          expectDriftFails(drift, "website", /~ domainAllowlist: \[\n(.*\n){0,3}\s*- \[2\]: "https:\/\/evil\.example"/);
          expect(drift.output).toMatch(/error: no changes were expected for preview but changes were proposed/);
          expect((await job("merge")).ok).toBe(true);
          expect((await keyNamed("website")).domain_allowlist).not.toContain("https://evil.example");
          expect((await job("drift")).ok).toBe(true);
        },
        5 * 60_000,
      );

      it(
        "drift job: a key revoked outside Pulumi fails it, naming the key and field; merge keeps it revoked",
        async () => {
          const key = await keyNamed("customer-portal");
          expect((await managementApi(server).call("PATCH", `/widget-keys/${key.id}`, { disabled: true })).status).toBe(200);
          const drift = await job("drift");
          expectDriftFails(drift, "customer-portal", /~ disabled\s*: false => true/);
          expect(drift.output).toMatch(
            /jobs\.sh: drift: widget key "customer-portal" \([^)]+\): disabled changed to true outside Pulumi \(revoked\)/,
          );
          expect((await job("merge")).ok).toBe(true);
          expect((await keyNamed("customer-portal")).disabled_at).not.toBeNull();
          expect((await job("drift")).ok).toBe(true);
        },
        5 * 60_000,
      );

      it(
        "kataven-recover lists a key the stack doesn't track, and deletes it once named with --key",
        async () => {
          const created = await managementApi(server).call("POST", "/widget-keys", {
            name: "partner-embed",
            domain_allowlist: ["https://partners.acme.example"],
          });
          expect(created.status).toBe(201);
          const orphan: string = created.json.id;
          const recover = async (...args: string[]) => {
            const r = await runProcess("node", [path.join(REPO, "bin/kataven-recover.js"), "--cwd", GITOPS, "--stack", s.stack, ...args], {
              cwd: REPO,
              env: jobEnv,
            });
            outputs.push(r.output);
            return r;
          };
          const listed = await recover();
          expect(listed.output).toContain(orphan);
          // Its name alone doesn't make it the stack's (no interrupted run left a pending create for it) ...
          expect((await recover("--delete")).code).toBe(0);
          expect((await managementApi(server).listKeys()).map((k) => k.id)).toContain(orphan);
          // ... naming its id does.
          const deleted = await recover("--delete", "--key", orphan);
          expect(deleted.code).toBe(0);
          expect((await managementApi(server).listKeys()).map((k) => k.id)).not.toContain(orphan);
          expect((await recover()).output).toMatch(/No untracked widget keys/);
        },
        3 * 60_000,
      );

      it(
        "a second merge job while one runs fails fast on the lock; state and Kataven stay consistent",
        async () => {
          await s.configObject("kataven-widget:keys", { ...KEYS, shop: { agent: AGENTS[0], allowlist: ["https://shop.acme.example"] } });
          // Keeps the first update inside its create for a while (under the 15 s request timeout, so it is not retried).
          await server.setFaults([{ route: "POST /api/v1/widget-keys", mode: "latency", latencyMs: 8_000 }]);
          await server.resetStats();
          const first = job("merge");
          const deadline = Date.now() + 120_000;
          // The rule is used up once the create arrived (requests are counted only when answered).
          const pending = async () => ((await (await fetch(`${server.url}/__admin/faults`)).json()) as unknown[]).length;
          while ((await pending()) > 0) {
            if (Date.now() > deadline) throw new Error("the first merge job never reached its create");
            await new Promise((r) => setTimeout(r, 200));
          }
          const t0 = Date.now();
          const second = await job("merge");
          const seconds = (Date.now() - t0) / 1000;
          console.log(`${label}: the second merge job failed after ${seconds.toFixed(1)} s`);
          expect(second.ok).toBe(false);
          expect(second.output).toMatch(/the stack is currently locked by 1 lock\(s\)/);
          expect(seconds).toBeLessThan(30);
          const firstResult = await first;
          expect(firstResult.ok).toBe(true);
          await server.clearFaults();
          // One create only (the second job made no request), every live key tracked once, none twice.
          expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(1);
          const live = await managementApi(server).listKeys();
          const names = live.map((k) => k.name).sort();
          expect(names).toEqual([...new Set(names)]);
          expect(names).toEqual([...Object.keys(KEYS), "shop"].sort());
          expect([...(await stateKeys(s)).values()].sort()).toEqual(live.map((k) => k.id).sort());
          expect((await job("drift")).ok).toBe(true);
        },
        6 * 60_000,
      );

      it("never prints a secret", () => {
        expectNoSecretKeys(outputs.join("\n") + s.transcript.join("\n"));
        expect(outputs.join("\n")).not.toContain(server.apiKey);
      });
    });
  });
}
