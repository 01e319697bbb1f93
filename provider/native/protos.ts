/**
 * The engine's gRPC protocol as @pulumi/pulumi ships it (generated `*_pb.js` / `*_grpc_pb.js`), and the
 * @grpc/grpc-js and google-protobuf those files use, loaded from the same place so every message class is
 * the one the service definitions expect.
 */
import { createRequire } from "node:module";

const sdk = createRequire(require.resolve("@pulumi/pulumi/package.json"));

export type StructCtor = { fromJavaScript(v: Record<string, unknown>): unknown };

export const grpc = sdk("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
export const provider = sdk("./proto/provider_pb.js");
export const providerRpc = sdk("./proto/provider_grpc_pb.js");
export const plugin = sdk("./proto/plugin_pb.js");
export const engine = sdk("./proto/engine_pb.js");
export const engineRpc = sdk("./proto/engine_grpc_pb.js");
export const Empty = sdk("google-protobuf/google/protobuf/empty_pb.js").Empty;
export const Struct: StructCtor = sdk("google-protobuf/google/protobuf/struct_pb.js").Struct;
