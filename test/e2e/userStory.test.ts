/**
 * The customer-backend user story, end to end, through the real Pulumi CLI against the local server:
 *   up (examples/customer-backend) → the backend (examples/customer-backend/backend.ts) started as a child
 *   process with its secret injected from `stack output secretKey --show-secrets` → it mints a user token
 *   → a widget client (HTTP with an Origin header) exchanges it and refreshes the session → the same from
 *   a foreign origin is refused → rotate (stack config `rotation`, up) → the backend restarted with the
 *   new secret works, the old secret is refused → destroy.
 * Every log (backend stdout/stderr, server request log, CLI output except --show-secrets commands), the
 * state, the stack's config file and the session's PULUMI_HOME are scanned for plaintext secrets, user
 * tokens and session tokens.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { startServer } from "../support/server";
import { type CustomerBackend, startCustomerBackend } from "./support/customerBackend";
import { cliVersion, findSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";
import { managementApi } from "./support/kataven";

type Server = Awaited<ReturnType<typeof startServer>>;

const EXAMPLE = path.join(REPO, "examples/customer-backend");
const SITE = "https://shop.example";
const FOREIGN = "https://evil.example";
const JWT_RE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

type Backend = CustomerBackend;

describe("user story: customer backend with an injected secret, through the real engine", () => {
  let server: Server;
  let s: PulumiSession;
  let agent: string;
  const serverLog: string[] = [];
  const backends: Backend[] = [];
  /** every secret and token seen, for the leak scans */
  const secrets: string[] = [];
  const tokens: string[] = [];
  let backend: Backend;

  /** backend.ts with the secret injected from the stack output by the shell (support/customerBackend.ts). */
  async function startBackend(): Promise<Backend> {
    const b = await startCustomerBackend({ session: s, outputName: "secretKey", apiUrl: server.url });
    backends.push(b);
    return b;
  }

  async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
  }
  /** The front end asking its backend for a widget token, as signed-in user `user`. */
  async function widgetToken(b: Backend, user = "alice") {
    const r = await post(`${b.url}/widget-token`, {}, { "x-demo-user": user });
    if (r.json?.user_token) tokens.push(r.json.user_token);
    return r;
  }
  /** The widget in a page on `origin`. */
  async function exchange(publicKey: string, userToken: string, origin: string) {
    const r = await post(`${server.url}/api/v1/widget/auth/exchange`, { client_key: publicKey, user_token: userToken }, { origin });
    if (r.json?.token) tokens.push(r.json.token);
    return r;
  }
  async function refresh(token: string, origin: string) {
    const r = await post(`${server.url}/api/v1/widget/auth/refresh`, { refresh_token: token }, { origin });
    if (r.json?.token) tokens.push(r.json.token);
    return r;
  }
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

  async function output(name: string, secret = false) {
    const r = await s.run(["stack", "output", name, ...(secret ? ["--show-secrets"] : [])]);
    return r.stdout.trim();
  }
  const listKeys = () => managementApi(server).listKeys();
  /** The text of every file under `dir` (binary files too: ASCII tokens survive latin1), by path. */
  function filesUnder(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    if (!fs.existsSync(dir)) return out;
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      const f = path.join(e.parentPath, e.name);
      if (e.isFile() && fs.statSync(f).size < 5_000_000) out.set(f, fs.readFileSync(f, "latin1"));
    }
    return out;
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    server = await startServer({ bcryptCost: 4, logger: (line: string) => serverLog.push(line) });
    agent = server.agents[0];
    s = await newSession(EXAMPLE);
    await s.useServer(server);
    await s.config("agentId", agent);
    await s.config("siteOrigin", SITE);
  });
  afterAll(async () => {
    for (const b of backends) await b.stop();
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
  });

  it("up: the agent admits users only, and the key pair serves the site's origin", async () => {
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/\+ 3 created/);
    expect(r.stdout).toMatch(/secretKey\s*:\s*\[secret\]/);
    expect(await output("publicKey")).toMatch(/^pk_live_/);
    expect(await output("secretKey")).toBe("[secret]");
    const secret = await output("secretKey", true);
    expect(secret).toMatch(/^sk_live_/);
    secrets.push(secret);
    const [key] = await listKeys();
    expect(key.domain_allowlist).toEqual([SITE]);
    expect(key.agent_id).toBe(agent);
  });

  it("the backend, started with the injected secret, mints a user token for the signed-in user only", async () => {
    backend = await startBackend();
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = await post(`${backend.url}/widget-token`, {});
    expect(anonymous.status).toBe(401);
    const r = await widgetToken(backend);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(["user_token"]);
    expect(claims(r.json.user_token)).toMatchObject({ sub: "user:alice", typ: "widget_user_exchange" });
  });

  it("the widget on the site exchanges the token for a session and refreshes it", async () => {
    const publicKey = await output("publicKey");
    const { json } = await widgetToken(backend);
    const session = await exchange(publicKey, json.user_token, SITE);
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ kind: "user", agent_id: agent });
    expect(claims(session.json.token)).toMatchObject({ sub: "user:alice", origin: SITE, kind: "user" });

    const renewed = await refresh(session.json.token, SITE);
    expect(renewed.status).toBe(200);
    expect(renewed.json.token).not.toBe(session.json.token);
    expect(claims(renewed.json.token)).toMatchObject({ sub: "user:alice", origin: SITE, kind: "user" });
    // the user token was single-use
    const replay = await exchange(publicKey, json.user_token, SITE);
    expect(replay.status).toBe(400);
    expect(replay.text).toMatch(/^token_used: /);
  });

  it("the same from a foreign origin is refused, and the agent gives anonymous guests nothing", async () => {
    const publicKey = await output("publicKey");
    const { json } = await widgetToken(backend);
    const stolen = await exchange(publicKey, json.user_token, FOREIGN);
    expect(stolen.status).toBe(403);
    expect(stolen.text).toMatch(/^origin_not_allowed: /);
    // the refusal did not consume the token: the real site can still use it
    const site = await exchange(publicKey, json.user_token, SITE);
    expect(site.status).toBe(200);
    const foreignRefresh = await refresh(site.json.token, FOREIGN);
    expect(foreignRefresh.status).toBe(403);
    expect(foreignRefresh.text).toMatch(/^origin_not_allowed: /);
    const guest = await post(`${server.url}/api/v1/widget/auth/guest`, { client_key: publicKey }, { origin: SITE });
    expect(guest.status).toBe(403);
    expect(guest.text).toMatch(/^auth_mode_not_allowed: /);
  });

  it("rotation: the restarted backend works with the new secret, the old secret is refused", async () => {
    const oldPublic = await output("publicKey");
    const oldKeyId = await output("keyId");
    await s.config("rotation", "2");
    const r = await s.run(["up", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/^\s+\+-1 replaced$/m);
    const newPublic = await output("publicKey");
    expect(newPublic).not.toBe(oldPublic);
    const newSecret = await output("secretKey", true);
    expect(newSecret).toMatch(/^sk_live_/);
    expect(newSecret).not.toBe(secrets[0]);
    secrets.push(newSecret);

    // the old key was used, so the replacement disabled it rather than deleting it
    const keys = await listKeys();
    expect(keys.find((k) => k.id === oldKeyId)?.disabled_at).toEqual(expect.any(String));

    // the backend still running with the old secret can't mint any more
    const stale = await widgetToken(backend);
    expect(stale.status).toBe(502);
    expect(stale.json).toEqual({ error: "widget_token_unavailable", kataven_status: 403 });
    expect(backend.stderr.join("\n")).toMatch(/Kataven answered 403 key_disabled/);
    // and the old secret is refused by user-token itself
    const direct = await post(
      `${server.url}/api/v1/widget/auth/user-token`,
      { external_user_id: "alice" },
      { authorization: `Bearer ${secrets[0]}` },
    );
    expect(direct.status).toBe(403);
    expect(direct.text).toMatch(/^key_disabled: /);

    await backend.stop();
    backend = await startBackend();
    const fresh = await widgetToken(backend);
    expect(fresh.status).toBe(200);
    // a token from the new pair opens a session with the new public key only
    const wrongPair = await exchange(oldPublic, fresh.json.user_token, SITE);
    expect(wrongPair.status).toBe(403);
    const session = await exchange(newPublic, fresh.json.user_token, SITE);
    expect(session.status).toBe(200);
    expect((await refresh(session.json.token, SITE)).status).toBe(200);
  });

  it("destroy removes the stack's resources; the used key is disabled, so its secret stops working", async () => {
    const keyId = await output("keyId");
    const r = await s.run(["destroy", "--yes", "--non-interactive"]);
    expect(r.stdout).toMatch(/- 3 deleted/);
    expect(s.resources()).toHaveLength(0);
    expect((await listKeys()).every((k) => k.disabled_at !== null)).toBe(true);
    expect((await listKeys()).find((k) => k.id === keyId)).toBeDefined();
    const after = await widgetToken(backend);
    expect(after.status).toBe(502);
    await backend.stop();
  });

  it("no plaintext secret or token in any log, CLI output, state or config file", async () => {
    const stats = await server.stats();
    const auth = Object.entries(stats.routes)
      .filter(([k]) => k.includes("/widget/auth/"))
      .map(([k, v]) => `${k.split("/").pop()} ${JSON.stringify(v.statuses)}`);
    console.log(`user story requests: ${stats.total} to the server; widget auth: ${auth.join(", ")}`);
    // Each transcript entry is "$ pulumi <args>" then the output. The --show-secrets commands print secrets
    // by design; the command lines are this test's own argv (config set --secret passes the API key there).
    const cli = s.transcript.filter((t) => !t.split("\n")[0].includes("--show-secrets")).map((t) => t.slice(t.indexOf("\n") + 1));
    const backendLogs = backends.flatMap((b) => [...b.stdout, ...b.stderr]);
    // the session's state, PULUMI_HOME and stack config file; the example directory; the server's data.
    // The account API key is among the needles too: the server keeps only its HMAC.
    const files = new Map([...filesUnder(path.dirname(s.stateDir)), ...filesUnder(EXAMPLE), ...filesUnder(server.dataDir)]);
    const onDisk = [...files.values()];
    const sources: Record<string, string> = {
      cli: cli.join("\n"),
      backend: backendLogs.join("\n"),
      server: serverLog.join("\n"),
      disk: onDisk.join("\n"),
    };
    const found: Record<string, number> = {};
    for (const [name, text] of Object.entries(sources)) {
      const hits = [
        ...findSecretKeys(text),
        ...(text.match(JWT_RE) ?? []),
        ...[...secrets, ...tokens, server.apiKey].filter((v) => text.includes(v)),
      ];
      found[name] = hits.length;
      // name the hit without printing it: its kind, length, last 4 characters and the text around it
      for (const h of hits) {
        const at = text.indexOf(h);
        const around = (a: number, b: number) => text.slice(Math.max(0, a), Math.max(0, b)).replace(/\s+/g, " ");
        console.warn(`leak in ${name}: ${h.slice(0, 8)}…${h.slice(-4)} (${h.length} chars) after "${around(at - 120, at)}"`);
      }
    }
    console.log(
      `user story scan: ${secrets.length} secrets and ${tokens.length} tokens seen; scanned ${cli.length} CLI outputs, ` +
        `${backendLogs.length} backend log lines (${backends.length} backend runs), ${serverLog.length} server log lines, ` +
        `${onDisk.length} files; hits ${JSON.stringify(found)}`,
    );
    // the scans looked at something real
    expect(secrets).toHaveLength(2);
    expect(tokens.length).toBe(9); // 4 user tokens, 5 session tokens
    expect(backendLogs.length).toBeGreaterThan(5);
    expect(serverLog.length).toBeGreaterThan(10);
    expect(found).toEqual({ cli: 0, backend: 0, server: 0, disk: 0 });
  });
});
