/**
 * The native provider plugin `pulumi-resource-kataven`: the engine's ResourceProvider gRPC interface served
 * with @grpc/grpc-js, on top of the lifecycle modules the dynamic provider runs (./resources.ts). It takes
 * the provider configuration (./configMethods.ts: stack config `kataven:*`, or an explicit
 * `pulumi:providers:kataven`), serves the resources (./resourceMethods.ts: secrets accepted, `secretKey`
 * marked secret, detailed diffs, `customTimeouts`, reads with no state for `pulumi import`), and the schema
 * and lookups (./packageMethods.ts). Warnings go to the engine's log, on the resource being handled.
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { setLogSink } from "../log";
import { configMethods } from "./configMethods";
import { constructMethod } from "./construct";
import { packageMethods } from "./packageMethods";
import { Empty, engine, engineRpc, grpc, provider, providerRpc } from "./protos";
import { resourceMethods } from "./resourceMethods";
import { currentUrn, unary } from "./rpc";

export { pluginVersion } from "./packageMethods";

interface EngineClient {
  log(req: unknown, callback: () => void): void;
}

export class KatavenProvider {
  private engineAddress?: string;
  private engineClient?: EngineClient;

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
    this.engineClient ??= new engineRpc.EngineClient(addr, grpc.credentials.createInsecure()) as EngineClient;
    const req = new engine.LogRequest();
    req.setSeverity(level === "warn" ? engine.LogSeverity.WARNING : engine.LogSeverity.INFO);
    req.setMessage(message);
    req.setUrn(currentUrn.getStore() ?? "");
    this.engineClient.log(req, () => undefined);
  }

  /** The gRPC service implementation (methods left out answer UNIMPLEMENTED). */
  service(): UntypedServiceImplementation {
    return {
      handshake: unary(async (req: { getEngineAddress(): string }) => {
        this.engineAddress = req.getEngineAddress() || this.engineAddress;
        const res = new provider.ProviderHandshakeResponse();
        res.setAcceptSecrets(true);
        res.setAcceptResources(false);
        res.setAcceptOutputs(false);
        return res;
      }),
      attach: unary(async (req: { getAddress(): string }) => {
        this.engineAddress = req.getAddress();
        return new Empty();
      }),
      cancel: unary(async () => new Empty()),
      construct: constructMethod(() => this.engineAddress),
      ...packageMethods(),
      ...configMethods(),
      ...resourceMethods(),
    };
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
  server.addService(providerRpc.ResourceProviderService, new KatavenProvider(engineAddress).service());
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
