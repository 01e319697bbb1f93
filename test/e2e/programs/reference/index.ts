// Config-driven: `importId` imports a key made outside Pulumi, `getId` reads one without managing it, and
// the lookups report what the account holds (plain values, no secrets).
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, getAgentWidgetSettings, getWidgetKeys, getWidgetSettings, WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const importId = cfg.get("importId");
const getId = cfg.get("getId");
const lookupName = cfg.get("lookupName");
const agentId = cfg.get("agentId");

export const imported = importId
  ? (() => {
      const k = new WidgetKey(
        "imported",
        { name: "made in the dashboard", domainAllowlist: ["https://dash.example"] },
        { import: importId },
      );
      return { keyId: k.keyId, keyLast8: k.keyLast8, secretAvailable: k.secretAvailable, secretKey: k.secretKey };
    })()
  : undefined;

// import on a settings resource: dropped, since create adopts what the account holds.
const importPolicyOf = cfg.get("importPolicyOf");
export const importedPolicy = importPolicyOf
  ? new AgentWidgetSettings(
      "imported-policy",
      { agentId: importPolicyOf, widgetEnabled: true, authMode: "both" },
      { import: importPolicyOf },
    ).authMode
  : undefined;

export const fetched = getId
  ? (() => {
      const k = WidgetKey.get("fetched", getId);
      return { keyId: k.keyId, name: k.name, keyLast8: k.keyLast8, domainAllowlist: k.domainAllowlist, secretAvailable: k.secretAvailable };
    })()
  : undefined;

export const keysNamed = lookupName ? getWidgetKeys({ name: lookupName }) : undefined;
export const allKeys = getWidgetKeys({ includeDisabled: true }).then((ks) =>
  ks.map((k) => ({ id: k.id, name: k.name, disabled: k.disabled })),
);
export const branding = getWidgetSettings();
export const agentPolicy = agentId ? getAgentWidgetSettings(agentId) : undefined;
