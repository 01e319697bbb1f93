/**
 * WidgetKey lifecycle against the real local server over loopback: create, read (drift), update, delete,
 * rotation, adoption, and the request budget (no-change check/diff = 0 requests, refresh of 20 keys ≤ 2).
 */
import * as allowlist from "../../../contract/allowlist";
import * as key from "../../../provider/lifecycle/widgetKey";
import type { WidgetKeyOutputs } from "../../../provider/lifecycle/widgetKey";
import type { TestServer } from "../../support/server";
import { api, type As, boot, configureFor, freshAccount, serverKeys, shutdown } from "./support";

type Props = Record<string, unknown>;
const PV = "0.1.0";

let srv: TestServer;
let acct: As & { accountId: string };
beforeAll(async () => {
  srv = await boot();
});
afterAll(() => shutdown(srv));
beforeEach(async () => {
  acct = freshAccount(srv);
  await srv.resetStats();
});

/** check() then create(), as the engine does; the outputs as state holds them (with __provider). */
async function createKey(program: Props): Promise<{ id: string; inputs: Props; outs: WidgetKeyOutputs & Props }> {
  const { inputs, failures } = await key.check({}, { providerVersion: PV, ...program });
  expect(failures).toEqual([]);
  const r = await key.create(inputs);
  return { id: r.id, inputs, outs: { ...r.outs, __provider: "P" } };
}

/** check() + diff() + update() for a new program, as the engine does for an in-place update. */
async function updateKey(id: string, olds: Props, program: Props) {
  const { inputs, failures } = await key.check({}, { providerVersion: PV, ...program });
  expect(failures).toEqual([]);
  const d = await key.diff(id, olds, inputs);
  const r = d.changes && d.replaces.length === 0 ? await key.update(id, olds, inputs) : undefined;
  return { diff: d, inputs, outs: r?.outs };
}

/** Marks a key used, through the public widget endpoint (sets last_used_at). */
async function useKey(publicKey: string, origin: string) {
  const res = await fetch(`${srv.url}/api/v1/widget/config?client_key=${encodeURIComponent(publicKey)}`, { headers: { origin } });
  expect(res.status).toBe(200);
}

