/**
 * Bad input on the public widget routes (config, guest, user-token, exchange, refresh): every field limit
 * and type is named in the answer (a 201-character value is "at most 200 characters", never "is required"),
 * and refusals never echo key material or tokens.
 */
import { startServer, type TestServer } from "../support/server";
import { bearer, expectNoSecrets, expectReply, json, send, type Case } from "./support";

let srv: TestServer;
const keys = { pk: "", sk: "", disabledPk: "", sessionToken: "", userToken: "" };
const ORIGIN: [string, string] = ["origin", "https://acme.com"];

/** "$PK", "$SK", "$DISABLED_PK", "$SESSION", "$USER_TOKEN" are filled in when the case runs. */
function fill(v: string): string {
  return v
    .replace("$DISABLED_PK", keys.disabledPk)
    .replace("$PK", keys.pk)
    .replace("$SK", keys.sk)
    .replace("$SESSION", keys.sessionToken)
    .replace("$USER_TOKEN", keys.userToken);
}
function run(req: Case[1]) {
  const body = req.body === undefined ? undefined : fill(typeof req.body === "string" ? req.body : JSON.stringify(req.body));
  return send(srv.url, {
    ...req,
    path: fill(req.path),
    body,
    headers: (req.headers ?? []).map(([k, v]) => [k, fill(v)] as [string, string]),
  });
}

beforeAll(async () => {
  srv = await startServer();
  srv.setAgentPolicy("agent-a", { widget_enabled: true, auth_mode: "both" });
  const mk = async (body: object) =>
    JSON.parse((await send(srv.url, json("POST", "/api/v1/widget-keys", body, [bearer(srv.apiKey)]))).text);
  const k = await mk({ name: "site", domain_allowlist: ["https://acme.com"] });
  keys.pk = k.public_key;
  keys.sk = k.secret_key;
  const d = await mk({ name: "off", domain_allowlist: ["https://acme.com"] });
  keys.disabledPk = d.public_key;
  await send(srv.url, json("PATCH", `/api/v1/widget-keys/${d.id}`, { disabled: true }, [bearer(srv.apiKey)]));
  keys.sessionToken = JSON.parse(
    (await send(srv.url, json("POST", "/api/v1/widget/auth/guest", { client_key: keys.pk, agent_id: "agent-a" }, [ORIGIN]))).text,
  ).token;
  keys.userToken = JSON.parse(
    (await send(srv.url, json("POST", "/api/v1/widget/auth/user-token", { external_user_id: "u1" }, [bearer(keys.sk)]))).text,
  ).user_token;
});
afterAll(() => srv.close());

const long = (n: number) => "x".repeat(n);
const B = "invalid_body: ";
const PK_TYPE = "must be a string (the widget's pk_live_ public key)";
const UNKNOWN_PK = "pk_live_acme_" + "Z".repeat(32);

