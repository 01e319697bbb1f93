import * as pulumi from "@pulumi/pulumi";
import { KATAVEN_TYPE_PREFIX } from "../../contract/engine";
import { scrubDebugLog } from "../sdkPrivate";

// The SDK's debug log would carry every WidgetKey's secret key in plaintext (../sdkPrivate.ts).
scrubDebugLog();

/**
 * The base of this package's resources: a dynamic resource (`pulumi-nodejs:dynamic/kataven:<Type>`, run by
 * the SDK's dynamic provider host), as `pulumi.dynamic.Resource` makes one, but with a `__provider` written
 * here instead of produced by the SDK's closure serializer.
 *
 * The engine stores `__provider` in every resource's inputs and outputs, and the provider process loads it
 * with `requireFromString(__provider).handler()`, then calls `configure(req)` before any other method
 * (@pulumi/pulumi cmd/dynamic-provider, getProvider). The serializer would wrap one small method in ~700
 * bytes of `with` blocks and closures, twice per resource; the module below is one line (~130 bytes) that
 * requires this package's lifecycle module *by name* and attaches its methods. So the state holds no URL
 * or credential, a new release reaches existing resources, and no V8 inspector session is opened to
 * serialize anything when a program starts.
 *
 * Because existing states name these modules, `provider/lifecycle/<name>` paths and their `attach` export
 * are part of the package's contract: test/integration/provider/lifecyclePaths.test.ts fails when one stops
 * resolving. States written by earlier builds hold the serializer's form of the same stub, which calls
 * the same `attach`; the first `up` after upgrading rewrites it (an update with no API call, see
 * ../lifecycle/stateCompat.ts).
 */
export function providerStub(lifecycleModule: `pulumi-kataven-widget/provider/lifecycle/${string}`): string {
  return `exports.handler = () => ({ configure(req) { require(${JSON.stringify(lifecycleModule)}).attach(this, req.config); } });`;
}

export abstract class DynamicResource extends pulumi.CustomResource {
  protected constructor(type: string, stub: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    // The SDK makes four promises per property while it registers a resource, each stamped with
    // `new Error().stack` for its promise-leak report; in a TypeScript program ts-node's source-map support
    // rewrites every such stack, about 0.1 ms each: 7 ms for a WidgetKey's 19 properties, seconds at
    // hundreds of keys, before the first request. Those stacks hold SDK frames only (the leak report still
    // names the resource and property), so they are captured empty here. The stack trace the engine stores
    // for the resource is unaffected: the SDK takes it with its own limit. An error the SDK throws here
    // (a bad option, say) gets its stack back.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`${KATAVEN_TYPE_PREFIX}${type}`, name, { ...props, __provider: stub }, opts);
    } catch (err) {
      Error.stackTraceLimit = stackTraceLimit;
      if (err instanceof Error) Error.captureStackTrace(err);
      throw err;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}