describe("create", () => {
  it("mints a pair and returns canonical outputs with the secret", async () => {
    const { id, outs } = await createKey({
      name: " acme prod ",
      domainAllowlist: ["https://www.acme.com/", "ACME.com", "*.acme.com"],
      agentId: "agent-a",
    });
    expect(outs).toMatchObject({
      keyId: id,
      name: "acme prod",
      agentId: "agent-a",
      domainAllowlist: ["https://www.acme.com", "https://acme.com", "*.acme.com"],
      disabled: false,
      disabledAt: null,
      lastUsedAt: null,
      secretAvailable: true,
      providerVersion: PV,
    });
    expect(outs.publicKey).toMatch(/^pk_live_t[\w-]+_[A-Za-z0-9]{24,}$/);
    expect(outs.secretKey).toMatch(/^sk_live_t[\w-]+_[A-Za-z0-9]{24,}$/);
    expect(outs.keyLast8).toBe(outs.publicKey!.slice(-8));
    expect(await srv.requestCount()).toBe(1);
    const onServer = await serverKeys(acct);
    expect(onServer.map((k) => k.id)).toEqual([id]);
    expect(onServer[0].domain_allowlist).toEqual(outs.domainAllowlist);
  });

  it("check + create canonicalise the allowlist at most twice in the provider (check's list is sent as it is)", async () => {
    // Counted from the provider's lifecycle modules only (the in-process test server canonicalises too).
    let calls = 0;
    const count =
      <A extends unknown[], R>(real: (...a: A) => R) =>
      (...a: A): R => {
        if (/provider[\\/]lifecycle/.test(new Error().stack ?? "")) calls++;
        return real(...a);
      };
    const { canonicalizeAllowlist, stateAllowlist } = allowlist;
    const spies = [
      jest.spyOn(allowlist, "canonicalizeAllowlist").mockImplementation(count(canonicalizeAllowlist)),
      jest.spyOn(allowlist, "stateAllowlist").mockImplementation(count(stateAllowlist)),
    ];
    try {
      const { outs } = await createKey({ name: "twice", domainAllowlist: ["https://www.acme.com/", "ACME.com"] });
      expect(outs.domainAllowlist).toEqual(["https://www.acme.com", "https://acme.com"]);
      expect(calls).toBeLessThanOrEqual(2);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it("creates a disabled key when asked", async () => {
    const { outs } = await createKey({ name: "off", domainAllowlist: [], disabled: true });
    expect(outs.disabled).toBe(true);
    expect(outs.disabledAt).not.toBeNull();
    expect(outs.secretKey).toMatch(/^sk_live_/);
  });

  it("an unknown agent fails clearly and leaves nothing behind", async () => {
    const { inputs } = await key.check({}, { name: "pinned", domainAllowlist: [], agentId: "agent-zzz", providerVersion: PV });
    const err = await key.create(inputs).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^POST \/api\/v1\/widget-keys failed: 400 invalid_agent_id: agent_id "agent-zzz" is not an agent of this account; check agentId/,
    );
    expect(await serverKeys(acct)).toEqual([]);
  });

  it("a wrong API key says to check kataven:apiKey, without echoing it", async () => {
    configureFor(srv, { apiKey: "sk_live_acme_WrongWrongWrongWrongWrong1" });
    const { inputs } = await key.check({}, { name: "x", domainAllowlist: [] });
    const err = (await key.create(inputs).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/401 .*check kataven:apiKey/);
    expect(err.message).not.toContain("WrongWrongWrong");
  });
});

describe("update in place", () => {
  it("an allowlist edit PATCHes once and keeps id, public key and secret", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["https://a.com"] });
    await srv.resetStats();
    const u = await updateKey(id, outs, { name: "k", domainAllowlist: ["https://a.com", "https://b.com"] });
    expect(u.diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(u.outs).toMatchObject({
      keyId: id,
      publicKey: outs.publicKey,
      secretKey: outs.secretKey,
      domainAllowlist: ["https://a.com", "https://b.com"],
    });
    expect(await srv.requestCount()).toBe(1);
    expect(await srv.requestCount("PATCH /api/v1/widget-keys/:id")).toBe(1);
    expect((await serverKeys(acct))[0].domain_allowlist).toEqual(["https://a.com", "https://b.com"]);
  });

  it("reordering or re-spelling the allowlist plans nothing and calls nothing", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["https://a.com", "*.b.com"] });
    await srv.resetStats();
    const u = await updateKey(id, outs, { name: "k", domainAllowlist: ["https://*.B.com", "a.com."] });
    expect(u.diff.changes).toBe(false);
    expect(await srv.requestCount()).toBe(0);
  });

  it("rename, pin, unpin, disable and re-enable", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    let olds: Props = outs;
    const steps: [Props, Partial<WidgetKeyOutputs>][] = [
      [{ name: "k2", domainAllowlist: [] }, { name: "k2" }],
      [{ name: "k2", domainAllowlist: [], agentId: "agent-b" }, { agentId: "agent-b" }],
      [{ name: "k2", domainAllowlist: [] }, {}], // unpinned
      [{ name: "k2", domainAllowlist: [], disabled: true }, { disabled: true }],
      [
        { name: "k2", domainAllowlist: [], disabled: false },
        { disabled: false, disabledAt: null },
      ],
    ];
    for (const [program, expected] of steps) {
      const u = await updateKey(id, olds, program);
      expect(u.diff.changes).toBe(true);
      expect(u.outs).toMatchObject({ ...expected, secretKey: outs.secretKey });
      if (program.agentId === undefined) expect(u.outs).not.toHaveProperty("agentId");
      olds = { ...u.outs, __provider: "P" };
    }
    const server = (await serverKeys(acct))[0];
    expect(server).toMatchObject({ name: "k2", agent_id: null, disabled_at: null });
  });

  it("a new providerVersion alone plans nothing; a changed stub is an update that makes no API call", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    await srv.resetStats();
    // The SDK puts __provider back into the checked inputs before diff; so does this test.
    const { inputs } = await key.check({}, { name: "k", domainAllowlist: [], providerVersion: "0.2.0" });
    expect((await key.diff(id, outs, { ...inputs, __provider: "P" })).changes).toBe(false);
    const news = { ...inputs, __provider: "P2" };
    expect((await key.diff(id, outs, news)).changes).toBe(true);
    const u = { outs: (await key.update(id, outs, news)).outs };
    expect(u.outs).toMatchObject({ providerVersion: "0.2.0", secretKey: outs.secretKey, keyId: id });
    expect(u.outs).not.toHaveProperty("__provider");
    expect(await srv.requestCount()).toBe(0);
  });

  it("tags are an update that makes no API call, and are kept in the outputs", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["*.a.com"] });
    expect(outs).not.toHaveProperty("tags");
    await srv.resetStats();
    const u = await updateKey(id, outs, { name: "k", domainAllowlist: ["*.a.com"], tags: ["allow-wildcards", "allow-wildcards"] });
    expect(u.diff.changes).toBe(true);
    expect(u.diff.replaces).toEqual([]);
    expect(u.outs).toMatchObject({ tags: ["allow-wildcards"], secretKey: outs.secretKey, keyId: id });
    const back = await updateKey(id, { ...u.outs! }, { name: "k", domainAllowlist: ["*.a.com"] });
    expect(back.outs).not.toHaveProperty("tags");
    expect(await srv.requestCount()).toBe(0);
  });

  it("a key deleted out of band: update says so and what to do", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    await api(acct, "DELETE", `/api/v1/widget-keys/${id}`);
    const err = (await updateKey(id, outs, { name: "renamed", domainAllowlist: [] }).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      `PATCH /api/v1/widget-keys/${id} failed: 404 not_found: widget key "${id}" not found; it may have been deleted outside Pulumi, run "pulumi refresh".`,
    );
  });
});