describe("GET /widget/config", () => {
  const config = (query: string, headers: [string, string][] = [ORIGIN]): Case[1] => ({
    method: "GET",
    path: `/api/v1/widget/config${query}`,
    headers,
  });
  const cases: Case[] = [
    ["no client_key", config(""), 400, "missing_client_key: Missing client_key; pass ?client_key=pk_live_…"],
    ["empty client_key", config("?client_key="), 400, "missing_client_key: Missing client_key; pass ?client_key=pk_live_…"],
    ["a secret key as client_key", config("?client_key=$SK"), 400, "invalid_query: client_key: must be a pk_live_ public key"],
    [
      "client_key 201 characters",
      config(`?client_key=pk_live_${long(193)}`),
      400,
      "invalid_query: client_key: must be at most 200 characters",
    ],
    [
      "client_key 10 KB (longer URLs hit node's 16 KB header limit)",
      config(`?client_key=pk_live_${long(10_000)}`),
      400,
      "invalid_query: client_key: must be at most 200 characters",
    ],
    ["client_key unknown", config(`?client_key=${UNKNOWN_PK}`), 404, "invalid_client_key: no widget key matches this client_key"],
    ["client_key shaped wrong", config("?client_key=pk_live_"), 404, "invalid_client_key: no widget key matches this client_key"],
    [
      "agent_id 201 characters",
      config(`?client_key=$PK&agent_id=${long(201)}`),
      400,
      "invalid_query: agent_id: must be at most 200 characters",
    ],
    ["agent_id unknown", config("?client_key=$PK&agent_id=nope"), 404, 'agent_not_found: agent "nope" not found'],
    ["a disabled key", config("?client_key=$DISABLED_PK"), 403, /^key_disabled: widget key …[A-Za-z0-9]{8} is disabled; re-enable it/],
    [
      "no Origin or Referer",
      config("?client_key=$PK", []),
      403,
      "origin_not_allowed: Origin not in allowlist for this client_key (the request has no Origin or Referer header)",
    ],
    [
      "a foreign Origin",
      config("?client_key=$PK", [["origin", "https://evil.example"]]),
      403,
      "origin_not_allowed: Origin not in allowlist for this client_key (origin https://evil.example)",
    ],
  ];
  test.each(cases)("%s", async (_n, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [keys.sk, srv.apiKey]);
  });
});

describe("POST /widget/auth/guest", () => {
  const guest = (body: unknown, headers: [string, string][] = [ORIGIN]): Case[1] =>
    json("POST", "/api/v1/widget/auth/guest", body, headers);
  const raw = (body: string): Case[1] => ({ method: "POST", path: "/api/v1/widget/auth/guest", body, headers: [ORIGIN] });
  const cases: Case[] = [
    ["empty object", guest({}), 400, "missing_client_key: Missing client_key; send the widget's public key (pk_live_…) as client_key"],
    ["empty body", raw(""), 400, "missing_client_key: Missing client_key; send the widget's public key (pk_live_…) as client_key"],
    ["malformed JSON", raw("{client_key:"), 400, "invalid_json: the request body is not valid JSON; send a JSON object"],
    [
      "body an array",
      raw('["$PK"]'),
      400,
      "missing_client_key: Missing client_key; send the widget's public key (pk_live_…) as client_key",
    ],
    ["client_key a number", guest({ client_key: 5 }), 400, `${B}client_key: ${PK_TYPE}`],
    ["client_key null", guest({ client_key: null }), 400, `${B}client_key: ${PK_TYPE}`],
    ["client_key an object", guest({ client_key: { $ne: "" } }), 400, `${B}client_key: ${PK_TYPE}`],
    ["client_key an array", guest({ client_key: ["$PK"] }), 400, `${B}client_key: ${PK_TYPE}`],
    ["client_key a secret key", guest({ client_key: "$SK" }), 400, `${B}client_key: must be a pk_live_ public key`],
    ["client_key 201 characters", guest({ client_key: `pk_live_${long(193)}` }), 400, `${B}client_key: must be at most 200 characters`],
    [
      "client_key unknown",
      guest({ client_key: UNKNOWN_PK, agent_id: "agent-a" }),
      404,
      "invalid_client_key: no widget key matches this client_key",
    ],
    ["agent_id a number", guest({ client_key: "$PK", agent_id: 1 }), 400, `${B}agent_id: must be a string`],
    ["agent_id empty", guest({ client_key: "$PK", agent_id: "" }), 400, `${B}agent_id: must not be empty`],
    ["agent_id 201 characters", guest({ client_key: "$PK", agent_id: long(201) }), 400, `${B}agent_id: must be at most 200 characters`],
    [
      "agent_id missing on an unpinned key",
      guest({ client_key: "$PK" }),
      400,
      "missing_agent_id: agent_id is required because this widget key is not pinned to an agent",
    ],
    ["agent_id unknown", guest({ client_key: "$PK", agent_id: "nope" }), 404, 'agent_not_found: agent "nope" not found'],
    [
      "agent not enabled",
      guest({ client_key: "$PK", agent_id: "agent-b" }),
      403,
      'agent_not_enabled: the widget is not enabled for agent "agent-b"; set widget_enabled: true in its widget settings',
    ],
    [
      "a disabled key",
      guest({ client_key: "$DISABLED_PK", agent_id: "agent-a" }),
      403,
      /^key_disabled: widget key …[A-Za-z0-9]{8} is disabled/,
    ],
    [
      "text/plain body",
      { method: "POST", path: "/api/v1/widget/auth/guest", body: "client_key=x", headers: [ORIGIN, ["content-type", "text/plain"]] },
      400,
      "invalid_json: the request body is not valid JSON; send a JSON object",
    ],
  ];
  test.each(cases)("%s", async (_n, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [keys.sk, srv.apiKey]);
  });
});

