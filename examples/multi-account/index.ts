// Two Kataven accounts in one program: each KatavenConnection names an API and an account API key (a
// secret config value), and every resource given it as `connection` is managed in that account. No
// `kataven:apiKey` is needed in stack config; the keys stay secrets in the state and never enter
// `__provider`.
import * as pulumi from "@pulumi/pulumi";
import { getWidgetKeys, KatavenConnection, WidgetKey, WidgetSettings } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const apiUrl = cfg.get("apiUrl"); // default https://api.kataven.ai

const acme = new KatavenConnection({ apiUrl, apiKey: cfg.requireSecret("acmeApiKey") });
const globex = new KatavenConnection({ apiUrl, apiKey: cfg.requireSecret("globexApiKey") });

const acmeKey = new WidgetKey("acme-site", { name: "acme.example", domainAllowlist: ["https://acme.example"], connection: acme });
const globexKey = new WidgetKey("globex-site", { name: "globex.example", domainAllowlist: ["https://globex.example"], connection: globex });
new WidgetSettings("globex-branding", { primaryColor: "#0f766e", launcherLabel: "Ask Globex", connection: globex });

export const acmeKeyId = acmeKey.keyId;
export const acmePublicKey = acmeKey.publicKey;
export const acmeSecretKey = acmeKey.secretKey;
export const globexKeyId = globexKey.keyId;
export const globexPublicKey = globexKey.publicKey;
export const globexSecretKey = globexKey.secretKey;
// A lookup in one account: the keys the globex account holds (ids and metadata only). It runs once the
// globex key exists, so the first `up` lists that key too.
export const globexKeyNames = globexKey.keyId
  .apply(() => getWidgetKeys({ connection: globex }))
  .apply((keys) => keys.map((k) => k.name).sort());
