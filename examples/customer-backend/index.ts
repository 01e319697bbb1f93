/**
 * The Kataven side of a site whose widget users are signed in by the site's own backend (backend.ts):
 * the agent only admits identified users (auth mode "user"), and one key pair serves the site's origin.
 * The public key goes into the page; the secret key goes into the backend's environment, never to disk.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const agentId = cfg.require("agentId");
const siteOrigin = cfg.require("siteOrigin");

const policy = new AgentWidgetSettings("agent-policy", { agentId, widgetEnabled: true, authMode: "user" });
const key = new WidgetKey(
  "site",
  {
    name: `${new URL(siteOrigin).host} (customer backend)`,
    agentId,
    domainAllowlist: [siteOrigin],
    // Bump to rotate: the new pair is created first, then the old key is deleted (disabled if it was used).
    rotation: cfg.get("rotation"),
  },
  { dependsOn: [policy] },
);

export const keyId = key.keyId;
export const publicKey = key.publicKey;
// Read it only to inject it: KATAVEN_WIDGET_SECRET_KEY="$(pulumi stack output secretKey --show-secrets)"
export const secretKey = pulumi.secret(key.secretKey);
