/**
 * package-lock.json's root entry is what `npm install` writes from package.json. When they differ, a fresh
 * `npm install` rewrites the lockfile and `npm ci` installs from a stale one; after editing package.json run
 * `npm install --ignore-scripts --no-audit --no-fund` and commit the lockfile with it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "../..");
/** The package.json fields npm copies into the lockfile's root entry (packages[""]). */
const FIELDS = [
  "name",
  "version",
  "license",
  "bin",
  "engines",
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
] as const;

type Manifest = Partial<Record<(typeof FIELDS)[number], unknown>>;

function read(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as Record<string, unknown>;
}

/** The fields of `m` npm records, with object keys sorted (npm sorts some of them). */
function recorded(m: Manifest): Record<string, unknown> {
  const sort = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sort(x)]),
        )
      : v;
  return Object.fromEntries(FIELDS.filter((f) => m[f] !== undefined).map((f) => [f, sort(m[f])]));
}

describe("package-lock.json", () => {
  const pkg = read("package.json") as Manifest;
  const lock = read("package-lock.json") as { name?: string; version?: string; packages?: Record<string, Manifest> };

  it("names the package and version of package.json", () => {
    expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg.name, version: pkg.version });
  });

  it("has a root entry matching package.json (name, version, bin, engines, every dependency list)", () => {
    const root = lock.packages?.[""];
    expect(root).toBeDefined();
    expect(recorded(root as Manifest)).toEqual(recorded(pkg));
  });
});
