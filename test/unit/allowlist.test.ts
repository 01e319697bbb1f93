/**
 * Allowlist entries: canonical spelling and validation, as a table written from the contract
 * (server/README.md, "The contract in brief": Allowlist) and its list of rejections, not from the code (the provider and the server share contract/allowlist.ts).
 */
import { canonicalizeAllowlist, isBroadEntry, parseAllowlistEntry, sameAllowlist } from "../../contract/allowlist";

/** [entry, canonical form] */
const VALID: [string, string][] = [
  // full origins: lower-case host, default port dropped, trailing slash / dot removed
  ["https://acme.com", "https://acme.com"],
  ["https://ACME.COM", "https://acme.com"],
  ["HTTPS://Acme.com", "https://acme.com"],
  ["https://acme.com/", "https://acme.com"],
  ["https://acme.com.", "https://acme.com"],
  ["https://acme.com:443", "https://acme.com"],
  ["https://acme.com:443/", "https://acme.com"],
  ["https://acme.com:8443", "https://acme.com:8443"],
  ["https://www.acme.com", "https://www.acme.com"],
  ["https://app.eu.acme.com", "https://app.eu.acme.com"],
  ["https://acme.co.uk", "https://acme.co.uk"],
  ["https://1.2.3.4", "https://1.2.3.4"],
  ["  https://acme.com  ", "https://acme.com"],
  // bare hosts mean https
  ["acme.com", "https://acme.com"],
  ["ACME.com.", "https://acme.com"],
  ["acme.com:443", "https://acme.com"],
  ["acme.com:8443", "https://acme.com:8443"],
  ["app.eu.acme.com", "https://app.eu.acme.com"],
  ["acme.co.uk", "https://acme.co.uk"],
  // IDN → punycode
  ["https://münchen.de", "https://xn--mnchen-3ya.de"],
  ["bücher.example", "https://xn--bcher-kva.example"],
  ["https://BÜCHER.example", "https://xn--bcher-kva.example"],
  ["*.bücher.example", "*.xn--bcher-kva.example"],
  // subdomain wildcards (any depth, not the apex)
  ["*.acme.com", "*.acme.com"],
  ["*.ACME.com", "*.acme.com"],
  ["*.acme.com.", "*.acme.com"],
  ["https://*.acme.com", "*.acme.com"],
  ["*.eu.acme.com", "*.eu.acme.com"],
  ["*.acme.co.uk", "*.acme.co.uk"],
  ["*.acme.github.io", "*.acme.github.io"],
  ["*.acme.s3.amazonaws.com", "*.acme.s3.amazonaws.com"],
  ["*.vm1.eastus.cloudapp.azure.com", "*.vm1.eastus.cloudapp.azure.com"],
  ["https://acme.s3.amazonaws.com", "https://acme.s3.amazonaws.com"],
  ["*.google.com", "*.google.com"],
  // any port
  ["acme.com:*", "acme.com:*"],
  ["https://acme.com:*", "acme.com:*"],
  ["ACME.com:*", "acme.com:*"],
  // loopback: http allowed
  ["http://localhost:3000", "http://localhost:3000"],
  ["http://localhost", "http://localhost"],
  ["http://localhost:80", "http://localhost"],
  ["https://localhost:443", "https://localhost"],
  ["http://LOCALHOST:3000", "http://localhost:3000"],
  ["http://app.localhost:5173", "http://app.localhost:5173"],
  ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
  ["http://127.0.0.2", "http://127.0.0.2"],
  ["http://[::1]:3000", "http://[::1]:3000"],
  // bare loopback entries stay bare (http and https both allowed)
  ["localhost", "localhost"],
  ["localhost:3000", "localhost:3000"],
  ["localhost:*", "localhost:*"],
  ["*.localhost", "*.localhost"],
  ["127.0.0.1", "127.0.0.1"],
  ["127.0.0.1:*", "127.0.0.1:*"],
];

