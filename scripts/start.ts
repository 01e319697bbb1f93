/**
 * `npm start`, the main job: provision the demo stack (Pulumi.dev.yaml) against the embedded local
 * Kataven server, then show the widget's Origin enforcement with the key it made.
 *
 *   1. start the local server (data in .kataven-local/, kept between runs) on a free loopback port
 *   2. bootstrap the demo account, its API key and the agents the stack config names
 *   3. `pulumi up` on the root program (stack `dev`, file backend in .pulumi-state/)
 *   4. print a summary: keys, canonical allowlists, embed snippet, how to read the secret
 *   5. guest auth from an allowed origin (succeeds) and from a foreign one (refused)
 *   6. stop the server
 * Running it again finds nothing to change. The API key travels in this process's environment only.
 * The demo stack lives in the project's own file backend (.pulumi-state/) whatever backend you use
 * otherwise, with the local-only passphrase its committed config was made with. KATAVEN_LOCAL_DATA (server
 * data directory), KATAVEN_DEMO_BACKEND (backend URL) and KATAVEN_DEMO_STACK (stack name) override them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { parseProgramConfig } from "../program/config";
import { bootstrapAccount, serveLocal, type ServerChild } from "./lib/localServer";
import { offlineEnv, pulumiFailure, runPulumi } from "./lib/pulumiCli";
import { REPO_ROOT as REPO } from "./lib/repo";

const DATA = process.env.KATAVEN_LOCAL_DATA ?? path.join(REPO, ".kataven-local/data");
const STACK = process.env.KATAVEN_DEMO_STACK ?? "dev";
const ACCOUNT = "demo";
// Pulumi.dev.yaml's encryptionsalt was made with the local-only passphrase.
const DEMO_ENV = offlineEnv({
  backend: process.env.KATAVEN_DEMO_BACKEND ?? path.join(REPO, ".pulumi-state"),
  passphrase: "local-only-passphrase",
});

const step = (n: number, text: string) => console.log(`\n==> [${n}/6] ${text}`);

/** `pulumi <args>` on the root program; `show` streams its output to the terminal as it comes. */
async function pulumi(args: string[], opts: { env?: NodeJS.ProcessEnv; show?: boolean } = {}): Promise<string> {
  const r = await runPulumi(args, { cwd: REPO, env: { ...DEMO_ENV, ...opts.env }, echo: opts.show });
  if (r.code !== 0) throw opts.show ? new Error(`pulumi ${args[0]} exited with ${r.code} (its output is above)`) : pulumiFailure(args, r);
  return r.stdout;
}

/** Starts `kataven-local serve`; its request log goes to a file, so the demo's output stays readable. */
async function startServer(): Promise<ServerChild> {
  const log = fs.createWriteStream(path.join(DATA, "..", "server.log"), { flags: "a" });
  return serveLocal({ dataDir: DATA, log });
}

/** Selects (creating when missing) the demo stack. */
async function ensureStack(): Promise<void> {
  const stacks = JSON.parse(await pulumi(["stack", "ls", "--json"])) as Array<{ name: string }>;
  if (!stacks.some((s) => s.name === STACK)) await pulumi(["stack", "init", STACK, "--non-interactive"], { show: true });
}

/**
 * The agent ids the stack config mentions (policies and key pins), so bootstrap can create them on the
 * local server. Read through the CLI and parsed by the root program's own config schema.
 */
async function agentsOfStack(): Promise<string[]> {
  const raw = JSON.parse(await pulumi(["config", "--json", "--stack", STACK])) as Record<string, { value?: string; objectValue?: unknown }>;
  const get = (k: string) => raw[`kataven-widget:${k}`]?.objectValue;
  const cfg = parseProgramConfig({ keys: get("keys"), branding: get("branding"), agents: get("agents") });
  const pinned = Object.values(cfg.keys).flatMap((k) => (k.agent ? [k.agent] : []));
  return [...new Set([...Object.keys(cfg.agents), ...pinned])];
}

/** An origin that the (canonical) allowlist admits, to show a successful guest session. */
function allowedOriginOf(allowlist: string[]): string | undefined {
  const entry = allowlist.find((e) => !e.endsWith(":*"));
  if (!entry) return undefined;
  if (entry.startsWith("*.")) return `https://www.${entry.slice(2)}`;
  return entry.includes("://") ? entry : `https://${entry}`;
}

async function guestAuth(url: string, publicKey: string, origin: string) {
  const res = await request(`${url}/api/v1/widget/auth/guest`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ client_key: publicKey }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

async function main() {
  // the data dir holds key material: private from the start (the server refuses a group/other-readable one)
  fs.mkdirSync(DATA, { recursive: true, mode: 0o700 });
  fs.chmodSync(DATA, 0o700);
  step(1, "starting the local Kataven API server");
  await ensureStack();
  const agents = await agentsOfStack();
  const boot = await bootstrapAccount({ dataDir: DATA, account: ACCOUNT, agents, rotateKey: true });
  const server = await startServer();
  const shown = (p: string) => (path.relative(REPO, p).startsWith("..") ? p : path.relative(REPO, p));
  console.log(`    local server at ${server.url} (data: ${shown(DATA)}, log: ${shown(path.join(DATA, "..", "server.log"))})`);
  try {
    step(2, `account "${boot.account_id}" with agents ${boot.agents.join(", ")} is ready`);
    const env = { KATAVEN_API_URL: server.url, KATAVEN_API_KEY: boot.api_key! };

    step(3, `pulumi up on stack "${STACK}" (the root program, config in Pulumi.${STACK}.yaml)`);
    await pulumi(["up", "--yes", "--non-interactive", "--stack", STACK], { env, show: true });

    step(4, "summary");
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", STACK], { env }));
    const keys = (outputs.widgetKeys ?? {}) as Record<string, { publicKey: string; domainAllowlist: string[]; agentId: string | null; embedSnippet: string; disabled: boolean }>;
    for (const [name, k] of Object.entries(keys)) {
      console.log(`    key "${name}"${k.disabled ? " (disabled)" : ""}: ${k.publicKey}${k.agentId ? `, agent ${k.agentId}` : ""}`);
      console.log(`      allowlist (canonical): ${k.domainAllowlist.join(", ") || "(empty: blocked)"}`);
    }
    // The demo key is "website" (Pulumi.dev.yaml); any other stack shows its first key.
    const [demoName, demo] = keys.website ? ["website", keys.website] : (Object.entries(keys)[0] ?? []);
    if (demo) console.log(`    embed snippet for "${demoName}":\n${demo.embedSnippet.replace(/^/gm, "      ")}`);
    console.log(`    the secret keys are stored encrypted; read one with:\n      npm run pulumi -- stack output secretKeys --show-secrets --stack ${STACK}`);

    step(5, "widget guest auth: Origin enforcement");
    const origin = demo && allowedOriginOf(demo.domainAllowlist);
    if (demo && origin) {
      const allowed = await guestAuth(server.url, demo.publicKey, origin);
      console.log(`    from ${origin} → ${allowed.status} ${allowed.status === 200 ? "guest session issued" : allowed.text}`);
      const foreign = await guestAuth(server.url, demo.publicKey, "https://evil.example");
      console.log(`    from https://evil.example → ${foreign.status} ${foreign.text}`);
      if (allowed.status !== 200 || foreign.status !== 403) throw new Error("Origin enforcement did not behave as expected");
    }
  } finally {
    step(6, "stopping the local server");
    await server.stop();
  }
  console.log("\ndone. Run `npm start` again: Pulumi finds nothing to change.");
}

main().catch((err) => {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
