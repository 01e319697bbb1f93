/**
 * WidgetKey's check(): no API call. The schema (../schema/widgetKey.ts) validates every field (./checkFields.ts);
 * here are the key's own rules: name and agentId by the wire.ts schemas (the name trimmed), the allowlist
 * canonicalised (allowlist.ts), the tag pattern, and adopt not combined with rotation.
 */
import { canonicalizeAllowlist } from "../../contract/allowlist";
import { CreateWidgetKeyRequest } from "../../contract/wire";
import { widgetKeySchema } from "../schema/widgetKey";
import { checkFields, type FieldRules, zodRefine } from "./checkFields";
import { type CheckFailure, configFailures } from "./common";
import type { Props, WidgetKeyCheckedInputs } from "./widgetKeyProps";

/** Labels kept in the Pulumi state only (Kataven has no field for them), for policies and reviews. */
const TAG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** WidgetKey's own rules; required fields, kinds, limits and unknown fields come from its schema. */
const RULES: FieldRules = {
  name: { refine: zodRefine(CreateWidgetKeyRequest.shape.name) },
  agentId: { refine: zodRefine(CreateWidgetKeyRequest.shape.agent_id) },
  domainAllowlist: {
    // The boundary where the program's list becomes canonical (allowlist.ts); the entry limit counts distinct entries.
    refine: (list: string[], fail) => {
      const { canonical, failures } = canonicalizeAllowlist(list);
      for (const f of failures) fail(`${JSON.stringify(f.entry)} ${f.reason}`, `[${f.index}]`);
      return canonical;
    },
  },
  "adopt.id": {
    refine: (id: string, fail) => {
      if (id.trim() === "") fail("must be the id of an existing widget key (see GET /api/v1/widget-keys)");
      return id.trim();
    },
  },
  "adopt.publicKey": {
    refine: (pk: string, fail) => {
      if (!pk.startsWith("pk_live_")) fail("must be the key's pk_live_… public key");
      return pk;
    },
  },
  tags: {
    each: (t: string, fail) => {
      if (!TAG_RE.test(t)) fail(`${JSON.stringify(t)} must be a lower-case label of letters, digits and "-" (at most 63 characters)`);
      return t;
    },
    refine: (tags: string[]) => [...new Set(tags)],
  },
};

export async function check(_olds: Props, news: Props): Promise<{ inputs: WidgetKeyCheckedInputs; failures: CheckFailure[] }> {
  const checked = checkFields(widgetKeySchema, news, RULES);
  const failures: CheckFailure[] = [...configFailures(), ...checked.failures];
  const inputs = checked.inputs as WidgetKeyCheckedInputs;
  if (inputs.adopt !== undefined && inputs.rotation !== undefined) {
    failures.push({
      property: "rotation",
      reason:
        "cannot be combined with adopt: an adopted key is taken over, not minted. Remove adopt to mint a key of your own (that replaces the adopted one), then rotate it",
    });
  }
  return { inputs, failures };
}
