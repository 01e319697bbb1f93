import * as pulumi from "@pulumi/pulumi";

// The engine floor: a no-op dynamic resource with a WidgetKey's shape (the same inputs and outputs, with
// `secretKey` a secret output) and no API behind it. The SDK's cost per resource grows with its property
// count (it makes four promises per property, each with a captured stack trace, which ts-node's
// source-map support maps), so the floor has the WidgetKey's property set: what is left over is the
// provider's own work. Its `__provider` is a one-line stub, like the package's own
// (provider/resources/dynamicResource.ts), so the floor carries no more state per resource than a WidgetKey.
const OUTPUTS = [
  "keyId",
  "publicKey",
  "secretKey",
  "keyLast8",
  "disabled",
  "disabledAt",
  "disabledOutsidePulumi",
  "lastUsedAt",
  "createdAt",
  "secretAvailable",
];

class Noop extends pulumi.CustomResource {
  constructor(name: string, args: { name: string; domainAllowlist: string[] }) {
    super(
      "pulumi-nodejs:dynamic/bench:Noop",
      name,
      {
        ...Object.fromEntries(["agentId", "rotation", "adopt", "tags", "connection", ...OUTPUTS].map((k) => [k, undefined])),
        ...args,
        providerVersion: "0.0.0",
        __provider: 'exports.handler = () => require("./noopProvider.js");',
      },
      { additionalSecretOutputs: ["secretKey"] },
    );
  }
}

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) {
  new Noop(`key-${i}`, { name: `bench key ${i}`, domainAllowlist: [`https://site-${i}.example.com`, "*.bench.example.com"] });
}

export const resources = count;
