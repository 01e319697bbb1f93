import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object a resource hands to the engine, which serializes it into every state entry
 * (`__provider`). It is one method and one captured string: when the provider process deserializes it, the
 * SDK calls configure() before any other method, and configure() requires the lifecycle module of this
 * package *by name*, stores the stack config and attaches check/diff/create/read/update/delete to the
 * object. So `__provider` stays ~0.6 KB, holds no URL or credential, and always runs the installed release.
 * Because existing states name these modules, `provider/lifecycle/<name>` paths are part of the package's
 * contract: test/integration/provider/lifecyclePaths.test.ts fails when one stops resolving.
 */
export function serializedProvider(lifecycleModule: `pulumi-kataven-widget/provider/lifecycle/${string}`): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      require(lifecycleModule).attach(this, req.config);
    },
  } as unknown as pulumi.dynamic.ResourceProvider;
}
