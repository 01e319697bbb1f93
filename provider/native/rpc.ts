/**
 * What every gRPC method of the native plugin shares: the unary handler (errors answered as their message
 * alone), the URN of the call in progress (so warnings land on their resource), and the shapes of the
 * generated protobuf messages this plugin reads.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { handleUnaryCall } from "@grpc/grpc-js";
import { grpc, provider } from "./protos";
import type { Props } from "./values";

/** The engine's sentinel for a value not known until the update runs: the one the dynamic provider sees too. */
export { UNKNOWN } from "../../contract/engine";
/** DiffResponse.DiffChanges (pulumi/provider.proto). */
export const DiffChanges = { DIFF_UNKNOWN: 0, DIFF_NONE: 1, DIFF_SOME: 2 } as const;

/** A google.protobuf.Struct as the generated code hands it over. */
export interface StructMessage {
  toJavaScript(): Props;
}

/** The getters of the request messages the plugin reads (pulumi/provider.proto). */
export interface ResourceRequest {
  getUrn(): string;
  getType(): string;
  getId(): string;
  getOlds(): StructMessage | undefined;
  getNews(): StructMessage | undefined;
  getProperties(): StructMessage | undefined;
  getInputs(): StructMessage | undefined;
  getPreview(): boolean;
  getTimeout(): number;
}

export interface ConfigureRequest {
  getVariablesMap(): { toArray(): [string, string][] };
  getArgs(): StructMessage | undefined;
}

/** The URN of the call in progress. */
export const currentUrn = new AsyncLocalStorage<string>();

/** A unary handler: runs `fn`, and answers its error as the message alone (no stack, no secret). */
export function unary<Req>(fn: (req: Req) => Promise<unknown>): handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    const req = call.request as Req & { getUrn?: () => string };
    const urn = typeof req?.getUrn === "function" ? req.getUrn() : "";
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

export function checkFailure(property: string, reason: string): unknown {
  const f = new provider.CheckFailure();
  f.setProperty(property);
  f.setReason(reason);
  return f;
}
