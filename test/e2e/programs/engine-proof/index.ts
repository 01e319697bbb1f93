// A dynamic resource that mints a random token and returns it as a secret output.
import * as pulumi from "@pulumi/pulumi";

const tokenProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { label: string }) {
    const { randomBytes, randomUUID } = require("node:crypto");
    return { id: randomUUID(), outs: { label: inputs.label, token: `tok_${randomBytes(18).toString("hex")}` } };
  },
  async diff(_id: string, olds: { label: string }, news: { label: string }) {
    return { changes: olds.label !== news.label };
  },
  async read(id: string, props: Record<string, unknown>) {
    return { id, props };
  },
  async update(_id: string, olds: Record<string, unknown>, news: { label: string }) {
    return { outs: { ...olds, label: news.label } };
  },
  async delete() {},
};

class Token extends pulumi.dynamic.Resource {
  declare public readonly label: pulumi.Output<string>;
  declare public readonly token: pulumi.Output<string>;
  constructor(name: string, args: { label: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(tokenProvider, name, { ...args, token: undefined }, { ...opts, additionalSecretOutputs: ["token"] }, "proof", "Token");
  }
}

const t = new Token("proof", { label: new pulumi.Config().get("label") ?? "first" });

export const label = t.label;
export const token = t.token;
