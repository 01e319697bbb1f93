/**
 * examples/customer-backend/backend.ts as the example's README runs it: the secret goes from the stack's
 * secret output straight into the backend's environment through the shell, so the test process never holds
 * it. Resolves once the backend prints its `{"url": …}` line.
 */
import { spawn } from "node:child_process";
import * as readline from "node:readline";
import type { PulumiSession } from "./pulumi";
import { REPO } from "./pulumi";

export interface CustomerBackend {
  url: string;
  /** what it printed, line by line (for leak scans and assertions) */
  stdout: string[];
  stderr: string[];
  stop(): Promise<void>;
}

export async function startCustomerBackend(opts: { session: PulumiSession; outputName: string; apiUrl: string }): Promise<CustomerBackend> {
  const { session: s, outputName, apiUrl } = opts;
  const script =
    `KATAVEN_WIDGET_SECRET_KEY="$(npm run -s pulumi -- -C "$PWD/examples/customer-backend" stack output ${outputName} --show-secrets --stack "$STACK")" ` +
    "exec node examples/customer-backend/backend.ts";
  const child = spawn("sh", ["-c", script], {
    cwd: REPO,
    env: { ...s.env, STACK: s.stack, KATAVEN_API_URL: apiUrl, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const b: CustomerBackend = { url: "", stdout: [], stderr: [], stop: async () => {} };
  b.stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  readline.createInterface({ input: child.stderr }).on("line", (l) => b.stderr.push(l));
  const lines = readline.createInterface({ input: child.stdout });
  b.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start:\n${b.stderr.join("\n")}`)), 60_000);
    lines.on("line", (l) => {
      b.stdout.push(l);
      if (!b.url && l.startsWith('{"url"')) {
        clearTimeout(timer);
        resolve(JSON.parse(l).url);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${b.stderr.join("\n")}`));
    });
  });
  return b;
}
