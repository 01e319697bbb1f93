/**
 * examples/gitops: the workflow and jobs.sh can't drift apart. Every `run:` step of the workflow that does
 * more than install or fail is `examples/gitops/jobs.sh <job> "$STACK" …`, each job of jobs.sh is called
 * by the workflow job it belongs to, and no step calls `pulumi` or the report itself. (The e2e,
 * test/e2e/teamBackends.test.ts, runs those steps as written.) Also: every program's project name is its own
 * (a backend keeps stacks per project, so two programs with one name share their stacks).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { workflowJobs } from "../e2e/support/workflow";

const GITOPS = path.join(__dirname, "../../examples/gitops");
const WORKFLOW = path.join(GITOPS, ".github/workflows/widget-keys.yml");
const SCRIPT = fs.readFileSync(path.join(GITOPS, "jobs.sh"), "utf8");

/** The job names of jobs.sh's `case`. */
const scriptJobs = [...SCRIPT.matchAll(/^ {2}([a-z]+)\)$/gm)].map((m) => m[1]);

describe("examples/gitops workflow and jobs.sh", () => {
  const jobs = workflowJobs(WORKFLOW);

  it("jobs.sh has the report, policy, merge and drift jobs, and is executable", () => {
    expect(scriptJobs).toEqual(["report", "policy", "merge", "drift"]);
    expect(fs.statSync(path.join(GITOPS, "jobs.sh")).mode & 0o111).not.toBe(0);
  });

  it("every workflow step that talks to Pulumi runs jobs.sh, with the job it belongs to", () => {
    const calls: Record<string, string[]> = {};
    for (const [name, job] of Object.entries(jobs)) {
      for (const step of job.steps) {
        if (step.run === undefined) continue;
        const run = step.run.trim();
        if (run === "npm ci" || run === "exit 1") continue;
        const m = run.match(/^examples\/gitops\/jobs\.sh ([a-z]+) "\$STACK"( report\.md)?$/);
        expect({ step: step.name, run, ok: Boolean(m) }).toEqual({ step: step.name, run, ok: true });
        (calls[name] ??= []).push(m![1]);
      }
    }
    expect(calls).toEqual({ pr: ["report", "policy"], merge: ["merge"], drift: ["drift"] });
  });

  it("no step runs pulumi or the report except through jobs.sh", () => {
    const runs = Object.values(jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    for (const run of runs) expect(run).not.toMatch(/\bpulumi (up|preview|refresh|destroy)\b|allowlist-report/);
  });

  it("jobs.sh never uses --json on up, and its commands are the ones its header lists", () => {
    expect(SCRIPT).not.toMatch(/pulumi up[^\n]*--json/);
    expect(SCRIPT).toMatch(/pulumi preview --json /);
    expect(SCRIPT).toMatch(/npm --prefix "\$repo" run --silent allowlist-report -- --file /);
    expect(SCRIPT).toMatch(/pulumi preview "\$\{flags\[@\]\}" --policy-pack /);
    expect(SCRIPT).toMatch(/pulumi up --refresh --yes /);
    expect(SCRIPT).toMatch(/pulumi preview --refresh --expect-no-changes --diff /);
  });

  it("every program has a project name of its own", () => {
    const root = path.join(__dirname, "../..");
    const under = (dir: string) => fs.readdirSync(path.join(root, dir)).map((d) => path.join(root, dir, d));
    const dirs = [root, ...under("examples"), ...under("bench/programs"), ...under("test/e2e/programs")];
    const names = dirs
      .filter((d) => fs.existsSync(path.join(d, "Pulumi.yaml")))
      .map((d) => fs.readFileSync(path.join(d, "Pulumi.yaml"), "utf8").match(/^name:\s*(\S+)/m)![1]);
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names).size).toBe(names.length);
  });
});
