/**
 * The package as a user gets it: `npm pack` of this repository, installed from the tarball into a fresh
 * project outside the repository (os.tmpdir()) next to `@pulumi/pulumi` from the registry, with the files
 * `pulumi new typescript` writes and index.ts = the README's usage snippet, verbatim. Then plain `pulumi`
 * (the CLI on PATH with the genuine Node.js language host beside it; never this repository's runner) takes
 * it through preview, up, stack output, refresh and destroy against a local Kataven server, and an
 * Automation API inline program in the same project creates and destroys a key (it fails when the project
 * holds two SDK copies of @pulumi/pulumi: each keeps its own runtime state). State and CLI output are scanned for plaintext secrets.
 *
 * Needs a build (`npx tsc -p .`; npm test does): the tarball takes dist/ as it is, without `prepare`, so
 * this test never rewrites dist/ under the other test files. KATAVEN_CONSUMER_SDK picks the @pulumi/pulumi
 * version to install (default "latest"; e.g. 3.216.0 to try the peer range's floor).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOnPath } from "../../scripts/lib/processes";
import { offlineEnv } from "../../scripts/lib/pulumiCli";
import { REPO_ROOT as REPO } from "../../scripts/lib/repo";
import { startServer, type TestServer } from "../support/server";

jest.setTimeout(300_000);

const SDK = process.env.KATAVEN_CONSUMER_SDK || "latest";
const PASSPHRASE = "consumer-e2e-local-only";
const SECRET_RE = /sk_live_[A-Za-z0-9_-]{20,}/g;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every plaintext `sk_live_` value in the text (account API keys and widget secrets alike). */
function findSecretKeys(text: string): string[] {
  return [...new Set(text.match(SECRET_RE) ?? [])];
}

/** The first ```ts block of the README's "## Using the resources" section. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const section = readme.split(/^## Using the resources\n/m)[1];
  const block = section?.match(/^```ts\n([\s\S]*?)^```$/m);
  if (!block) throw new Error('README.md has no ```ts block under "## Using the resources"');
  return block[1];
}

/** The environment of every child: offline Pulumi settings for this test only, no npm script context. */
function childEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // `npm test` exports npm_config_local_prefix & co.; a nested `npm install` would then act on the repository.
    if (k.startsWith("npm_") || k.startsWith("PULUMI_") || k.startsWith("KATAVEN_") || k === "INIT_CWD") continue;
    env[k] = v;
  }
  return offlineEnv({ backend: path.join(root, "state"), home: path.join(root, "pulumi-home"), passphrase: PASSPHRASE }, env);
}

