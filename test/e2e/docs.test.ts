/**
 * The example READMEs, executed: every ```sh / ```bash block of examples/{quickstart, multi-env, rotation,
 * customer-backend, multi-account, yaml, go}/README.md runs as written, one README after another, in a
 * scratch copy of the repository (.tmp/docs-…: the tracked files and dist/ copied, node_modules linked),
 * against one local server, as a reader following them top to bottom would. A README that drifts from the
 * code fails. yaml and go bootstrap accounts of their own (their settings are theirs). The Go README needs Go
 * and pulumi-language-go (npm test builds it): without them it is skipped, and said so; with them, its
 * program's first compile (minutes on a cold Go cache) runs before the README's own 240 s timer starts.
 *
 * Each README's blocks run in order as one bash script (`set -e`), started in the scratch root. What the
 * runner does on behalf of the reader, and nothing else:
 *  - a line marked `# [not in CI: <why>]` is not run (the marker must say why); the one such kind today is
 *    the `serve` line, which runs until Ctrl-C: the test serves the same data directory itself;
 *  - the fixed ports the READMEs use become free ports (8787 is the test's server, 3000/3001 the backend's);
 *  - a line with a `# paste …` comment gets on stdin the API key that the README's own bootstrap printed
 *    (the account named in the comment, e.g. "globex's", else the one bootstrapped last), as a reader pastes;
 *  - confirmation prompts are answered yes (PULUMI_SKIP_CONFIRMATIONS).
 * Then it checks what the commands did: the resources in each stack's state, the keys and settings on the
 * server, the requests it saw, and that no output holds a plaintext secret or an "Undefined value" warning.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, type TestServer } from "../support/server";
import { freePort } from "./support/backends";
import { buildGoProgram, GO_BUILD_TIMEOUT_MS, missingGo } from "./support/go";
import { expectNoSecretKeys, findSecretKeys, REPO } from "./support/pulumi";
import { PRELUDE, portsNamed, scriptOf, shellBlocks } from "./support/readmeScript";

jest.setTimeout(420_000);

const EXAMPLES = ["quickstart", "multi-env", "rotation", "customer-backend", "multi-account", "yaml", "go"] as const;
const README_TIMEOUT_MS = 240_000;
// Like test/e2e/goProgram.test.ts: without Go or its language host the Go README is skipped, and said so.
const goMissing = missingGo();
if (goMissing) console.warn(`SKIPPED examples/go/README.md: ${goMissing}`);
const itGo = goMissing ? it.skip : it;
const SKIP_COPY = new Set(["node_modules", "dist", ".git", ".tmp", ".pulumi-state", ".pulumi-home", ".kataven-local"]);

/** The text with every plaintext secret key blanked, for assertions whose failure message quotes it. */
const redact = (text: string) => text.replace(/sk_live_[A-Za-z0-9_-]+/g, "sk_live_<redacted>");

