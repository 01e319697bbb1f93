/**
 * The Kataven side of a site whose widget users are signed in by the site's own backend (backend.ts):
 * the agent only admits identified users (auth mode "user"), and one key pair serves the site's origin.
 * The public key goes into the page; the secret key goes into the backend's environment, never to disk.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentWidgetSettings, RotatingWidgetKey, WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const agentId = cfg.require("agentId");
const siteOrigin = cfg.require("siteOrigin");

const policy = new AgentWidgetSettings("agent-policy", { agentId, widgetEnabled: true, authMode: "user" });
// Two-phase (zero-downtime) rotation when `keyGenerations` is set (README "Rotating the secret"): a
// RotatingWidgetKey keeps the previous key enabled until its label leaves the list. Otherwise one WidgetKey,
// rotated in one step by bumping `rotation`: the new pair is created first, then the old key is deleted
// (disabled if it was used).
const generations = cfg.getObject<Array<string | number>>("keyGenerations");
const keyArgs = { name: `${new URL(siteOrigin).host} (customer backend)`, agentId, domainAllowlist: [siteOrigin] };
const key = generations
  ? new RotatingWidgetKey("site", { ...keyArgs, generations, maxAgeDays: cfg.getNumber("keyMaxAgeDays") }, { dependsOn: [policy] })
  : new WidgetKey("site", { ...keyArgs, rotation: cfg.get("rotation") }, { dependsOn: [policy] });

export const keyId = key.keyId;
export const publicKey = key.publicKey;
// Read it only to inject it: KATAVEN_WIDGET_SECRET_KEY="$(pulumi stack output secretKey --show-secrets)"
export const secretKey = pulumi.secret(key.secretKey);
// During phase 1 of a two-phase rotation: the key pair the running backend still uses; null otherwise (an
// undefined stack output would only draw a warning at every `up`).
const previous = key instanceof RotatingWidgetKey ? key : undefined;
export const previousKeyId = previous ? previous.previousKeyId.apply((id) => id ?? null) : null;
export const previousPublicKey = previous ? previous.previousPublicKey.apply((pk) => pk ?? null) : null;
// secret while it holds a key; a plain null when there is none
export const previousSecretKey = previous
  ? previous.previousKeyId.apply((id) => (id ? pulumi.secret(previous.previousSecretKey) : null))
  : null;
