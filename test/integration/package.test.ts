/**
 * What `npm pack` puts in the tarball (package.json `files`): everything a user's project needs at run
 * time, and nothing else. Compares `npm pack --dry-run --json` with the list derived from the sources, so
 * a new contract/provider/server module is expected automatically and a stray test, example or stack file fails.
 * Needs a build first (`npx tsc -p .`; npm test does), because the tarball takes dist/ as it is on disk.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT as ROOT } from "../../scripts/lib/repo";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** The files of `npm pack`, without running `prepare` (the test must not rebuild the tree it checks). */
function packedEntries(): Array<{ path: string; mode: number }> {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [entry] = JSON.parse(out) as Array<{ files: Array<{ path: string; mode: number }> }>;
  return entry.files;
}

/** The .ts sources under a directory (no tests live there), relative to the repository root. */
function sources(dir: string): string[] {
  return (fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.posix.join(dir, f.split(path.sep).join("/")));
}

function expectedFiles(): string[] {
  const compiled = ["contract", "provider", "server", "policy"].flatMap(sources).flatMap((src) => {
    const base = `dist/${src.slice(0, -".ts".length)}`;
    return [`${base}.js`, `${base}.d.ts`];
  });
  const plain = [
    "package.json",
    "README.md",
    "bin/kataven-local.js",
    "bin/kataven-recover.js",
    // the native provider plugin (Pulumi YAML and other languages), found through plugins.providers[].path
    "bin/pulumi-resource-kataven",
    "server/README.md",
    // the policy pack runs from the installed package: --policy-pack node_modules/pulumi-kataven-widget/policy
    "policy/PulumiPolicy.yaml",
    "policy/package.json",
    "policy/README.md",
  ];
  if (fs.existsSync(path.join(ROOT, "LICENSE"))) plain.push("LICENSE");
  // the generated Go SDK, for a Go program's replace directive (examples/go)
  const goSdk = (fs.readdirSync(path.join(ROOT, "sdk/go/kataven"), { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => fs.statSync(path.join(ROOT, "sdk/go/kataven", f)).isFile())
    .map((f) => `sdk/go/kataven/${f.split(path.sep).join("/")}`);
  return [...compiled, ...plain, "sdk/go/go.mod", ...goSdk].sort();
}

/** Every file a package.json field points at, as a tarball path ("./dist/x.js" -> "dist/x.js"). */
function declaredTargets(): string[] {
  const rel = (p: string) => path.posix.normalize(p).replace(/^\.\//, "");
  const targets = [rel(pkg.main), rel(pkg.types), ...Object.values<string>(pkg.bin).map(rel)];
  for (const [subpath, target] of Object.entries<string>(pkg.exports)) {
    if (!subpath.includes("*")) {
      targets.push(rel(target));
      continue;
    }
    // "./provider/*" -> "./dist/provider/*.js": each module the serialized provider or a user may require
    // by that subpath ("pulumi-kataven-widget/provider/lifecycle/widgetKey") must be packed.
    const [prefix, suffix] = rel(target).split("*");
    const srcDir = prefix.replace(/^dist\//, "").replace(/\/$/, "");
    for (const src of sources(srcDir)) targets.push(`${prefix}${src.slice(srcDir.length + 1, -".ts".length)}${suffix}`);
  }
  return targets;
}

describe("the npm tarball", () => {
  let files: string[];
  let entries: Array<{ path: string; mode: number }>;
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, pkg.main))) throw new Error(`${pkg.main} is missing: build first with "npx tsc -p ."`);
    entries = packedEntries();
    files = entries.map((f) => f.path).sort();
  }, 60_000);

  it("ships the plugin launcher executable (the engine runs it directly)", () => {
    const launcher = entries.find((f) => f.path === "bin/pulumi-resource-kataven");
    expect(launcher).toBeDefined();
    expect(launcher!.mode & 0o111).toBe(0o111);
  });

  it("holds every file package.json points at (main, types, bin, each exports target)", () => {
    const missing = declaredTargets().filter((t) => !files.includes(t));
    expect(missing).toEqual([]);
  });

  it("holds exactly the compiled contract, provider, server and policy pack, the bin script and the READMEs", () => {
    expect(files).toEqual(expectedFiles());
  });

  it("ships no tests, examples, bench, CI, scripts, TypeScript sources, source maps or stack files", () => {
    const stray = files.filter((f) =>
      /^(test|bench|examples|program|scripts|\.ci)\/|^dist\/(test|bench|examples|program|scripts)\/|Pulumi\.[^/]*\.ya?ml$|\.map$|(?<!\.d)\.ts$/.test(
        f,
      ),
    );
    expect(stray).toEqual([]);
  });

  it("every relative require() in the shipped JavaScript resolves inside the tarball", () => {
    const unresolved: string[] = [];
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const target = path.posix.join(path.posix.dirname(file), m[1]);
        if (![target, `${target}.js`, `${target}/index.js`, `${target}.json`].some((t) => files.includes(t))) {
          unresolved.push(`${file} -> ${m[1]}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });

  it("takes @pulumi/pulumi from the user's project (peer), keeping the exact dev pin for this repository", () => {
    // Two SDK copies in a user's project break Automation API inline programs (each copy keeps its own runtime state).
    expect(pkg.dependencies["@pulumi/pulumi"]).toBeUndefined();
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toBe(">=3.216.0 <4.0.0");
    expect(pkg.devDependencies["@pulumi/pulumi"]).toMatch(/^\d+\.\d+\.\d+$/);
    // the policy pack's framework is only needed by those who run the pack
    expect(pkg.peerDependenciesMeta["@pulumi/policy"]).toEqual({ optional: true });
    // every other runtime dependency stays pinned exactly
    const loose = Object.entries<string>(pkg.dependencies).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v));
    expect(loose).toEqual([]);
  });
});
