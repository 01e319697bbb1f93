/** Where the repository is, from sources (ts-jest) and from dist/ alike. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root: the nearest ancestor whose package.json is this package's. */
export const REPO_ROOT: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "pulumi-kataven-widget") return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-kataven-widget package.json above ${__dirname}`);
  }
})();

/** A path inside the repository. */
export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);

/**
 * The directory the user ran the command from: `npm run` starts scripts in the package root and says where
 * it was called from in INIT_CWD, so `cd examples/x && npm run allowlist-report` acts on examples/x.
 */
export function invocationDir(): string {
  return process.env.INIT_CWD ? path.resolve(process.env.INIT_CWD) : process.cwd();
}