describe(`the packed package in a user's own project (@pulumi/pulumi@${SDK}, plain pulumi)`, () => {
  let root: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let server: TestServer;
  let snippet: string;
  /** Every command and its output, for the leak scan; the one --show-secrets stdout is left out. */
  const transcript: string[] = [];

  function run(cmd: string, args: string[], opts: { stdin?: string; record?: boolean; cwd?: string } = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd ?? project, env, stdio: ["pipe", "pipe", "pipe"] });
      child.stdin.end(opts.stdin ?? "");
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        transcript.push(`$ ${cmd} ${args.join(" ")}\n${opts.record === false ? "<stdout not recorded>" : stdout}\n${stderr}`);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }

  async function ok(cmd: string, args: string[], opts: { stdin?: string; record?: boolean; cwd?: string } = {}): Promise<Run> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) {
      const out = opts.record === false ? r.stderr : r.stdout + r.stderr;
      throw new Error(`${cmd} ${args.join(" ")} exited with ${r.code}:\n${out.replace(SECRET_RE, "sk_live_<redacted>")}`);
    }
    return r;
  }

  const pulumi = (args: string[], opts: { stdin?: string; record?: boolean } = {}) => ok("pulumi", args, opts);

  async function stackInit(stack: string): Promise<void> {
    await pulumi(["stack", "init", stack, "--non-interactive"]);
    await pulumi(["config", "set", "--stack", stack, "kataven:apiUrl", server.url]);
    // through stdin, as a user should: a secret in argv shows in `ps`
    await pulumi(["config", "set", "--stack", stack, "--secret", "kataven:apiKey"], { stdin: server.apiKey });
  }

  function checkpoint(projectName: string, stack: string): Array<{ type: string; id?: string; outputs?: Record<string, unknown> }> {
    const file = path.join(root, "state/.pulumi/stacks", projectName, `${stack}.json`);
    return JSON.parse(fs.readFileSync(file, "utf8")).checkpoint?.latest?.resources ?? [];
  }

  async function api(
    method: string,
    route: string,
    opts: { bearer?: string; body?: unknown } = {},
  ): Promise<{ status: number; json: any }> {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { ...server.headers(), ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-consumer-"));
    project = path.join(root, "acme-widgets");
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(root, "state"));
    env = childEnv(root);

    if (!fs.existsSync(path.join(REPO, "dist/provider/index.js"))) throw new Error('dist/ is missing: build first with "npx tsc -p ."');
    const packed = await ok("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", root, REPO], { cwd: root });
    const tarball = path.join(root, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);

    // What a user does: an npm project, then the files `pulumi new typescript` writes.
    await ok("npm", ["init", "-y"]);
    await ok("npm", ["pkg", "set", "main=index.ts"]); // as the template's package.json
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      "name: acme-widgets\ndescription: Kataven chat widget keys for acme.com\nruntime: nodejs\n",
    );
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            outDir: "bin",
            target: "es2020",
            module: "commonjs",
            moduleResolution: "node",
            sourceMap: true,
            experimentalDecorators: true,
            pretty: true,
            noFallthroughCasesInSwitch: true,
            noImplicitReturns: true,
            forceConsistentCasingInFileNames: true,
          },
          files: ["index.ts"],
        },
        null,
        4,
      ),
    );
    snippet = readmeSnippet();
    fs.writeFileSync(path.join(project, "index.ts"), snippet);
    // The genuine language host must be what runs the program. `pulumi about` lists plugins inside a project only.
    if (!findOnPath("pulumi", env)) throw new Error("no `pulumi` on PATH: run through `bash scripts/toolchain.sh --pulumi`");
    const about = await pulumi(["about"]).catch((e: Error) => ({ stdout: String(e.message), stderr: "", code: 1 }));
    if (!/^language\s+nodejs\s/m.test(about.stdout)) {
      throw new Error(
        `\`pulumi about\` lists no "language nodejs" plugin, so plain \`pulumi up\` can't run a TypeScript program: ` +
          `put pulumi-language-nodejs beside the pulumi binary (scripts/toolchain.sh --pulumi builds it).\n${about.stdout}`,
      );
    }
    console.log(
      `consumer e2e: pulumi ${(await pulumi(["version"])).stdout.trim()}, ${about.stdout.match(/^language\s+nodejs\s+\S+/m)?.[0]}`,
    );

    await ok("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      tarball,
      `@pulumi/pulumi@${SDK}`,
      "@pulumi/policy@latest",
      "typescript@5",
      "@types/node",
    ]);

    // The snippet's agents must exist on the account the stack points at.
    const agents = [...new Set([...snippet.matchAll(/agentId:\s*"([^"]+)"/g)].map((m) => m[1]))];
    expect(agents.length).toBeGreaterThan(0);
    server = await startServer({ agents });
  });

  afterAll(async () => {
    await server?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("the project holds exactly one copy of @pulumi/pulumi, the registry's, not one inside the package", async () => {
    const ls = await ok("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"]);
    const copies = [...new Set(ls.stdout.split("\n").filter(Boolean))];
    expect(copies).toEqual([path.join(project, "node_modules/@pulumi/pulumi")]);
    expect(fs.existsSync(path.join(project, "node_modules/pulumi-kataven-widget/node_modules/@pulumi/pulumi"))).toBe(false);
    const version = JSON.parse(fs.readFileSync(path.join(copies[0], "package.json"), "utf8")).version;
    console.log(`consumer e2e: installed @pulumi/pulumi ${version}`);
  });

  it("index.ts is the README's snippet: an ordinary top-level program with named exports", () => {
    expect(fs.readFileSync(path.join(project, "index.ts"), "utf8")).toBe(snippet);
    expect(snippet).not.toMatch(/export default/);
    expect(snippet).toMatch(/from "pulumi-kataven-widget"/);
    expect(snippet).toMatch(/^export const secretKey = /m);
  });

  describe("plain pulumi on stack dev", () => {
    beforeAll(async () => {
      await stackInit("dev");
    });

    it("preview plans the key, the branding and the agent policy", async () => {
      const r = await pulumi(["preview", "--non-interactive", "--stack", "dev"]);
      for (const line of [
        /\+\s+pulumi-nodejs:dynamic\/kataven:AgentWidgetSettings support create/,
        /\+\s+pulumi-nodejs:dynamic\/kataven:WidgetSettings branding create/,
        /\+\s+pulumi-nodejs:dynamic\/kataven:WidgetKey website create/,
        /\+ 4 to create/,
      ]) {
        expect(r.stdout).toMatch(line);
      }
      expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(0);
    });

    it("up creates them: in the state and on the server", async () => {
      await pulumi(["up", "--yes", "--non-interactive", "--stack", "dev"]);
      const resources = checkpoint("acme-widgets", "dev");
      const byType = (t: string) => resources.filter((r) => r.type === `pulumi-nodejs:dynamic/kataven:${t}`);
      expect(byType("WidgetKey")).toHaveLength(1);
      expect(byType("WidgetSettings")).toHaveLength(1);
      expect(byType("AgentWidgetSettings")).toHaveLength(1);

      const keyId = byType("WidgetKey")[0].id;
      const keys = (await api("GET", "/api/v1/widget-keys")).json as Array<{ id: string; name: string; domain_allowlist: string[] }>;
      expect(keys.map((k) => [k.id, k.name, k.domain_allowlist])).toEqual([
        [keyId, "acme.com production", ["https://acme.com", "*.acme.com"]],
      ]);
      expect((await api("GET", "/api/v1/agents/agent-a/widget-settings")).json).toMatchObject({ widget_enabled: true, auth_mode: "both" });
      expect((await api("GET", "/api/v1/widget-settings")).json).toMatchObject({ primary_color: "#2563eb", launcher_position: "br" });
      expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(1);
    });

    it("stack output shows secretKey as [secret]; --show-secrets gives an sk_live_ key the server accepts", async () => {
      const masked = await pulumi(["stack", "output", "secretKey", "--stack", "dev"]);
      expect(masked.stdout.trim()).toBe("[secret]");
      expect((await pulumi(["stack", "output", "publicKey", "--stack", "dev"])).stdout.trim()).toMatch(/^pk_live_/);

      const shown = await pulumi(["stack", "output", "secretKey", "--show-secrets", "--stack", "dev"], { record: false });
      const secret = shown.stdout.trim();
      // booleans, so a failure never prints the secret
      expect(/^sk_live_/.test(secret)).toBe(true);
      expect(secret === server.apiKey).toBe(false);
      const token = await api("POST", "/api/v1/widget/auth/user-token", { bearer: secret, body: { external_user_id: "user-42" } });
      expect(token.status).toBe(200);
      expect(typeof token.json.user_token).toBe("string");
    });

    it("refresh finds no drift (--expect-no-changes)", async () => {
      await pulumi(["refresh", "--yes", "--expect-no-changes", "--non-interactive", "--stack", "dev"]);
      expect(checkpoint("acme-widgets", "dev").filter((r) => r.type.endsWith(":WidgetKey"))).toHaveLength(1);
    });

    it("destroy removes everything: the used key is disabled, the policy reset", async () => {
      await pulumi(["destroy", "--yes", "--non-interactive", "--stack", "dev"]);
      expect(checkpoint("acme-widgets", "dev")).toEqual([]);
      // a key that has served a request is disabled rather than deleted (docs/reference.md, "Delete")
      const keys = (await api("GET", "/api/v1/widget-keys")).json as Array<{ disabled_at: string | null }>;
      expect(keys.map((k) => k.disabled_at !== null)).toEqual([true]);
      expect((await api("GET", "/api/v1/agents/agent-a/widget-settings")).json).toMatchObject({
        widget_enabled: false,
        auth_mode: "guest",
      });
    });
  });

  it("an Automation API inline program in the same project creates and destroys a key (one SDK copy)", async () => {
    const cli = fs.realpathSync(findOnPath("pulumi", env)!);
    // PulumiCommand.get({root}) runs <root>/bin/pulumi
    const cliRoot = path.dirname(path.dirname(cli));
    fs.writeFileSync(path.join(project, "inline.js"), INLINE_PROGRAM);
    const before = await server.requestCount("POST /api/v1/widget-keys");
    const r = await ok("node", ["inline.js", cliRoot, server.url, "inline"], { stdin: server.apiKey });
    const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(result.created).toBe(2); // the Stack and the WidgetKey
    expect(result.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.secretKey).toEqual({ secret: true, isSkLive: true });
    expect(result.destroyed).toBe(2);
    expect(await server.requestCount("POST /api/v1/widget-keys")).toBe(before + 1);
    // never used, so destroy deleted it
    const keys = (await api("GET", "/api/v1/widget-keys")).json as Array<{ id: string }>;
    expect(keys.map((k) => k.id)).not.toContain(result.keyId);
    expect(checkpoint("acme-widgets-inline", "inline")).toEqual([]);
  });

  describe("the policy pack from the installed package", () => {
    const pack = () => path.join(project, "node_modules/pulumi-kataven-widget/policy");

    it("is complete and resolves @pulumi/policy and the one @pulumi/pulumi from the user's project", async () => {
      const main = JSON.parse(fs.readFileSync(path.join(pack(), "package.json"), "utf8")).main;
      expect(fs.existsSync(path.join(pack(), "PulumiPolicy.yaml"))).toBe(true);
      expect(fs.existsSync(path.resolve(pack(), main))).toBe(true);
      // the rules, loaded from the installed package, flag the README key's wildcard on a prod stack
      const script = `
        const rules = require(require("path").resolve(${JSON.stringify(pack())}, "..", "dist/policy/rules.js"));
        const key = { name: "acme.com production", agentId: "agent-a", domainAllowlist: ["https://acme.com", "*.acme.com"] };
        console.log(JSON.stringify({
          policy: require.resolve("@pulumi/policy", { paths: [${JSON.stringify(pack())}] }),
          pulumi: require.resolve("@pulumi/pulumi", { paths: [${JSON.stringify(pack())}] }),
          prod: rules.noWildcardsOnProd.check(key, { stack: "prod", resourceName: "website" }).length,
          dev: rules.noWildcardsOnProd.check(key, { stack: "dev", resourceName: "website" }).length,
        }));`;
      const r = JSON.parse((await ok("node", ["-e", script])).stdout);
      expect(r.policy.startsWith(path.join(project, "node_modules/@pulumi/policy/"))).toBe(true);
      expect(r.pulumi).toBe(path.join(project, "node_modules/@pulumi/pulumi/index.js"));
      expect([r.prod, r.dev]).toEqual([1, 0]);
    });

    it("`pulumi preview --policy-pack node_modules/pulumi-kataven-widget/policy` fails a prod stack on the wildcard rule", async () => {
      await stackInit("prod");
      const r = await run("pulumi", ["preview", "--non-interactive", "--stack", "prod", "--policy-pack", pack()]);
      // The Node.js language host built here (sdk v3.68.0) predates running policy packs (its RunPlugin
      // answers "not supported"); a Pulumi release's own host runs them. Say so loudly instead of passing.
      if (/could not read plugin \[[^\]]*\]: not supported/.test(r.stderr + r.stdout)) {
        console.warn(
          "SKIPPED (host limitation): this pulumi-language-nodejs can't run policy packs (RunPlugin: not supported); " +
            "the pack was checked from the installed package above, not through the CLI",
        );
        return;
      }
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("kataven-widget-policy@v0.1.0");
      expect(r.stdout + r.stderr).toMatch(
        /\[mandatory\]\s+no-wildcard-origins-on-prod\s+\(pulumi-nodejs:dynamic\/kataven:WidgetKey: website\)/,
      );
    });
  });

  it("no plaintext sk_live_ value in the state files or any CLI output (and the scan does find one)", () => {
    const texts: string[] = [...transcript];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else texts.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(path.join(root, "state"));
    for (const f of fs.readdirSync(project).filter((f) => /^Pulumi\..*\.yaml$/.test(f)))
      texts.push(fs.readFileSync(path.join(project, f), "utf8"));
    expect(texts.length).toBeGreaterThan(10);
    // positive control: the same scan over the same text finds a planted value
    const planted = `sk_live_acme_${"Zq9".repeat(11)}`;
    expect(findSecretKeys(`${texts.join("\n")}\n{"secretKey": "${planted}"}`)).toEqual([planted]);
    // count only, so the assertion never prints a secret
    expect(findSecretKeys(texts.join("\n")).length).toBe(0);
  });
});

