/**
 * The policy pack's rules (policy/rules.ts) on plain WidgetKey input objects, as the analyzer hands them
 * over; the e2e (test/e2e/policy.test.ts) proves the same rules through `pulumi preview --policy-pack`.
 */
import { entryHost } from "../../contract/allowlist";
import {
  globMatch,
  isProdStack,
  noEmptyAllowlist,
  noLoopbackOnProd,
  noWildcardsOnProd,
  prodKeysPinAgent,
  RULES,
  WidgetKeyRuleInput,
} from "../../policy/rules";

const prod = { stack: "prod", resourceName: "website" };
const dev = { stack: "dev", resourceName: "website" };
const key = (k: WidgetKeyRuleInput): WidgetKeyRuleInput => ({ name: "website", agentId: "agent-1", ...k });

describe("prod stacks", () => {
  it.each([
    ["prod", true],
    ["production", true],
    ["prod-eu", true],
    ["prod-", true],
    ["dev", false],
    ["staging", false],
    ["preprod", false],
    ["prod2", false],
    ["production-eu", false],
  ])("%s is prod by default: %s", (stack, expected) => {
    expect(isProdStack(stack)).toBe(expected);
  });

  it("the prod patterns are configurable globs", () => {
    expect(isProdStack("live", ["live", "eu-*-prod"])).toBe(true);
    expect(isProdStack("eu-west-prod", ["live", "eu-*-prod"])).toBe(true);
    expect(isProdStack("prod", ["live"])).toBe(false);
  });

  it("glob characters other than * are literal", () => {
    expect(globMatch("prod.eu", "prod.eu")).toBe(true);
    expect(globMatch("prod.eu", "prodxeu")).toBe(false);
    expect(globMatch("a+b", "a+b")).toBe(true);
  });
});

describe("entryHost", () => {
  it.each([
    ["https://acme.com", "acme.com"],
    ["https://acme.com:8443", "acme.com"],
    ["*.acme.com", "acme.com"],
    ["acme.com:*", "acme.com"],
    ["localhost:3000", "localhost"],
    ["http://localhost:3000", "localhost"],
    ["*.localhost", "localhost"],
    ["http://127.0.0.1:8080", "127.0.0.1"],
    ["[::1]:3000", "[::1]"],
    ["http://[::1]", "[::1]"],
  ])("%s → %s", (entry, host) => {
    expect(entryHost(entry)).toBe(host);
  });
});

describe("no-loopback-origins-on-prod", () => {
  it.each([
    ["http://localhost:3000"],
    ["localhost"],
    ["localhost:*"],
    ["https://app.localhost"],
    ["*.localhost"],
    ["127.0.0.1:8080"],
    ["http://127.1.2.3"],
    ["http://[::1]:3000"],
  ])("flags %s on prod", (entry) => {
    const v = noLoopbackOnProd.check(key({ domainAllowlist: ["https://acme.com", entry] }), prod);
    expect(v).toHaveLength(1);
    expect(v[0]).toContain('widget key "website" on production stack "prod" allows loopback origin(s)');
  });

  it("names every loopback entry in canonical form, in one message", () => {
    const v = noLoopbackOnProd.check(key({ domainAllowlist: ["LOCALHOST:3000", "http://127.0.0.1:8080/", "https://acme.com"] }), prod);
    expect(v).toEqual([
      'widget key "website" on production stack "prod" allows loopback origin(s) "localhost:3000", "http://127.0.0.1:8080" in domainAllowlist; ' +
        "any page served from the visitor's own machine could use this key. Remove them here and keep them on a dev stack.",
    ]);
  });

  it("passes public origins and loopback-looking public names", () => {
    expect(noLoopbackOnProd.check(key({ domainAllowlist: ["https://acme.com", "localhost.acme.com", "*.acme.com"] }), prod)).toEqual([]);
  });

  it("allows loopback on non-prod stacks", () => {
    expect(noLoopbackOnProd.check(key({ domainAllowlist: ["http://localhost:3000"] }), dev)).toEqual([]);
  });

  it("applies to disabled keys too (re-enabling one must not need a policy change)", () => {
    expect(noLoopbackOnProd.check(key({ domainAllowlist: ["localhost:3000"], disabled: true }), prod)).toHaveLength(1);
  });

  it("follows the configured prod patterns", () => {
    const entry = key({ domainAllowlist: ["localhost:3000"] });
    expect(noLoopbackOnProd.check(entry, { stack: "live", resourceName: "website" }, { prodStacks: ["live"] })).toHaveLength(1);
    expect(noLoopbackOnProd.check(entry, prod, { prodStacks: ["live"] })).toEqual([]);
  });

  it("ignores invalid entries (check() already rejects them) and non-list values", () => {
    expect(noLoopbackOnProd.check(key({ domainAllowlist: ["http://localhost:3000/path"] }), prod)).toEqual([]);
    expect(noLoopbackOnProd.check(key({ domainAllowlist: undefined }), prod)).toEqual([]);
  });
});

