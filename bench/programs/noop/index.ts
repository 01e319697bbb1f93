import * as pulumi from "@pulumi/pulumi";

// The cheapest possible dynamic resource: what the engine costs per resource with no API behind it.
const noop: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: require("node:crypto").randomUUID(), outs: inputs };
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { changes: JSON.stringify(olds.name) !== JSON.stringify(news.name) };
  },
  async read(id: string, props: Record<string, unknown>) {
    return { id, props };
  },
  async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { outs: news };
  },
  async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(noop, name, props, undefined, "bench", "Noop");
  }
}

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) new Noop(`noop-${i}`, { name: `noop ${i}` });

export const resources = count;