/** [entry, words the reason must contain] */
const INVALID: [string, RegExp][] = [
  // control characters and % escapes are refused, never stripped or decoded
  ["https://acme.com\n.evil.com", /control character U\+000A/],
  ["https://acme.com\t", /control character U\+0009/],
  ["acme.com\r", /control character U\+000D/],
  ["https://acme%2ecom", /"%" escape/],
  ["https://%61cme.com", /"%" escape/],
  // DNS names: label and total length, hyphens
  [`${"a".repeat(64)}.com`, /label of 64 characters; .* at most 63/],
  [`https://${"a".repeat(10_000)}.com`, /10012 characters long; an entry has at most 300/],
  [`${Array.from({ length: 5 }, () => "a".repeat(60)).join(".")}.com`, /is 308 characters long; an entry/],
  [`${Array.from({ length: 4 }, () => "a".repeat(63)).join(".")}.com`, /host name: it is 259 characters long; a host name has at most 253/],
  ["-acme.com", /label "-acme", which starts or ends with a hyphen/],
  ["acme-.com", /label "acme-", which starts or ends with a hyphen/],
  ["*.-acme.com", /starts or ends with a hyphen/],
  ["https://acme..com", /empty label/],
  // lone wildcards
  ["*", /lone "\*"/],
  ["https://*", /lone "\*"/],
  ["http://*", /lone "\*"/],
  ["*://*", /lone "\*"/],
  // wildcards directly under a public suffix (tldts, private domains included)
  ["*.com", /public suffix ".com"/],
  ["*.co.uk", /public suffix ".co.uk"/],
  ["https://*.com", /public suffix/],
  ["*.uk", /public suffix/],
  ["*.github.io", /public suffix/],
  ["*.COM", /public suffix/],
  // wildcards over a name that holds public suffixes (the list's private section): shared cloud domains
  ["*.s3.amazonaws.com", /public suffix ".s3.amazonaws.com"; use a domain you own/],
  ["*.amazonaws.com", /public suffix "\.[a-z0-9.-]+\.amazonaws\.com", which lies under "amazonaws.com"/],
  ["*.eu-west-3.amazonaws.com", /lies under "eu-west-3.amazonaws.com"/],
  ["*.windows.net", /public suffix "\.[a-z.]+\.windows\.net", which lies under "windows.net"/],
  ["*.core.windows.net", /lies under "core.windows.net"/],
  ["https://*.blob.core.windows.net", /public suffix ".blob.core.windows.net"/],
  ["*.googleusercontent.com", /public suffix ".googleusercontent.com"/],
  ["*.azure.com", /public suffix ".cloudapp.azure.com", which lies under "azure.com"/],
  ["*.appspot.com", /public suffix ".appspot.com"/],
  // wildcard inside a label
  ["a*.acme.com", /wildcard inside a label/],
  ["*acme.com", /wildcard inside a label/],
  ["foo.*.acme.com", /wildcard inside a label/],
  ["acme.*", /wildcard inside a label/],
  ["https://app-*.acme.com", /wildcard inside a label/],
  // wildcard in front of an IP address
  ["*.1.2.3.4", /IP address/],
  // paths, queries, fragments
  ["https://acme.com/x", /has a path/],
  ["https://acme.com/app/", /has a path/],
  ["acme.com/x", /has a path/],
  ["https://acme.com/x/y?z=1", /has a path/],
  ["https://acme.com?x=1", /has a query/],
  ["https://acme.com/?x=1", /has a query/],
  ["https://acme.com#top", /has a fragment/],
  ["https://acme.com/#top", /has a fragment/],
  // userinfo
  ["https://user@acme.com", /user information/],
  ["https://user:pw@acme.com", /user information/],
  // http for non-loopback hosts
  ["http://acme.com", /only allowed for localhost/],
  ["http://www.acme.com:8080", /only allowed for localhost/],
  ["http://10.0.0.1", /only allowed for localhost/],
  ["http://*.acme.com", /only allowed for localhost/],
  // other schemes and non-origins
  ["ftp://acme.com", /scheme "ftp"/],
  ["ws://acme.com", /scheme "ws"/],
  ["javascript:alert(1)", /not an origin/],
  ["mailto:ops@acme.com", /not an origin|user information/],
  // empty, hostless, bad ports, bad hosts
  ["", /is empty/],
  ["   ", /is empty/],
  ["https://", /no host/],
  ["https://acme.com:0", /invalid port/],
  ["https://acme.com:70000", /invalid port/],
  ["https://acme.com:abc", /invalid port/],
  ["https://ac me.com", /invalid host/],
  ["https://acme..com", /invalid host/],
  ["https://acme_shop.com", /invalid host/],
  [`https://${"a".repeat(64)}.com`, /invalid host/],
];

