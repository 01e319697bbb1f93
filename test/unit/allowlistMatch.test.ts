/**
 * The allowlist matcher against the contract (server/README.md, "The contract in brief": Allowlist), as a
 * table written from the contract, not from the code. Each row: entry, the request's
 * Origin (or a Referer), whether it passes. Every row is checked with the entry as written and in its
 * canonical form (what the server stores), which must decide the same way.
 */
import { canonicalizeAllowlist, originAllowed, readRequestOrigin } from "../../contract/allowlist";

type Row = [entry: string, origin: string, allowed: boolean, note: string];

const ROWS: Row[] = [
  // rule 2: entry with a scheme = exact origin
  ["https://acme.com", "https://acme.com", true, "exact origin"],
  ["https://acme.com", "https://www.acme.com", false, "subdomain is another origin"],
  ["https://acme.com", "http://acme.com", false, "scheme differs"],
  ["https://acme.com", "https://acme.com:8443", false, "port differs"],
  ["https://acme.com", "https://acme.com:443", true, "default port dropped from the request"],
  ["https://acme.com:443", "https://acme.com", true, "default port dropped from the entry"],
  ["https://acme.com/", "https://acme.com", true, "a lone trailing slash is not a path"],
  ["https://acme.com:8443", "https://acme.com:8443", true, "explicit port"],
  ["https://acme.com:8443", "https://acme.com", false, "explicit port, request on the default"],
  ["https://acme.com", "https://acme.co", false, "different TLD"],
  ["https://acme.com", "https://evilacme.com", false, "suffix of another name"],
  ["https://acme.com", "https://acme.com.evil.com", false, "prefix of another name"],
  // case
  ["https://ACME.com", "https://acme.com", true, "entry host case"],
  ["https://acme.com", "HTTPS://ACME.COM", true, "request scheme and host case"],
  ["HTTPS://Acme.Com", "https://acme.com", true, "entry scheme case"],
  // rule 3: bare host = https only (http too for localhost), default port
  ["acme.com", "https://acme.com", true, "bare host, https"],
  ["acme.com", "http://acme.com", false, "bare host is https only"],
  ["acme.com", "https://www.acme.com", false, "bare host is not a wildcard"],
  ["acme.com", "https://acme.com:8443", false, "bare host, non-default port"],
  ["acme.com", "https://acme.com:443", true, "bare host, explicit default port"],
  ["acme.com:8443", "https://acme.com:8443", true, "bare host with port"],
  ["acme.com:8443", "http://acme.com:8443", false, "bare host with port is still https only"],
  ["www.acme.com", "https://www.acme.com", true, "bare subdomain"],
  // rule 4: *.domain = subdomains at any depth, not the apex
  ["*.acme.com", "https://shop.acme.com", true, "one level"],
  ["*.acme.com", "https://a.b.c.acme.com", true, "any depth"],
  ["*.acme.com", "https://acme.com", false, "not the apex"],
  ["*.acme.com", "https://evilacme.com", false, "label boundary"],
  ["*.acme.com", "https://shop.acme.com.evil.com", false, "suffix must be the end"],
  ["*.acme.com", "http://shop.acme.com", false, "wildcard host is https only"],
  ["*.acme.com", "https://shop.acme.com:8443", false, "wildcard host, default port only"],
  ["*.acme.com", "https://SHOP.ACME.COM", true, "wildcard, request case"],
  ["https://*.acme.com", "https://shop.acme.com", true, "wildcard with scheme"],
  ["https://*.acme.com", "https://acme.com", false, "wildcard with scheme, apex"],
  // rule 5: host:* = any port
  ["localhost:*", "http://localhost:3000", true, "localhost any port, http"],
  ["localhost:*", "https://localhost:8443", true, "localhost any port, https"],
  ["localhost:*", "http://localhost", true, "localhost any port includes the default"],
  ["localhost:*", "http://127.0.0.1:3000", false, "localhost is not 127.0.0.1"],
  ["acme.com:*", "https://acme.com:9999", true, "host any port"],
  ["acme.com:*", "https://www.acme.com:9999", false, "host any port is not a wildcard host"],
  ["127.0.0.1:*", "http://127.0.0.1:5555", true, "loopback IPv4 any port"],
  ["[::1]:*", "http://[::1]:3000", true, "loopback IPv6 any port"],
  // localhost spellings
  ["localhost", "http://localhost", true, "bare localhost allows http"],
  ["localhost", "https://localhost", true, "bare localhost allows https"],
  ["localhost", "http://localhost:3000", false, "bare localhost, default port only"],
  ["localhost", "http://localhost:80", true, "bare localhost, explicit default port"],
  ["localhost:3000", "http://localhost:3000", true, "localhost with port, http"],
  ["localhost:3000", "https://localhost:3000", true, "localhost with port, https"],
  ["localhost:3000", "http://localhost:3001", false, "localhost, other port"],
  ["http://localhost:3000", "http://localhost:3000", true, "explicit http localhost origin"],
  ["http://localhost:3000", "https://localhost:3000", false, "explicit origin keeps its scheme"],
  ["http://127.0.0.1:8080", "http://127.0.0.1:8080", true, "loopback IP origin"],
  // trailing dots
  ["acme.com.", "https://acme.com", true, "entry with a trailing dot"],
  ["https://acme.com", "https://acme.com.", true, "request with a trailing dot"],
  ["*.acme.com.", "https://shop.acme.com", true, "wildcard with a trailing dot"],
  // IDN
  ["bücher.de", "https://xn--bcher-kva.de", true, "unicode entry, punycode Origin (what browsers send)"],
  ["xn--bcher-kva.de", "https://bücher.de", true, "punycode entry, unicode request normalised"],
  ["*.bücher.de", "https://shop.xn--bcher-kva.de", true, "unicode wildcard"],
  ["bücher.de", "https://bucher.de", false, "IDN is not its ASCII lookalike"],
  // IP literals
  ["https://192.168.1.10", "https://192.168.1.10", true, "IPv4 origin"],
  ["https://192.168.1.10", "https://192.168.1.11", false, "other IPv4"],
  // invalid entries (rule 7) never match anything
  ["*", "https://acme.com", false, "lone *"],
  ["https://*", "https://acme.com", false, "lone * with scheme"],
  ["ac*me.com", "https://acme.com", false, "wildcard inside a label"],
  ["shop.*.acme.com", "https://shop.x.acme.com", false, "wildcard in the middle"],
  ["https://acme.com/path", "https://acme.com", false, "entry with a path"],
  ["https://acme.com?x=1", "https://acme.com", false, "entry with a query"],
  ["https://acme.com#x", "https://acme.com", false, "entry with a fragment"],
  ["https://user:pw@acme.com", "https://acme.com", false, "entry with userinfo"],
  ["user@acme.com", "https://acme.com", false, "bare entry with userinfo"],
  ["*.com", "https://acme.com", false, "wildcard over a public suffix"],
  ["ftp://acme.com", "https://acme.com", false, "non-http scheme"],
  ["", "https://acme.com", false, "empty entry"],
];

