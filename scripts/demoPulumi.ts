/**
 * `npm run pulumi -- <command> --stack dev` in the repository root, for a command that reaches the provider
 * (preview, up, refresh, destroy, …): the demo stack that npm start provisions needs npm start's local
 * server, which npm start stops when it is done. scripts/pulumi.sh hands such a command here: the same data
 * directory is served on a free loopback port for the length of the command, the demo account gets a fresh
 * API key, and plain `pulumi` runs with KATAVEN_API_URL and KATAVEN_API_KEY in its environment only
 * (never in Pulumi.dev.yaml, which the repository holds). Every argument reaches the CLI as typed.
 */
import { spawn } from "node:child_process";
import { DEMO_DATA, DEMO_ENV, DEMO_STACK, shown, startDemoServer } from "./lib/demo";
import { REPO_ROOT as REPO } from "./lib/repo";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const demo = await startDemoServer();
  process.stderr.write(
    `npm run pulumi: stack "${DEMO_STACK}" is npm start's demo stack; its local server (data: ${shown(DEMO_DATA)}) ` +
      `runs at ${demo.server.url} for this command\n`,
  );
  try {
    const child = spawn("pulumi", args, { cwd: REPO, env: { ...DEMO_ENV, ...demo.env }, stdio: "inherit" });
    // Ctrl-C reaches the CLI through the terminal's process group; a SIGTERM sent to this process is passed on.
    process.on("SIGTERM", () => child.kill("SIGTERM"));
    process.on("SIGINT", () => undefined);
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    await demo.server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`npm run pulumi: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
