// Two resources that would overwrite each other in Kataven, picked by `pulumi config set case <case>`:
// settings (two WidgetSettings), agent (two AgentWidgetSettings for one agent), keys (two WidgetKeys with one
// name), keys-output (the same, the name known only as an Output), none (distinct resources: the control).
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";

const which = new pulumi.Config().require("case");
if (which === "settings") {
  new WidgetSettings("branding", { primaryColor: "#2563eb" });
  new WidgetSettings("branding-again", { primaryColor: "#000000" });
} else if (which === "agent") {
  new AgentWidgetSettings("support", { agentId: "agent-a", widgetEnabled: true, authMode: "guest" });
  new AgentWidgetSettings("support-too", { agentId: "agent-a", widgetEnabled: false });
} else if (which === "keys" || which === "keys-output") {
  const name = which === "keys" ? "acme.com production" : pulumi.output("acme.com production ");
  new WidgetKey("website", { name: "acme.com production", domainAllowlist: ["https://acme.example"] });
  new WidgetKey("website-2", { name, domainAllowlist: ["https://shop.acme.example"] });
} else {
  new WidgetSettings("branding", { primaryColor: "#2563eb" });
  new AgentWidgetSettings("support", { agentId: "agent-a", widgetEnabled: true, authMode: "guest" });
  new AgentWidgetSettings("sales", { agentId: "agent-b" });
  new WidgetKey("website", { name: "acme.com production", domainAllowlist: ["https://acme.example"] });
  new WidgetKey("website-2", { name: "acme.com staging", domainAllowlist: ["https://staging.acme.example"] });
}

export const declared = which;