describe("read (refresh)", () => {
  it("no drift: same outputs, secret carried over, inputs that leave no diff", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["a.com"], agentId: "agent-a", rotation: 3 });
    const r = await key.read(id, outs);
    expect(r.id).toBe(id);
    const { __provider: _p, ...expected } = outs;
    expect(r.props).toEqual(expected);
    expect(r.inputs).toEqual({
      name: "k",
      agentId: "agent-a",
      domainAllowlist: ["https://a.com"],
      disabled: false,
      rotation: 3,
      providerVersion: PV,
    });
    const again = await key.diff(
      id,
      { ...r.props, __provider: "P" },
      (await key.check({}, { name: "k", domainAllowlist: ["a.com"], agentId: "agent-a", rotation: 3, providerVersion: PV })).inputs,
    );
    expect(again.changes).toBe(false);
  });

  it("disabled out of band: drift with a warning; a program silent about disabled keeps it revoked, disabled: false re-enables it", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    await api(acct, "PATCH", `/api/v1/widget-keys/${id}`, { disabled: true });
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    let r: Awaited<ReturnType<typeof key.read>>;
    try {
      r = await key.read(id, outs);
      expect(spy.mock.calls.flat().join("\n")).toMatch(
        new RegExp(
          `widget key "k" ${id} \\(…${outs.keyLast8}\\) was disabled outside Pulumi at .*re-enables it only if the program sets disabled: false`,
        ),
      );
    } finally {
      spy.mockRestore();
    }
    expect(r.props).toMatchObject({ disabled: true, disabledOutsidePulumi: true, secretKey: outs.secretKey });
    expect(r.props!.disabledAt).not.toBeNull();
    expect(r.inputs).toMatchObject({ disabled: true });
    // The program does not mention disabled: no change planned, the key stays revoked.
    const silent = await updateKey(id, { ...r.props }, { name: "k", domainAllowlist: [] });
    expect(silent.diff.changes).toBe(false);
    // Another edit goes through without re-enabling it, and the revocation stays recorded.
    const renamed = await updateKey(id, { ...r.props }, { name: "k2", domainAllowlist: [] });
    expect(renamed.outs).toMatchObject({ name: "k2", disabled: true, disabledOutsidePulumi: true });
    expect((await serverKeys(acct)).find((k) => k.id === id)?.disabled_at).not.toBeNull();
    // Only an explicit false re-enables it.
    const u = await updateKey(id, { ...renamed.outs }, { name: "k2", domainAllowlist: [], disabled: false });
    expect(u.diff.changes).toBe(true);
    expect(u.outs).toMatchObject({ disabled: false, disabledAt: null });
    expect(u.outs!.disabledOutsidePulumi).toBeUndefined();
  });

  it("an allowlist entry the provider does not accept, added out of band, is kept verbatim, warned about, and removed by the next update", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["https://a.com"] });
    // Another client stored an http:// origin for a public host (the contract allows it; the local server's
    // grammar does not, so it goes into the store directly).
    srv.store.updateWidgetKey(acct.accountId, id, { domain_allowlist: ["https://a.com", "http://evil.example"] });
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    let r: Awaited<ReturnType<typeof key.read>>;
    try {
      r = await key.read(id, outs);
      expect(spy.mock.calls.flat().join("\n")).toMatch(
        /allowlist entry "http:\/\/evil\.example" that was added outside Pulumi .*The next "pulumi up" removes it/,
      );
    } finally {
      spy.mockRestore();
    }
    expect(r.props!.domainAllowlist).toEqual(["https://a.com", "http://evil.example"]);
    expect(r.inputs!.domainAllowlist).toEqual(["https://a.com", "http://evil.example"]);
    const u = await updateKey(id, { ...r.props }, { name: "k", domainAllowlist: ["https://a.com"] });
    expect(u.diff.changes).toBe(true);
    expect(u.outs!.domainAllowlist).toEqual(["https://a.com"]);
    expect((await serverKeys(acct)).find((k) => k.id === id)?.domain_allowlist).toEqual(["https://a.com"]);
  });

  it("allowlist and name changed out of band appear as drift", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["https://a.com"] });
    await api(acct, "PATCH", `/api/v1/widget-keys/${id}`, {
      name: "hand-edited",
      domain_allowlist: ["https://a.com", "https://evil.example"],
    });
    const r = await key.read(id, outs);
    expect(r.props).toMatchObject({ name: "hand-edited", domainAllowlist: ["https://a.com", "https://evil.example"] });
    const d = key.diffWidgetKey(
      r.props! as unknown as Props,
      (await key.check({}, { name: "k", domainAllowlist: ["https://a.com"], providerVersion: PV })).inputs,
    );
    expect(d).toMatchObject({ changed: ["name", "domainAllowlist"], allowlistRemoved: ["https://evil.example"] });
  });

  it("deleted out of band: empty id (dropped from state) and a warning", async () => {
    const { id, outs } = await createKey({ name: "gone", domainAllowlist: [] });
    await api(acct, "DELETE", `/api/v1/widget-keys/${id}`);
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const r = await key.read(id, outs);
      expect(r).toEqual({ id: "" });
      expect(spy.mock.calls.flat().join("\n")).toMatch(new RegExp(`widget key "gone" ${id} \\(…${outs.keyLast8}\\) no longer exists`));
    } finally {
      spy.mockRestore();
    }
  });

  it("refresh of 20 keys costs at most 2 list calls", async () => {
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createKey({ name: `k${i}`, domainAllowlist: [`https://k${i}.example`] })),
    );
    configureFor(srv, { apiKey: acct.apiKey }); // a fresh provider process: empty cache
    await srv.resetStats();
    const results = await Promise.all(made.map((m) => key.read(m.id, m.outs)));
    expect(results.map((r) => r.id)).toEqual(made.map((m) => m.id));
    expect(results.every((r) => r.props!.secretKey === made.find((m) => m.id === r.id)!.outs.secretKey)).toBe(true);
    expect(await srv.requestCount()).toBeGreaterThanOrEqual(1);
    expect(await srv.requestCount()).toBeLessThanOrEqual(2);
    expect(await srv.requestCount("GET /api/v1/widget-keys")).toBe(await srv.requestCount());
  });

  it("refresh of 20 keys with one deleted out of band still costs at most 2 list calls", async () => {
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey({ name: `k${i}`, domainAllowlist: [] })));
    await api(acct, "DELETE", `/api/v1/widget-keys/${made[7].id}`);
    configureFor(srv, { apiKey: acct.apiKey });
    await srv.resetStats();
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const results = await Promise.all(made.map((m) => key.read(m.id, m.outs)));
      expect(results.filter((r) => r.id === "")).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
    expect(await srv.requestCount()).toBeGreaterThanOrEqual(1);
    expect(await srv.requestCount()).toBeLessThanOrEqual(2);
  });
});

