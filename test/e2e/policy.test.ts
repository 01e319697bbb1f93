/**
 * The kataven-widget-policy pack (policy/) through the real Pulumi CLI's analyzer: on a stack named "prod"
 * the mandatory rules fail preview and `up`, and every rule a key breaks is named; the same keys on a "dev"
 * stack only draw the advisory; severities and the wildcard opt-in come from --policy-pack-config; a
 * compliant program passes and `up` runs the pack too. Against the local server (test/support/server.ts).
 *
 * Which CLI: given a Node.js language host (`pulumi-language-nodejs`), the CLI starts a Node.js pack through
 * the host's RunPlugin (CLI v3.259.0, analyzer_plugin.go NewPolicyAnalyzer), and the host the toolchain
 * builds (sdk v3.68.0) answers "not supported". The first test pins that down on plain `pulumi`. The rest
 * run the same CLI binary from a directory with no language host (a hard link, so the CLI doesn't resolve
 * back to the toolchain's directory), beside pulumi-resource-pulumi-nodejs and our
 * pulumi-analyzer-policy-nodejs (scripts/bin/), first on a PATH that has no directory with a host: the CLI
 * then starts the pack through that analyzer plugin. (Not PULUMI_IGNORE_AMBIENT_PLUGINS: the analyzer is not
 * a bundled plugin, so the CLI looks for it on PATH only, never beside itself; workspace/plugins.go
 * IsPluginBundled.) Without a host the program is an Automation API inline program
 * (test/e2e/support/policyDriver.ts, in a node process of its own) declaring the keys of
 * programs/policy-violations/keys.ts, the table the program directory's index.ts declares.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOnPath } from "../../scripts/lib/processes";
import { startServer } from "../support/server";
import { cliVersion, findSecretKeys, newSession, PulumiSession, REPO, runProcess } from "./support/pulumi";
import type { DriverRequest, DriverResult } from "./support/policyDriver";

jest.setTimeout(180_000);

type Server = Awaited<ReturnType<typeof startServer>>;

const PROGRAM = path.join(__dirname, "programs/policy-violations");
const POLICY_PACK = path.join(REPO, "policy");
const PACK_ID = "kataven-widget-policy@v0.1.0";
const DRIVER = path.join(REPO, "dist/test/e2e/support/policyDriver.js");
const RULES = ["no-loopback-origins-on-prod", "no-wildcard-origins-on-prod", "no-empty-allowlist", "prod-keys-pin-agent"];

/** The violations the CLI printed, as "[level] rule (resource)" lines. */
function violations(output: string): string[] {
  const re = /\[(mandatory|advisory)\]\s+([a-z-]+)\s+\(pulumi-nodejs:dynamic\/kataven:WidgetKey: ([^)]+)\)/g;
  return [...output.matchAll(re)].map((m) => `[${m[1]}] ${m[2]} (${m[3]})`).sort();
}

/**
 * The pack ran through our analyzer shim: the CLI names the shim it found on PATH (a warning it prints for
 * any non-bundled plugin taken from PATH) and the pack's summary line.
 */
function expectAnalyzerRan(output: string, cliRoot: string): void {
  expect(output).toContain(`using pulumi-analyzer-policy-nodejs from $PATH at ${path.join(cliRoot, "bin/pulumi-analyzer-policy-nodejs")}`);
  expect(output).toContain(`${PACK_ID} (local: ${POLICY_PACK})`);
}

/**
 * <root>/bin with the real pulumi binary (hard link; a copy across file systems), the dynamic provider shim
 * and the policy analyzer shim, and no language host. Returns the environment for it: PATH starts with that
 * directory and keeps no directory holding a pulumi-language-nodejs (the CLI looks for plugins on PATH and,
 * for bundled ones such as the host and pulumi-nodejs, beside the symlink-resolved binary; each session's
 * PULUMI_HOME is new, so its plugin cache is empty).
 */
