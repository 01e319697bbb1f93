/**
 * scripts/toolchain.sh's Go builds, on a first run: their output (hundreds of `go: downloading` lines on a
 * cold cache) goes to a log file under the cache, not to the terminal; a failed build shows the log's tail
 * and its path. Runs the real script with an empty cache and a stand-in `go` that prints like a cold build.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/repo";

const LINES = 300;
// Prints LINES download lines like a cold `go build`; writes an executable at `-o` unless FAKE_GO_FAIL is set.
const FAKE_GO = `#!/bin/sh
i=0; while [ $i -lt ${LINES} ]; do echo "go: downloading example.com/mod$i v1.0.0" >&2; i=$((i+1)); done
[ -n "$FAKE_GO_FAIL" ] && { echo "build failed: $FAKE_GO_FAIL" >&2; exit 2; }
while [ $# -gt 0 ]; do if [ "$1" = -o ]; then mkdir -p "$(dirname "$2")"; printf '#!/bin/sh\\necho v3.259.0\\n' > "$2"; chmod +x "$2"; fi; shift; done
`;

/** A directory on PATH with a Node.js >= 22.18 (the toolchain then fetches none). */
function newNodeDir(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir || !fs.existsSync(path.join(dir, "node"))) continue;
    const [major, minor] = spawnSync(path.join(dir, "node"), ["-p", "process.versions.node"], { encoding: "utf8" })
      .stdout.split(".")
      .map(Number);
    if (major > 22 || (major === 22 && minor >= 18)) return dir;
  }
  throw new Error("no Node.js >= 22.18 on PATH: run this test through `npm test`");
}

function run(fail: boolean): { code: number | null; stderr: string; cache: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-log-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "go"), FAKE_GO, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = {
    HOME: root,
    XDG_CACHE_HOME: path.join(root, "cache"),
    // the stand-in go, this test's Node (new enough, so none is fetched) and the system tools; no pulumi
    PATH: [bin, newNodeDir(), "/usr/bin", "/bin"].join(":"),
    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
    PULUMI_HOME: path.join(root, "pulumi-home"),
    ...(fail ? { FAKE_GO_FAIL: "on purpose" } : {}),
  };
  const r = spawnSync("bash", [path.join(REPO_ROOT, "scripts/toolchain.sh"), "--pulumi", "true"], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, cache: path.join(root, "cache/pulumi-kataven-widget") };
}

const downloads = (text: string) => text.split("\n").filter((l) => l.includes("go: downloading")).length;

describe("scripts/toolchain.sh: Go build output", () => {
  it("goes to logs/<what>.log under the cache; the terminal shows none of it", () => {
    const r = run(false);
    expect(r.stderr).not.toContain("error");
    expect(r.stderr).not.toContain("installing Node");
    expect(r.code).toBe(0);
    expect(downloads(r.stderr)).toBe(0);
    for (const what of ["pulumi-cli", "pulumi-language-nodejs"]) {
      expect(downloads(fs.readFileSync(path.join(r.cache, "logs", `${what}.log`), "utf8"))).toBe(LINES);
    }
    expect(r.stderr).toContain("built pulumi v3.259.0");
  });

  it("a failed build prints the log's last lines and its path, and the command fails", () => {
    const r = run(true);
    const log = path.join(r.cache, "logs/pulumi-cli.log");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("build failed: on purpose");
    expect(r.stderr).toContain(`the whole output is in ${log}`);
    expect(downloads(r.stderr)).toBeLessThan(30);
    expect(fs.readFileSync(log, "utf8")).toContain("build failed: on purpose");
    expect(fs.existsSync(path.join(r.cache, "pulumi/v3.259.0/bin/pulumi"))).toBe(false);
  });
});
