/**
 * Bad input on every management route: each case names the field and the problem, and
 * no case crashes the server or echoes key material.
 */
import { startServer, type TestServer } from "../support/server";
import { bearer, expectNoSecrets, expectReply, json, send, type Case } from "./support";

let srv: TestServer;
let keyId: string;
let otherKeyId: string;
// tables are built before the server starts: "$API_KEY", "ID" and "OTHER" are filled in by run()
const auth = bearer("$API_KEY");

/** Sends a table's request with the placeholders filled in. */
function run(req: Case[1]) {
  const fill = (v: string) =>
    v
      .replace("$API_KEY_AS_OTHER", srv.apiKey.replace("sk_live_acme_", "sk_live_other-co_"))
      .replace("$API_KEY", srv.apiKey)
      .replace("/ID", `/${keyId}`)
      .replace("/OTHER", `/${otherKeyId}`);
  return send(srv.url, { ...req, path: fill(req.path), headers: (req.headers ?? []).map(([k, v]) => [k, fill(v)] as [string, string]) });
}

beforeAll(async () => {
  srv = await startServer();
  const k = await send(
    srv.url,
    json("POST", "/api/v1/widget-keys", { name: "k", domain_allowlist: ["https://acme.com"] }, [bearer(srv.apiKey)]),
  );
  keyId = JSON.parse(k.text).id;
  const other = srv.createAccount("other-co", ["other-agent"]);
  const o = await send(srv.url, json("POST", "/api/v1/widget-keys", { name: "theirs" }, [bearer(other.apiKey)]));
  otherKeyId = JSON.parse(o.text).id;
});
afterAll(() => srv.close());

const long = (n: number) => "x".repeat(n);
const KEYS = "/api/v1/widget-keys";
const post = (body: unknown): Case[1] => json("POST", KEYS, body, [auth]);
const postRaw = (body: string): Case[1] => ({ method: "POST", path: KEYS, body, headers: [auth] });
const B = "invalid_body: ";

describe("POST /widget-keys: fields named with what is wrong", () => {
  const cases: Case[] = [
    ["name missing", post({}), 400, `${B}name: is required`],
    ["name a number", post({ name: 5 }), 400, `${B}name: must be a string`],
    ["name null", post({ name: null }), 400, `${B}name: must be a string`],
    ["name an array", post({ name: ["a"] }), 400, `${B}name: must be a string`],
    ["name an object", post({ name: { a: 1 } }), 400, `${B}name: must be a string`],
    ["name true", post({ name: true }), 400, `${B}name: must be a string`],
    ["name empty", post({ name: "" }), 400, `${B}name: must not be empty`],
    ["name blank", post({ name: "   " }), 400, `${B}name: must not be empty`],
    ["name 201 characters", post({ name: long(201) }), 400, `${B}name: must be at most 200 characters`],
    ["name 10,000 characters", post({ name: long(10_000) }), 400, `${B}name: must be at most 200 characters`],
    // JSON lets a string hold half a surrogate pair ("\\ud800"), which SQLite would store as U+FFFD
    [
      "name with a lone high surrogate",
      post({ name: "key \ud800" }),
      400,
      `${B}name: holds an unpaired surrogate (a lone \\uD800–\\uDFFF escape), which is not text; send valid Unicode`,
    ],
    [
      "name with a lone low surrogate",
      postRaw('{"name":"\\udc00 key"}'),
      400,
      `${B}name: holds an unpaired surrogate (a lone \\uD800–\\uDFFF escape), which is not text; send valid Unicode`,
    ],
    [
      "agent_id with a lone surrogate",
      post({ name: "k", agent_id: "agent-\ud83d" }),
      400,
      `${B}agent_id: holds an unpaired surrogate (a lone \\uD800–\\uDFFF escape), which is not text; send valid Unicode`,
    ],
    [
      "domain_allowlist a string",
      post({ name: "k", domain_allowlist: "https://acme.com" }),
      400,
      `${B}domain_allowlist: must be an array of origins`,
    ],
    [
      "domain_allowlist an object",
      post({ name: "k", domain_allowlist: { a: 1 } }),
      400,
      `${B}domain_allowlist: must be an array of origins`,
    ],
    ["domain_allowlist null", post({ name: "k", domain_allowlist: null }), 400, `${B}domain_allowlist: must be an array of origins`],
    [
      "domain_allowlist 101 entries",
      post({ name: "k", domain_allowlist: Array.from({ length: 101 }, (_, i) => `https://a${i}.example.com`) }),
      400,
      `${B}domain_allowlist: must hold at most 100 entries`,
    ],
    ["domain_allowlist entry a number", post({ name: "k", domain_allowlist: [5] }), 400, `${B}domain_allowlist[0]: must be a string`],
    [
      "domain_allowlist entry null",
      post({ name: "k", domain_allowlist: ["https://acme.com", null] }),
      400,
      `${B}domain_allowlist[1]: must be a string`,
    ],
    [
      "domain_allowlist entry an array",
      post({ name: "k", domain_allowlist: [["https://acme.com"]] }),
      400,
      `${B}domain_allowlist[0]: must be a string`,
    ],
    ["agent_id a number", post({ name: "k", agent_id: 7 }), 400, `${B}agent_id: must be a string`],
    ["agent_id empty", post({ name: "k", agent_id: "" }), 400, `${B}agent_id: must not be empty`],
    ["agent_id 201 characters", post({ name: "k", agent_id: long(201) }), 400, `${B}agent_id: must be at most 200 characters`],
    [
      "agent_id unknown",
      post({ name: "k", agent_id: "agent-zz" }),
      400,
      `invalid_agent_id: agent_id "agent-zz" is not an agent of this account`,
    ],
    [
      "agent_id of another account",
      post({ name: "k", agent_id: "other-agent" }),
      400,
      `invalid_agent_id: agent_id "other-agent" is not an agent of this account`,
    ],
    ["two bad fields, both named", post({ name: 5, agent_id: 5 }), 400, `${B}name: must be a string; agent_id: must be a string`],
    ["body an array", post([{ name: "k" }]), 400, `${B}the request body must be a JSON object`],
    ["body null", postRaw("null"), 400, `${B}the request body must be a JSON object`],
    ["body a number", postRaw("42"), 400, `${B}the request body must be a JSON object`],
    ["body a string", postRaw('"name"'), 400, `${B}the request body must be a JSON object`],
    ["body malformed JSON", postRaw("{name: k}"), 400, "invalid_json: the request body is not valid JSON; send a JSON object"],
    ["body truncated JSON", postRaw('{"name": "k"'), 400, "invalid_json: the request body is not valid JSON; send a JSON object"],
    ["body empty", postRaw(""), 400, `${B}name: is required`],
    ["body a deeply nested array", postRaw("[".repeat(5000) + "]".repeat(5000)), 400, `${B}the request body must be a JSON object`],
    ["body with a NUL byte", postRaw('{"name": "a\u0000"}'), 400, "invalid_json: the request body is not valid JSON; send a JSON object"],
  ];
  test.each(cases)("%s", async (_name, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [srv.apiKey]);
  });
});

