import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) {
  new WidgetKey(`key-${i}`, { name: `bench key ${i}`, domainAllowlist: [`https://site-${i}.example.com`, "*.bench.example.com"] });
}

export const resources = count;
