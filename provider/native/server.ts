/**
 * The native provider plugin `pulumi-resource-kataven`: the engine's ResourceProvider gRPC interface served
 * with @grpc/grpc-js, on top of the lifecycle modules the dynamic provider runs (./resources.ts). It takes
 * the provider configuration (stack config `kataven:*`, or an explicit `pulumi:providers:kataven`),
 * accepts secrets and marks `secretKey` secret, answers diffs with a detailed diff, passes the engine's
 * `customTimeouts` to every request (../deadline.ts), reads with no state for `pulumi import`, and serves
 * the lookups as functions (`kataven:index:getWidgetKeys` …).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import * as path from "node:path";
import { accountFailures, client } from "../lifecycle/common";
import { configProblem, configure, type ConfigSource, resolveConfig } from "../config";
import { withDeadline } from "../deadline";
import { setLogSink } from "../log";
import { widgetKeyInfos } from "../keyInfo";
import { packageSchema } from "../schema/package";
import { Empty, engine, engineRpc, grpc, plugin, provider, providerRpc, Struct } from "./protos";
import { nativeResources, type NativeResource, secretOutputs } from "./resources";
import { fromStruct, type Props, toStruct } from "./values";

/** The package's version, which is the plugin's. */
export function pluginVersion(): string {
  // provider/native (sources) or dist/provider/native (compiled): the nearest package.json of this package.
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (pkg.name === "pulumi-kataven-widget") return String(pkg.version);
  }
  return "0.0.0";
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const DiffChanges = { DIFF_UNKNOWN: 0, DIFF_NONE: 1, DIFF_SOME: 2 } as const;

/** The URN of the call in progress, so warnings land on their resource. */
const currentUrn = new AsyncLocalStorage<string>();

type Call = { request: any };
type Callback = (err: unknown, res?: unknown) => void;

/** A unary handler: runs `fn`, and answers its error as the message alone (no stack, no secret). */
function unary(fn: (req: any) => Promise<unknown>) {
  return (call: Call, callback: Callback) => {
    const urn = typeof call.request?.getUrn === "function" ? call.request.getUrn() : "";
    currentUrn
      .run(urn, () => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => {
          if (process.env.KATAVEN_DEBUG && err instanceof Error) console.error(err.stack);
          callback({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) });
        },
      );
  };
}

function resourceOf(type: string, urn: string): NativeResource {
  const token = type || urn.split("::")[2]?.split("$").pop() || "";
  const r = nativeResources[token];
  if (!r) throw new Error(`kataven: unknown resource type "${token}"`);
  return r;
}

/** Provider settings as config.ts reads them (`kataven:<name>`), from a Struct's properties and/or the variables map. */
function configSource(props: Props, variables?: Map<string, string>): ConfigSource {
  return {
    get(key: string) {
      const name = key.replace(/^kataven:/, "");
      const v = props[name];
      if (v !== undefined && v !== null && v !== UNKNOWN) return typeof v === "string" ? v : JSON.stringify(v);
      return variables?.get(key);
    },
  };
}

function checkFailure(property: string, reason: string) {
  const f = new provider.CheckFailure();
  f.setProperty(property);
  f.setReason(reason);
  return f;
}

export class KatavenProvider {
  private engineAddress?: string;
  private engineClient?: any;

  constructor(engineAddress?: string) {
    this.engineAddress = engineAddress;
    setLogSink((level, message) => this.log(level, message));
  }

  private log(level: "info" | "warn", message: string): void {
    const addr = this.engineAddress;
    if (!addr) {
      console.error(`${level === "warn" ? "warning" : "info"}: ${message}`);
      return;
    }
    this.engineClient ??= new engineRpc.EngineClient(addr, grpc.credentials.createInsecure());
    const req = new engine.LogRequest();
    req.setSeverity(level === "warn" ? engine.LogSeverity.WARNING : engine.LogSeverity.INFO);
    req.setMessage(message);
    req.setUrn(currentUrn.getStore() ?? "");
    this.engineClient.log(req, () => undefined);
  }

