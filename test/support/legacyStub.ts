/**
 * The `__provider` text that builds before the one-line stub (provider/resources/dynamicResource.ts)
 * stored: the SDK closure serializer's form of a provider whose configure() requires the lifecycle module
 * by name and calls its attach(). States written then still hold it. Closure serialization does not work
 * under jest's module system (pulumi/pulumi#3799), so a plain `node` child makes it.
 */
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "../../scripts/lib/repo";

const SCRIPT = String.raw`
const pulumi = require("@pulumi/pulumi");
(async () => {
  const out = {};
  for (const lifecycleModule of JSON.parse(process.argv[1])) {
    const provider = { async configure(req) { require(lifecycleModule).attach(this, req.config); } };
    out[lifecycleModule] = (await pulumi.runtime.serializeFunction(() => provider)).text;
  }
  console.log(JSON.stringify(out));
})();
`;

/** The legacy stub text for each lifecycle module name (`pulumi-kataven-widget/provider/lifecycle/<name>`). */
export function legacyStubs(lifecycleModules: string[]): Record<string, string> {
  const raw = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(lifecycleModules)], { cwd: REPO_ROOT, encoding: "utf8" });
  return JSON.parse(raw.trim().split("\n").pop()!) as Record<string, string>;
}