describe("PATCH and DELETE /widget-keys/{id}", () => {
  const patch = (body: unknown, id?: string): Case[1] => json("PATCH", `${KEYS}/${id ?? "ID"}`, body, [auth]);
  const cases: Case[] = [
    ["disabled a string", patch({ disabled: "yes" }), 400, `${B}disabled: must be true or false`],
    ["disabled a number", patch({ disabled: 1 }), 400, `${B}disabled: must be true or false`],
    ["disabled null", patch({ disabled: null }), 400, `${B}disabled: must be true or false`],
    ["name a number", patch({ name: 1 }), 400, `${B}name: must be a string`],
    ["name 201 characters", patch({ name: long(201) }), 400, `${B}name: must be at most 200 characters`],
    ["name empty", patch({ name: "" }), 400, `${B}name: must not be empty`],
    [
      "name with a lone surrogate",
      patch({ name: "x\udfffy" }),
      400,
      `${B}name: holds an unpaired surrogate (a lone \\uD800–\\uDFFF escape), which is not text; send valid Unicode`,
    ],
    ["domain_allowlist a string", patch({ domain_allowlist: "acme.com" }), 400, `${B}domain_allowlist: must be an array of origins`],
    [
      "domain_allowlist 101 entries",
      patch({ domain_allowlist: Array.from({ length: 101 }, () => "acme.com") }),
      400,
      `${B}domain_allowlist: must hold at most 100 entries`,
    ],
    ["agent_id a number", patch({ agent_id: 1 }), 400, `${B}agent_id: must be a string`],
    ["agent_id unknown", patch({ agent_id: "agent-zz" }), 400, `invalid_agent_id: agent_id "agent-zz" is not an agent of this account`],
    ["body an array", patch([]), 400, `${B}the request body must be a JSON object`],
    [
      "unknown id",
      patch({ name: "x" }, "00000000-0000-4000-8000-000000000000"),
      404,
      'not_found: widget key "00000000-0000-4000-8000-000000000000" not found',
    ],
    ["another account's key", patch({ name: "mine now" }, "OTHER"), 404, /^not_found: widget key "[0-9a-f-]{36}" not found$/],
    ["an id with SQL in it", patch({ name: "x" }, "x'%20OR%20'1'='1"), 404, `not_found: widget key "x' OR '1'='1" not found`],
  ];
  test.each(cases)("%s", async (_name, req, status, message) => {
    expectReply(await run(req), status, message);
  });

  test.each([
    ["unknown id", "00000000-0000-4000-8000-000000000000"],
    ["another account's key", "OTHER"],
  ])("DELETE %s is 404", async (_n, id) => {
    const target = id === "OTHER" ? otherKeyId : id;
    expectReply(
      await run({ method: "DELETE", path: `${KEYS}/${target}`, headers: [auth] }),
      404,
      `not_found: widget key "${target}" not found`,
    );
  });
});

