/**
 * DNS rebinding: a page on attacker.example whose name is made to resolve to 127.0.0.1 reaches a
 * loopback server from the visitor's browser, with its own name in Host. A server listening on loopback
 * answers only requests addressed to a loopback name (421 otherwise), so such a page can neither read
 * nor change the fault rules, the statistics or anything else.
 */
import { startServer, type TestServer } from "../support/server";
import { bearer, expectReply, json, send } from "./support";

let srv: TestServer;
let port = "";
beforeAll(async () => {
  srv = await startServer({ faults: true });
  port = new URL(srv.url).port;
});
afterAll(() => srv.close());

const MISDIRECTED =
  "misdirected_request: this server listens on a loopback address and answers only requests addressed to localhost, 127.0.0.1 or [::1]; the Host header names another host (as a page reached through DNS rebinding does)";

describe("a foreign Host is refused on every route, admin routes first", () => {
  const hosts = [
    "attacker.example",
    "attacker.example:PORT",
    "127.0.0.1.nip.io:PORT",
    "localhost.attacker.example",
    "10.0.0.1:PORT",
    "0.0.0.0:PORT",
    "[::2]:PORT",
    "localhost-attacker.example:PORT",
    "",
  ];
  const routes: [string, string, object?][] = [
    ["PUT", "/__admin/faults", [{ route: "GET /api/v1/widget-keys", mode: "status", status: 500, times: -1 }]],
    ["GET", "/__admin/faults"],
    ["DELETE", "/__admin/faults"],
    ["GET", "/__admin/stats"],
    ["POST", "/__admin/stats/reset"],
    ["GET", "/api/v1/widget-keys"],
    ["GET", "/openapi.json"],
  ];
  const cases = hosts.flatMap((h) => routes.map(([m, p, b]) => [`${m} ${p} with Host "${h}"`, h, m, p, b] as const));
  test.each(cases)("%s → 421", async (_n, host, method, path, body) => {
    const r = await send(srv.url, { method, path, body, headers: [["host", host.replace("PORT", port)], bearer(srv.apiKey)] });
    expectReply(r, 421, MISDIRECTED);
  });

  test("no fault rule was set through a foreign Host", async () => {
    expectReply(await send(srv.url, { method: "GET", path: "/__admin/faults" }), 200, "[]");
  });
});

describe("loopback names are answered", () => {
  test.each(["127.0.0.1:PORT", "localhost:PORT", "LOCALHOST", "localhost.:PORT", "app.localhost:PORT", "127.1.2.3:PORT", "[::1]:PORT"])(
    "Host %s",
    async (host) => {
      expectReply(
        await send(srv.url, { method: "GET", path: "/__admin/faults", headers: [["host", host.replace("PORT", port)]] }),
        200,
        "[]",
      );
      expectReply(
        await send(srv.url, json("GET", "/api/v1/widget-keys", undefined, [["host", host.replace("PORT", port)], bearer(srv.apiKey)])),
        200,
        /^\[/,
      );
    },
  );
});
