// One program for every environment: the stack's config says which origins may embed the widget.
import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const config = new pulumi.Config();
const env = pulumi.getStack();
const key = new WidgetKey("website", {
  name: `acme.example ${env}`,
  agentId: config.get("agentId"),
  domainAllowlist: config.requireObject<string[]>("allowlist"),
});

export const environment = env;
export const publicKey = key.publicKey;
export const secretKey = key.secretKey;
export const allowlist = key.domainAllowlist;
