/**
 * The `__provider` text that Pulumi stores in state for each resource: small, free of credentials and
 * URLs, and working once deserialized (configure() attaches the lifecycle methods). Closure serialization
 * does not work under jest's module system (pulumi/pulumi#3799), so this runs a plain `node` child on the
 * compiled package (dist/, built by `npx tsc -p .`).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo";

const ROOT = REPO_ROOT;

const SCRIPT = String.raw`
const pulumi = require("@pulumi/pulumi");
const seen = [];
pulumi.runtime.setMocks({ newResource(a) { seen.push(a); return { id: "id", state: a.inputs }; }, call() { return {}; } }, "p", "s", false);
process.env.KATAVEN_API_KEY = "sk_live_acme_SecretShouldNotBeCaptured0001";
process.env.KATAVEN_API_URL = "http://127.0.0.1:9/secret-url";
const { WidgetKey, WidgetSettings, AgentWidgetSettings } = require("pulumi-kataven-widget");
const k = new WidgetKey("k", { name: "n", domainAllowlist: ["https://a.com"] });
const declared = ["keyId", "publicKey", "secretKey", "keyLast8", "domainAllowlist", "name", "agentId", "disabled", "disabledAt",
  "lastUsedAt", "createdAt", "secretAvailable", "rotation", "adopt", "tags", "providerVersion"];
const missingOutputs = declared.filter((p) => !pulumi.Output.isInstance(k[p]));
new WidgetSettings("s", { primaryColor: "#fff" });
new AgentWidgetSettings("a", { agentId: "agent-a" });
setTimeout(async () => {
  const out = [];
  for (const s of seen) {
    const text = s.inputs.__provider;
    const p = require("require-from-string")(text).handler();
    const before = Object.keys(p);
    await p.configure({ config: { get: (k) => ({ "kataven:apiKey": "sk_live_acme_FromStackConfig0000000001", "kataven:apiUrl": "http://127.0.0.1:1" })[k] } });
    out.push({ type: s.type, bytes: text.length, text, before, after: Object.keys(p).sort(), providerVersion: s.inputs.providerVersion });
  }
  const cfg = require("pulumi-kataven-widget/provider/config").getConfig();
  console.log(JSON.stringify({ out, apiUrl: cfg.apiUrl, missingOutputs }));
}, 1000);
`;

describe("the serialized provider", () => {
  const built = existsSync(join(ROOT, "dist/provider/resources/widgetKey.js"));
  (built ? it : it.skip)("is under 1 KB per resource, holds no URL or key, and configures itself by name", () => {
    const raw = execFileSync(process.execPath, ["-e", SCRIPT], { cwd: ROOT, encoding: "utf8" });
    const { out, apiUrl, missingOutputs } = JSON.parse(raw.trim().split("\n").pop()!) as {
      missingOutputs: string[];
      out: { type: string; bytes: number; text: string; before: string[]; after: string[]; providerVersion: string }[];
      apiUrl: string;
    };
    expect(out.map((o) => o.type).sort()).toEqual([
      "pulumi-nodejs:dynamic/kataven:AgentWidgetSettings",
      "pulumi-nodejs:dynamic/kataven:WidgetKey",
      "pulumi-nodejs:dynamic/kataven:WidgetSettings",
    ]);
    const version = require(join(ROOT, "package.json")).version as string;
    for (const o of out) {
      expect(o.bytes).toBeLessThan(1024);
      expect(o.text).not.toMatch(/sk_live_|127\.0\.0\.1|secret-url|api\.kataven\.ai/);
      expect(o.text).toMatch(/require\(lifecycleModule\)\.attach\(this, req\.config\)/);
      expect(o.text).toMatch(/"pulumi-kataven-widget\/provider\/lifecycle\/\w+"/);
      expect(o.before).toEqual(["configure"]);
      expect(o.after).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
      expect(o.providerVersion).toBe(version);
    }
    expect(apiUrl).toBe("http://127.0.0.1:1"); // stack config reached the provider at run time
    expect(missingOutputs).toEqual([]); // every declared output exists, also for inputs the program omitted
  });
  if (!built) it("needs the compiled package: run npx tsc -p . first", () => expect(built).toBe(true));
});
