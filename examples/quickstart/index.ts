// Quickstart: allow one agent on the widget, brand it, and mint a key for the website.
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";

const agentId = new pulumi.Config().require("agentId");

const policy = new AgentWidgetSettings("support-agent", { agentId, widgetEnabled: true, authMode: "guest" });

new WidgetSettings("branding", {
  primaryColor: "#2563eb",
  launcherPosition: "br",
  launcherLabel: "Talk to us",
});

const key = new WidgetKey(
  "website",
  { name: "acme.example website", agentId, domainAllowlist: ["https://acme.example", "https://www.acme.example"] },
  { dependsOn: [policy] },
);

export const keyId = key.keyId;
export const publicKey = key.publicKey;
export const secretKey = key.secretKey;
export const allowlist = key.domainAllowlist;
