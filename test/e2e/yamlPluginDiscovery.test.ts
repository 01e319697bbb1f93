/**
 * The standard ways the engine finds the native plugin, each through plain `pulumi` with a YAML program that
 * names no path: the plugin cache after `pulumi plugin install resource kataven <version> --file …` (the
 * copied launcher then loads the package installed in the project), and `PATH` (npm's node_modules/.bin
 * link). Also `pulumi package get-schema` on the launcher. (plugins.providers[].path: test/e2e/yaml.test.ts.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { newSession, REPO, runProcess } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(180_000);

const LAUNCHER = path.join(REPO, "bin/pulumi-resource-kataven");
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;
const PROGRAM = `name: plugin-discovery\nruntime: yaml\nresources:\n  k:\n    type: kataven:index:WidgetKey\n    properties:\n      name: discovery\n      domainAllowlist: ["https://d.example"]\n`;

describe("finding the native plugin", () => {
  let server: Server;
  let root: string;
  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-discovery-"));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function previewIn(dir: string, env: NodeJS.ProcessEnv, before?: (s: Awaited<ReturnType<typeof newSession>>) => Promise<void>) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROGRAM);
    const s = await newSession(dir, { env });
    try {
      await before?.(s);
      await s.useServer(server);
      return await s.run(["preview", "--non-interactive"]);
    } finally {
      s.dispose();
    }
  }

  it("in the plugin cache after `pulumi plugin install resource kataven <version> --file <launcher>`", async () => {
    const dir = path.join(root, "cache");
    // The project has the npm package installed (here: a link to this repository).
    fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    fs.symlinkSync(REPO, path.join(dir, "node_modules/pulumi-kataven-widget"));
    const r = await previewIn(dir, {}, async (s) => {
      await s.run(["plugin", "install", "resource", "kataven", VERSION, "--file", LAUNCHER]);
      expect(fs.existsSync(path.join(s.env.PULUMI_HOME!, `plugins/resource-kataven-v${VERSION}/pulumi-resource-kataven`))).toBe(true);
    });
    expect(r.stdout).toMatch(/kataven:index:WidgetKey\s+k\s+create/);
  });

  it("on PATH (npm links the launcher into node_modules/.bin)", async () => {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.symlinkSync(LAUNCHER, path.join(bin, "pulumi-resource-kataven"));
    const r = await previewIn(path.join(root, "path"), { PATH: `${bin}:${process.env.PATH}` });
    expect(r.stdout).toMatch(/kataven:index:WidgetKey\s+k\s+create/);
    expect(r.output).toMatch(/using pulumi-resource-kataven from \$PATH/);
  });

  it("`pulumi package get-schema` prints the package schema", async () => {
    const env = { ...process.env, PULUMI_HOME: path.join(root, "home"), PULUMI_SKIP_UPDATE_CHECK: "true" };
    const r = await runProcess("pulumi", ["package", "get-schema", LAUNCHER], { cwd: root, env });
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.name).toBe("kataven");
    expect(schema.version).toBe(VERSION);
    expect(Object.keys(schema.resources)).toContain("kataven:index:WidgetKey");
  });
});
