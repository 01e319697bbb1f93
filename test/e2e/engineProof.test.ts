/**
 * Proof that plain `pulumi` with the genuine Node.js language host runs a program in a directory, offline:
 * preview, up, stack output (secret masked), a no-change preview, refresh, destroy, and its secret never
 * reaches state. Once in each loader the host offers: ts-node (the default for a TypeScript project, with
 * the project's own typescript and the SDK's vendored ts-node) and `typescript: false` (Node's type stripping).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cliVersion, newSession, PulumiSession, REPO } from "./support/pulumi";

const PROGRAM = path.join(__dirname, "programs/engine-proof");

/** The same program as a default (ts-node) TypeScript project, as `pulumi new typescript` lays one out. */
function tsNodeCopy(): string {
  fs.mkdirSync(path.join(REPO, ".tmp"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, ".tmp", "engine-proof-ts-node-"));
  fs.copyFileSync(path.join(PROGRAM, "index.ts"), path.join(dir, "index.ts"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: engine-proof\nruntime: nodejs\ndescription: engine proof (ts-node)\n");
  fs.copyFileSync(path.join(REPO, "examples/quickstart/tsconfig.json"), path.join(dir, "tsconfig.json"));
  return dir;
}

describe.each([
  ["typescript: false (Node's type stripping)", () => PROGRAM],
  ["the default TypeScript mode (ts-node)", tsNodeCopy],
])("plain pulumi drives a dynamic-resource program, loaded by %s", (_mode, programDir) => {
  let s: PulumiSession;
  let dir: string;
  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    dir = programDir();
    s = await newSession(dir);
  });
  afterAll(() => {
    s?.dispose();
    if (dir !== PROGRAM) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("previews one resource to create", async () => {
    const r = await s.run(["preview", "--non-interactive"]);
    expect(r.stdout).toMatch(/\+\s+pulumi-nodejs:dynamic\/proof:Token\s+proof\s+create/);
    expect(r.stdout).toMatch(/\+ 2 to create/);
  });

  it("creates it, with the token a secret output", async () => {
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/\+ 2 created/);
    expect(r.stdout).toMatch(/token: \[secret\]/);
    const masked = await s.run(["stack", "output", "token"]);
    expect(masked.stdout.trim()).toBe("[secret]");
    const plain = await s.run(["stack", "output", "token", "--show-secrets"]);
    expect(plain.stdout.trim()).toMatch(/^tok_[0-9a-f]{36}$/);
    expect(s.resourceTypes()).toEqual(["pulumi-nodejs:dynamic/proof:Token"]);
  });

  it("keeps the secret out of the state files", async () => {
    const token = (await s.run(["stack", "output", "token", "--show-secrets"])).stdout.trim();
    const state = s.stateText();
    expect(state).toContain("proof"); // the state is really there
    expect(state).not.toContain(token);
  });

  it("plans no changes on a second preview and on refresh", async () => {
    const p = await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
    expect(p.stdout).toMatch(/2 unchanged/);
    const r = await s.run(["refresh", "--yes", "--non-interactive", "--expect-no-changes"]);
    expect(r.stdout).toMatch(/2 unchanged/);
  });

  it("updates in place when an input changes", async () => {
    await s.config("label", "second");
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/~ 1 updated/);
    expect((await s.run(["stack", "output", "label"])).stdout.trim()).toBe("second");
  });

  it("destroys everything", async () => {
    const r = await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/- 2 deleted/);
    expect(s.resources()).toHaveLength(0);
  });

  it("leaks no token in any command's output except --show-secrets", () => {
    const leaked = s.transcript.filter((t) => !t.includes("--show-secrets") && /tok_[0-9a-f]{36}/.test(t));
    expect(leaked).toEqual([]);
  });
});