describe("POST /widget/auth/user-token", () => {
  const INVALID = "invalid_secret_key: Missing or invalid secret key; send Authorization: Bearer <the widget key's secret_key (sk_live_…)>";
  const ut = (body: unknown, auth: [string, string][] = [bearer("$SK")]): Case[1] =>
    json("POST", "/api/v1/widget/auth/user-token", body, auth);
  const cases: Case[] = [
    ["no Authorization", ut({ external_user_id: "u" }, []), 401, INVALID],
    ["the public key as the secret", ut({ external_user_id: "u" }, [bearer("$PK")]), 401, INVALID],
    ["an unknown secret", ut({ external_user_id: "u" }, [bearer("sk_live_acme_" + "Q".repeat(32))]), 401, INVALID],
    ["a session JWT as the secret", ut({ external_user_id: "u" }, [bearer("$SESSION")]), 401, INVALID],
    ["Basic auth", ut({ external_user_id: "u" }, [["authorization", "Basic dTpw"]]), 401, INVALID],
    ["external_user_id missing", ut({}), 400, `${B}external_user_id: is required`],
    ["external_user_id a number", ut({ external_user_id: 42 }), 400, `${B}external_user_id: must be a string`],
    ["external_user_id null", ut({ external_user_id: null }), 400, `${B}external_user_id: must be a string`],
    ["external_user_id empty", ut({ external_user_id: "" }), 400, `${B}external_user_id: must not be empty`],
    ["external_user_id 201 characters", ut({ external_user_id: long(201) }), 400, `${B}external_user_id: must be at most 200 characters`],
    ["display_name a number", ut({ external_user_id: "u", display_name: 1 }), 400, `${B}display_name: must be a string`],
    [
      "display_name 201 characters",
      ut({ external_user_id: "u", display_name: long(201) }),
      400,
      `${B}display_name: must be at most 200 characters`,
    ],
    ["email not an address", ut({ external_user_id: "u", email: "ada" }), 400, `${B}email: must be an email address`],
    ["email a number", ut({ external_user_id: "u", email: 1 }), 400, `${B}email: must be a string`],
    [
      "email 255 characters",
      ut({ external_user_id: "u", email: `${long(243)}@example.com` }),
      400,
      `${B}email: must be at most 254 characters`,
    ],
    ["agent_id 201 characters", ut({ external_user_id: "u", agent_id: long(201) }), 400, `${B}agent_id: must be at most 200 characters`],
    ["agent_id unknown", ut({ external_user_id: "u", agent_id: "nope" }), 404, 'agent_not_found: agent "nope" not found'],
    [
      "agent guest-only",
      ut({ external_user_id: "u", agent_id: "agent-b" }),
      403,
      'agent_not_enabled: the widget is not enabled for agent "agent-b"; set widget_enabled: true in its widget settings',
    ],
    [
      "body an array",
      { method: "POST", path: "/api/v1/widget/auth/user-token", body: "[]", headers: [bearer("$SK")] },
      400,
      `${B}the request body must be a JSON object`,
    ],
  ];
  test.each(cases)("%s", async (_n, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [keys.sk, srv.apiKey]);
  });
});