  /** The gRPC service implementation (methods left out answer UNIMPLEMENTED). */
  service(): Record<string, unknown> {
    return {
      handshake: unary(async (req) => {
        this.engineAddress = req.getEngineAddress() || this.engineAddress;
        const res = new provider.ProviderHandshakeResponse();
        res.setAcceptSecrets(true);
        res.setAcceptResources(false);
        res.setAcceptOutputs(false);
        return res;
      }),
      attach: unary(async (req) => {
        this.engineAddress = req.getAddress();
        return new Empty();
      }),
      getPluginInfo: unary(async () => {
        const info = new plugin.PluginInfo();
        info.setVersion(pluginVersion());
        return info;
      }),
      getSchema: unary(async (req) => {
        const res = new provider.GetSchemaResponse();
        res.setSchema(req.getSubpackageName() ? "{}" : JSON.stringify(packageSchema(pluginVersion())));
        return res;
      }),
      checkConfig: unary(async (req) => {
        const { props } = fromStruct(req.getNews());
        const res = new provider.CheckResponse();
        res.setInputs(req.getNews());
        if (!Object.values(props).includes(UNKNOWN)) {
          const problem = configProblem(resolveConfig(configSource(props)));
          if (problem) res.setFailuresList([checkFailure("", problem)]);
        }
        return res;
      }),
      diffConfig: unary(async (req) => {
        const olds = fromStruct(req.getOlds()).props;
        const news = fromStruct(req.getNews()).props;
        const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
          (k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
        );
        const res = new provider.DiffResponse();
        res.setChanges(changed.length > 0 ? DiffChanges.DIFF_SOME : DiffChanges.DIFF_NONE);
        res.setDiffsList(changed);
        return res;
      }),
      configure: unary(async (req) => {
        const variables = new Map<string, string>(req.getVariablesMap().toArray());
        configure(configSource(fromStruct(req.getArgs()).props, variables));
        const res = new provider.ConfigureResponse();
        res.setAcceptsecrets(true);
        res.setSupportspreview(false);
        res.setAcceptresources(false);
        return res;
      }),
      check: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        const olds = fromStruct(req.getOlds());
        const news = fromStruct(req.getNews());
        // As the dynamic provider does (lifecycle/common.ts attachTo): one probe of the account first, so a
        // wrong URL or key stops the preview.
        const refused = await accountFailures();
        const checked = (refused.length > 0 ? { inputs: news.props, failures: refused } : await r.check(olds.props, news.props)) as {
          inputs?: Props;
          failures?: { property: string; reason: string }[];
        };
        const res = new provider.CheckResponse();
        res.setInputs(toStruct(Struct, checked.inputs, news.secrets));
        res.setFailuresList((checked.failures ?? []).map((f) => checkFailure(f.property, f.reason)));
        return res;
      }),
      diff: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        const d = r.diff(fromStruct(req.getOlds()).props, fromStruct(req.getNews()).props);
        const res = new provider.DiffResponse();
        res.setChanges(d.changed.length > 0 ? DiffChanges.DIFF_SOME : DiffChanges.DIFF_NONE);
        res.setReplacesList(d.replaces);
        res.setDiffsList(d.changed);
        res.setDeletebeforereplace(false);
        res.setHasdetaileddiff(true);
        const map = res.getDetaileddiffMap();
        for (const [p, kind] of Object.entries(d.detailed)) {
          const pd = new provider.PropertyDiff();
          pd.setKind(kind);
          pd.setInputdiff(false);
          map.set(p, pd);
        }
        return res;
      }),
      create: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        const news = fromStruct(req.getProperties());
        const res = new provider.CreateResponse();
        // A preview asks what the create would return: the inputs, outputs unknown. Nothing is sent.
        if (req.getPreview()) {
          res.setProperties(req.getProperties());
          return res;
        }
        const out = (await withDeadline(req.getTimeout(), () => r.create(news.props))) as { id: string; outs: Props };
        res.setId(out.id);
        res.setProperties(toStruct(Struct, out.outs, [...news.secrets, ...secretOutputs(r)]));
        return res;
      }),
      read: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        // `pulumi import` reads with no properties at all: the lifecycle reads the resource from its id alone.
        const state = fromStruct(req.getProperties());
        const inputs = fromStruct(req.getInputs());
        const out = (await withDeadline(req.getTimeout(), () => r.read(req.getId(), state.props))) as {
          id: string;
          props?: Props;
          inputs?: Props;
        };
        const res = new provider.ReadResponse();
        res.setId(out.id ?? "");
        if (out.id) {
          res.setProperties(toStruct(Struct, out.props, [...state.secrets, ...secretOutputs(r)]));
          res.setInputs(toStruct(Struct, out.inputs, inputs.secrets));
        }
        return res;
      }),
      update: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        const olds = fromStruct(req.getOlds());
        const news = fromStruct(req.getNews());
        const res = new provider.UpdateResponse();
        if (req.getPreview()) {
          res.setProperties(req.getNews());
          return res;
        }
        const out = (await withDeadline(req.getTimeout(), () => r.update(req.getId(), olds.props, news.props))) as { outs: Props };
        res.setProperties(toStruct(Struct, out.outs, [...news.secrets, ...secretOutputs(r)]));
        return res;
      }),
      delete: unary(async (req) => {
        const r = resourceOf(req.getType(), req.getUrn());
        await withDeadline(req.getTimeout(), () => r.delete(req.getId(), fromStruct(req.getProperties()).props));
        return new Empty();
      }),
      invoke: unary(async (req) => {
        const args = fromStruct(req.getArgs()).props;
        const res = new provider.InvokeResponse();
        res.setReturn(toStruct(Struct, await this.invoke(req.getTok(), args)));
        return res;
      }),
      cancel: unary(async () => new Empty()),
    };
  }

  private async invoke(token: string, args: Props): Promise<Props> {
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    switch (token) {
      case "kataven:index:getWidgetKeys":
        return {
          keys: await widgetKeyInfos(client(), {
            name: str(args.name),
            agentId: str(args.agentId),
            includeDisabled: args.includeDisabled === true,
          }),
        };
      case "kataven:index:getWidgetSettings":
        return { ...(await client().getWidgetSettings()) };
      case "kataven:index:getAgentWidgetSettings": {
        const agentId = str(args.agentId);
        if (!agentId) throw new Error("getAgentWidgetSettings: agentId is required");
        const s = await client().getAgentWidgetSettings(agentId);
        return { agentId: s.agentId, widgetEnabled: s.widgetEnabled, authMode: s.authMode };
      }
      default:
        throw new Error(`kataven: unknown function "${token}"`);
    }
  }
}

/** The engine's arguments: `[--logtostderr] [-v=N] [--tracing ADDR] [ENGINE_ADDRESS]`. */
export function engineAddressOf(args: string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--tracing") i++;
    else if (!a.startsWith("-")) rest.push(a);
  }
  return rest[0];
}

/** Serves the provider on a free port of 127.0.0.1. */
export async function listenProvider(engineAddress?: string): Promise<{ port: number; close(): void }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(providerRpc.ResourceProviderService, new KatavenProvider(engineAddress).service() as any);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, close: () => server.forceShutdown() };
}

/** The plugin's main: serves the provider and prints the port, as the engine expects of a plugin. */
export async function serve(args: string[]): Promise<void> {
  const { port } = await listenProvider(engineAddressOf(args));
  process.stdout.write(`${port}\n`);
}