describe("widget settings and agent policy", () => {
  const S = "/api/v1/widget-settings";
  const settings = (body: unknown, method = "PATCH"): Case[1] => json(method, S, body, [auth]);
  const agent = (body: unknown, id = "agent-a"): Case[1] => json("PATCH", `/api/v1/agents/${id}/widget-settings`, body, [auth]);
  const cases: Case[] = [
    ["primary_color a name", settings({ primary_color: "red" }), 400, `${B}primary_color: must be a hex colour such as #2563eb or #fff`],
    [
      "primary_color 5 digits",
      settings({ primary_color: "#12345" }),
      400,
      `${B}primary_color: must be a hex colour such as #2563eb or #fff`,
    ],
    ["primary_color a number", settings({ primary_color: 0x2563eb }), 400, `${B}primary_color: must be a string`],
    [
      "primary_color with CSS after it",
      settings({ primary_color: "#fff;background:url(x)" }),
      400,
      `${B}primary_color: must be a hex colour such as #2563eb or #fff`,
    ],
    ["accent_color rgb()", settings({ accent_color: "rgb(0,0,0)" }), 400, `${B}accent_color: must be a hex colour such as #2563eb or #fff`],
    [
      "logo_url http",
      settings({ logo_url: "http://acme.com/logo.svg" }),
      400,
      `${B}logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg`,
    ],
    [
      "logo_url javascript:",
      settings({ logo_url: "javascript:alert(1)" }),
      400,
      `${B}logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg`,
    ],
    [
      "logo_url data:",
      settings({ logo_url: "data:image/svg+xml,<svg/>" }),
      400,
      `${B}logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg`,
    ],
    [
      "logo_url relative",
      settings({ logo_url: "/logo.svg" }),
      400,
      `${B}logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg`,
    ],
    [
      "logo_url with user info",
      settings({ logo_url: "https://u:p@acme.com/l.svg" }),
      400,
      `${B}logo_url: must be an absolute https:// URL such as https://acme.com/logo.svg`,
    ],
    [
      "logo_url 2,049 characters",
      settings({ logo_url: `https://acme.com/${long(2049 - 17)}` }),
      400,
      `${B}logo_url: must be at most 2048 characters`,
    ],
    ["logo_url 200 KB", settings({ logo_url: `https://acme.com/${long(200_000)}` }), 400, `${B}logo_url: must be at most 2048 characters`],
    ["logo_url a number", settings({ logo_url: 1 }), 400, `${B}logo_url: must be a string`],
    ["launcher_position unknown", settings({ launcher_position: "middle" }), 400, `${B}launcher_position: must be one of bl, br, tl, tr`],
    ["launcher_position upper case", settings({ launcher_position: "BR" }), 400, `${B}launcher_position: must be one of bl, br, tl, tr`],
    ["launcher_label 41 characters", settings({ launcher_label: long(41) }), 400, `${B}launcher_label: must be at most 40 characters`],
    ["launcher_label a number", settings({ launcher_label: 1 }), 400, `${B}launcher_label: must be a string`],
    ["privacy_notice 501 characters", settings({ privacy_notice: long(501) }), 400, `${B}privacy_notice: must be at most 500 characters`],
    ["an unknown field", settings({ colour: "#fff" }), 400, `${B}colour: unknown field`],
    [
      "__proto__ as a field",
      { method: "PATCH", path: S, headers: [auth], body: '{"__proto__": {"admin": true}}' },
      400,
      `${B}__proto__: unknown field`,
    ],
    ["body an array", settings([]), 400, `${B}the request body must be a JSON object`],
    [
      "PUT launcher_label 41 characters",
      settings({ launcher_label: long(41) }, "PUT"),
      400,
      `${B}launcher_label: must be at most 40 characters`,
    ],
    ["PUT an unknown field", settings({ theme: "dark" }, "PUT"), 400, `${B}theme: unknown field`],
    ["agent widget_enabled a string", agent({ widget_enabled: "true" }), 400, `${B}widget_enabled: must be true or false`],
    ["agent widget_enabled null", agent({ widget_enabled: null }), 400, `${B}widget_enabled: must be true or false`],
    ["agent auth_mode unknown", agent({ auth_mode: "admin" }), 400, `${B}auth_mode: must be one of guest, user, both`],
    ["agent auth_mode a number", agent({ auth_mode: 1 }), 400, `${B}auth_mode: must be one of guest, user, both`],
    ["agent agent_id 201 characters", agent({ agent_id: long(201) }), 400, `${B}agent_id: must be at most 200 characters`],
    [
      "agent agent_id differs from the path",
      agent({ agent_id: "agent-b" }),
      400,
      'agent_id_mismatch: agent_id "agent-b" in the body differs from "agent-a" in the path; omit it or make them equal',
    ],
    ["agent unknown", agent({ widget_enabled: true }, "agent-zz"), 404, 'not_found: agent "agent-zz" not found'],
    ["agent of another account", agent({ widget_enabled: true }, "other-agent"), 404, 'not_found: agent "other-agent" not found'],
    [
      "agent GET of another account",
      { method: "GET", path: "/api/v1/agents/other-agent/widget-settings", headers: [auth] },
      404,
      'not_found: agent "other-agent" not found',
    ],
  ];
  test.each(cases)("%s", async (_name, req, status, message) => {
    expectReply(await run(req), status, message);
  });
});

