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
 * Running it again finds nothing to change. `npm start -- --destroy` is the teardown: `pulumi destroy` of
 * the demo stack against the same server (the keys are deleted, or disabled once used; the branding and
 * the agent policies go back to their defaults). Where the demo's data and state live: scripts/lib/demo.ts.
 */
import { request } from "undici";
import { DEMO_DATA, DEMO_STACK as STACK, demoPulumi as pulumi, demoStackExists, shown, startDemoServer } from "./lib/demo";

const step = (n: number, total: number, text: string) => console.log(`\n==> [${n}/${total}] ${text}`);

/** Selects (creating when missing) the demo stack. */
async function ensureStack(): Promise<void> {
  if (!(await demoStackExists())) await pulumi(["stack", "init", STACK, "--non-interactive"], { show: true });
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
  step(1, 6, "starting the local Kataven API server");
  await ensureStack();
  const demo = await startDemoServer();
  const { server, env } = demo;
  console.log(`    local server at ${server.url} (data: ${shown(DEMO_DATA)}, log: ${shown(demo.logFile)})`);
  try {
    step(2, 6, `account "${demo.accountId}" with agents ${demo.agents.join(", ")} is ready`);

    step(3, 6, `pulumi up on stack "${STACK}" (the root program, config in Pulumi.${STACK}.yaml)`);
    await pulumi(["up", "--yes", "--non-interactive", "--stack", STACK], { env, show: true });

    step(4, 6, "summary");
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", STACK], { env }));
    const keys = (outputs.widgetKeys ?? {}) as Record<
      string,
      { publicKey: string; domainAllowlist: string[]; agentId: string | null; embedSnippet: string; disabled: boolean }
    >;
    for (const [name, k] of Object.entries(keys)) {
      console.log(`    key "${name}"${k.disabled ? " (disabled)" : ""}: ${k.publicKey}${k.agentId ? `, agent ${k.agentId}` : ""}`);
      console.log(`      allowlist (canonical): ${k.domainAllowlist.join(", ") || "(empty: blocked)"}`);
    }
    // The demo key is "website" (Pulumi.dev.yaml); any other stack shows its first key.
    const [demoName, site] = keys.website ? ["website", keys.website] : (Object.entries(keys)[0] ?? []);
    if (site) console.log(`    embed snippet for "${demoName}":\n${site.embedSnippet.replace(/^/gm, "      ")}`);
    console.log(
      `    the secret keys are stored encrypted; read one with:\n      npm run pulumi -- stack output secretKeys --show-secrets --stack ${STACK}`,
    );

    step(5, 6, "widget guest auth: Origin enforcement");
    const origin = site && allowedOriginOf(site.domainAllowlist);
    if (site && origin) {
      const allowed = await guestAuth(server.url, site.publicKey, origin);
      console.log(`    from ${origin} → ${allowed.status} ${allowed.status === 200 ? "guest session issued" : allowed.text}`);
      const foreign = await guestAuth(server.url, site.publicKey, "https://evil.example");
      console.log(`    from https://evil.example → ${foreign.status} ${foreign.text}`);
      if (allowed.status !== 200 || foreign.status !== 403) throw new Error("Origin enforcement did not behave as expected");
    }
  } finally {
    step(6, 6, "stopping the local server");
    await server.stop();
  }
  console.log(`\ndone. Run \`npm start\` again: Pulumi finds nothing to change. \`npm start -- --destroy\` removes it all.`);
}

/** `npm start -- --destroy`: the demo stack's resources go, against the same local server. */
async function destroy() {
  if (!(await demoStackExists())) {
    console.log(`nothing to destroy: there is no stack "${STACK}" (npm start creates it)`);
    return;
  }
  step(1, 3, "starting the local Kataven API server");
  const demo = await startDemoServer();
  console.log(`    local server at ${demo.server.url} (data: ${shown(DEMO_DATA)}, log: ${shown(demo.logFile)})`);
  try {
    step(2, 3, `pulumi destroy on stack "${STACK}"`);
    await pulumi(["destroy", "--yes", "--non-interactive", "--stack", STACK], { env: demo.env, show: true });
  } finally {
    step(3, 3, "stopping the local server");
    await demo.server.stop();
  }
  console.log(`\ndone. The stack "${STACK}" holds no resources now; \`npm start\` provisions it again.`);
}

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--destroy");
if (unknown.length > 0) {
  console.error(`npm start: unknown argument ${unknown.join(" ")} (usage: npm start [-- --destroy])`);
  process.exit(2);
}

(args.includes("--destroy") ? destroy() : main()).catch((err) => {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
