/**
 * The root program (Pulumi.yaml at the repository root): keys, branding and agent policy declared from
 * stack configuration, so a stack's YAML is what a pull request changes and reviewers see.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";
import { embedSnippet, parseProgramConfig } from "./config";

const cfg = new pulumi.Config("kataven-widget");
const { keys, branding, agents } = parseProgramConfig({
  keys: cfg.getObject("keys"),
  branding: cfg.getObject("branding"),
  agents: cfg.getObject("agents"),
});

// Agent policy first: a key pinned to an agent is only useful once the agent allows the widget.
const policies = Object.entries(agents).map(
  ([agentId, a]) => new AgentWidgetSettings(`agent-${agentId}`, { agentId, widgetEnabled: a.widgetEnabled, authMode: a.authMode }),
);
if (branding) new WidgetSettings("branding", branding);

const keyOutputs: Record<string, pulumi.Output<unknown>> = {};
const secrets: Record<string, pulumi.Output<string | undefined>> = {};
for (const [name, k] of Object.entries(keys)) {
  const key = new WidgetKey(
    name,
    {
      name,
      agentId: k.agent,
      domainAllowlist: k.allowlist,
      disabled: k.disabled,
      rotation: k.rotation,
      adopt: k.adopt ? { id: k.adopt } : undefined,
      tags: k.tags,
    },
    { dependsOn: policies },
  );
  keyOutputs[name] = pulumi
    .all([key.keyId, key.publicKey, key.keyLast8, key.domainAllowlist, key.disabledAt])
    .apply(([keyId, publicKey, keyLast8, domainAllowlist, disabledAt]) => ({
      keyId,
      publicKey,
      keyLast8,
      agentId: k.agent ?? null,
      domainAllowlist,
      disabled: disabledAt != null,
      embedSnippet: publicKey ? embedSnippet(publicKey, k.agent) : null,
    }));
  secrets[name] = key.secretKey;
}

/** Per key: id, public key, canonical allowlist and the embed snippet for your pages. */
export const widgetKeys = keyOutputs;
/** Per key: the `sk_live_…` secret for your backend (a secret output). */
export const secretKeys = pulumi.secret(secrets);
