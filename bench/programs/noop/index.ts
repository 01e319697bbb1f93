import * as pulumi from "@pulumi/pulumi";

// The cheapest possible dynamic resource: what the engine costs per resource with no API behind it. Its
// `__provider` is a one-line module, as the package's resources store (provider/resources/dynamicResource.ts),
// so the floor carries no more state per resource than a WidgetKey does.
const NOOP_PROVIDER =
  "exports.handler = () => ({" +
  " async create(inputs) { return { id: require('node:crypto').randomUUID(), outs: inputs }; }," +
  " async diff(id, olds, news) { return { changes: olds.name !== news.name }; }," +
  " async read(id, props) { return { id, props }; }," +
  " async update(id, olds, news) { return { outs: news }; }," +
  " async delete() {} });";

class Noop extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("pulumi-nodejs:dynamic/bench:Noop", name, { ...props, __provider: NOOP_PROVIDER });
  }
}

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) new Noop(`noop-${i}`, { name: `noop ${i}` });

export const resources = count;
