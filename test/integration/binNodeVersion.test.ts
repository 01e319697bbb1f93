/**
 * bin/kataven-local.js under a Node.js older than package.json's engines (the server needs node:sqlite):
 * exit 1 with one line naming the Node it needs and the one it found, no stack trace. Runs the system
 * Node at /usr/bin/node (20 on the development machine); skipped, with a printed reason, when that binary
 * is missing or new enough. The same script under the test's own Node starts the real CLI.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT as ROOT } from "../../scripts/lib/repo";

const BIN = path.join(ROOT, "bin/kataven-local.js");
const OLD_NODE = "/usr/bin/node";
const wanted: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node;

/** The version of a node binary, or why it can't serve as the "too old" Node. */
function oldNode(): { version: string } | { skip: string } {
  if (!fs.existsSync(OLD_NODE)) return { skip: `${OLD_NODE} is absent` };
  const version = spawnSync(OLD_NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  const [wantMajor, wantMinor] = wanted
    .replace(/^>=\s*/, "")
    .split(".")
    .map(Number);
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor))
    return { skip: `${OLD_NODE} is ${version}, not older than ${wanted}` };
  return { version };
}

const old = oldNode();
if ("skip" in old) console.warn(`SKIPPED: kataven-local under an old Node.js: ${old.skip}`);
const itOld = "skip" in old ? it.skip : it;

describe("bin/kataven-local.js and the Node.js version", () => {
  itOld("an old Node.js gets exit 1 and one line naming the Node.js needed and found", () => {
    const version = (old as { version: string }).version;
    for (const args of [["serve", "--port", "0"], ["bootstrap", "--data", "/nonexistent", "--account", "acme"], []]) {
      const r = spawnSync(OLD_NODE, [BIN, ...args], { encoding: "utf8", timeout: 15_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`needs Node.js ${wanted}`);
      expect(lines[0]).toContain(`this is Node.js ${version}`);
      expect(r.stderr).not.toMatch(/ERR_UNKNOWN_BUILTIN_MODULE|\n\s+at /);
    }
  });

  it("the test's own Node.js (new enough) runs the real CLI", () => {
    const r = spawnSync(process.execPath, [BIN, "no-such-command"], { encoding: "utf8", timeout: 15_000 });
    expect(r.stderr).toContain('unknown command "no-such-command"');
    expect(r.stderr).toContain("usage:");
    expect(r.stderr).not.toContain("needs Node.js");
  });
});
