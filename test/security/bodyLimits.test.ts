/**
 * Request-body limits per route class: 16 KB on public widget routes, 256 KB on
 * management routes, answered 413 before the body is buffered (a declared 100 MB body gets its 413 while the
 * client is still sending), with or without auth. A body the client abandons is logged as a client abort.
 */
import { request } from "node:http";
import { startServer, type TestServer } from "../support/server";
import { bearer, expectReply, send, type RawRequest } from "./support";

let srv: TestServer;
const log: string[] = [];
beforeAll(async () => {
  srv = await startServer({ logger: (line) => log.push(line) });
});
afterAll(() => srv.close());

const PUBLIC_413 =
  "payload_too_large: the request body is larger than 16384 bytes (16 KB), the limit for public widget routes; send a smaller body";
const MGMT_413 =
  "payload_too_large: the request body is larger than 262144 bytes (256 KB), the limit for management routes; send a smaller body";
const pad = (n: number) => JSON.stringify({ client_key: "pk_live_acme_x", pad: "x".repeat(n) });
const AUTH = bearer("$API_KEY");

const cases: [string, RawRequest, number, string | RegExp][] = [
  ["guest, 17 KB", { method: "POST", path: "/api/v1/widget/auth/guest", body: pad(17_000) }, 413, PUBLIC_413],
  ["guest, 17 KB under /hub-api", { method: "POST", path: "/hub-api/api/v1/widget/auth/guest", body: pad(17_000) }, 413, PUBLIC_413],
  ["guest, 17 KB under /v1", { method: "POST", path: "/v1/widget/auth/guest", body: pad(17_000) }, 413, PUBLIC_413],
  [
    "guest, just under 16 KB is read",
    { method: "POST", path: "/api/v1/widget/auth/guest", body: pad(16_000) },
    404,
    "invalid_client_key: no widget key matches this client_key",
  ],
  ["guest, 17 KB chunked", { method: "POST", path: "/api/v1/widget/auth/guest", body: pad(17_000), chunked: true }, 413, PUBLIC_413],
  [
    "guest, declares 100 MB and sends 1 KB",
    { method: "POST", path: "/api/v1/widget/auth/guest", body: "x".repeat(1024), declaredLength: 100 * 1024 * 1024 },
    413,
    PUBLIC_413,
  ],
  [
    "guest, declares 600 MB",
    { method: "POST", path: "/api/v1/widget/auth/guest", body: "{", declaredLength: 600 * 1024 * 1024 },
    413,
    PUBLIC_413,
  ],
  ["user-token without auth, 17 KB", { method: "POST", path: "/api/v1/widget/auth/user-token", body: pad(17_000) }, 413, PUBLIC_413],
  ["exchange, 17 KB", { method: "POST", path: "/api/v1/widget/auth/exchange", body: pad(17_000) }, 413, PUBLIC_413],
  ["refresh, 17 KB", { method: "POST", path: "/api/v1/widget/auth/refresh", body: pad(17_000) }, 413, PUBLIC_413],
  ["config with a body, 17 KB", { method: "POST", path: "/api/v1/widget/config", body: pad(17_000) }, 413, PUBLIC_413],
  ["create key without auth, 300 KB", { method: "POST", path: "/api/v1/widget-keys", body: pad(300_000) }, 413, MGMT_413],
  [
    "create key without auth, declares 100 MB",
    { method: "POST", path: "/api/v1/widget-keys", body: "{", declaredLength: 100 * 1024 * 1024 },
    413,
    MGMT_413,
  ],
  [
    "create key with auth, 300 KB chunked",
    { method: "POST", path: "/api/v1/widget-keys", body: pad(300_000), headers: [AUTH], chunked: true },
    413,
    MGMT_413,
  ],
  [
    "a 1 MB logo_url",
    {
      method: "PATCH",
      path: "/api/v1/widget-settings",
      body: JSON.stringify({ logo_url: `https://acme.com/${"x".repeat(1024 * 1024)}` }),
      headers: [AUTH],
    },
    413,
    MGMT_413,
  ],
  [
    "agent policy, 300 KB",
    { method: "PATCH", path: "/api/v1/agents/agent-a/widget-settings", body: pad(300_000), headers: [AUTH] },
    413,
    MGMT_413,
  ],
  ["key PATCH, 300 KB", { method: "PATCH", path: "/api/v1/widget-keys/x", body: pad(300_000), headers: [AUTH] }, 413, MGMT_413],
  ["an unknown route, 300 KB", { method: "POST", path: "/nope", body: pad(300_000) }, 413, MGMT_413],
  [
    "create key with auth, 200 KB is read and validated",
    { method: "POST", path: "/api/v1/widget-keys", body: JSON.stringify({ name: "x".repeat(200_000) }), headers: [AUTH] },
    400,
    "invalid_body: name: must be at most 200 characters",
  ],
];

test.each(cases)("%s", async (_n, req, status, message) => {
  const headers = (req.headers ?? []).map(([k, v]) => [k, v.replace("$API_KEY", srv.apiKey)] as [string, string]);
  expectReply(await send(srv.url, { ...req, headers }), status, message);
});

test("a body the client abandons is logged as client_abort, not as a 500", async () => {
  const u = new URL(srv.url);
  await new Promise<void>((resolve) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      method: "POST",
      path: "/api/v1/widget-keys",
      headers: { authorization: `Bearer ${srv.apiKey}`, "content-type": "application/json", "content-length": "5000" },
    });
    req.on("error", () => resolve());
    req.write('{"name": "');
    setTimeout(() => req.destroy(), 100);
  });
  for (let i = 0; i < 50 && !log.some((l) => l.includes("client_abort")); i++) await new Promise((r) => setTimeout(r, 20));
  expect(log).toContainEqual(expect.stringMatching(/^POST \/api\/v1\/widget-keys client_abort \d+\.\dms$/));
  expect(log.filter((l) => l.startsWith("error ") || / 500 /.test(l))).toEqual([]);
  // and the server still answers
  expectReply(await send(srv.url, { method: "GET", path: "/api/v1/widget-keys", headers: [bearer(srv.apiKey)] }), 200, /^\[/);
});
