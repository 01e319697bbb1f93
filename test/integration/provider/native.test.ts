/**
 * The native provider plugin's gRPC interface (provider/native/server.ts), called the way the engine calls
 * it — a ResourceProviderClient over loopback — against the local server: the package schema, Configure
 * with config variables and a secret, Check's failures, Diff's detailed per-origin diff, Create marking
 * `secretKey` secret, Read with no properties (what `pulumi import` sends), a deadline reaching the
 * request, and the getWidgetKeys function.
 */
import { listenProvider } from "../../../provider/native/server";
import { grpc, provider as pb, providerRpc, Struct } from "../../../provider/native/protos";
import { SECRET_SIG, SIG_KEY } from "../../../provider/native/values";
import { resetSessions } from "../../../provider/api/session";
import { resetConfig } from "../../../provider/config";
import { startServer, type TestServer } from "../../support/server";

const T = "kataven:index:WidgetKey";
const URN = `urn:pulumi:dev::p::${T}::site`;

describe("the native provider's gRPC interface", () => {
  let srv: TestServer;
  let plugin: { port: number; close(): void };
  let rpc: any;
  const call = <R>(method: string, req: unknown): Promise<R> =>
    new Promise((resolve, reject) => rpc[method](req, (err: Error | null, res: R) => (err ? reject(err) : resolve(res))));
  const struct = (v: Record<string, unknown>) => (Struct as any).fromJavaScript(v);
  const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

  async function configure(vars: Record<string, string>) {
    const req = new pb.ConfigureRequest();
    for (const [k, v] of Object.entries(vars)) req.getVariablesMap().set(k, v);
    req.setArgs(struct({}));
    req.setAcceptsecrets(true);
    return call<any>("configure", req);
  }

  beforeAll(async () => {
    srv = await startServer({ bcryptCost: 4, faults: true });
    plugin = await listenProvider();
    rpc = new providerRpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    rpc?.close();
    plugin?.close();
    resetConfig();
    await resetSessions();
    await srv?.close();
  });

  it("serves the package schema generated from provider/schema", async () => {
    const res = await call<any>("getSchema", new pb.GetSchemaRequest());
    const schema = JSON.parse(res.getSchema());
    const key = schema.resources[T];
    expect(key.requiredInputs).toEqual(["name", "domainAllowlist"]);
    expect(key.properties.secretKey.secret).toBe(true);
    expect(key.inputProperties.rotation.replaceOnChanges).toBe(true);
    expect(key.inputProperties.secretKey).toBeUndefined();
    expect(key.inputProperties.providerVersion).toBeUndefined();
    expect(schema.config.variables.apiKey.secret).toBe(true);
    expect(Object.keys(schema.resources).sort()).toEqual([
      "kataven:index:AgentWidgetSettings",
      "kataven:index:RotatingWidgetKey",
      "kataven:index:WidgetKey",
      "kataven:index:WidgetSettings",
    ]);
    const rotating = schema.resources["kataven:index:RotatingWidgetKey"];
    expect(rotating.isComponent).toBe(true);
    expect(rotating.requiredInputs).toEqual(["name", "domainAllowlist", "generations"]);
    expect(rotating.properties.previousSecretKey.secret).toBe(true);
    expect(schema.functions["kataven:index:getWidgetKeys"].outputs.properties.keys.items.$ref).toBe("#/types/kataven:index:WidgetKeyInfo");
  });

  it("accepts secrets at Configure, and Check reports the lifecycle's failures", async () => {
    const res = await configure({ "kataven:apiUrl": srv.url, "kataven:apiKey": srv.apiKey, "kataven:requestsPerMinute": "0" });
    expect(res.getAcceptsecrets()).toBe(true);
    const req = new pb.CheckRequest();
    req.setUrn(URN);
    req.setType(T);
    req.setOlds(struct({}));
    req.setNews(struct({ name: "site", domainAllowlist: ["https://acme.example/app"] }));
    const checked = await call<any>("check", req);
    expect(checked.getFailuresList().map((f: any) => f.getProperty())).toEqual(["domainAllowlist[0]"]);
  });

  it("CheckConfig refuses a configuration without an API key (naming the setting)", async () => {
    const req = new pb.CheckRequest();
    req.setUrn("urn:pulumi:dev::p::pulumi:providers:kataven::acme");
    req.setOlds(struct({}));
    req.setNews(struct({ apiUrl: srv.url }));
    const saved = process.env.KATAVEN_API_KEY;
    delete process.env.KATAVEN_API_KEY;
    try {
      const res = await call<any>("checkConfig", req);
      expect(res.getFailuresList()[0].getReason()).toMatch(/kataven:apiKey is not set/);
    } finally {
      if (saved !== undefined) process.env.KATAVEN_API_KEY = saved;
    }
  });

  let id = "";
  let outs: Record<string, any> = {};

  it("creates a key and returns secretKey marked secret", async () => {
    const req = new pb.CreateRequest();
    req.setUrn(URN);
    req.setType(T);
    req.setProperties(struct({ name: "site", domainAllowlist: ["https://acme.example"] }));
    const res = await call<any>("create", req);
    id = res.getId();
    outs = res.getProperties().toJavaScript();
    expect(outs.secretKey[SIG_KEY]).toBe(SECRET_SIG);
    expect(outs.secretKey.value).toMatch(/^sk_live_/);
    expect(outs.publicKey).toMatch(/^pk_live_/);
    expect(outs.secretAvailable).toBe(true);
  });

  it("diffs per origin: an added origin is an ADD at its index, a re-ordered list no change", async () => {
    const diff = async (news: Record<string, unknown>) => {
      const req = new pb.DiffRequest();
      req.setId(id);
      req.setUrn(URN);
      req.setType(T);
      req.setOlds(struct({ ...outs, secretKey: outs.secretKey }));
      req.setNews(struct(news));
      return call<any>("diff", req);
    };
    const added = await diff({ name: "site", domainAllowlist: ["https://acme.example", "https://shop.acme.example"] });
    expect(added.getChanges()).toBe(pb.DiffResponse.DiffChanges.DIFF_SOME);
    expect(added.getHasdetaileddiff()).toBe(true);
    const detailed = Object.fromEntries(
      added
        .getDetaileddiffMap()
        .toArray()
        .map(([k, v]: [string, any]) => [k, v[0] ?? 0]),
    );
    expect(Object.keys(detailed)).toEqual(["domainAllowlist[1]"]);
    expect(added.getReplacesList()).toEqual([]);
    const same = await diff({ name: "site", domainAllowlist: ["HTTPS://ACME.example/"] });
    expect(same.getChanges()).toBe(pb.DiffResponse.DiffChanges.DIFF_NONE);
    const rotated = await diff({ name: "site", domainAllowlist: ["https://acme.example"], rotation: 2 });
    expect(rotated.getReplacesList()).toEqual(["rotation"]);
  });

  it("reads a key from its id alone, as `pulumi import` asks: its secret reported unavailable", async () => {
    const req = new pb.ReadRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setType(T);
    const res = await call<any>("read", req);
    const props = res.getProperties().toJavaScript();
    expect(res.getId()).toBe(id);
    expect(props.secretAvailable).toBe(false);
    expect(props.secretKey).toBeUndefined();
    expect(res.getInputs().toJavaScript()).toMatchObject({ name: "site", domainAllowlist: ["https://acme.example"] });
  });

  it("invokes getWidgetKeys with the configured account", async () => {
    const req = new pb.InvokeRequest();
    req.setTok("kataven:index:getWidgetKeys");
    req.setArgs(struct({ name: "site" }));
    const res = await call<any>("invoke", req);
    const keys = res.getReturn().toJavaScript().keys;
    expect(keys.map((k: any) => k.id)).toEqual([id]);
    expect(JSON.stringify(keys)).not.toMatch(/sk_live_/);
  });

  it("passes the request's timeout to the HTTP request (customTimeouts)", async () => {
    await srv.setFaults([{ route: "PATCH /api/v1/widget-keys/{id}", mode: "latency", latencyMs: 3000, times: -1 }]);
    const req = new pb.UpdateRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setType(T);
    req.setOlds(struct(outs));
    req.setNews(struct({ name: "site renamed", domainAllowlist: ["https://acme.example"] }));
    req.setTimeout(1);
    const started = Date.now();
    await expect(call("update", req)).rejects.toThrow(/within 1000 ms|customTimeouts/);
    expect(Date.now() - started).toBeLessThan(2_500);
    await srv.clearFaults();
  });

  it("keeps a secret input secret in Check's answer", async () => {
    const req = new pb.CheckRequest();
    req.setUrn(URN);
    req.setType(T);
    req.setOlds(struct({}));
    req.setNews(struct({ name: secret("hidden name"), domainAllowlist: ["https://acme.example"] }));
    const res = await call<any>("check", req);
    expect(res.getInputs().toJavaScript().name).toEqual(secret("hidden name"));
  });

  it("deletes the key", async () => {
    const req = new pb.DeleteRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setType(T);
    req.setProperties(struct(outs));
    await call("delete", req);
    const list = await fetch(`${srv.url}/api/v1/widget-keys`, { headers: srv.headers() });
    expect(await list.json()).toEqual([]);
  });
});
