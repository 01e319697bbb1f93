/**
 * DiffConfig of the native provider plugin (provider/native/configDiff.ts), called over gRPC as the engine
 * calls it for an explicit provider: a change of account (accountId, an apiKey of another account, or
 * apiUrl to another API) replaces,
 * a respelled apiUrl, a rotated apiKey and timeouts or pacing settings do not, and an account setting not
 * known at preview is a change, not a replacement.
 */
import { listenProvider } from "../../../provider/native/server";
import { grpc, provider as pb, providerRpc, Struct } from "../../../provider/native/protos";
import { UNKNOWN } from "../../../provider/native/rpc";
import { SECRET_SIG, SIG_KEY } from "../../../provider/native/values";

const URN = "urn:pulumi:dev::p::pulumi:providers:kataven::acme";
const { DIFF_NONE, DIFF_SOME } = pb.DiffResponse.DiffChanges;
const { UPDATE, UPDATE_REPLACE } = pb.PropertyDiff.Kind;

describe("the native provider's DiffConfig", () => {
  let plugin: { port: number; close(): void };
  let rpc: any;
  const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
  const base = { apiUrl: "https://api.kataven.ai", apiKey: secret("sk_live_acme_old"), accountId: "acme", timeoutMs: "15000" };

  // An unset setting is absent from the engine's Struct.
  const struct = (v: Record<string, unknown>) => (Struct as any).fromJavaScript(JSON.parse(JSON.stringify(v)));

  async function diffConfig(news: Record<string, unknown>, olds: Record<string, unknown> = base) {
    const req = new pb.DiffRequest();
    req.setUrn(URN);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    const res: any = await new Promise((resolve, reject) =>
      rpc.diffConfig(req, (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    const detailed = Object.fromEntries(
      res
        .getDetaileddiffMap()
        .toArray()
        .map(([k, v]: [string, any]) => [k, v[0] ?? 0]),
    );
    return { changes: res.getChanges(), diffs: res.getDiffsList(), replaces: res.getReplacesList(), detailed };
  }

  beforeAll(async () => {
    plugin = await listenProvider();
    rpc = new providerRpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
  });
  afterAll(() => {
    rpc?.close();
    plugin?.close();
  });

  it("answers no change for the same settings", async () => {
    expect(await diffConfig({ ...base })).toMatchObject({ changes: DIFF_NONE, replaces: [] });
  });

  it("a rotated apiKey, timeouts and pacing settings are in-place changes", async () => {
    const d = await diffConfig({ ...base, apiKey: secret("sk_live_acme_new"), timeoutMs: "30000", requestsPerMinute: "0" });
    expect(d.changes).toBe(DIFF_SOME);
    expect(d.diffs.sort()).toEqual(["apiKey", "requestsPerMinute", "timeoutMs"]);
    expect(d.replaces).toEqual([]);
    expect(d.detailed.apiKey).toBe(UPDATE);
  });

  it("another account replaces: accountId from one account to another", async () => {
    const d = await diffConfig({ ...base, accountId: "globex" });
    expect(d.replaces).toEqual(["accountId"]);
    expect(d.detailed.accountId).toBe(UPDATE_REPLACE);
  });

  it("adding or removing accountId does not replace (a set id must match the key's account)", async () => {
    expect((await diffConfig({ ...base, accountId: undefined })).replaces).toEqual([]);
    expect((await diffConfig({ ...base }, { ...base, accountId: undefined })).replaces).toEqual([]);
  });

  it("without accountId, an apiKey of another account (its sk_live_<account>_ prefix) replaces; one of the same account does not", async () => {
    const key = (account: string, c: string) => secret(`sk_live_${account}_${c.repeat(32)}`);
    const olds = { ...base, accountId: undefined, apiKey: key("acme", "a") };
    expect((await diffConfig({ ...olds, apiKey: key("acme", "b") }, olds)).replaces).toEqual([]);
    const moved = await diffConfig({ ...olds, apiKey: key("globex", "b") }, olds);
    expect(moved.replaces).toEqual(["apiKey"]);
    expect(moved.detailed.apiKey).toBe(UPDATE_REPLACE);
    // an account slug may hold "_": the account is everything before the last one
    expect((await diffConfig({ ...olds, apiKey: key("acme_eu", "b") }, olds)).replaces).toEqual(["apiKey"]);
    // a key of another shape names no account: no replacement is claimed
    expect((await diffConfig({ ...olds, apiKey: secret("eyJhbGciOiJIUzI1NiJ9.e30.sig") }, olds)).replaces).toEqual([]);
    // with accountId set on both sides, it is the account
    const pinned = { ...olds, accountId: "acme" };
    expect((await diffConfig({ ...pinned, apiKey: key("globex", "b") }, pinned)).replaces).toEqual([]);
    // unknown at preview: a change, not a replacement
    const later = await diffConfig({ ...olds, apiKey: UNKNOWN }, olds);
    expect(later.changes).toBe(DIFF_SOME);
    expect(later.replaces).toEqual([]);
  });

  it("another API replaces; a respelling of the same one does not", async () => {
    for (const same of ["https://api.kataven.ai/v1", "https://API.Kataven.ai/api/v1/", "HTTPS://api.kataven.ai:443/"]) {
      const d = await diffConfig({ ...base, apiUrl: same });
      expect({ same, replaces: d.replaces, changes: d.changes }).toEqual({ same, replaces: [], changes: DIFF_SOME });
    }
    // Unset is the default API.
    expect((await diffConfig({ ...base, apiUrl: undefined })).replaces).toEqual([]);
    for (const other of ["https://eu.api.kataven.ai", "https://api.kataven.ai/hub-api", "http://127.0.0.1:8787"]) {
      expect({ other, replaces: (await diffConfig({ ...base, apiUrl: other })).replaces }).toEqual({ other, replaces: ["apiUrl"] });
    }
  });

  it("an account setting unknown at preview is a change, not a replacement", async () => {
    const d = await diffConfig({ ...base, accountId: UNKNOWN, apiUrl: UNKNOWN });
    expect(d.changes).toBe(DIFF_SOME);
    expect(d.diffs.sort()).toEqual(["accountId", "apiUrl"]);
    expect(d.replaces).toEqual([]);
  });
});
