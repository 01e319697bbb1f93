import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config("bench");
const count = cfg.requireNumber("count");
// Stacks that share an account declare different key names (bench/teams.ts runs several at once).
const prefix = cfg.get("prefix") ?? "";
for (let i = 0; i < count; i++) {
  new WidgetKey(`key-${i}`, { name: `${prefix}bench key ${i}`, domainAllowlist: [`https://site-${i}.example.com`, "*.bench.example.com"] });
}

export const resources = count;
