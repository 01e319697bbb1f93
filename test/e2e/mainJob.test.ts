/**
 * `npm start`, the main job, run twice as a newcomer would: the first run provisions the demo stack against
 * the embedded local server and shows Origin enforcement; the second finds nothing to change. Then the
 * README's next steps: `npm run pulumi -- preview --diff --stack dev` and `npm run recover -- --stack dev`
 * (scripts/withDemoServer.ts serves the demo data for them) and the teardown, `npm start -- --destroy`. It runs with its own backend and server data
 * directory, and nothing it prints may hold a secret key.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expectNoSecretKeys, REPO, runProcess } from "./support/pulumi";

jest.setTimeout(360_000);

describe("npm start (the main job)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-main-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KATAVEN_DEMO_BACKEND: `file://${root}/state`,
    PULUMI_HOME: `${root}/home`,
    // A user's own passphrase must not break the demo: npm start pins the one its stack config was made with.
    PULUMI_CONFIG_PASSPHRASE: "a-users-own-passphrase",
    KATAVEN_LOCAL_DATA: `${root}/server/data`,
    INIT_CWD: undefined,
    KATAVEN_API_KEY: undefined,
    KATAVEN_API_URL: undefined,
  };
  const start = (...args: string[]) =>
    runProcess("node", [path.join(REPO, "dist/scripts/start.js"), ...args], { cwd: REPO, env, timeoutMs: 180_000 });
  const stateText = () =>
    fs
      .readdirSync(`${root}/state`, { recursive: true, encoding: "utf8" })
      .map((f) => path.join(root, "state", f))
      .filter((f) => fs.statSync(f).isFile())
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n");
  const checkpoint = (): Array<{ type: string }> =>
    JSON.parse(fs.readFileSync(`${root}/state/.pulumi/stacks/kataven-widget/dev.json`, "utf8")).checkpoint.latest?.resources ?? [];

  beforeAll(() => {
    fs.mkdirSync(`${root}/state`, { recursive: true });
    fs.mkdirSync(`${root}/home`, { recursive: true });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("provisions the demo stack and shows Origin enforcement, then finds nothing to change", async () => {
    const first = await start();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\+ 6 created/);
    expect(first.stdout).toMatch(/allowlist \(canonical\): https:\/\/acme\.example, \*\.acme\.example, http:\/\/localhost:3000/);
    expect(first.stdout).toMatch(/from https:\/\/acme\.example → 200 guest session issued/);
    expect(first.stdout).toMatch(/from https:\/\/evil\.example → 403 origin_not_allowed/);
    expect(first.stdout).toMatch(/Kataven\.init\(\{"publicKey":"pk_live_demo_/);

    const second = await start();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/6 unchanged/);
    expect(second.stdout).not.toMatch(/created|updated|replaced/);

    const log = fs.readFileSync(`${root}/server/server.log`, "utf8");
    expect(log).toMatch(/POST \/api\/v1\/widget-keys 201/);
    expectNoSecretKeys(first.output + second.output + log);
    const state = stateText();
    expect(state).toContain("pulumi-nodejs:dynamic/kataven:WidgetKey");
    expectNoSecretKeys(state);
  });

  it("`npm run pulumi -- preview --diff --stack dev` works after npm start, and `npm start -- --destroy` tears the stack down", async () => {
    // what `npm run pulumi` runs, from the repository root (INIT_CWD unset: the script stays there)
    const preview = await runProcess("bash", [path.join(REPO, "scripts/pulumi.sh"), "preview", "--diff", "--stack", "dev"], {
      cwd: REPO,
      env,
      timeoutMs: 120_000,
    });
    expect(preview.code).toBe(0);
    expect(preview.output).toMatch(/stack "dev" is npm start's demo stack/);
    expect(preview.stdout).toMatch(/6 unchanged/);
    // the recovery listing (docs/operations.md) on the demo stack runs against the same served data
    const recover = await runProcess("bash", [path.join(REPO, "scripts/recover.sh"), "--stack", "dev"], {
      cwd: REPO,
      env,
      timeoutMs: 120_000,
    });
    expect(recover.code).toBe(0);
    expect(recover.output).toMatch(/stack "dev": 2 widget key\(s\) tracked/);
    // a command that reaches no provider is plain pulumi: no server started
    const plainEnv = { ...env, PULUMI_BACKEND_URL: `file://${root}/state`, PULUMI_CONFIG_PASSPHRASE: "local-only-passphrase" };
    const output = await runProcess("bash", [path.join(REPO, "scripts/pulumi.sh"), "stack", "output", "--json", "--stack", "dev"], {
      cwd: REPO,
      env: plainEnv,
      timeoutMs: 60_000,
    });
    expect(output.code).toBe(0);
    expect(output.output).not.toMatch(/demo stack/);
    expect(Object.keys(JSON.parse(output.stdout))).toEqual(expect.arrayContaining(["widgetKeys", "secretKeys"]));

    // the branding, two agent policies and two keys (the CLI's "6" counts the stack too)
    expect(checkpoint().filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"))).toHaveLength(5);
    const down = await start("--destroy");
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/- 6 deleted/);
    expect(checkpoint().filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/kataven:"))).toEqual([]);
    const log = fs.readFileSync(`${root}/server/server.log`, "utf8");
    expect(log).toMatch(/DELETE \/api\/v1\/widget-keys\/:id 20\d/);
    expectNoSecretKeys(preview.output + recover.output + output.output + down.output + stateText());
  });
});
