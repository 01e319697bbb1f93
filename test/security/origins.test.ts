/**
 * Origin rules through the server, from the one module the provider's check() uses too
 * (contract/allowlist.ts): entries with control characters or "%" escapes are refused, not rewritten; hosts
 * are DNS names; an Origin header that is present but unusable never falls back to the Referer.
 */
import { canonicalizeAllowlist } from "../../contract/allowlist";
import { startServer, type TestServer } from "../support/server";
import { bearer, expectReply, json, send } from "./support";

let srv: TestServer;
let pk = "";
let wildcardPk = "";

beforeAll(async () => {
  srv = await startServer();
  srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "guest" });
  const mk = async (allow: string[]) =>
    JSON.parse(
      (
        await send(
          srv.url,
          json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: allow, agent_id: "agent-a" }, [bearer(srv.apiKey)]),
        )
      ).text,
    ).public_key as string;
  pk = await mk(["https://acme.com"]);
  wildcardPk = await mk(["*.acme.example"]);
});
afterAll(() => srv.close());

const E = "invalid_allowlist_entry: domain_allowlist[0] ";
const label64 = "a".repeat(64);
const host254 = `${Array.from({ length: 4 }, () => "a".repeat(62)).join(".")}.com`; // 4*62 + 3 + 4 = 255

describe("allowlist entries refused on create, as the provider's check() refuses them", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a newline splitting the host",
      "https://acme.com\n.evil.com",
      /^invalid_allowlist_entry: domain_allowlist\[0\] "https:\/\/acme.com\\n.evil.com" contains the control character U\+000A; write the origin on its own/,
    ],
    ["a tab inside", "https://acme\t.com", /contains the control character U\+0009/],
    ["a trailing carriage return", "acme.com\r", /contains the control character U\+000D/],
    ["a NUL byte", "acme.com\u0000.evil.com", /contains the control character U\+0000/],
    ["DEL", "acme\u007f.com", /contains the control character U\+007F/],
    ["a C1 control", "acme\u0085.com", /contains the control character U\+0085/],
    ["a %2e escape", "https://acme%2ecom", /contains a "%" escape; write the host name itself/],
    ["a percent-encoded letter", "https://%61cme.com", /contains a "%" escape/],
    ["a %00", "acme.com%00.evil.com", /contains a "%" escape/],
    [
      "a 10,003-character host",
      `${"a".repeat(9_999)}.com`,
      /is 10003 characters long; an entry has at most 300 \(a host name at most 253\)/,
    ],
    [
      "a 64-character label",
      `https://${label64}.acme.com`,
      /has an invalid host name: it has a label of 64 characters; each dot-separated label has at most 63/,
    ],
    ["a 255-character host", host254, /has an invalid host name: it is 255 characters long; a host name has at most 253/],
    ["a label with a leading hyphen", "https://-acme.com", /has the label "-acme", which starts or ends with a hyphen/],
    ["a label with a trailing hyphen", "app-.acme.com", /has the label "app-", which starts or ends with a hyphen/],
    ["a wildcard over a hyphen label", "*.-acme.com", /starts or ends with a hyphen/],
    ["two dots", "https://acme..com", /has an empty label/],
    ["an underscore", "https://ac_me.com", /has the label "ac_me" with characters other than letters, digits and "-"/],
    ["a space inside", "https://ac me.com", /has an invalid host name "ac me.com"/],
    ["a backslash", "https://acme.com\\@evil.com", /has user information|invalid host name/],
    ["a lone wildcard", "*", /a lone "\*" would allow every site/],
    ["a wildcard over a public suffix", "*.co.uk", /would allow every site under the public suffix ".co.uk"/],
    [
      "a wildcard over S3 buckets",
      "*.s3.amazonaws.com",
      /would allow every site under the public suffix ".s3.amazonaws.com"; use a domain you own/,
    ],
    [
      "a wildcard over all of amazonaws.com",
      "*.amazonaws.com",
      /would allow every site under the public suffix "\.[a-z0-9.-]+\.amazonaws\.com", which lies under "amazonaws.com" and where anyone can get a name; list the names you own instead/,
    ],
    ["a wildcard over windows.net", "*.windows.net", /which lies under "windows.net"/],
    ["a wildcard over googleusercontent.com", "https://*.googleusercontent.com", /public suffix ".googleusercontent.com"/],
    ["a wildcard over azure.com", "*.azure.com", /public suffix ".cloudapp.azure.com", which lies under "azure.com"/],
    ["a path", "https://acme.com/app", /has a path/],
    ["user info", "https://user@acme.com", /has user information/],
    ["a javascript: URL", "javascript:alert(1)", /is not an origin or a host|has the scheme "javascript"/],
    ["a file: URL", "file:///etc/passwd", /has the scheme "file"/],
    ["http for a public host", "http://acme.com", /uses http:\/\/, which is only allowed for localhost/],
  ];
  test.each(cases)("%s → 400 naming the entry", async (_n, entry, message) => {
    const r = await send(srv.url, json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: [entry] }, [bearer(srv.apiKey)]));
    expectReply(r, 400, message);
    expect(r.text.startsWith(E)).toBe(true);
    // the provider's preview refuses the same entry (one module)
    expect(canonicalizeAllowlist([entry]).failures).toHaveLength(1);
  });

  test("the error counts further invalid entries and names the first", async () => {
    const r = await send(
      srv.url,
      json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: ["https://ok.com", "a\nb.com", "%41.com"] }, [bearer(srv.apiKey)]),
    );
    expectReply(
      r,
      400,
      /^invalid_allowlist_entry: domain_allowlist\[1\] "a\\nb.com" contains the control character U\+000A; .*\(and 1 more invalid entry\)$/,
    );
  });
});