describe("allowlist entries: canonical spelling", () => {
  it.each(VALID)("%j is valid and canonically %j", (entry, canonical) => {
    expect(parseAllowlistEntry(entry)).toEqual({ ok: true, canonical });
  });

  it.each(VALID)("the canonical form of %j is a fixed point", (entry) => {
    const first = parseAllowlistEntry(entry);
    if (!first.ok) throw new Error(first.reason);
    expect(parseAllowlistEntry(first.canonical)).toEqual(first);
  });
});

describe("allowlist entries: rejected with a reason", () => {
  it.each(INVALID)("%j is rejected (%s)", (entry, reason) => {
    const r = parseAllowlistEntry(entry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("a path failure suggests the origin and a host wildcard", () => {
    const r = parseAllowlistEntry("https://a.com/x");
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('use an origin such as "https://a.com"') });
  });

  it("an http failure suggests the https spelling", () => {
    const r = parseAllowlistEntry("http://acme.com");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("https://acme.com");
  });
});

describe("allowlist lists: set semantics", () => {
  it("spellings of one origin collapse to one entry", () => {
    expect(canonicalizeAllowlist(["acme.com", "https://acme.com", "https://ACME.com:443/", "acme.com."]).canonical).toEqual([
      "https://acme.com",
    ]);
  });

  it("order does not matter: the lists compare equal as sets, and each keeps the order it was given in", () => {
    const a = canonicalizeAllowlist(["https://b.com", "*.a.com", "https://a.com"]).canonical;
    const b = canonicalizeAllowlist(["https://a.com", "https://b.com", "*.a.com"]).canonical;
    expect(sameAllowlist(a, b)).toBe(true);
    expect(sameAllowlist(["B.com", "a.com"], ["https://a.com", "https://b.com/"])).toBe(true);
    expect(sameAllowlist(a, ["https://a.com", "https://b.com"])).toBe(false);
    expect(sameAllowlist(["https://a.com", "https://a.com"], ["https://a.com", "https://b.com"])).toBe(false);
    expect(a).toEqual(["https://b.com", "*.a.com", "https://a.com"]);
    expect(b).toEqual(["https://a.com", "https://b.com", "*.a.com"]);
  });

  it("the first spelling of a duplicate keeps its place", () => {
    expect(canonicalizeAllowlist(["https://b.com", "A.com", "b.com", "https://a.com"]).canonical).toEqual([
      "https://b.com",
      "https://a.com",
    ]);
  });

  it("re-spelling does not matter", () => {
    const a = canonicalizeAllowlist(["https://Acme.com/", "münchen.de", "https://*.acme.com"]).canonical;
    const b = canonicalizeAllowlist(["acme.com", "https://xn--mnchen-3ya.de", "*.acme.com"]).canonical;
    expect(a).toEqual(b);
  });

  it("the apex and its wildcard are two entries", () => {
    expect(canonicalizeAllowlist(["*.acme.com", "acme.com"]).canonical).toEqual(["*.acme.com", "https://acme.com"]);
  });

  it("an empty list stays empty (the key is blocked)", () => {
    expect(canonicalizeAllowlist([])).toEqual({ canonical: [], failures: [] });
  });

  it("failures carry the index and the entry, valid entries are still canonicalised", () => {
    const r = canonicalizeAllowlist(["https://ok.com", "*", "https://a.com/x"]);
    expect(r.canonical).toEqual(["https://ok.com"]);
    expect(r.failures.map((f) => [f.index, f.entry])).toEqual([
      [1, "*"],
      [2, "https://a.com/x"],
    ]);
  });

  it("a non-string entry is a failure, not a crash", () => {
    const r = canonicalizeAllowlist(["https://ok.com", 42 as unknown as string]);
    expect(r.failures).toEqual([{ index: 1, entry: "42", reason: "must be a string" }]);
  });

  it("a canonical list canonicalises to itself", () => {
    const once = canonicalizeAllowlist(VALID.map(([e]) => e)).canonical;
    expect(canonicalizeAllowlist(once).canonical).toEqual(once);
  });
});

describe("broad entries", () => {
  it.each([
    ["*.acme.com", true],
    ["acme.com:*", true],
    ["localhost:*", true],
    ["https://acme.com", false],
    ["http://localhost:3000", false],
  ])("%s broad=%s", (entry, broad) => {
    expect(isBroadEntry(entry)).toBe(broad);
  });
});
