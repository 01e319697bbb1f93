/**
 * The `__provider` stub in every stack's state requires the lifecycle modules by name
 * (provider/resources/dynamicResource.ts). States written by any release carry these exact paths, so
 * the list below is fixed by hand, not derived from the sources: moving or renaming one of these modules
 * breaks refresh, update and destroy of existing stacks, and must fail here. Runs a plain `node` child on
 * the compiled package (dist/, built by `npx tsc -p .`), resolving through the package name as the
 * provider process does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo";

const STORED_IN_STATE = [
  "pulumi-kataven-widget/provider/lifecycle/widgetKey",
  "pulumi-kataven-widget/provider/lifecycle/widgetSettings",
  "pulumi-kataven-widget/provider/lifecycle/agentWidgetSettings",
];

const SCRIPT = String.raw`
const out = {};
for (const name of JSON.parse(process.argv[1])) {
  try {
    const m = require(name);
    out[name] = { file: require.resolve(name), attach: typeof m.attach };
  } catch (err) {
    out[name] = { error: String(err && err.message) };
  }
}
console.log(JSON.stringify(out));
`;

describe("lifecycle module paths named in stored state", () => {
  const built = existsSync(join(REPO_ROOT, "dist/provider/lifecycle/widgetKey.js"));

  (built ? it : it.skip)("each one resolves from the installed package and exports attach()", () => {
    const raw = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(STORED_IN_STATE)], { cwd: REPO_ROOT, encoding: "utf8" });
    const resolved = JSON.parse(raw.trim().split("\n").pop()!) as Record<string, { file?: string; attach?: string; error?: string }>;
    for (const name of STORED_IN_STATE) {
      expect({ name, ...resolved[name] }).toEqual({
        name,
        file: expect.stringMatching(/dist\/provider\/lifecycle\/\w+\.js$/),
        attach: "function",
      });
    }
  });

  it("the resources hand the engine exactly these paths", () => {
    const dir = join(REPO_ROOT, "provider/resources");
    const named = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/providerStub\("([^"]+)"\)/g)].map((m) => m[1]));
    expect(named.sort()).toEqual([...STORED_IN_STATE].sort());
  });
});