describe("POST /widget/auth/exchange and /widget/auth/refresh", () => {
  const ex = (body: unknown): Case[1] => json("POST", "/api/v1/widget/auth/exchange", body, [ORIGIN]);
  const rf = (body: unknown, headers: [string, string][] = [ORIGIN]): Case[1] => json("POST", "/api/v1/widget/auth/refresh", body, headers);
  const cases: Case[] = [
    [
      "exchange without client_key",
      ex({ user_token: "$USER_TOKEN" }),
      400,
      "missing_client_key: Missing client_key; send the widget's public key (pk_live_…) as client_key",
    ],
    ["exchange user_token missing", ex({ client_key: "$PK" }), 400, `${B}user_token: is required`],
    ["exchange user_token a number", ex({ client_key: "$PK", user_token: 1 }), 400, `${B}user_token: must be a string`],
    ["exchange user_token empty", ex({ client_key: "$PK", user_token: "" }), 400, `${B}user_token: must not be empty`],
    [
      "exchange user_token 4,097 characters",
      ex({ client_key: "$PK", user_token: long(4097) }),
      400,
      `${B}user_token: must be at most 4096 characters`,
    ],
    [
      "exchange user_token garbage",
      ex({ client_key: "$PK", user_token: "not.a.jwt" }),
      400,
      "invalid_token: user_token is not a token issued by this server",
    ],
    [
      "exchange a session token as user_token",
      ex({ client_key: "$PK", user_token: "$SESSION" }),
      400,
      "invalid_token: user_token is not a widget_user_exchange token",
    ],
    ["exchange client_key a number", ex({ client_key: 1, user_token: "$USER_TOKEN" }), 400, `${B}client_key: ${PK_TYPE}`],
    [
      "exchange client_key unknown",
      ex({ client_key: UNKNOWN_PK, user_token: "$USER_TOKEN" }),
      404,
      "invalid_client_key: no widget key matches this client_key",
    ],
    [
      "exchange agent_id 201 characters",
      ex({ client_key: "$PK", user_token: "$USER_TOKEN", agent_id: long(201) }),
      400,
      `${B}agent_id: must be at most 200 characters`,
    ],
    [
      "refresh with nothing",
      rf({}),
      400,
      'missing_refresh_token: Missing or expired refresh_token; send {"refresh_token": <session token>} or Authorization: Bearer <session token>',
    ],
    ["refresh_token a number", rf({ refresh_token: 1 }), 400, `${B}refresh_token: must be a string`],
    ["refresh_token empty", rf({ refresh_token: "" }), 400, `${B}refresh_token: must not be empty`],
    ["refresh_token 4,097 characters", rf({ refresh_token: long(4097) }), 400, `${B}refresh_token: must be at most 4096 characters`],
    ["refresh_token garbage", rf({ refresh_token: "abc" }), 400, "invalid_token: refresh_token is not a token issued by this server"],
    ["refresh with a user_token", rf({ refresh_token: "$USER_TOKEN" }), 400, "invalid_token: refresh_token is not a widget_session token"],
    ["refresh Bearer garbage", rf({}, [ORIGIN, bearer("abc")]), 400, "invalid_token: refresh_token is not a token issued by this server"],
    [
      "refresh from a foreign origin",
      rf({ refresh_token: "$SESSION" }, [["origin", "https://evil.example"]]),
      403,
      "origin_not_allowed: Origin not in allowlist for this client_key (origin https://evil.example)",
    ],
  ];
  test.each(cases)("%s", async (_n, req, status, message) => {
    const r = await run(req);
    expectReply(r, status, message);
    expectNoSecrets(r.text, [keys.sk, keys.sessionToken, keys.userToken, srv.apiKey]);
  });
});