describe("the example READMEs, run as written", () => {
  let scratch: string;
  let server: TestServer;
  const log = () => path.join(scratch, "doc-test.log");
  /** What each README's script printed (from the shared log), by example. */
  const printed: Record<string, string> = {};
  const skippedLines: Record<string, string[]> = {};

  /** Runs one README's blocks in the scratch root; resolves with its exit code. */
  async function runReadme(example: string, timeoutMs = README_TIMEOUT_MS): Promise<number> {
    const blocks = shellBlocks(fs.readFileSync(path.join(REPO, "examples", example, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThan(0);
    const ports = new Map<number, number>();
    for (const p of portsNamed(blocks)) ports.set(p, p === 8787 ? Number(new URL(server.url).port) : await freePort());
    const { script, skipped } = scriptOf(blocks, ports);
    skippedLines[example] = skipped;
    const file = path.join(scratch, `doc-${example}.sh`);
    fs.writeFileSync(file, PRELUDE + script + "\n");
    const before = fs.existsSync(log()) ? fs.statSync(log()).size : 0;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      // a reader's shell: no npm script context, no Pulumi or Kataven settings of the test runner
      if (k.startsWith("npm_") || k.startsWith("PULUMI_") || k.startsWith("KATAVEN_") || k === "INIT_CWD" || k === "NODE_OPTIONS") continue;
      env[k] = v;
    }
    Object.assign(env, { PULUMI_HOME: path.join(scratch, ".pulumi-home"), PULUMI_SKIP_CONFIRMATIONS: "true", DOC_LOG: log() });
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("bash", [file], { cwd: scratch, env, stdio: "ignore", detached: true });
      const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
      child.on("error", reject);
      child.on("close", (c) => {
        clearTimeout(timer);
        // a background process the README left running (it shouldn't) goes with the script's group
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // the group is gone already
        }
        resolve(c ?? 1);
      });
    });
    printed[example] = fs.readFileSync(log()).subarray(before).toString("utf8");
    if (code !== 0) {
      const shown = printed[example].split("\n").slice(-40).join("\n");
      throw new Error(`examples/${example}/README.md: its shell blocks exited with ${code}; the last output:\n${redact(shown)}`);
    }
    return code;
  }

  /** The resources of one stack of one program in the scratch's file backend. */
  function resourcesOf(project: string, stack: string): Array<{ type: string; urn: string; id?: string }> {
    const file = path.join(scratch, ".pulumi-state/.pulumi/stacks", project, `${stack}.json`);
    return JSON.parse(fs.readFileSync(file, "utf8")).checkpoint?.latest?.resources ?? [];
  }

  /** The id of the resource of that name in one stack. */
  const idOf = (project: string, stack: string, name: string) => resourcesOf(project, stack).find((r) => r.urn.endsWith(`::${name}`))?.id;

  /** The resources (type → count) of one stack of one program in the scratch's file backend. */
  function stateOf(project: string, stack: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resourcesOf(project, stack)) {
      if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) continue;
      const t = r.type.split(":").pop()!;
      counts[t] = (counts[t] ?? 0) + 1;
    }
    return counts;
  }

  /** GET on the management API as one account, with the key its bootstrap printed. */
  async function asAccount(account: string, route: string): Promise<any> {
    const key = [...fs.readFileSync(log(), "utf8").matchAll(/\{"account_id":"([^"]+)","api_key":"(sk_live_[^"]+)"/g)]
      .filter((b) => b[1] === account)
      .pop()?.[2];
    if (!key) throw new Error(`no bootstrap of account ${account} in the READMEs' output`);
    const res = await fetch(`${server.url}/api/v1${route}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    fs.mkdirSync(path.join(REPO, ".tmp"), { recursive: true });
    scratch = fs.mkdtempSync(path.join(REPO, ".tmp", "docs-"));
    for (const entry of fs.readdirSync(REPO)) {
      if (!SKIP_COPY.has(entry))
        fs.cpSync(path.join(REPO, entry), path.join(scratch, entry), {
          recursive: true,
          filter: (src) => !SKIP_COPY.has(path.basename(src)),
        });
    }
    // the build, with its incremental info, so the READMEs' `npm run server` (which builds first) finds it current
    fs.cpSync(path.join(REPO, "dist"), path.join(scratch, "dist"), { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(scratch, "node_modules"));
    const data = path.join(scratch, ".kataven-local/data");
    fs.mkdirSync(data, { recursive: true, mode: 0o700 });
    // The data directory the READMEs bootstrap into and serve: the test serves it in-process (so it can count
    // requests) with an account of its own, which no README uses.
    server = await startServer({ dataDir: data, account: "doc-test-runner", agents: [] });
  });

  afterAll(async () => {
    await server?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("quickstart: bootstraps acme, provisions the policy, branding and key, and reads the secret", async () => {
    await runReadme("quickstart");
    expect(stateOf("kataven-quickstart", "dev")).toEqual({ AgentWidgetSettings: 1, WidgetSettings: 1, WidgetKey: 1 });
    const keys = await asAccount("acme", "/widget-keys");
    expect(keys.map((k: any) => k.name)).toEqual(["acme.example website"]);
    expect(await asAccount("acme", "/agents/agent-a/widget-settings")).toMatchObject({ widget_enabled: true, auth_mode: "guest" });
    expect(await asAccount("acme", "/widget-settings")).toMatchObject({ primary_color: "#2563eb", launcher_label: "Talk to us" });
    // `pulumi stack output secretKey --show-secrets` printed the key's secret
    expect(redact(printed.quickstart)).toMatch(/^sk_live_<redacted>$/m);
  });

  it("multi-env: three stacks, three keys with their own allowlists", async () => {
    await runReadme("multi-env");
    for (const env of ["dev", "staging", "prod"]) expect(stateOf("kataven-multi-env", env)).toEqual({ WidgetKey: 1 });
    const keys = await asAccount("acme", "/widget-keys");
    expect(keys.map((k: any) => k.name).sort()).toEqual([
      "acme.example dev",
      "acme.example prod",
      "acme.example staging",
      "acme.example website",
    ]);
  });

  it("rotation: the first pair, a one-step rotation, then two generations", async () => {
    const posts = await server.requestCount("POST /api/v1/widget-keys");
    await runReadme("rotation");
    // website (rotated: 1 key now), backend (RotatingWidgetKey with its generation's key)
    expect(stateOf("kataven-rotation", "dev")).toEqual({ WidgetKey: 2, RotatingWidgetKey: 1 });
    // first up: website + backend(initial); rotation: a new website; keyGenerations [2026-06]: a new backend
    expect((await server.requestCount("POST /api/v1/widget-keys")) - posts).toBe(4);
    const names = (await asAccount("acme", "/widget-keys")).map((k: any) => k.name);
    expect(names).toContain("acme.example backend (2026-06)");
    expect(names).not.toContain("acme.example backend (initial)");
  });

  it("customer-backend: its own account, a user token from the backend, one-step and two-phase rotation", async () => {
    await runReadme("customer-backend");
    // the backend answered the README's curl calls with a user token (twice: before and after the roll-over)
    expect(redact(printed["customer-backend"]).match(/\{"user_token":"eyJ/g)?.length).toBe(2);
    expect(stateOf("customer-backend", "dev")).toEqual({ AgentWidgetSettings: 1, RotatingWidgetKey: 1, WidgetKey: 1 });
    expect(await asAccount("shop", "/agents/shop-assistant/widget-settings")).toMatchObject({ widget_enabled: true, auth_mode: "user" });
    const live = (await asAccount("shop", "/widget-keys")).filter((k: any) => k.disabled_at === null);
    expect(live.map((k: any) => k.name)).toEqual(["shop.example (customer backend) (g2)"]);
    // quickstart's agent in the other account is untouched by this example
    expect(await asAccount("acme", "/agents/agent-a/widget-settings")).toMatchObject({ widget_enabled: true, auth_mode: "guest" });
  });

  it("multi-account: the second account bootstrapped as the README says, one key in each", async () => {
    await runReadme("multi-account");
    expect(stateOf("kataven-multi-account", "dev")).toEqual({ WidgetKey: 2, WidgetSettings: 1 });
    expect((await asAccount("globex", "/widget-keys")).map((k: any) => k.name)).toEqual(["globex.example"]);
    expect(await asAccount("globex", "/widget-settings")).toMatchObject({ primary_color: "#0f766e", launcher_label: "Ask Globex" });
    expect((await asAccount("acme", "/widget-keys")).map((k: any) => k.name)).toContain("acme.example");
    // `pulumi stack output globexKeyNames`: the lookup ran after the globex key was created
    expect(redact(printed["multi-account"])).toMatch(/^\["globex\.example"\]$/m);
  });

  /**
   * After a native-provider README: its website key is in the example's own account with the allowlist `up`
   * gave it (the README's edit is only previewed), the preview named the added origin, and the secret output
   * was shown only when asked: `[secret]` in `up`'s outputs, then one key of that account from
   * `stack output secretKey --show-secrets`.
   */
  async function expectWebsiteKeyAndPreview(example: "yaml" | "go", project: string, account: string) {
    const website = (await asAccount(account, "/widget-keys")).find((k: any) => k.id === idOf(project, "dev", "website"));
    expect(website).toMatchObject({ name: "acme.example production", domain_allowlist: ["https://acme.example", "*.acme.example"] });
    const out = redact(printed[example]);
    // the key's own diff (the `allowlist` output's diff lists the origin too), an update, not a replacement
    expect(out).toMatch(/~ domainAllowlist: \[\n\s*\+ \[2\]: "https:\/\/shop\.acme\.example"\n/);
    expect(out).toMatch(/^\s*~ 1 to update$/m);
    expect(out).not.toMatch(/to replace/);
    expect(out).toMatch(/^\s+secretKey\s*:\s*\[secret\]$/m);
    expect(printed[example].match(/^sk_live_\S+$/gm)?.map((k) => k.startsWith(`sk_live_${account}_`))).toEqual([true]);
  }

  it("yaml: its own two accounts, one through the default provider, one through an explicit one; the preview names the added origin", async () => {
    await runReadme("yaml");
    expect(stateOf("kataven-yaml", "dev")).toEqual({ AgentWidgetSettings: 1, WidgetSettings: 2, WidgetKey: 2 });
    await expectWebsiteKeyAndPreview("yaml", "kataven-yaml", "yaml-acme");
    expect(await asAccount("yaml-acme", "/agents/agent-a/widget-settings")).toMatchObject({ widget_enabled: true, auth_mode: "both" });
    expect(await asAccount("yaml-globex", "/widget-settings")).toMatchObject({ primary_color: "#0f766e", launcher_label: "Ask Globex" });
    const globex = await asAccount("yaml-globex", "/widget-keys");
    expect(globex.map((k: any) => [k.id, k.name])).toEqual([[idOf("kataven-yaml", "dev", "globexSite"), "globex.example"]]);
    // the other examples' accounts are untouched: acme's policy is still the quickstart's
    expect(await asAccount("acme", "/agents/agent-a/widget-settings")).toMatchObject({ widget_enabled: true, auth_mode: "guest" });
  });

  itGo(
    "go: the Go program with the generated SDK in its own account; the preview names the added origin",
    async () => {
      // the Go SDK's first compile (minutes on a cold Go cache) before the README's timer starts
      await buildGoProgram(path.join(scratch, "examples/go"));
      await runReadme("go");
      expect(stateOf("kataven-go", "dev")).toEqual({ AgentWidgetSettings: 1, WidgetSettings: 1, WidgetKey: 1 });
      expect((await asAccount("go-acme", "/widget-keys")).map((k: any) => k.id)).toEqual([idOf("kataven-go", "dev", "website")]);
      await expectWebsiteKeyAndPreview("go", "kataven-go", "go-acme");
    },
    GO_BUILD_TIMEOUT_MS + README_TIMEOUT_MS + 60_000,
  );

  it("marks what it can't run, with a reason, and prints no secret and no undefined-output warning", () => {
    expect(Object.keys(printed)).toEqual(EXAMPLES.filter((ex) => ex !== "go" || !goMissing));
    console.log(
      "doc e2e: lines not run (marked in the READMEs):\n" +
        Object.entries(skippedLines)
          .flatMap(([ex, lines]) => lines.map((l) => `  examples/${ex}: ${l}`))
          .join("\n"),
    );
    const all = Object.values(printed).join("\n");
    expect(redact(all)).not.toMatch(/Undefined value/);
    // The READMEs print two kinds of secrets on purpose: bootstrap's API keys and the
    // `stack output secretKey --show-secrets` of quickstart, yaml and go. Nothing else may print one.
    const printedOnPurpose = new Set([...all.matchAll(/"api_key":"(sk_live_[^"]+)"/g)].map((m) => m[1]));
    for (const ex of ["quickstart", "yaml", "go"])
      for (const m of (printed[ex] ?? "").matchAll(/^(sk_live_\S+)$/gm)) printedOnPurpose.add(m[1]);
    const rest = findSecretKeys(all).filter((k) => !printedOnPurpose.has(k));
    expect(rest.length).toBe(0);
    expectNoSecretKeys(
      fs
        .readdirSync(path.join(scratch, ".pulumi-state"), { recursive: true, encoding: "utf8" })
        .map((f) => path.join(scratch, ".pulumi-state", f))
        .filter((f) => fs.statSync(f).isFile())
        .map((f) => fs.readFileSync(f, "utf8"))
        .join("\n"),
    );
  });
});
