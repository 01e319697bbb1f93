// Widget keys for the policy pack e2e (test/e2e/policy.test.ts). Config:
//   policy-violations:variant  "violating" (default) or "compliant"
//   policy-violations:agent    the agent id the pinned keys use
import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const agentId = cfg.require("agent");
const keys: Record<string, { agentId?: string; domainAllowlist: string[]; disabled?: boolean; tags?: string[] }> =
  cfg.get("variant") === "compliant"
    ? {
        // exact origins, pinned: passes every rule
        website: { agentId, domainAllowlist: ["https://acme.example", "https://www.acme.example"] },
        // a wildcard: allowed on prod only with {"no-wildcard-origins-on-prod": {"allowWildcardKeys": ["partners"]}}
        partners: { agentId, domainAllowlist: ["*.partners.acme.example"] },
        // a wildcard on a key tagged to allow it: passes with no policy config
        campaigns: { agentId, domainAllowlist: ["*.campaigns.acme.example"], tags: ["allow-wildcards"] },
        // empty but disabled: not a mistake
        retired: { agentId, domainAllowlist: [], disabled: true },
      }
    : {
        // no-loopback-origins-on-prod (mandatory)
        website: { agentId, domainAllowlist: ["https://acme.example", "http://localhost:3000"] },
        // no-wildcard-origins-on-prod (mandatory)
        partners: { agentId, domainAllowlist: ["https://*.partners.acme.example", "acme.example:*"] },
        // no-empty-allowlist (advisory)
        blocked: { agentId, domainAllowlist: [] },
        // prod-keys-pin-agent (advisory)
        unpinned: { domainAllowlist: ["https://shop.acme.example"] },
      };
const out: Record<string, pulumi.Output<string>> = {};
for (const [name, k] of Object.entries(keys)) {
  out[name] = new WidgetKey(name, { name: `policy e2e ${name}`, ...k }).keyLast8;
}

export const keyLast8 = out;
