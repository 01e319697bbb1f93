/**
 * The policy pack's rules as pure functions over a WidgetKey's inputs, so each one is unit-tested without
 * the engine (policy/index.ts wraps them in @pulumi/policy). Entries are judged in their canonical form
 * from contract/allowlist.ts, the same form the provider plans and the server enforces.
 *
 * Rules (name: default enforcement level):
 *   no-loopback-origins-on-prod:  mandatory  a prod stack's key allows localhost or a loopback address
 *   no-wildcard-origins-on-prod:  mandatory  a prod stack's key has `*.x` or `x:*`, and is not listed in
 *                                            the rule's `allowWildcardKeys` config
 *   no-empty-allowlist:           advisory   an enabled key has an empty allowlist (every origin refused)
 *   prod-keys-pin-agent:          advisory   an enabled key on a prod stack has no `agentId`
 *
 * A stack is "prod" when its name matches one of the rule's `prodStacks` globs
 * (default "prod", "production", "prod-*"; `*` matches any run of characters).
 */
import { ALLOW_WILDCARDS_TAG, canonicalizeAllowlist, isBroadEntry, isLoopbackEntry } from "../contract/allowlist";

export { WIDGET_KEY_TYPE } from "../contract/engine";

export const DEFAULT_PROD_STACKS: readonly string[] = ["prod", "production", "prod-*"];

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** The WidgetKey inputs the rules read; anything else (`__provider`, `rotation`, …) is ignored. */
export interface WidgetKeyRuleInput {
  name?: unknown;
  agentId?: unknown;
  domainAllowlist?: unknown;
  disabled?: unknown;
  tags?: unknown;
}

/** What a rule knows about where the key lives. */
export interface RuleContext {
  /** The stack name (`pulumi stack`), e.g. "prod". */
  stack: string;
  /** The key's resource name: in the root program, its name under `kataven-widget:keys`. */
  resourceName: string;
}

/** Per-rule config, from `--policy-pack-config` (missing fields take the defaults). */
export interface RuleConfig {
  prodStacks?: string[];
  allowWildcardKeys?: string[];
}

export interface Rule {
  name: string;
  description: string;
  defaultLevel: EnforcementLevel;
  /** JSON schema properties of the rule's config (enforcementLevel is implicit). */
  configSchema: Record<string, { type: "array"; items: { type: "string" }; default?: string[]; description: string }>;
  remediationSteps: string;
  /** The violation messages for one key; empty when it complies. */
  check(key: WidgetKeyRuleInput, ctx: RuleContext, config?: RuleConfig): string[];
}

/** `*` in a glob matches any run of characters; everything else literally. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${re}$`).test(value);
}

export function isProdStack(stack: string, prodStacks: readonly string[] = DEFAULT_PROD_STACKS): boolean {
  return prodStacks.some((p) => globMatch(p, stack));
}

function isEnabled(key: WidgetKeyRuleInput): boolean {
  return key.disabled !== true;
}

function rawAllowlist(key: WidgetKeyRuleInput): string[] {
  return Array.isArray(key.domainAllowlist) ? key.domainAllowlist.filter((e): e is string => typeof e === "string") : [];
}

/**
 * The key's entries in canonical form. Invalid entries are left out: the provider's check() already fails
 * the preview on them with a precise reason.
 */
function canonicalEntries(key: WidgetKeyRuleInput): string[] {
  return canonicalizeAllowlist(rawAllowlist(key)).canonical;
}

function stackList(config: RuleConfig | undefined): readonly string[] {
  return config?.prodStacks ?? DEFAULT_PROD_STACKS;
}

const prodStacksSchema = {
  type: "array" as const,
  items: { type: "string" as const },
  default: [...DEFAULT_PROD_STACKS],
  description: "Stack names (globs, * = any characters) that count as production.",
};

const quoteList = (entries: string[]) => entries.map((e) => JSON.stringify(e)).join(", ");

