// Widget keys for the policy pack e2e (test/e2e/policy.test.ts); the table is in keys.ts. Config:
//   policy-violations:variant  "violating" (default) or "compliant"
//   policy-violations:agent    the agent id the pinned keys use
import * as pulumi from "@pulumi/pulumi";
import { declareKeys } from "./keys";

const cfg = new pulumi.Config();

export const keyLast8 = declareKeys(cfg.get("variant"), cfg.require("agent"));
