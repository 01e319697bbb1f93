/**
 * `node dist/scripts/withDemoServer.js CMD ARGS…`: runs CMD against npm start's local server. The demo stack
 * that npm start provisions has no credentials in its config (Pulumi.dev.yaml is in the repository) and
 * npm start stops its server when it is done, so `npm run pulumi -- preview --stack dev` and
 * `npm run recover -- --stack dev` in the repository root come here (scripts/pulumi.sh, scripts/recover.sh):
 * the same data directory is served on a free loopback port for the length of the command, the demo account
 * gets a fresh API key, and CMD runs with KATAVEN_API_URL and KATAVEN_API_KEY in its environment only, with
 * the demo backend and passphrase (scripts/lib/demo.ts). Every argument reaches CMD as typed.
 */
import { spawn } from "node:child_process";
import { DEMO_DATA, DEMO_ENV, DEMO_STACK, shown, startDemoServer } from "./lib/demo";
import { REPO_ROOT as REPO } from "./lib/repo";

async function main(): Promise<number> {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) throw new Error("usage: withDemoServer.js CMD [ARGS…]");
  const demo = await startDemoServer();
  process.stderr.write(
    `stack "${DEMO_STACK}" is npm start's demo stack: its local server (data: ${shown(DEMO_DATA)}) runs at ${demo.server.url} for this command\n`,
  );
  try {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...DEMO_ENV, ...demo.env }, stdio: "inherit" });
    // Ctrl-C reaches CMD through the terminal's process group; a SIGTERM sent to this process is passed on.
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
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
