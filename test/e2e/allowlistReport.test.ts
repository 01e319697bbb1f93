/**
 * `npm run allowlist-report` for real: the examples/gitops project (the root program) is deployed to the
 * local server with a "main branch" config, the config is changed as a pull request would (origins added
 * and removed, a wildcard and localhost added, a key rotated, one created, one deleted), and the report is
 * produced by the script running `pulumi preview --json` itself, and from the same JSON read on stdin.
 * Both must equal the report of the recorded fixture (test/fixtures/allowlist-preview.json) once the
 * stack name and agent id are normalised, which proves the fixture is what the engine really emits.
 *
 * KATAVEN_RECORD_FIXTURES=1 re-records the fixture and its expected Markdown from this run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderAllowlistReport } from "../../scripts/allowlistReport";
import { startServer } from "../support/server";
import { cliVersion, expectNoSecretKeys, newSession, PulumiSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

const GITOPS = path.join(REPO, "examples/gitops");
const REPORT = path.join(REPO, "dist/scripts/allowlistReport.js");
const FIXTURE_JSON = path.join(REPO, "test/fixtures/allowlist-preview.json");
const FIXTURE_MD = path.join(REPO, "test/fixtures/allowlist-report.md");
const RECORD = process.env.KATAVEN_RECORD_FIXTURES === "1";

/** The main branch's keys. */
const base = (agent: string) => ({
  website: { agent, allowlist: ["https://acme.example", "*.acme.example"] },
  "customer-portal": { agent, allowlist: ["https://app.acme.example"] },
  "partner-embed": { agent, allowlist: ["https://partners.acme.example"], rotation: 1 },
  legacy: { agent, allowlist: ["https://old.acme.example"] },
});

/** The pull request's keys. */
const pr = (agent: string) => ({
  // origins: -*.acme.example, +www, +localhost (spelled non-canonically: the report shows canonical forms)
  website: { agent, allowlist: ["https://acme.example", "WWW.acme.example", "http://localhost:3000"] },
  "customer-portal": { agent, allowlist: ["https://app.acme.example"] },
  // rotated: replaced, allowlist unchanged
  "partner-embed": { agent, allowlist: ["https://partners.acme.example"], rotation: 2 },
  // new, with a port wildcard, not pinned
  shop: { allowlist: ["https://shop.acme.example", "shop.acme.example:*"] },
  // legacy: deleted
});

/** Replaces the run-specific names, so reports of different runs compare. */
function normalise(md: string, stack: string, agent: string): string {
  return md.split(stack).join("STACK").split(agent).join("AGENT");
}

/** The stack and agent of a recorded preview (from its URNs and its agents config). */
function fixtureNames(doc: any): { stack: string; agent: string } {
  const urn: string = doc.steps[0].urn;
  const stack = urn.slice("urn:pulumi:".length).split("::")[0];
  const agents = doc.config["kataven-widget:agents"];
  const agent = Object.keys(typeof agents === "string" ? JSON.parse(agents) : agents)[0];
  return { stack, agent };
}

describe("npm run allowlist-report on a pull request's stack change", () => {
  let server: Server;
  let s: PulumiSession;
  let agent: string;
  const outputs: string[] = [];

  async function report(args: string[]) {
    const r = await runProcess(process.execPath, [REPORT, ...args], { cwd: REPO, env: s.env });
    outputs.push(r.output);
    return r;
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    agent = server.agents[0];
    s = await newSession(GITOPS);
    await s.useServer(server);
    await s.configObject("kataven-widget:agents", { [agent]: { widgetEnabled: true, authMode: "both" } });
    await s.configObject("kataven-widget:keys", base(agent));
    await s.run(["up", "--yes", "--non-interactive"]);
    await s.configObject("kataven-widget:keys", pr(agent));
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  let live: string;

  it("runs the preview itself (--cwd/--stack) and prints the Markdown report", async () => {
    const r = await report(["--cwd", GITOPS, "--stack", s.stack]);
    expect(r.code).toBe(0);
    live = r.stdout;
    expect(live).toContain(`## Kataven widget keys: stack \`${s.stack}\``);
    expect(live).toContain("| `website` | updated | +2 −1 |");
    expect(live).toContain("| `partner-embed` | replaced (rotation) | unchanged |");
    expect(live).toContain("| `shop` | created | +2 |");
    expect(live).toContain("| `legacy` | deleted | −1 |");
    expect(live).toContain("```diff\n- *.acme.example\n+ http://localhost:3000\n  https://acme.example\n+ https://www.acme.example\n```");
    expect(live).toContain("⚠️ `website` adds the loopback origin `http://localhost:3000`");
    expect(live).toContain("⚠️ `shop` adds the wildcard `shop.acme.example:*`");
    expect(live).not.toContain("customer-portal"); // unchanged keys: preview JSON has no step for them
  });

  it("reads the same preview JSON from stdin (--file -) and gives the same report", async () => {
    const json = (await s.run(["preview", "--json", "--non-interactive"])).stdout;
    const tmp = path.join(s.stateDir, "..", "preview.json");
    fs.writeFileSync(tmp, json);
    const r = await runProcess("sh", ["-c", `"${process.execPath}" "${REPORT}" --file - < "${tmp}"`], { cwd: REPO, env: s.env });
    outputs.push(r.output);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(live);
    if (RECORD) {
      fs.mkdirSync(path.dirname(FIXTURE_JSON), { recursive: true });
      fs.writeFileSync(FIXTURE_JSON, json);
      fs.writeFileSync(FIXTURE_MD, renderAllowlistReport(JSON.parse(json)));
      console.log(`recorded ${path.relative(REPO, FIXTURE_JSON)} and ${path.relative(REPO, FIXTURE_MD)}`);
    }
  });

  it("the recorded fixture gives the same report as this live run", () => {
    const doc = JSON.parse(fs.readFileSync(FIXTURE_JSON, "utf8"));
    const names = fixtureNames(doc);
    expect(normalise(renderAllowlistReport(doc), names.stack, names.agent)).toBe(normalise(live, s.stack, agent));
  });

  it("after `up`, the report says nothing changes", async () => {
    await s.run(["up", "--yes", "--non-interactive"]);
    const r = await report(["--cwd", GITOPS, "--stack", s.stack]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`## Kataven widget keys: stack \`${s.stack}\`\n\nNo widget key changes.\n`);
  });

  it("never prints a secret", () => {
    expectNoSecretKeys(outputs.join("\n"));
    expect(outputs.join("\n")).not.toContain(server.apiKey);
  });
});
