/**
 * The policy-violations keys (test/e2e/programs/policy-violations/keys.ts) as an Automation API inline
 * program, for test/e2e/policy.test.ts. It runs under plain node from dist/ (jest's VM breaks closure
 * serialization of the dynamic provider): an inline program needs no language host, so the CLI can start a
 * policy pack through pulumi-analyzer-policy-nodejs instead of the host.
 *
 *   node dist/test/e2e/support/policyDriver.js < request.json
 *
 * The request (stdin, JSON): see DriverRequest. The stack must exist in `workDir` (its Pulumi.yaml and
 * Pulumi.<stack>.yaml, config included: the test sets it through the CLI, secrets on stdin). The
 * environment (backend, passphrase, PULUMI_HOME, PULUMI_IGNORE_AMBIENT_PLUGINS) comes from the caller.
 * Prints the engine's output as it comes (stdout and stderr), then one last stdout line: the
 * DriverResult as JSON. Exits 1 when the operation failed.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { declareKeys } from "../programs/policy-violations/keys";

export interface DriverRequest {
  /** runs <cliRoot>/bin/pulumi */
  cliRoot: string;
  /** the directory with Pulumi.yaml (project policy-violations) and the stack's settings */
  workDir: string;
  stack: string;
  op: "preview" | "up" | "destroy";
  policyPacks?: string[];
  policyPackConfigs?: string[];
}

export interface DriverResult {
  ok: boolean;
  op: DriverRequest["op"];
  /** the change summary (preview) or resource changes (up, destroy), e.g. {"create": 5} */
  changes?: Record<string, number>;
  /** the stack outputs' names after `up` */
  outputs?: string[];
  /** the CLI's exit code, when it failed */
  exitCode?: number;
  /** the first line of the error (the CLI's exit code and command line), when the operation failed */
  error?: string;
}

/** The inline program: the same keys, read from the same config, as the program directory's index.ts. */
async function program(): Promise<Record<string, unknown>> {
  const cfg = new pulumi.Config();
  return { keyLast8: declareKeys(cfg.get("variant"), cfg.require("agent")) };
}

async function run(req: DriverRequest): Promise<DriverResult> {
  const stack = await LocalWorkspace.selectStack(
    { stackName: req.stack, projectName: "policy-violations", program },
    { workDir: req.workDir, pulumiCommand: await PulumiCommand.get({ root: req.cliRoot }) },
  );
  const streams = {
    onOutput: (out: string) => process.stdout.write(out),
    onError: (err: string) => process.stderr.write(err),
  };
  const policy = { policyPacks: req.policyPacks, policyPackConfigs: req.policyPackConfigs };
  switch (req.op) {
    case "preview": {
      const r = await stack.preview({ ...policy, ...streams });
      return { ok: true, op: req.op, changes: r.changeSummary };
    }
    case "up": {
      const r = await stack.up({ ...policy, ...streams });
      return { ok: true, op: req.op, changes: r.summary.resourceChanges, outputs: Object.keys(r.outputs) };
    }
    case "destroy": {
      const r = await stack.destroy(streams);
      return { ok: true, op: req.op, changes: r.summary.resourceChanges };
    }
    default:
      throw new Error(`unknown op ${JSON.stringify(req.op)}`);
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(fs.readFileSync(0, "utf8")) as DriverRequest;
  let result: DriverResult;
  try {
    result = await run(req);
  } catch (err) {
    // A CommandError's message: "code: …", stdout (streamed above), then stderr starting with the CLI's
    // "Command failed with exit code N: <command line>".
    const message = String((err as Error)?.message ?? err);
    const failed = message.match(/Command failed with exit code (\d+): .*/);
    result = failed
      ? { ok: false, op: req.op, exitCode: Number(failed[1]), error: failed[0] }
      : { ok: false, op: req.op, error: message.split("\n")[0] };
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

if (require.main === module) void main();
