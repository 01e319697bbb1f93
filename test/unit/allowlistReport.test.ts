/**
 * The allowlist report (scripts/allowlistReport.ts): a recorded `pulumi preview --json` from the real
 * engine and the local server (test/fixtures/, recorded by test/e2e/allowlistReport.test.ts) gives exactly
 * the expected Markdown; hand-made previews cover the cases that recording does not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { keyChanges, parsePreviewJson, renderAllowlistReport } from "../../scripts/allowlistReport";

const FIXTURES = path.join(__dirname, "../fixtures");
const KEY = "pulumi-nodejs:dynamic/kataven:WidgetKey";
import { UNKNOWN } from "../../contract/engine";
const urn = (name: string, type = KEY) => `urn:pulumi:prod::kataven-widget::${type}::${name}`;
const state = (props: Record<string, unknown>, type = KEY) => ({
  type,
  inputs: { __provider: "exports.handler = …", ...props },
  outputs: props,
});

describe("the recorded preview", () => {
  let preview: string;
  let expected: string;
  beforeAll(() => {
    preview = fs.readFileSync(path.join(FIXTURES, "allowlist-preview.json"), "utf8");
    expected = fs.readFileSync(path.join(FIXTURES, "allowlist-report.md"), "utf8");
  });

  it("renders exactly the expected Markdown", () => {
    expect(renderAllowlistReport(JSON.parse(preview))).toBe(expected);
  });

  it("holds no plaintext secret, and the report prints none", () => {
    expect(preview).not.toMatch(/sk_live_[A-Za-z0-9]/); // secretKey outputs are "[secret]" in preview JSON
    expect(preview).toContain('"secretKey": "[secret]"');
    expect(expected).not.toMatch(/sk_live_|pk_live_|\[secret\]/);
  });

  it("is the same whatever the order of the steps", () => {
    const doc = JSON.parse(preview);
    doc.steps.reverse();
    expect(renderAllowlistReport(doc)).toBe(expected);
  });
});

describe("renderAllowlistReport", () => {
  it("says so when no key changes", () => {
    const md = renderAllowlistReport({
      steps: [
        {
          op: "same",
          urn: urn("website"),
          oldState: state({ domainAllowlist: ["https://a.example"] }),
          newState: state({ domainAllowlist: ["https://a.example"] }),
        },
        { op: "same", urn: urn("portal"), oldState: state({ domainAllowlist: [] }), newState: state({ domainAllowlist: [] }) },
      ],
    });
    expect(md).toBe("## Kataven widget keys: stack `prod`\n\nNo widget key changes (2 unchanged).\n");
  });

  it("compares canonical forms: a re-spelled allowlist is no origin change", () => {
    const [c] = keyChanges({
      steps: [
        {
          op: "update",
          urn: urn("website"),
          oldState: state({ domainAllowlist: ["https://a.example", "*.a.example"] }),
          newState: state({ domainAllowlist: ["A.EXAMPLE", "https://*.a.example/"], agentId: "agent-2" }),
        },
      ],
    });
    expect(c.old?.allowlist).toEqual(["*.a.example", "https://a.example"]);
    expect(c.new?.allowlist).toEqual(["*.a.example", "https://a.example"]);
    const md = renderAllowlistReport({
      steps: [
        {
          op: "update",
          urn: urn("website"),
          oldState: state({ domainAllowlist: ["https://a.example"] }),
          newState: state({ domainAllowlist: ["a.example"] }),
        },
      ],
    });
    expect(md).toContain("| `website` | updated | unchanged |");
    expect(md).toContain("No change to the allowlist, agent or enabled state.");
  });

  it("merges the steps of a replacement (create-replacement + delete-replaced) into one entry", () => {
    const old = state({ domainAllowlist: ["https://a.example"], rotation: "1", agentId: "agent-1" });
    const neu = state({ domainAllowlist: ["https://a.example"], rotation: "2", agentId: "agent-1" });
    const md = renderAllowlistReport({
      steps: [
        { op: "create-replacement", urn: urn("website"), oldState: old, newState: neu, replaceReasons: ["rotation"] },
        { op: "delete-replaced", urn: urn("website"), oldState: old },
      ],
    });
    expect(md.match(/### `website`/g)).toHaveLength(1);
    expect(md).toContain("| `website` | replaced (rotation) | unchanged |");
    expect(md).toContain("A new key pair is minted (rotation `1` → `2`)");
  });

  it("warns about added wildcards, loopback origins and an enabled key with no origins, sorted", () => {
    const md = renderAllowlistReport({
      steps: [
        { op: "create", urn: urn("zeta"), newState: state({ domainAllowlist: ["localhost:3000", "acme.example:*"] }) },
        { op: "create", urn: urn("alpha"), newState: state({ domainAllowlist: ["https://*.acme.example"], agentId: "a" }) },
        { op: "create", urn: urn("empty"), newState: state({ domainAllowlist: [], agentId: "a" }) },
        { op: "create", urn: urn("off"), newState: state({ domainAllowlist: [], agentId: "a", disabled: true }) },
      ],
    });
    const warnings = md.split("\n").filter((l) => l.startsWith("- ⚠️"));
    expect(warnings).toEqual([
      "- ⚠️ `alpha` adds the wildcard `*.acme.example`, which allows every subdomain of `acme.example`, at any depth.",
      "- ⚠️ `empty` is enabled with an empty allowlist: every page is refused.",
      "- ⚠️ `zeta` adds the loopback origin `localhost:3000`: pages served from the visitor's own machine can use this key.",
      "- ⚠️ `zeta` adds the wildcard `acme.example:*`, which allows every port of `acme.example`.",
    ]);
    expect(md).toContain("A new key pair, not pinned to an agent.");
    expect(md).toContain("A new key pair, pinned to agent `a`, created **disabled**.");
  });

  it("does not warn again about wildcards that were already there", () => {
    const md = renderAllowlistReport({
      steps: [
        {
          op: "update",
          urn: urn("website"),
          oldState: state({ domainAllowlist: ["*.acme.example"] }),
          newState: state({ domainAllowlist: ["*.acme.example", "https://b.example"] }),
        },
      ],
    });
    expect(md).not.toContain("Warnings");
    expect(md).toContain("```diff\n  *.acme.example\n+ https://b.example\n```");
  });

  it("reports agent and enabled-state changes", () => {
    const md = renderAllowlistReport({
      steps: [
        {
          op: "update",
          urn: urn("website"),
          oldState: state({ domainAllowlist: ["https://a.example"], agentId: "agent-1" }),
          newState: state({ domainAllowlist: ["https://a.example"], disabled: true }),
        },
      ],
    });
    expect(md).toContain("Agent: `agent-1` → none (not pinned).");
    expect(md).toContain("The key is **disabled**: every origin is refused.");
  });

  it("a computed allowlist is reported as known after apply", () => {
    const md = renderAllowlistReport({ steps: [{ op: "create", urn: urn("website"), newState: state({ domainAllowlist: UNKNOWN }) }] });
    expect(md).toContain("| `website` | created | known after apply |");
    expect(md).toContain("known only after apply");
  });

  it("never prints secrets: secret outputs are not read and diagnostics are redacted", () => {
    const secret = "sk_live_acme_0123456789abcdefghijklmnop";
    const md = renderAllowlistReport({
      steps: [
        {
          op: "delete",
          urn: urn("website"),
          oldState: {
            type: KEY,
            inputs: { domainAllowlist: ["https://a.example"] },
            outputs: { domainAllowlist: ["https://a.example"], secretKey: secret, publicKey: "pk_live_acme_x" },
          },
        },
      ],
      diagnostics: [{ severity: "error", message: `create failed for key ${secret}` }],
    });
    expect(md).not.toContain(secret);
    expect(md).not.toContain("pk_live_");
    expect(md).toContain("**The preview failed**");
    expect(md).toContain("create failed for key sk_live_…[redacted]");
  });

  it("lists other Kataven resources that change, without their properties", () => {
    const md = renderAllowlistReport({
      steps: [
        {
          op: "update",
          urn: urn("agent-support", "pulumi-nodejs:dynamic/kataven:AgentWidgetSettings"),
          oldState: state({ authMode: "guest" }, "pulumi-nodejs:dynamic/kataven:AgentWidgetSettings"),
          newState: state({ authMode: "both" }, "pulumi-nodejs:dynamic/kataven:AgentWidgetSettings"),
        },
        { op: "create", urn: urn("branding", "pulumi-nodejs:dynamic/kataven:WidgetSettings") },
      ],
    });
    expect(md).toContain(
      "### Other Kataven settings\n\n- `agent-support` (AgentWidgetSettings) updated\n- `branding` (WidgetSettings) created\n",
    );
    expect(md).not.toContain("both");
  });
});

describe("parsePreviewJson", () => {
  it("finds the document after lines a program printed", () => {
    expect(parsePreviewJson('program says hi\n{\n  "steps": []\n}\n')).toEqual({ steps: [] });
  });
  it("rejects text without a preview", () => {
    expect(() => parsePreviewJson("error: no stack")).toThrow("not `pulumi preview --json` output");
  });
});
