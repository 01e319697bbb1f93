/**
 * Every Pulumi program in the repository (the root program, the examples, the bench and test programs) has
 * its own project name. A file backend keys stacks by project name, so two programs sharing one act on each
 * other's stacks: `pulumi preview -C <other program> --stack dev` would plan deleting the first one's resources.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "../..");
const SKIP = new Set(["node_modules", "dist", ".git", ".tmp", ".pulumi-state", ".pulumi-home", ".kataven-local"]);

/** Every Pulumi.yaml / Pulumi.yml below `dir`, relative to the repository. */
function projectFiles(dir = REPO): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...projectFiles(p));
    else if (e.name === "Pulumi.yaml" || e.name === "Pulumi.yml") out.push(path.relative(REPO, p));
  }
  return out;
}

/** The top-level `name:` of a project file (quoted or not). */
function projectName(text: string): string | undefined {
  return /^name:\s*["']?([^"'#\s]+)["']?\s*(?:#.*)?$/m.exec(text)?.[1];
}

/** Names used by more than one file, with those files. */
function duplicates(files: Record<string, string | undefined>): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [file, name] of Object.entries(files)) byName.set(name ?? "", [...(byName.get(name ?? "") ?? []), file]);
  return Object.fromEntries([...byName].filter(([, list]) => list.length > 1));
}

describe("Pulumi project names", () => {
  const files = Object.fromEntries(projectFiles().map((f) => [f, projectName(fs.readFileSync(path.join(REPO, f), "utf8"))]));

  it("finds the programs and reads a name from each", () => {
    // the root program and every example are among them, so the scan can't pass by finding nothing
    for (const f of [
      "Pulumi.yaml",
      "examples/quickstart/Pulumi.yaml",
      "examples/customer-backend/Pulumi.yaml",
      "test/e2e/programs/options/Pulumi.yaml",
    ]) {
      expect(Object.keys(files)).toContain(f);
    }
    for (const [file, name] of Object.entries(files))
      expect({ file, name: name ?? "(none)" }).toEqual({ file, name: expect.stringMatching(/^[A-Za-z0-9._-]+$/) });
  });

  it("the duplicate check flags two programs with one name (positive control)", () => {
    expect(duplicates({ "a/Pulumi.yaml": "same", "b/Pulumi.yaml": "same", "c/Pulumi.yaml": "other" })).toEqual({
      same: ["a/Pulumi.yaml", "b/Pulumi.yaml"],
    });
    expect(projectName('# comment\nname: "quoted-name" # trailing\nruntime: nodejs\n')).toBe("quoted-name");
  });

  it("are unique across the repository", () => {
    expect(duplicates(files)).toEqual({});
  });
});