export const noLoopbackOnProd: Rule = {
  name: "no-loopback-origins-on-prod",
  description: "Widget keys on production stacks may not allow localhost or loopback origins.",
  defaultLevel: "mandatory",
  configSchema: { prodStacks: prodStacksSchema },
  remediationSteps: "Remove the localhost/127.x/[::1] entries from this stack's allowlist; keep them on a dev stack's key.",
  check(key, ctx, config) {
    if (!isProdStack(ctx.stack, stackList(config))) return [];
    const loopback = canonicalEntries(key).filter(isLoopbackEntry);
    if (loopback.length === 0) return [];
    return [
      `widget key "${ctx.resourceName}" on production stack "${ctx.stack}" allows loopback origin(s) ${quoteList(loopback)} ` +
        "in domainAllowlist; any page served from the visitor's own machine could use this key. " +
        "Remove them here and keep them on a dev stack.",
    ];
  },
};

export const noWildcardsOnProd: Rule = {
  name: "no-wildcard-origins-on-prod",
  description:
    "Widget keys on production stacks may not use wildcard entries (*.domain, host:*) unless the key is tagged allow-wildcards (or listed in allowWildcardKeys).",
  defaultLevel: "mandatory",
  configSchema: {
    prodStacks: prodStacksSchema,
    allowWildcardKeys: {
      type: "array",
      items: { type: "string" },
      default: [],
      description:
        "Key names (resource names, i.e. the names under kataven-widget:keys; globs allowed) that may use wildcard entries on production.",
    },
  },
  remediationSteps:
    'List the exact origins instead, or allow this key\'s wildcards explicitly: tag it (tags: ["allow-wildcards"]) or add its name to allowWildcardKeys in the policy pack config.',
  check(key, ctx, config) {
    if (!isProdStack(ctx.stack, stackList(config))) return [];
    if (Array.isArray(key.tags) && key.tags.includes(ALLOW_WILDCARDS_TAG)) return [];
    const allowed = config?.allowWildcardKeys ?? [];
    const names = [ctx.resourceName, ...(typeof key.name === "string" ? [key.name] : [])];
    if (allowed.some((p) => names.some((n) => globMatch(p, n)))) return [];
    const broad = canonicalEntries(key).filter(isBroadEntry);
    if (broad.length === 0) return [];
    return [
      `widget key "${ctx.resourceName}" on production stack "${ctx.stack}" uses wildcard entr${broad.length === 1 ? "y" : "ies"} ` +
        `${quoteList(broad)} in domainAllowlist. List the exact origins, or allow wildcards for this key: tag it ` +
        `(tags: ["${ALLOW_WILDCARDS_TAG}"]) or add {"no-wildcard-origins-on-prod": {"allowWildcardKeys": ["${ctx.resourceName}"]}} to the policy pack config.`,
    ];
  },
};

export const noEmptyAllowlist: Rule = {
  name: "no-empty-allowlist",
  description: "An enabled widget key should allow at least one origin (an empty allowlist refuses every page).",
  defaultLevel: "advisory",
  configSchema: {},
  remediationSteps: "Add the origins that embed the widget, or set disabled: true if the key is meant to be off.",
  check(key, ctx) {
    if (!isEnabled(key) || rawAllowlist(key).length > 0) return [];
    return [
      `widget key "${ctx.resourceName}" is enabled but its domainAllowlist is empty, so every page is refused. ` +
        "Add the origins that embed the widget, or set disabled: true.",
    ];
  },
};

export const prodKeysPinAgent: Rule = {
  name: "prod-keys-pin-agent",
  description: "Every enabled widget key on a production stack pins an agent (agentId).",
  defaultLevel: "advisory",
  configSchema: { prodStacks: prodStacksSchema },
  remediationSteps: "Set agentId on the key (in the root program: `agent:` under the key in kataven-widget:keys).",
  check(key, ctx, config) {
    if (!isProdStack(ctx.stack, stackList(config)) || !isEnabled(key)) return [];
    if (typeof key.agentId === "string" && key.agentId !== "") return [];
    return [
      `widget key "${ctx.resourceName}" on production stack "${ctx.stack}" does not pin an agent, so a page may ` +
        'pick any agent of the account. Set agentId ("agent:" in kataven-widget:keys).',
    ];
  },
};

export const RULES: readonly Rule[] = [noLoopbackOnProd, noWildcardsOnProd, noEmptyAllowlist, prodKeysPinAgent];
