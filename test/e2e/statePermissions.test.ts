/**
 * The toolchain's default file backend holds stacks whose secrets are encrypted with a passphrase the README
 * publishes, so what `npm run pulumi` / scripts/toolchain.sh writes is private to its owner: the state
 * directory 0700 and its files 0600, and a stack's Pulumi.<stack>.yaml 0600, even under a umask of 022.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./support/pulumi";

jest.setTimeout(120_000);

const TOOLCHAIN = path.join(REPO, "scripts/toolchain.sh");
const STATE = path.join(REPO, ".pulumi-state");

describe("state written through the toolchain", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-perm-"));
  const stack = `perm-${path.basename(dir).slice("kataven-perm-".length).toLowerCase()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: undefined,
    PULUMI_HOME: undefined,
    PULUMI_ACCESS_TOKEN: undefined,
    PULUMI_CONFIG_PASSPHRASE: undefined,
    // a HOME with no `pulumi login`, so the project's own backend is the default; the toolchain cache stays where it is
    HOME: dir,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"),
  };
  /** `pulumi <args>` through scripts/toolchain.sh, from a shell whose umask lets everyone read. */
  const pulumi = (args: string, stdin?: string) =>
    spawnSync("bash", ["-c", `umask 022 && bash ${JSON.stringify(TOOLCHAIN)} --pulumi pulumi ${args}`], {
      cwd: dir,
      env,
      input: stdin,
      encoding: "utf8",
    });

  beforeAll(() => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: kataven-state-permissions\nruntime: nodejs\n");
  });
  afterAll(() => {
    pulumi(`stack rm ${stack} --yes --force --non-interactive`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is readable by its owner only", () => {
    const init = pulumi(`stack init ${stack} --non-interactive`);
    expect(init.stderr + init.stdout).not.toMatch(/error/i);
    const set = pulumi(`config set --secret --stack ${stack} kataven:apiKey`, "sk_live_demo_permissionsprobe000000");
    expect(set.status).toBe(0);

    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(STATE)).toBe(0o700);
    const files = (fs.readdirSync(STATE, { recursive: true, encoding: "utf8" }) as string[])
      .map((f) => path.join(STATE, f))
      .filter((f) => fs.statSync(f).isFile());
    const ours = files.filter((f) => f.includes(stack));
    expect(ours.length).toBeGreaterThan(0); // the positive control: the stack's files are there to check
    for (const f of files) expect([path.relative(STATE, f), mode(f) & 0o077]).toEqual([path.relative(STATE, f), 0]);
    expect(mode(path.join(dir, `Pulumi.${stack}.yaml`))).toBe(0o600);
  });
});
