/**
 * Proof that plain `pulumi` with the genuine Node.js language host runs a program in a directory, offline:
 * preview, up, stack output (secret masked), a no-change preview, refresh, destroy, and its secret never
 * reaches state. The program is a TypeScript project as `pulumi new typescript` lays one out (its own
 * package.json and tsconfig.json), loaded the default way: ts-node with the project's typescript.
 */
import * as path from "node:path";
import { cliVersion, newSession, PulumiSession } from "./support/pulumi";

const PROGRAM = path.join(__dirname, "programs/engine-proof");

describe("plain pulumi drives a dynamic-resource program", () => {
  let s: PulumiSession;
  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    s = await newSession(PROGRAM);
  });
  afterAll(() => s?.dispose());

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
    const token = /tok_[0-9a-f]{36}/;
    // positive control: the scan finds the token where it is meant to be shown
    expect(s.transcript.filter((t) => t.includes("--show-secrets") && token.test(t)).length).toBeGreaterThan(0);
    const leaked = s.transcript.filter((t) => !t.includes("--show-secrets") && token.test(t));
    expect(leaked.length).toBe(0);
  });
});