describe("management auth", () => {
  const UNAUTH = "unauthorized: Missing or invalid bearer token; send Authorization: Bearer <account API key (sk_live_…)>";
  const list = (headers: [string, string][]): Case[1] => ({ method: "GET", path: KEYS, headers });
  const cases: Case[] = [
    ["no Authorization", list([]), 401, UNAUTH],
    ["Basic auth", list([["authorization", "Basic YWNtZTpzZWNyZXQ="]]), 401, UNAUTH],
    ["Bearer with nothing after it", list([["authorization", "Bearer "]]), 401, UNAUTH],
    ["Bearer with two tokens", list([["authorization", "Bearer a b"]]), 401, UNAUTH],
    [
      "a widget public key",
      list([bearer("pk_live_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]),
      401,
      `${UNAUTH}; this server accepts only account API keys, not JWTs or widget keys`,
    ],
    [
      "a JWT",
      list([bearer("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")]),
      401,
      `${UNAUTH}; this server accepts only account API keys, not JWTs or widget keys`,
    ],
    ["an unknown sk_live_ key", list([bearer("sk_live_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]), 401, UNAUTH],
    ["a key whose prefix names another account", list([bearer("$API_KEY_AS_OTHER")]), 401, UNAUTH],
    [
      "an sk_live_ key with a 10,000-character random part",
      list([bearer(`sk_live_acme_${"A".repeat(10_000)}`)]),
      401,
      `${UNAUTH}; this server accepts only account API keys, not JWTs or widget keys`,
    ],
    [
      "X-Account-ID of another account",
      list([auth, ["x-account-id", "other-co"]]),
      403,
      'account_mismatch: X-Account-ID "other-co" is not the account of this API key; drop the header or fix it',
    ],
    ["X-Account-ID reserved", list([auth, ["x-account-id", "kataven-admin"]]), 403, 'forbidden: the account "kataven-admin" is reserved'],
    [
      "X-Account-ID not a slug",
      list([auth, ["x-account-id", "Acme Corp!"]]),
      400,
      "invalid_account_id: X-Account-ID must be an account slug matching ^[a-z0-9][a-z0-9_-]{0,62}$",
    ],
    [
      "X-Account-ID 64 characters",
      list([auth, ["x-account-id", "a".repeat(64)]]),
      400,
      "invalid_account_id: X-Account-ID must be an account slug matching ^[a-z0-9][a-z0-9_-]{0,62}$",
    ],
    [
      "an unknown route",
      { method: "GET", path: "/api/v1/widget-keyz", headers: [auth] },
      404,
      "not_found: no route GET /api/v1/widget-keyz",
    ],
    [
      "a method the route does not have",
      { method: "PUT", path: KEYS, headers: [auth] },
      404,
      "not_found: no route PUT /api/v1/widget-keys",
    ],
    [
      "admin stats is not public API",
      { method: "GET", path: "/__admin/faults", headers: [] },
      404,
      "not_found: no route GET /__admin/faults",
    ],
  ];
  test.each(cases)("%s", async (_name, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [srv.apiKey]);
  });
});
