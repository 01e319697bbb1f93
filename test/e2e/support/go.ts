/**
 * Go programs in e2e tests: whether one can run here, and its first build done up front with a long timer
 * (minutes on a cold Go cache, seconds warm), so that the `pulumi` commands after it measure the engine and
 * their own timers aren't spent on the compiler. Tests that run a Go program share the toolchain's Go caches.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOnPath, runProcess } from "../../../scripts/lib/processes";
import { REPO_ROOT } from "../../../scripts/lib/repo";

/** Why a Go program can't run here, or null: Go and the Go language host (beside `pulumi` or on PATH). */
export function missingGo(): string | null {
  if (!findOnPath("go")) return "go is not on PATH";
  const pulumi = findOnPath("pulumi");
  const beside = pulumi && path.join(path.dirname(fs.realpathSync(pulumi)), "pulumi-language-go");
  if ((beside && fs.existsSync(beside)) || findOnPath("pulumi-language-go")) return null;
  return "pulumi-language-go is neither beside pulumi nor on PATH (run through scripts/toolchain.sh --go, as npm test does)";
}

/** The Go build time a test should allow for a cold cache, beside its own timer. */
export const GO_BUILD_TIMEOUT_MS = 900_000;

/**
 * `go build` of the Go program in dir (the binary discarded) with the toolchain's Go caches, as the Go
 * language host builds it; logs and returns the seconds it took, throws with Go's output if it fails.
 */
export async function buildGoProgram(dir: string): Promise<number> {
  const t0 = Date.now();
  const build = await runProcess("bash", [path.join(REPO_ROOT, "scripts/toolchain.sh"), "--go", "go", "build", "-o", os.devNull, "."], {
    cwd: dir,
    timeoutMs: GO_BUILD_TIMEOUT_MS,
  });
  if (build.code !== 0) throw new Error(`go build in ${path.relative(REPO_ROOT, dir)} failed:\n${build.output}`);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`go build of ${path.relative(REPO_ROOT, dir)}: ${seconds.toFixed(1)} s`);
  return seconds;
}
