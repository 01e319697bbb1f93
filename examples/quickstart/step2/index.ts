// Quickstart, step 2: the same stack after an edit. Every change here is an in-place update: the key keeps
// its id and its secret; only `rotation` (see examples/rotation) mints a new pair.
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";

const agentId = new pulumi.Config().require("agentId");

const policy = new AgentWidgetSettings("support-agent", { agentId, widgetEnabled: true, authMode: "both" });

new WidgetSettings("branding", {
  primaryColor: "#2563eb",
  accentColor: "#7c3aed",
  launcherPosition: "bl",
  launcherLabel: "Questions? Ask us",
});

const key = new WidgetKey(
  "website",
  {
    name: "acme.example website",
    agentId,
    // a new subdomain wildcard; the two existing origins are re-spelled, which changes nothing
    domainAllowlist: ["ACME.example", "www.acme.example", "*.shop.acme.example"],
  },
  { dependsOn: [policy] },
);

export const keyId = key.keyId;
export const publicKey = key.publicKey;
export const secretKey = key.secretKey;
export const allowlist = key.domainAllowlist;
