/**
 * The `kataven-widget-policy` policy pack: the rules of ./rules.ts applied to every WidgetKey of a preview
 * or update. Run it with `pulumi preview --policy-pack <repo>/policy [--policy-pack-config <file.json>]`;
 * the README next to this file lists the rules, their config and default enforcement levels.
 *
 * The CLI loads the compiled pack (policy/package.json `main` → dist/policy/index.js; `npm run build`).
 */
import { PolicyPack, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { Rule, RuleConfig, RULES, WIDGET_KEY_TYPE } from "./rules";

/** The stack being checked: the CLI passes it to the analyzer as PULUMI_NODEJS_STACK / PULUMI_STACK. */
function currentStack(): string {
  return pulumi.getStack() || process.env.PULUMI_STACK || "";
}

function toPolicy(rule: Rule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.defaultLevel,
    remediationSteps: rule.remediationSteps,
    configSchema: { properties: rule.configSchema },
    validateResource: (args, reportViolation) => {
      if (args.type !== WIDGET_KEY_TYPE) return;
      const config = args.getConfig<RuleConfig>();
      const p = args.props;
      const key = { name: p.name, agentId: p.agentId, domainAllowlist: p.domainAllowlist, disabled: p.disabled, tags: p.tags };
      for (const message of rule.check(key, { stack: currentStack(), resourceName: args.name }, config)) {
        reportViolation(message);
      }
    },
  };
}

new PolicyPack("kataven-widget-policy", { policies: RULES.map(toPolicy) });
