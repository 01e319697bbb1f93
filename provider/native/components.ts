/**
 * The components of the native plugin, as @pulumi/pulumi's provider server runs them (./construct.ts):
 * `kataven:index:RotatingWidgetKey` is the component class a TypeScript program uses
 * (../resources/rotatingWidgetKey.ts), its generations' keys being native `kataven:index:WidgetKey`
 * resources of the provider the component was given.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import { client } from "../lifecycle/common";
import { widgetKeyInfos } from "../keyInfo";
import { type GenerationKeyArgs, type GenerationKeys, RotatingWidgetKey, type RotatingWidgetKeyArgs } from "../resources/rotatingWidgetKey";
import { typeToken } from "../schema/package";
import { rotatingWidgetKeySchema } from "../schema/rotatingWidgetKey";
import { widgetKeySchema } from "../schema/widgetKey";
import { scrubDebugLog } from "../sdkPrivate";

// The SDK logs each child's RegisterResource answer, secretKey included, at debug level (../sdkPrivate.ts).
scrubDebugLog();

/** A `kataven:index:WidgetKey`, registered from this process as a child of the component. */
class NativeWidgetKey extends pulumi.CustomResource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly publicKey: pulumi.Output<string | undefined>;
  declare readonly secretKey: pulumi.Output<string | undefined>;

  constructor(name: string, args: GenerationKeyArgs, opts: pulumi.CustomResourceOptions) {
    const { connection: _connection, ...inputs } = args;
    const outputs = { keyId: undefined, publicKey: undefined, secretKey: undefined };
    super(typeToken(widgetKeySchema.name), name, { ...inputs, ...outputs }, { ...opts, additionalSecretOutputs: ["secretKey"] });
  }
}

/** The keys of the account this plugin was configured with: the component's provider is this plugin's. */
const nativeKeys: GenerationKeys = {
  create: (name, args, opts) => new NativeWidgetKey(name, args, opts),
  list: () => widgetKeyInfos(client(), { includeDisabled: true }),
};

const outputNames = Object.entries(rotatingWidgetKeySchema.fields)
  .filter(([, f]) => !f.input)
  .map(([k]) => k);

/** The provider @pulumi/pulumi's server calls for Construct. */
export function componentProvider(version: string): Provider {
  return {
    version,
    async construct(name, type, inputs, options): Promise<ConstructResult> {
      if (type !== typeToken(rotatingWidgetKeySchema.name)) throw new Error(`kataven: unknown component type "${type}"`);
      const c = new RotatingWidgetKey(name, inputs as unknown as RotatingWidgetKeyArgs, options, nativeKeys);
      const state: Record<string, unknown> = {};
      for (const k of outputNames) state[k] = (c as unknown as Record<string, unknown>)[k];
      return { urn: c.urn, state };
    },
  };
}
