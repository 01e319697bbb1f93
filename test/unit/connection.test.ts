import { connectionConfig, withConnections } from "../../provider/connection";

const conn = (apiKey: string, apiUrl = "http://127.0.0.1:1") => ({ apiUrl, apiKey });

describe("lifecycle methods with a connection input", () => {
  const seen: unknown[] = [];
  const methods: Record<string, (...a: any[]) => Promise<any>> = withConnections({
    check: async (_o: any, n: any) => ({ inputs: { ...n }, failures: [] as any[] }),
    diff: async (_id: string, _o: any, _n: any) => ({ changes: false, replaces: [] as string[] }),
    create: async (i: any) => {
      seen.push([i, connectionConfig()]);
      return { id: "k1", outs: { name: i.name } };
    },
    read: async (id: string, p: any) => ({ id, props: { ...p }, inputs: { name: p.name } }),
    update: async (_id: string, _o: any, n: any) => ({ outs: { name: n.name } }),
    delete: async (_id: string, p: any) => void seen.push([p, connectionConfig()]),
  });

  it("runs each call with the connection of its own arguments, and hides it from the method", async () => {
    const r = await methods.create({ name: "a", connection: conn("sk_live_globex_1") });
    expect(seen.pop()).toEqual([{ name: "a" }, { apiUrl: "http://127.0.0.1:1", apiKey: "sk_live_globex_1", accountId: undefined }]);
    expect(r.outs).toEqual({ name: "a", connection: conn("sk_live_globex_1") });
    await methods.delete("k1", { name: "a" });
    expect(seen.pop()).toEqual([{ name: "a" }, undefined]);
  });

  it("reads a connection's URL as stack config's is read (a documented /v1 or /api/v1 base), keeping the stored spelling", async () => {
    const r = await methods.create({ name: "a", connection: conn("sk_live_globex_1", "http://127.0.0.1:1/api/v1/") });
    expect(seen.pop()).toEqual([{ name: "a" }, { apiUrl: "http://127.0.0.1:1", apiKey: "sk_live_globex_1", accountId: undefined }]);
    expect(r.outs.connection).toEqual(conn("sk_live_globex_1", "http://127.0.0.1:1/api/v1/"));
  });

  it("keeps the connection in check's inputs and read's props and inputs", async () => {
    expect((await methods.check({}, { name: "a", connection: conn("k") })).inputs.connection).toEqual(conn("k"));
    const r = await methods.read("k1", { name: "a", connection: conn("k") });
    expect(r.props.connection).toEqual(conn("k"));
    expect(r.inputs.connection).toEqual(conn("k"));
  });

  it("refuses a connection without an API key at check, naming connection.apiKey", async () => {
    const r = await methods.check({}, { name: "a", connection: { apiUrl: "http://127.0.0.1:1" } });
    expect(r.failures).toEqual([
      {
        property: "connection",
        reason: expect.stringMatching(/connection\.apiKey is not set: pass the account API key, e.g. new KatavenConnection/),
      },
    ]);
  });

  it("replaces on another URL or account, updates on another key only, and is quiet otherwise", async () => {
    expect(await methods.diff("k1", { connection: conn("a") }, { connection: conn("a") })).toEqual({ changes: false, replaces: [] });
    expect(await methods.diff("k1", { connection: conn("a") }, { connection: conn("b") })).toEqual({ changes: true, replaces: [] });
    expect(await methods.diff("k1", { connection: conn("a") }, { connection: conn("a", "https://api.kataven.ai") })).toEqual({
      changes: true,
      replaces: ["connection"],
    });
    expect(await methods.diff("k1", {}, { connection: conn("a") })).toEqual({ changes: true, replaces: ["connection"] });
    // the same API respelled: an update (the stored spelling changes), not a replacement
    expect(await methods.diff("k1", { connection: conn("a") }, { connection: conn("a", "http://127.0.0.1:1/api/v1/") })).toEqual({
      changes: true,
      replaces: [],
    });
  });

  it("replaces when the API key names another account (sk_live_<account>_…) and no accountId is given", async () => {
    const key = (account: string, c: string) => `sk_live_${account}_${c.repeat(32)}`;
    const d = (o: object, n: object) => methods.diff("k1", { connection: o }, { connection: n });
    expect(await d(conn(key("acme", "a")), conn(key("acme", "b")))).toEqual({ changes: true, replaces: [] });
    expect(await d(conn(key("acme", "a")), conn(key("globex", "b")))).toEqual({ changes: true, replaces: ["connection"] });
    const pinned = (k: string, accountId: string) => ({ ...conn(k), accountId });
    expect(await d(pinned(key("acme", "a"), "acme"), pinned(key("acme", "b"), "acme"))).toEqual({ changes: true, replaces: [] });
    expect(await d(pinned(key("acme", "a"), "acme"), pinned(key("acme", "a"), "globex"))).toEqual({
      changes: true,
      replaces: ["connection"],
    });
  });
});
