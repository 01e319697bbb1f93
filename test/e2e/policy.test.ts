/**
 * The kataven-widget-policy pack (policy/) through the real Pulumi CLI: `preview --policy-pack` on a
 * stack named "prod" fails on the mandatory rules and names every rule a key breaks; the same keys on a
 * "dev" stack only draw the advisory; severities and the wildcard opt-in come from --policy-pack-config;
 * a compliant program passes and `up` runs the pack too. Against the local server (test/support/server.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { cliVersion, expectNoSecretKeys, newSession, PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

const PROGRAM = path.join(__dirname, "programs/policy-violations");
const POLICY_PACK = path.join(REPO, "policy");
const RULES = ["no-loopback-origins-on-prod", "no-wildcard-origins-on-prod", "no-empty-allowlist", "prod-keys-pin-agent"];

/** The violations the CLI printed, as "[level] rule (resource)" lines. */
function violations(output: string): string[] {
  const re = /\[(mandatory|advisory)\]\s+([a-z-]+)\s+\(pulumi-nodejs:dynamic\/kataven:WidgetKey: ([^)]+)\)/g;
  return [...output.matchAll(re)].map((m) => `[${m[1]}] ${m[2]} (${m[3]})`).sort();
}

describe("policy pack through `pulumi preview --policy-pack`", () => {
  let server: Server;
  let tmp: string;
  const sessions: PulumiSession[] = [];

  function writeConfig(name: string, config: unknown): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
  }

  async function session(stack: string, variant: "violating" | "compliant"): Promise<PulumiSession> {
    // A Pulumi.<stack>.yaml left by an interrupted run belongs to another backend; start clean.
    fs.rmSync(path.join(PROGRAM, `Pulumi.${stack}.yaml`), { force: true });
    const s = await newSession(PROGRAM, { stack });
    sessions.push(s);
    await s.useServer(server);
    await s.config("policy-violations:agent", server.agents[0]);
    await s.config("policy-violations:variant", variant);
    return s;
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-policy-"));
  });
  afterAll(async () => {
    for (const s of sessions) {
      await s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
      expectNoSecretKeys(s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).join("\n"));
      s.dispose();
    }
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("a prod stack with violating keys", () => {
    let s: PulumiSession;
    beforeAll(async () => {
      s = await session("prod", "violating");
    });

    it("fails the preview on the mandatory rules and reports every rule a key breaks", async () => {
      const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK], { allowFailure: true });
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("kataven-widget-policy@v0.1.0");
      expect(violations(r.output)).toEqual([
        "[advisory] no-empty-allowlist (blocked)",
        "[advisory] prod-keys-pin-agent (unpinned)",
        "[mandatory] no-loopback-origins-on-prod (website)",
        "[mandatory] no-wildcard-origins-on-prod (partners)",
      ]);
      // the messages name the offending entries in canonical form, and how to fix them
      expect(r.output).toContain('allows loopback origin(s) "http://localhost:3000"');
      expect(r.output).toContain('uses wildcard entries "*.partners.acme.example", "acme.example:*"');
      expect(r.output).toContain('tag it (tags: ["allow-wildcards"]) or add {"no-wildcard-origins-on-prod": {"allowWildcardKeys": ["partners"]}}');
      expect(r.output).toMatch(/preview failed/);
    });

    it("nothing is created when a mandatory rule fails `up`", async () => {
      const r = await s.run(["up", "--yes", "--non-interactive", "--policy-pack", POLICY_PACK], { allowFailure: true });
      expect(r.code).not.toBe(0);
      expect(violations(r.output)).toContain("[mandatory] no-loopback-origins-on-prod (website)");
      expect(s.resources().filter((res) => res.type.endsWith(":WidgetKey"))).toEqual([]);
    });

    it("--policy-pack-config lowers the levels: the same preview passes with advisories", async () => {
      const cfg = writeConfig("advisory.json", {
        "no-loopback-origins-on-prod": "advisory",
        "no-wildcard-origins-on-prod": { enforcementLevel: "advisory" },
        "no-empty-allowlist": "disabled",
      });
      const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK, "--policy-pack-config", cfg]);
      expect(violations(r.output)).toEqual([
        "[advisory] no-loopback-origins-on-prod (website)",
        "[advisory] no-wildcard-origins-on-prod (partners)",
        "[advisory] prod-keys-pin-agent (unpinned)",
      ]);
    });

    it("--policy-pack-config raises an advisory rule to mandatory", async () => {
      const cfg = writeConfig("strict.json", { all: "mandatory" });
      const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK, "--policy-pack-config", cfg], {
        allowFailure: true,
      });
      expect(r.code).not.toBe(0);
      expect(violations(r.output)).toContain("[mandatory] prod-keys-pin-agent (unpinned)");
      expect(violations(r.output)).toContain("[mandatory] no-empty-allowlist (blocked)");
    });
  });

  it("the same keys on a dev stack pass, with only the empty-allowlist advisory", async () => {
    const s = await session("dev", "violating");
    const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK]);
    expect(violations(r.output)).toEqual(["[advisory] no-empty-allowlist (blocked)"]);
  });

  describe("a prod stack with compliant keys", () => {
    let s: PulumiSession;
    beforeAll(async () => {
      s = await session("production", "compliant");
    });

    it("a wildcard key neither tagged nor listed in allowWildcardKeys is refused; the tagged one passes", async () => {
      const r = await s.run(["preview", "--non-interactive", "--policy-pack", POLICY_PACK], { allowFailure: true });
      expect(r.code).not.toBe(0);
      expect(violations(r.output)).toEqual(["[mandatory] no-wildcard-origins-on-prod (partners)"]);
    });

    it("listed in allowWildcardKeys, it passes preview and `up` with no violation", async () => {
      const cfg = writeConfig("wildcards.json", { "no-wildcard-origins-on-prod": { allowWildcardKeys: ["partners"] } });
      const flags = ["--policy-pack", POLICY_PACK, "--policy-pack-config", cfg];
      const p = await s.run(["preview", "--non-interactive", ...flags]);
      expect(violations(p.output)).toEqual([]);
      const u = await s.run(["up", "--yes", "--non-interactive", ...flags]);
      expect(violations(u.output)).toEqual([]);
      expect(u.stdout).toMatch(/\+ 5 created/);
      expect(RULES.filter((rule) => u.output.includes(rule))).toEqual([]);
    });
  });
});