describe("no-wildcard-origins-on-prod", () => {
  it("flags *.domain and host:* on prod", () => {
    const v = noWildcardsOnProd.check(key({ domainAllowlist: ["https://*.acme.com", "https://acme.com", "acme.com:*"] }), prod);
    expect(v).toEqual([
      'widget key "website" on production stack "prod" uses wildcard entries "*.acme.com", "acme.com:*" in domainAllowlist. ' +
        'List the exact origins, or allow wildcards for this key: tag it (tags: ["allow-wildcards"]) or add ' +
        '{"no-wildcard-origins-on-prod": {"allowWildcardKeys": ["website"]}} to the policy pack config.',
    ]);
  });

  it("passes exact origins on prod and wildcards on dev", () => {
    expect(noWildcardsOnProd.check(key({ domainAllowlist: ["https://acme.com", "https://www.acme.com:8443"] }), prod)).toEqual([]);
    expect(noWildcardsOnProd.check(key({ domainAllowlist: ["*.acme.com"] }), dev)).toEqual([]);
  });

  it("a key tagged allow-wildcards may use wildcards; other tags change nothing", () => {
    expect(noWildcardsOnProd.check(key({ domainAllowlist: ["*.acme.com"], tags: ["allow-wildcards"] }), prod)).toEqual([]);
    expect(noWildcardsOnProd.check(key({ domainAllowlist: ["*.acme.com"], tags: ["team-web"] }), prod)).toHaveLength(1);
    expect(noWildcardsOnProd.check(key({ domainAllowlist: ["*.acme.com"], tags: "allow-wildcards" }), prod)).toHaveLength(1);
  });

  it("a key listed in allowWildcardKeys (by resource name, key name or glob) may use wildcards", () => {
    const k = key({ name: "acme.com production", domainAllowlist: ["*.acme.com"] });
    expect(noWildcardsOnProd.check(k, prod, { allowWildcardKeys: ["website"] })).toEqual([]);
    expect(noWildcardsOnProd.check(k, prod, { allowWildcardKeys: ["acme.com production"] })).toEqual([]);
    expect(noWildcardsOnProd.check(k, prod, { allowWildcardKeys: ["web*"] })).toEqual([]);
    expect(noWildcardsOnProd.check(k, prod, { allowWildcardKeys: ["portal"] })).toHaveLength(1);
  });
});

describe("no-empty-allowlist", () => {
  it("flags an enabled key with no origins, on any stack", () => {
    for (const ctx of [prod, dev]) {
      expect(noEmptyAllowlist.check(key({ domainAllowlist: [] }), ctx)).toEqual([
        'widget key "website" is enabled but its domainAllowlist is empty, so every page is refused. ' +
          "Add the origins that embed the widget, or set disabled: true.",
      ]);
    }
  });

  it("a missing allowlist counts as empty", () => {
    expect(noEmptyAllowlist.check(key({}), dev)).toHaveLength(1);
  });

  it("passes a disabled key with no origins, and any key with origins", () => {
    expect(noEmptyAllowlist.check(key({ domainAllowlist: [], disabled: true }), dev)).toEqual([]);
    expect(noEmptyAllowlist.check(key({ domainAllowlist: ["https://acme.com"], disabled: false }), dev)).toEqual([]);
  });
});

describe("prod-keys-pin-agent", () => {
  it.each([[undefined], [null], [""]])("flags an enabled prod key with agentId %p", (agentId) => {
    expect(prodKeysPinAgent.check(key({ agentId, domainAllowlist: ["https://acme.com"] }), prod)).toEqual([
      'widget key "website" on production stack "prod" does not pin an agent, so a page may pick any agent of the account. ' +
        'Set agentId ("agent:" in kataven-widget:keys).',
    ]);
  });

  it("passes a pinned key, a disabled key and any key off prod", () => {
    expect(prodKeysPinAgent.check(key({ agentId: "agent-1" }), prod)).toEqual([]);
    expect(prodKeysPinAgent.check(key({ agentId: undefined, disabled: true }), prod)).toEqual([]);
    expect(prodKeysPinAgent.check(key({ agentId: undefined }), dev)).toEqual([]);
  });
});

describe("the rule set", () => {
  it("has unique names and the documented default levels", () => {
    expect(Object.fromEntries(RULES.map((r) => [r.name, r.defaultLevel]))).toEqual({
      "no-loopback-origins-on-prod": "mandatory",
      "no-wildcard-origins-on-prod": "mandatory",
      "no-empty-allowlist": "advisory",
      "prod-keys-pin-agent": "advisory",
    });
  });

  it("never declares enforcementLevel as a config property (@pulumi/policy rejects it)", () => {
    for (const r of RULES) expect(Object.keys(r.configSchema)).not.toContain("enforcementLevel");
  });

  it("a compliant prod key passes every rule", () => {
    const k = key({ domainAllowlist: ["https://acme.com", "https://www.acme.com"] });
    expect(RULES.flatMap((r) => r.check(k, prod))).toEqual([]);
  });
});