describe("originAllowed, one entry", () => {
  test("the corpus has at least 60 pairs", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  test.each(ROWS)("%s vs %s → %s (%s)", (entry, origin, allowed) => {
    const o = readRequestOrigin({ origin }).origin;
    expect(o).not.toBeNull();
    expect(originAllowed(o!, [entry])).toBe(allowed);
    const { canonical, failures } = canonicalizeAllowlist([entry]);
    if (failures.length === 0) expect(originAllowed(o!, canonical)).toBe(allowed);
    else expect(allowed).toBe(false);
  });
});

describe("lists and request origins", () => {
  test("an empty list blocks every origin (rule 6)", () => {
    expect(originAllowed("https://acme.com", [])).toBe(false);
    expect(originAllowed("http://localhost:3000", [])).toBe(false);
  });

  test("any entry of the list may admit the origin", () => {
    const list = ["https://a.com", "*.b.com", "localhost:*"];
    expect(originAllowed("https://x.b.com", list)).toBe(true);
    expect(originAllowed("http://localhost:1234", list)).toBe(true);
    expect(originAllowed("https://c.com", list)).toBe(false);
  });

  test.each([
    [{ origin: "https://acme.com" }, "https://acme.com"],
    [{ origin: "HTTPS://ACME.COM:443" }, "https://acme.com"],
    [{ origin: "http://localhost:80" }, "http://localhost"],
    [{ referer: "https://acme.com/shop/cart?id=1#top" }, "https://acme.com"],
    [{ referer: "https://user:pw@acme.com:8443/x" }, "https://acme.com:8443"],
    [{ origin: "https://a.com", referer: "https://b.com/x" }, "https://a.com"],
  ])("readRequestOrigin(%j).origin = %s", (headers, expected) => {
    expect(readRequestOrigin(headers).origin).toBe(expected);
  });

  test.each([
    [{}],
    [{ origin: "null" }],
    [{ origin: null, referer: null }],
    [{ origin: "chrome-extension://abc" }],
    [{ referer: "not a url" }],
    [{ origin: "null", referer: "https://b.com/x" }],
    [{ origin: "https://a.com, https://b.com" }],
  ])("readRequestOrigin(%j).origin = null: no usable origin, which is refused", (headers) => {
    expect(readRequestOrigin(headers).origin).toBeNull();
  });
});

describe("request origins that are present but unusable", () => {
  it.each([
    [{ origin: "null", referer: "https://acme.com/x" }, /"null"/],
    [{ origin: "garbage", referer: "https://acme.com/x" }, /not an origin/],
    [{ origin: "file://", referer: "https://acme.com/x" }, /scheme "file"/],
    [{ origin: "chrome-extension://abcdef", referer: "https://acme.com/x" }, /scheme "chrome-extension"/],
    [{ origin: "https://acme.com, https://evil.com" }, /more than one Origin/],
    [{ origin: "https://acme.com/path" }, /has a path/],
    [{ origin: "https://acme%2ecom" }, /"%" escape/],
    [{ origin: "https://.acme.example" }, /empty label/],
    [{ origin: `https://${"a".repeat(64)}.com` }, /label of 64 characters/],
    [{ origin: "https://-acme.com" }, /hyphen/],
    [{}, /no Origin or Referer/],
  ])("readRequestOrigin(%j) is refused: %s", (headers, reason) => {
    const r = readRequestOrigin(headers);
    expect(r.origin).toBeNull();
    expect(r.problem).toMatch(reason);
  });

  it("*.acme.example does not match https://.acme.example", () => {
    expect(originAllowed("https://.acme.example", ["*.acme.example"])).toBe(false);
    expect(originAllowed("https://app.acme.example", ["*.acme.example"])).toBe(true);
  });
});

describe("explicit default ports on loopback entries", () => {
  it.each([
    ["https://localhost", ["localhost:443"], true],
    ["http://localhost", ["localhost:80"], true],
    ["https://127.0.0.1", ["127.0.0.1:443"], true],
    ["http://localhost", ["localhost:443"], false],
    ["https://localhost:8443", ["localhost:443"], false],
  ] as const)("%s against %j → %s", (origin, list, allowed) => {
    expect(originAllowed(origin, list)).toBe(allowed);
  });
});
