// The widget keys of the policy pack e2e (test/e2e/policy.test.ts), in one place: index.ts declares them
// for plain `pulumi` (the language host loads it through ts-node), and the Automation API inline program
// of test/e2e/support/policyDriver.ts declares the same ones (compiled into dist/).
import type * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

export interface PolicyKey {
  agentId?: string;
  domainAllowlist: string[];
  disabled?: boolean;
  tags?: string[];
}

/** The keys of a variant: "violating" (the default) or "compliant"; `agentId` is the pinned keys' agent. */
export function keyTable(variant: string | undefined, agentId: string): Record<string, PolicyKey> {
  return variant === "compliant"
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
}

/** Declares the variant's keys; returns each key's keyLast8 output by resource name. */
export function declareKeys(variant: string | undefined, agentId: string): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = {};
  for (const [name, k] of Object.entries(keyTable(variant, agentId))) {
    out[name] = new WidgetKey(name, { name: `policy e2e ${name}`, ...k }).keyLast8;
  }
  return out;
}
