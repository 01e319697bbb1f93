/**
 * A customer backend reduced to what the Kataven widget needs: `POST /widget-token` mints a user token
 * for the signed-in user, server to server, with the widget key pair's secret, and hands it to the front
 * end, which gives it to `Kataven.init({publicKey, userToken})` (the widget then calls /widget/auth/exchange).
 *
 * Environment:
 *   KATAVEN_WIDGET_SECRET_KEY  the key pair's secret (sk_live_…), required. Inject it from the stack's
 *                              secret output when the process starts; never write it to a file.
 *   KATAVEN_API_URL            default https://api.kataven.ai
 *   PORT, HOST                 default 3000 and 127.0.0.1 (PORT=0 picks a free port)
 * When it listens it prints one JSON line: {"url": "http://127.0.0.1:<port>"}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { request } from "undici";

const secretKey = process.env.KATAVEN_WIDGET_SECRET_KEY ?? "";
// Keep the secret in this process only: child processes don't inherit it.
delete process.env.KATAVEN_WIDGET_SECRET_KEY;
if (!secretKey.startsWith("sk_live_")) {
  console.error(
    "KATAVEN_WIDGET_SECRET_KEY must hold the widget key's sk_live_ secret. Inject it from the stack output: " +
      'KATAVEN_WIDGET_SECRET_KEY="$(npm run -s pulumi -- -C $PWD/examples/customer-backend stack output secretKey --show-secrets)" ' +
      "node examples/customer-backend/backend.ts",
  );
  process.exit(1);
}
const apiUrl = (process.env.KATAVEN_API_URL ?? "https://api.kataven.ai").replace(/\/+$/, "");
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);

interface User {
  id: string;
  name?: string;
  email?: string;
}

/**
 * DEMO ONLY, a stand-in for your real authentication: the request names its user in an `X-Demo-User`
 * header. Replace this with your session lookup (cookie, JWT, …); anyone can send a header.
 */
function signedInUser(req: IncomingMessage): User | null {
  const id = req.headers["x-demo-user"];
  return typeof id === "string" && /^[\w.@-]{1,100}$/.test(id) ? { id, name: id } : null;
}

/** `POST /api/v1/widget/auth/user-token`: a 5-minute, single-use token bound to this key pair. */
async function mintUserToken(user: User): Promise<{ userToken: string } | { status: number; code: string }> {
  const res = await request(`${apiUrl}/api/v1/widget/auth/user-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ external_user_id: user.id, display_name: user.name, email: user.email }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  // Error bodies are plain text "<code>: <detail>"; only the code is kept.
  if (res.statusCode !== 200) return { status: res.statusCode, code: text.split(":")[0].slice(0, 64) };
  return { userToken: (JSON.parse(text) as { user_token: string }).user_token };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<string> {
  if (req.method !== "POST" || req.url !== "/widget-token") {
    send(res, 404, { error: "not_found" });
    return "-";
  }
  const user = signedInUser(req);
  if (!user) {
    send(res, 401, { error: "not_signed_in" });
    return "-";
  }
  const minted = await mintUserToken(user);
  if ("userToken" in minted) {
    send(res, 200, { user_token: minted.userToken });
    return user.id;
  }
  // Kataven refused the secret (revoked or rotated key, agent policy): the front end can't open a session.
  console.error(`widget-token for ${user.id}: Kataven answered ${minted.status} ${minted.code}`);
  send(res, 502, { error: "widget_token_unavailable", kataven_status: minted.status });
  return user.id;
}

const server = createServer((req, res) => {
  handle(req, res)
    .catch((err: Error & { code?: string }) => {
      console.error(`widget-token: Kataven unreachable: ${err.code ?? err.name}`);
      if (!res.headersSent) send(res, 502, { error: "widget_token_unavailable" });
      return "-";
    })
    // One access-log line; never the token or the Authorization header.
    .then((user) => console.log(JSON.stringify({ method: req.method, path: req.url, status: res.statusCode, user })));
});

server.listen(port, host, () => {
  const addr = server.address();
  if (addr && typeof addr === "object") console.log(JSON.stringify({ url: `http://${host}:${addr.port}` }));
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => server.close(() => process.exit(0)));