describe("check and diff never call the API", () => {
  it("a no-change preview of keys makes 0 requests", async () => {
    const made = await Promise.all(Array.from({ length: 5 }, (_, i) => createKey({ name: `k${i}`, domainAllowlist: ["https://a.com"] })));
    await srv.resetStats();
    for (const m of made) {
      const { inputs } = await key.check(m.inputs, { name: m.outs.name, domainAllowlist: ["a.com"], providerVersion: PV });
      expect((await key.diff(m.id, m.outs, inputs)).changes).toBe(false);
    }
    expect(await srv.requestCount()).toBe(0);
  });
});

describe("delete", () => {
  it("an unused key is hard-deleted, with nothing to say", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    const printed = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await key.delete(id, outs);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
    expect(await serverKeys(acct)).toEqual([]);
  });

  it("a used key is disabled, not deleted, and the log says so", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: ["https://shop.example"] });
    await useKey(outs.publicKey!, "https://shop.example");
    const printed = jest.spyOn(console, "error").mockImplementation(() => undefined);
    let lines: string[];
    try {
      await key.delete(id, outs);
    } finally {
      lines = printed.mock.calls.map((c) => String(c[0]));
      printed.mockRestore();
    }
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^warning: widget key "k" ${id} \\(…\\w{8}\\) was used, so Kataven disabled it instead of deleting it`),
      ),
    ]);
    const left = await serverKeys(acct);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ id });
    expect(left[0].disabled_at).not.toBeNull();
  });

  it("an already deleted key is success", async () => {
    const { id, outs } = await createKey({ name: "k", domainAllowlist: [] });
    await api(acct, "DELETE", `/api/v1/widget-keys/${id}`);
    await expect(key.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("rotation (create-before-delete)", () => {
  it("changing rotation replaces: the new pair exists before the old is deleted", async () => {
    const old = await createKey({ name: "k", domainAllowlist: ["https://a.com"], rotation: 1 });
    const { inputs } = await key.check(old.inputs, { name: "k", domainAllowlist: ["https://a.com"], rotation: 2, providerVersion: PV });
    expect(await key.diff(old.id, old.outs, inputs)).toEqual({ changes: true, replaces: ["rotation"], deleteBeforeReplace: false });
    const next = await key.create(inputs);
    expect((await serverKeys(acct)).map((k) => k.id).sort()).toEqual([old.id, next.id].sort());
    await key.delete(old.id, old.outs);
    expect((await serverKeys(acct)).map((k) => k.id)).toEqual([next.id]);
    expect(next.outs.secretKey).not.toBe(old.outs.secretKey);
    expect(next.outs.publicKey).not.toBe(old.outs.publicKey);
  });
});

describe("adopt", () => {
  async function outOfBandKey(name: string) {
    const r = await api(acct, "POST", "/api/v1/widget-keys", { name, domain_allowlist: ["https://legacy.example"] });
    expect(r.status).toBe(201);
    return r.body as { id: string; public_key: string; secret_key: string; key_last8: string };
  }

  it("takes over an existing key: verified, brought to the program's state, no secret", async () => {
    const existing = await outOfBandKey("legacy");
    await srv.resetStats();
    const { id, outs } = await createKey({
      name: "adopted",
      domainAllowlist: ["https://new.example"],
      adopt: { id: existing.id, publicKey: existing.public_key },
    });
    expect(id).toBe(existing.id);
    expect(outs).toMatchObject({
      keyId: existing.id,
      name: "adopted",
      domainAllowlist: ["https://new.example"],
      secretAvailable: false,
      publicKey: existing.public_key,
      keyLast8: existing.key_last8,
    });
    expect(outs).not.toHaveProperty("secretKey");
    expect((await srv.stats()).routes).toEqual({
      "GET /api/v1/widget-keys": { count: 1, statuses: { "200": 1 } },
      "PATCH /api/v1/widget-keys/:id": { count: 1, statuses: { "200": 1 } },
    });
    expect(await serverKeys(acct)).toHaveLength(1);
    const r = await key.read(id, outs);
    expect(r.props).not.toHaveProperty("secretKey");
    expect(r.props).toMatchObject({ secretAvailable: false, publicKey: existing.public_key });
  });

  it("an unknown id fails plainly", async () => {
    const { inputs } = await key.check({}, { name: "x", domainAllowlist: [], adopt: { id: "nope" } });
    await expect(key.create(inputs)).rejects.toThrow(/adopt\.id "nope" is not a widget key of this account/);
  });

  it("a public key of another key is refused", async () => {
    const a = await outOfBandKey("a");
    const b = await outOfBandKey("b");
    const { inputs } = await key.check({}, { name: "x", domainAllowlist: [], adopt: { id: a.id, publicKey: b.public_key } });
    await expect(key.create(inputs)).rejects.toThrow(/adopt\.publicKey does not belong to widget key/);
  });

  it("adopting the key a resource already holds is no change; a new resource adopting it (a rename) keeps the key", async () => {
    const minted = await createKey({ name: "k", domainAllowlist: [] });
    const { inputs } = await key.check(minted.inputs, { name: "k", domainAllowlist: [], adopt: { id: minted.id }, providerVersion: PV });
    expect(await key.diff(minted.id, minted.outs, inputs)).toMatchObject({ changes: false, replaces: [] });
    const adopted = await key.create(inputs);
    expect(adopted.id).toBe(minted.id);
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await key.delete(minted.id, minted.outs); // the engine deletes the old resource last
    } finally {
      spy.mockRestore();
    }
    expect((await serverKeys(acct)).map((k) => k.id)).toEqual([minted.id]);
    await key.delete(adopted.id, adopted.outs as unknown as Props); // destroying the adopter does delete it
    expect(await serverKeys(acct)).toEqual([]);
  });
});
