/**
 * examples/customer-backend/backend.ts as the example's README runs it: the secret goes from the stack's
 * secret output straight into the backend's environment through the shell, so the test process never holds
 * it. Resolves once the backend prints its `{"url": …}` line.
 */
import { spawnUntilUrl } from "../../../scripts/lib/processes";
import type { PulumiSession } from "./pulumi";
import { REPO } from "./pulumi";

export interface CustomerBackend {
  url: string;
  /** what it printed, line by line (for leak scans and assertions) */
  readonly stdout: string[];
  readonly stderr: string[];
  stop(): Promise<void>;
}

const lines = (text: string): string[] => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

export async function startCustomerBackend(opts: { session: PulumiSession; outputName: string; apiUrl: string }): Promise<CustomerBackend> {
  const { session: s, outputName, apiUrl } = opts;
  const script =
    `KATAVEN_WIDGET_SECRET_KEY="$(npm run -s pulumi -- -C "$PWD/examples/customer-backend" stack output ${outputName} --show-secrets --stack "$STACK")" ` +
    "exec node examples/customer-backend/backend.ts";
  const b = await spawnUntilUrl("sh", ["-c", script], {
    name: "the customer backend",
    cwd: REPO,
    env: { ...s.env, STACK: s.stack, KATAVEN_API_URL: apiUrl, PORT: "0", HOST: "127.0.0.1" },
    timeoutMs: 60_000,
  });
  return {
    url: b.url,
    get stdout() {
      return lines(b.stdout());
    },
    get stderr() {
      return lines(b.stderr());
    },
    stop: b.stop,
  };
}