describe("request origins", () => {
  const config = (key: () => string, headers: [string, string][]) =>
    send(srv.url, { method: "GET", path: `/api/v1/widget/config?client_key=${key()}`, headers });
  const N = "origin_not_allowed: Origin not in allowlist for this client_key ";
  const cases: [string, () => string, [string, string][], number, string | RegExp][] = [
    ["an allowed Origin", () => pk, [["origin", "https://acme.com"]], 200, /"account":"acme"/],
    ["an allowed Referer and no Origin", () => pk, [["referer", "https://acme.com/shop?x=1"]], 200, /"account":"acme"/],
    [
      'Origin "null" does not fall back to an allowed Referer',
      () => pk,
      [
        ["origin", "null"],
        ["referer", "https://acme.com/x"],
      ],
      403,
      `${N}(the Origin header is "null" (a sandboxed frame or a file:// page); embed the widget in an https page)`,
    ],
    [
      "garbage Origin does not fall back",
      () => pk,
      [
        ["origin", "garbage"],
        ["referer", "https://acme.com/x"],
      ],
      403,
      `${N}(the Origin header is not an origin such as https://acme.com)`,
    ],
    [
      "file:// Origin does not fall back",
      () => pk,
      [
        ["origin", "file://"],
        ["referer", "https://acme.com/x"],
      ],
      403,
      `${N}(the Origin header has the scheme "file"; only http(s) pages can embed the widget)`,
    ],
    [
      "an extension Origin does not fall back",
      () => pk,
      [
        ["origin", "chrome-extension://abcdefghijklmnop"],
        ["referer", "https://acme.com/x"],
      ],
      403,
      `${N}(the Origin header has the scheme "chrome-extension"; only http(s) pages can embed the widget)`,
    ],
    [
      "a moz-extension Origin",
      () => pk,
      [["origin", "moz-extension://1234"]],
      403,
      `${N}(the Origin header has the scheme "moz-extension"; only http(s) pages can embed the widget)`,
    ],
    [
      "two Origin headers",
      () => pk,
      [
        ["origin", "https://acme.com"],
        ["origin", "https://evil.example"],
      ],
      403,
      `${N}(the request has more than one Origin header or value; send exactly one)`,
    ],
    [
      "two Origin headers, both allowed",
      () => pk,
      [
        ["origin", "https://acme.com"],
        ["origin", "https://acme.com"],
      ],
      403,
      `${N}(the request has more than one Origin header or value; send exactly one)`,
    ],
    [
      "an Origin with a path",
      () => pk,
      [["origin", "https://acme.com/x"]],
      403,
      `${N}(the Origin header has a path; an Origin is scheme://host[:port])`,
    ],
    ["an Origin with a % escape", () => pk, [["origin", "https://acme%2ecom"]], 403, `${N}(the Origin header contains a "%" escape)`],
    [
      "an Origin with user info",
      () => pk,
      [["origin", "https://acme.com@evil.example"]],
      403,
      `${N}(the Origin header has user information; an Origin is scheme://host[:port])`,
    ],
    [
      "an Origin with a 64-character label",
      () => pk,
      [["origin", `https://${label64}.acme.com`]],
      403,
      `${N}(the Origin header's host has a label of 64 characters; each dot-separated label has at most 63)`,
    ],
    [
      "an Origin with a 10,003-character host",
      () => pk,
      [["origin", `https://${"a".repeat(9_999)}.com`]],
      403,
      `${N}(the Origin header's host is 10003 characters long; a host name has at most 253)`,
    ],
    [
      "an Origin with a hyphen-led label",
      () => pk,
      [["origin", "https://-acme.com"]],
      403,
      `${N}(the Origin header's host has the label "-acme", which starts or ends with a hyphen)`,
    ],
    [
      "a javascript: Referer",
      () => pk,
      [["referer", "javascript:alert(1)"]],
      403,
      `${N}(the Referer header is not an origin such as https://acme.com)`,
    ],
    [
      "a Referer with a % in its host",
      () => pk,
      [["referer", "https://acme%2ecom/x"]],
      403,
      `${N}(the Referer header contains a "%" escape)`,
    ],
    [
      "*.acme.example refuses https://.acme.example",
      () => wildcardPk,
      [["origin", "https://.acme.example"]],
      403,
      `${N}(the Origin header's host has an empty label (two dots in a row, or a leading dot))`,
    ],
    ["*.acme.example refuses the apex", () => wildcardPk, [["origin", "https://acme.example"]], 403, `${N}(origin https://acme.example)`],
    ["*.acme.example admits a subdomain", () => wildcardPk, [["origin", "https://app.acme.example"]], 200, /"account":"acme"/],
    ["*.acme.example refuses http", () => wildcardPk, [["origin", "http://app.acme.example"]], 403, `${N}(origin http://app.acme.example)`],
    ["a look-alike suffix", () => wildcardPk, [["origin", "https://evilacme.example"]], 403, `${N}(origin https://evilacme.example)`],
  ];
  test.each(cases)("%s", async (_n, key, headers, status, message) => {
    expectReply(await config(key, headers), status, message);
  });
});

describe("a wildcard over shared cloud domains stored by an earlier version", () => {
  test("matches nothing: https://evil.s3.amazonaws.com is refused", async () => {
    const key = JSON.parse(
      (
        await send(
          srv.url,
          json("POST", "/api/v1/widget-keys", { name: "old", domain_allowlist: ["https://acme.com"], agent_id: "agent-a" }, [
            bearer(srv.apiKey),
          ]),
        )
      ).text,
    );
    srv.store.db.prepare("UPDATE widget_keys SET domain_allowlist = ? WHERE id = ?").run(JSON.stringify(["*.amazonaws.com"]), key.id);
    expectReply(
      await send(srv.url, {
        method: "GET",
        path: `/api/v1/widget/config?client_key=${key.public_key}`,
        headers: [["origin", "https://evil.s3.amazonaws.com"]],
      }),
      403,
      "origin_not_allowed: Origin not in allowlist for this client_key (origin https://evil.s3.amazonaws.com)",
    );
  });
});
