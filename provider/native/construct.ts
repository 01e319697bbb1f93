/**
 * Construct (a component declared in a Pulumi YAML program): delegated to @pulumi/pulumi's own provider
 * server, which connects a Pulumi runtime to the engine's resource monitor, runs the component's constructor
 * (./components.ts) and answers its URN and outputs. That server is started on the first Construct, in
 * this process, on another loopback port; the request is passed on as it came and its answer relayed.
 * It installs the SDK's handlers for uncaught errors (reported to the engine) in this process.
 */
import type { handleUnaryCall, ServiceError } from "@grpc/grpc-js";
import { grpc, providerRpc } from "./protos";
import { pluginVersion } from "./packageMethods";

interface ConstructClient {
  construct(req: unknown, callback: (err: unknown, res?: unknown) => void): void;
}

let delegate: Promise<ConstructClient> | undefined;

/** Starts the SDK's provider server and returns its port, which `main` prints on stdout (kept off ours). */
async function startSdkServer(engineAddress: string): Promise<number> {
  const { main } = await import("@pulumi/pulumi/provider");
  const { componentProvider } = await import("./components");
  const log = console.log;
  let port: number | undefined;
  console.log = (...args: unknown[]) => {
    if (port === undefined && args.length === 1 && /^\d+$/.test(String(args[0]))) port = Number(args[0]);
    else log(...args);
  };
  try {
    await main(componentProvider(pluginVersion()), [engineAddress]);
  } finally {
    console.log = log;
  }
  if (port === undefined) throw new Error("kataven: the component server did not start");
  return port;
}

function sdkClient(engineAddress: string | undefined): Promise<ConstructClient> {
  if (!engineAddress) return Promise.reject(new Error("kataven: Construct needs the engine's address"));
  delegate ??= startSdkServer(engineAddress).then(
    (port) => new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as ConstructClient,
  );
  return delegate;
}

/** The Construct handler, for the engine at `engineAddress()`. */
export function constructMethod(engineAddress: () => string | undefined): handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    sdkClient(engineAddress()).then(
      (c) => c.construct(call.request, (err, res) => callback(err as ServiceError | null, res)),
      (err: unknown) => callback({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) }),
    );
  };
}
