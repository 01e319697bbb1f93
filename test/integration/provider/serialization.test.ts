/**
 * The `__provider` text that Pulumi stores in state for each resource: one short line, free of
 * credentials and URLs, and working once loaded as the SDK's dynamic provider host loads it
 * (`requireFromString(text).handler()`, then configure() attaches the lifecycle methods). States written by
 * earlier builds hold the SDK closure serializer's form of the same stub (test/support/legacyStub.ts); it
 * must keep working, so the test configures that form too. This runs a plain `node` child on the compiled
 * package (dist/, built by `npx tsc -p .`), as the provider process does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo";
import { legacyStubs } from "../../support/legacyStub";

const ROOT = REPO_ROOT;

const SCRIPT = String.raw`
const pulumi = require("@pulumi/pulumi");
const seen = [];
pulumi.runtime.setMocks({ newResource(a) { seen.push(a); return { id: "id", state: a.inputs }; }, call() { return {}; } }, "p", "s", false);
process.env.KATAVEN_API_KEY = "sk_live_acme_SecretShouldNotBeCaptured0001";
process.env.KATAVEN_API_URL = "http://127.0.0.1:9/secret-url";
const { WidgetKey, WidgetSettings, AgentWidgetSettings } = require("pulumi-kataven-widget");
Error.stackTraceLimit = 17;
const k = new WidgetKey("k", { name: "n", domainAllowlist: ["https://a.com"] });
const stackTraceLimit = Error.stackTraceLimit;
const declared = ["keyId", "publicKey", "secretKey", "keyLast8", "domainAllowlist", "name", "agentId", "disabled", "disabledAt",
  "lastUsedAt", "createdAt", "secretAvailable", "rotation", "adopt", "tags", "providerVersion"];
const missingOutputs = declared.filter((p) => !pulumi.Output.isInstance(k[p]));
new WidgetSettings("s", { primaryColor: "#fff" });
new AgentWidgetSettings("a", { agentId: "agent-a" });
// The form earlier builds stored (test/support/legacyStub.ts), by lifecycle module name.
const legacy = JSON.parse(process.argv[1]);
setTimeout(async () => {
  const out = [];
  const stubs = seen.map((s) => ({ type: s.type, text: s.inputs.__provider, providerVersion: s.inputs.providerVersion }));
  for (const s of seen) {
    const name = s.inputs.__provider.match(/"(pulumi-kataven-widget[^"]+)"/)[1];
    stubs.push({ type: "legacy " + s.type, text: legacy[name], providerVersion: s.inputs.providerVersion });
  }
  for (const s of stubs) {
    const text = s.text;
    const p = require("require-from-string")(text).handler();
    const before = Object.keys(p);
    await p.configure({ config: { get: (k) => ({ "kataven:apiKey": "sk_live_acme_FromStackConfig0000000001", "kataven:apiUrl": "http://127.0.0.1:1" })[k] } });
    out.push({ type: s.type, bytes: text.length, text, before, after: Object.keys(p).sort(), providerVersion: s.providerVersion });
  }
  const cfg = require("pulumi-kataven-widget/provider/config").getConfig();
  console.log(JSON.stringify({ out, apiUrl: cfg.apiUrl, missingOutputs, stackTraceLimit }));
}, 1000);
`;

describe("the __provider stub stored in state", () => {
  const built = existsSync(join(ROOT, "dist/provider/resources/widgetKey.js"));
  (built ? it : it.skip)(
    "is one line under 200 bytes, holds no URL or key, and configures itself by name; the earlier serialized form still does",
    () => {
      const legacy = legacyStubs(
        ["widgetKey", "widgetSettings", "agentWidgetSettings"].map((m) => `pulumi-kataven-widget/provider/lifecycle/${m}`),
      );
      const raw = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(legacy)], { cwd: ROOT, encoding: "utf8" });
      const { out, apiUrl, missingOutputs, stackTraceLimit } = JSON.parse(raw.trim().split("\n").pop()!) as {
        missingOutputs: string[];
        stackTraceLimit: number;
        out: { type: string; bytes: number; text: string; before: string[]; after: string[]; providerVersion: string }[];
        apiUrl: string;
      };
      const types = ["AgentWidgetSettings", "WidgetKey", "WidgetSettings"].map((t) => `pulumi-nodejs:dynamic/kataven:${t}`);
      expect(out.map((o) => o.type).sort()).toEqual([...types.map((t) => `legacy ${t}`), ...types]);
      const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
      for (const o of out) {
        if (o.type.startsWith("legacy ")) {
          expect(o.text).toMatch(/with\(\{ lifecycleModule: "pulumi-kataven-widget\/provider\/lifecycle\/\w+"/);
        } else {
          expect(o.bytes).toBeLessThan(200);
          expect(o.text).not.toMatch(/\n/);
          expect(o.text).toMatch(
            /^exports\.handler = .*require\("pulumi-kataven-widget\/provider\/lifecycle\/\w+"\)\.attach\(this, req\.config\)/,
          );
        }
        expect(o.text).not.toMatch(/sk_live_|127\.0\.0\.1|secret-url|api\.kataven\.ai/);
        expect(o.before).toEqual(["configure"]);
        expect(o.after).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
        expect(o.providerVersion).toBe(version);
      }
      expect(apiUrl).toBe("http://127.0.0.1:1"); // stack config reached the provider at run time
      expect(missingOutputs).toEqual([]);
      expect(stackTraceLimit).toBe(17); // the constructor's cheaper registration (dynamicResource.ts) restores the program's setting // every declared output exists, also for inputs the program omitted
    },
  );
  if (!built) it("needs the compiled package: run npx tsc -p . first", () => expect(built).toBe(true));
});
