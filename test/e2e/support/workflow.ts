/**
 * Runs a job of a GitHub Actions workflow file locally, as the runner would run its `run:` steps: each in
 * `bash --noprofile --norc -eo pipefail`, from the repository root, with the job's environment. `uses:`
 * steps (checkout, setup-node, the Pulumi action, the PR comment) are the runner's business and are
 * skipped, as is `npm ci` (the tests run on the built tree); the e2e's toolchain stands in for them.
 * A step's `if:` is evaluated only in the forms the workflow uses (`steps.<id>.outcome == 'failure'`,
 * joined with `||`); anything else is an error, so a workflow that grows new logic fails the test loudly.
 */
import * as fs from "node:fs";
import { runProcess } from "../../../scripts/lib/processes";
import { REPO_ROOT } from "../../../scripts/lib/repo";

// js-yaml is already in the tree (jest's coverage tooling needs it); its types are not.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { load(text: string): unknown } = require("js-yaml");

export interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  "continue-on-error"?: boolean;
}

export interface StepResult {
  name: string;
  id?: string;
  code: number;
  output: string;
}

export interface JobResult {
  /** what a GitHub check would show: false when a step without continue-on-error failed */
  ok: boolean;
  steps: StepResult[];
  output: string;
}

export function workflowJobs(file: string): Record<string, { steps: WorkflowStep[] }> {
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { jobs?: Record<string, { steps: WorkflowStep[] }> };
  if (!doc.jobs) throw new Error(`${file} has no jobs`);
  return doc.jobs;
}

function condition(expr: string, outcomes: Map<string, string>): boolean {
  return expr.split("||").some((part) => {
    const m = part.trim().match(/^steps\.([\w-]+)\.outcome == '(success|failure)'$/);
    if (!m) throw new Error(`workflow condition "${expr}" is not one this runner evaluates`);
    return outcomes.get(m[1]) === m[2];
  });
}

export async function runWorkflowJob(file: string, job: string, env: NodeJS.ProcessEnv): Promise<JobResult> {
  const steps = workflowJobs(file)[job]?.steps;
  if (!steps) throw new Error(`${file} has no job "${job}"`);
  const outcomes = new Map<string, string>();
  const results: StepResult[] = [];
  let ok = true;
  for (const step of steps) {
    if (step.uses || step.run === undefined || step.run.trim() === "npm ci") continue;
    if (step.if !== undefined && !condition(step.if, outcomes)) continue;
    if (step.run.includes("${{")) throw new Error(`step "${step.name}" uses a workflow expression in run:; pass it through env:`);
    const r = await runProcess("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
      cwd: REPO_ROOT,
      env,
      timeoutMs: 300_000,
    });
    results.push({ name: step.name ?? step.run, id: step.id, code: r.code, output: r.output });
    if (step.id) outcomes.set(step.id, r.code === 0 ? "success" : "failure");
    if (r.code !== 0 && !step["continue-on-error"]) {
      ok = false;
      break;
    }
  }
  return { ok, steps: results, output: results.map((s) => `## ${s.name} (exit ${s.code})\n${s.output}`).join("\n") };
}