function cliWithoutLanguageHost(root: string): { root: string; env: NodeJS.ProcessEnv } {
  const real = findOnPath("pulumi");
  if (!real) throw new Error("no `pulumi` on PATH: run through `bash scripts/toolchain.sh --pulumi`");
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin, { recursive: true });
  try {
    fs.linkSync(fs.realpathSync(real), path.join(bin, "pulumi"));
  } catch {
    fs.copyFileSync(fs.realpathSync(real), path.join(bin, "pulumi"));
  }
  fs.copyFileSync(
    path.join(REPO, "node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"),
    path.join(bin, "pulumi-resource-pulumi-nodejs"),
  );
  fs.copyFileSync(path.join(REPO, "scripts/bin/pulumi-analyzer-policy-nodejs"), path.join(bin, "pulumi-analyzer-policy-nodejs"));
  for (const f of fs.readdirSync(bin)) fs.chmodSync(path.join(bin, f), 0o755);
  const pathDirs = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => d && !fs.existsSync(path.join(d, "pulumi-language-nodejs")));
  if (!pathDirs.some((d) => fs.existsSync(path.join(d, "node")))) {
    throw new Error("`node` shares its directory with pulumi-language-nodejs: the host-less PATH would have no node for the shims");
  }
  return { root, env: { PATH: [bin, ...pathDirs].join(path.delimiter), PULUMI_IGNORE_AMBIENT_PLUGINS: undefined } };
}