/**
 * The Automation API inline program, run by plain node in the user's project (jest's VM breaks closure
 * serialization of the dynamic provider). argv: <CLI root> <apiUrl> <stack>; the API key comes on stdin.
 * Prints one JSON line; the secret itself never leaves the process.
 */
const INLINE_PROGRAM = `"use strict";
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const { WidgetKey } = require("pulumi-kataven-widget");

async function main() {
  const [cliRoot, apiUrl, stackName] = process.argv.slice(2);
  const apiKey = require("node:fs").readFileSync(0, "utf8");
  const program = async () => {
    const key = new WidgetKey("inline", { name: "inline key", agentId: "agent-a", domainAllowlist: ["https://inline.acme.com"] });
    return { keyId: key.keyId, secretKey: key.secretKey };
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: "acme-widgets-inline", program },
    { pulumiCommand: await PulumiCommand.get({ root: cliRoot }) },
  );
  await stack.setConfig("kataven:apiUrl", { value: apiUrl });
  await stack.setConfig("kataven:apiKey", { value: apiKey, secret: true });
  const up = await stack.up();
  const outputs = await stack.outputs();
  const destroy = await stack.destroy();
  console.log(JSON.stringify({
    created: up.summary.resourceChanges.create,
    keyId: outputs.keyId.value,
    secretKey: { secret: outputs.secretKey.secret, isSkLive: /^sk_live_/.test(outputs.secretKey.value) },
    destroyed: destroy.summary.resourceChanges.delete,
  }));
}
main().catch((err) => {
  console.error(String(err && err.stack || err).replace(/sk_live_[A-Za-z0-9_-]+/g, "sk_live_<redacted>"));
  process.exit(1);
});
`;
