import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";

const support = new AgentWidgetSettings("support", { agentId: "agent-a", widgetEnabled: true, authMode: "both" });
new WidgetSettings("branding", { primaryColor: "#2563EB", launcherPosition: "tl", launcherLabel: "Chat with us" });
const website = new WidgetKey(
  "website",
  { name: "site.example", agentId: "agent-a", domainAllowlist: ["https://site.example", "*.site.example", "SITE.example"] },
  { dependsOn: [support] },
);
new WidgetKey("staging", { name: "staging.site.example", domainAllowlist: ["staging.site.example"], disabled: true, tags: ["staging"] });

export const publicKey = website.publicKey;
export const secretKey = website.secretKey;