describe("policy pack through the Pulumi CLI's analyzer", () => {
  let server: Server;
  let tmp: string;
  let cli: { root: string; env: NodeJS.ProcessEnv };
  const sessions: PulumiSession[] = [];

  function writeConfig(name: string, config: unknown): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
  }

  async function configure(s: PulumiSession, variant: "violating" | "compliant"): Promise<void> {
    await s.useServer(server);
    await s.config("policy-violations:agent", server.agents[0]);
    await s.config("policy-violations:variant", variant);
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    if (!fs.existsSync(DRIVER)) throw new Error(`${DRIVER} is missing: build first (scripts/toolchain.sh --build does)`);
    server = await startServer({ bcryptCost: 4 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-policy-"));
    cli = cliWithoutLanguageHost(path.join(tmp, "cli"));
  });
  afterAll(async () => {
    try {
      for (const s of sessions) {
        if (s.resources().length) {
          const d = await drive(s, "destroy");
          if (d.code !== 0 || s.resources().length) throw new Error(`destroy of stack ${s.stack} failed:\n${d.output}`);
        }
        const leaks = findSecretKeys(s.transcript.join("\n"));
        if (leaks.length) throw new Error(`plaintext secret in CLI output: ${leaks.length} value(s)`);
      }
    } finally {
      for (const s of sessions) s.dispose();
      await server?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("plain `pulumi` with the toolchain's language host (sdk v3.68.0) can't start the pack: RunPlugin is not supported", async () => {
    // A Pulumi.<stack>.yaml left by an interrupted run belongs to another backend; start clean.
    fs.rmSync(path.join(PROGRAM, "Pulumi.prod.yaml"), { force: true });
    const s = await newSession(PROGRAM, { stack: "prod" });
    sessions.push(s);
    await configure(s, "violating");
    const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK], { allowFailure: true });
    const hostError = `policy pack "${POLICY_PACK}" failed to start: could not read plugin [${POLICY_PACK}]: not supported`;
    if (r.code === 0 || !r.output.includes(hostError)) {
      throw new Error(
        `expected the language host to refuse the policy pack with\n  ${hostError}\nbut pulumi exited with ${r.code}. ` +
          "If this host now runs policy packs (a newer pulumi-language-nodejs), switch test/e2e/policy.test.ts back to " +
          "plain `pulumi preview --policy-pack` on the program directory, drop the host-less CLI and policyDriver.ts, and " +
          `update policy/README.md ("Which Pulumi runs it").\n${r.output}`,
      );
    }
    expect(violations(r.output)).toEqual([]);
  });

  describe("the CLI without a language host, starting the pack through pulumi-analyzer-policy-nodejs", () => {
    /** A stack of an inline program: its project directory (Pulumi.yaml, stack settings) and CLI session. */
    async function session(stack: string, variant: "violating" | "compliant"): Promise<PulumiSession> {
      const workDir = path.join(tmp, `work-${stack}`);
      fs.mkdirSync(workDir);
      // main: the driver's cwd, as Automation's default project has it; the provider shim runs there.
      fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), `name: policy-violations\nruntime: nodejs\nmain: ${JSON.stringify(REPO)}\n`);
      const s = await newSession(workDir, { stack, env: cli.env });
      sessions.push(s);
      await configure(s, variant);
      return s;
    }

    describe("a prod stack with violating keys", () => {
      let s: PulumiSession;
      beforeAll(async () => {
        s = await session("prod", "violating");
      });

      it("fails the preview on the mandatory rules and reports every rule a key breaks", async () => {
        const r = await drive(s, "preview");
        expect(r.result).toMatchObject({ ok: false, exitCode: expect.any(Number) });
        expectAnalyzerRan(r.output, cli.root);
        expect(violations(r.output)).toEqual([
          "[advisory] no-empty-allowlist (blocked)",
          "[advisory] prod-keys-pin-agent (unpinned)",
          "[mandatory] no-loopback-origins-on-prod (website)",
          "[mandatory] no-wildcard-origins-on-prod (partners)",
        ]);
        // the messages name the offending entries in canonical form, and how to fix them
        expect(r.output).toContain('allows loopback origin(s) "http://localhost:3000"');
        expect(r.output).toContain('uses wildcard entries "*.partners.acme.example", "acme.example:*"');
        expect(r.output).toContain(
          'tag it (tags: ["allow-wildcards"]) or add {"no-wildcard-origins-on-prod": {"allowWildcardKeys": ["partners"]}}',
        );
        expect(r.output).toMatch(/preview failed/);
      });

      it("--policy-pack-config lowers the levels: the same preview passes with advisories", async () => {
        const cfg = writeConfig("advisory.json", {
          "no-loopback-origins-on-prod": "advisory",
          "no-wildcard-origins-on-prod": { enforcementLevel: "advisory" },
          "no-empty-allowlist": "disabled",
        });
        const r = await drive(s, "preview", [cfg]);
        expect(r.result).toMatchObject({ ok: true, changes: { create: 5 } });
        expectAnalyzerRan(r.output, cli.root);
        expect(violations(r.output)).toEqual([
          "[advisory] no-loopback-origins-on-prod (website)",
          "[advisory] no-wildcard-origins-on-prod (partners)",
          "[advisory] prod-keys-pin-agent (unpinned)",
        ]);
      });

      it("--policy-pack-config raises an advisory rule to mandatory", async () => {
        const r = await drive(s, "preview", [writeConfig("strict.json", { all: "mandatory" })]);
        expect(r.result).toMatchObject({ ok: false, exitCode: expect.any(Number) });
        expect(violations(r.output)).toContain("[mandatory] prod-keys-pin-agent (unpinned)");
        expect(violations(r.output)).toContain("[mandatory] no-empty-allowlist (blocked)");
      });

      // Last: the failed update may leave keys in this stack's state (destroyed in afterAll).
      it("`up` fails on a mandatory rule, and no key that breaks one is created", async () => {
        // Automation's up is `pulumi up --skip-preview`: the pack checks each key as it is registered and the
        // first mandatory violation stops the update, so keys checked before it (here the advisory-only ones)
        // may already be created. Plain `pulumi up` previews first and creates nothing.
        const before = await server.requestCount("POST /api/v1/widget-keys");
        const r = await drive(s, "up");
        expect(r.result).toMatchObject({ ok: false, exitCode: expect.any(Number) });
        expectAnalyzerRan(r.output, cli.root);
        const mandatory = violations(r.output).filter((v) => v.startsWith("[mandatory]"));
        expect(mandatory.length).toBeGreaterThan(0);
        for (const v of mandatory) {
          expect(["[mandatory] no-loopback-origins-on-prod (website)", "[mandatory] no-wildcard-origins-on-prod (partners)"]).toContain(v);
        }
        const created = s
          .resources()
          .filter((res) => res.type.endsWith(":WidgetKey"))
          .map((res) => res.urn.split("::").pop());
        expect(created.filter((name) => name === "website" || name === "partners")).toEqual([]);
        expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(before + created.length);
      });
    });

    it("the same keys on a dev stack pass, with only the empty-allowlist advisory", async () => {
      const s = await session("dev", "violating");
      const r = await drive(s, "preview");
      expect(r.result).toMatchObject({ ok: true, changes: { create: 5 } });
      expectAnalyzerRan(r.output, cli.root);
      expect(violations(r.output)).toEqual(["[advisory] no-empty-allowlist (blocked)"]);
    });

    describe("a prod stack with compliant keys", () => {
      let s: PulumiSession;
      beforeAll(async () => {
        s = await session("production", "compliant");
      });

      it("a wildcard key neither tagged nor listed in allowWildcardKeys is refused; the tagged one passes", async () => {
        const r = await drive(s, "preview");
        expect(r.result).toMatchObject({ ok: false, exitCode: expect.any(Number) });
        expect(violations(r.output)).toEqual(["[mandatory] no-wildcard-origins-on-prod (partners)"]);
      });

      it("listed in allowWildcardKeys, it passes preview and `up` with no violation; the keys are in the state", async () => {
        const cfg = writeConfig("wildcards.json", { "no-wildcard-origins-on-prod": { allowWildcardKeys: ["partners"] } });
        const p = await drive(s, "preview", [cfg]);
        expect(p.result).toMatchObject({ ok: true, changes: { create: 5 } });
        expectAnalyzerRan(p.output, cli.root);
        expect(violations(p.output)).toEqual([]);

        const before = await server.requestCount("POST /api/v1/widget-keys");
        const u = await drive(s, "up", [cfg]);
        expect(u.result).toMatchObject({ ok: true, changes: { create: 5 }, outputs: ["keyLast8"] });
        expectAnalyzerRan(u.output, cli.root);
        expect(u.output).toMatch(/\+ 5 created/);
        expect(violations(u.output)).toEqual([]);
        expect(RULES.filter((rule) => u.output.includes(rule))).toEqual([]);
        const keys = s.resources().filter((res) => res.type === "pulumi-nodejs:dynamic/kataven:WidgetKey");
        expect(keys.map((k) => k.urn.split("::").pop()).sort()).toEqual(["campaigns", "partners", "retired", "website"]);
        expect(keys.every((k) => typeof k.id === "string" && k.id.length > 0)).toBe(true);
        expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(before + 4);
      });
    });
  });

  /** One driver run (a node process of its own) for the session's stack, with the host-less CLI. */
  async function runDriver(s: PulumiSession, req: Omit<DriverRequest, "cliRoot" | "workDir" | "stack">) {
    const full: DriverRequest = { cliRoot: cli.root, workDir: s.programDir, stack: s.stack, ...req };
    const r = await runProcess(process.execPath, [DRIVER], { cwd: REPO, env: s.env, stdin: JSON.stringify(full), timeoutMs: 240_000 });
    const lines = r.stdout.trimEnd().split("\n");
    const last = lines.pop() ?? "";
    s.transcript.push(`$ policyDriver ${req.op} ${s.stack}\n${r.output}`);
    let result: DriverResult;
    try {
      result = JSON.parse(last) as DriverResult;
    } catch {
      throw new Error(`policyDriver ${req.op} exited with ${r.code} without a result line:\n${r.output}`);
    }
    if (result.ok !== (r.code === 0)) throw new Error(`policyDriver ${req.op}: exit code ${r.code} but ok=${result.ok}`);
    return { code: r.code, result, output: `${lines.join("\n")}\n${r.stderr}` };
  }

  /** preview and up with the policy pack (and these --policy-pack-config files); destroy without it. */
  function drive(s: PulumiSession, op: DriverRequest["op"], policyPackConfigs: string[] = []) {
    return op === "destroy" ? runDriver(s, { op }) : runDriver(s, { op, policyPacks: [POLICY_PACK], policyPackConfigs });
  }
});
