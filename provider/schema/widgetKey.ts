/** WidgetKey's fields: the one description of the resource's shape (see ./types.ts). */
import { PROVIDER_VERSION } from "./common";
import { LIMITS } from "../../contract/wire";
import type { ResourceSchema } from "./types";

export const widgetKeySchema = {
  name: "WidgetKey",
  description:
    "A Kataven widget key pair (`pk_live_…` public key + `sk_live_…` secret key) with its domain allowlist. " +
    "Name, allowlist, agent pin and `disabled` update in place (the key keeps its id and secret); only `rotation`, and `adopt` naming another key, replace it. " +
    "On delete a never-used key is deleted and a used one disabled.",
  fields: {
    name: {
      type: { kind: "string" },
      input: true,
      required: true,
      limits: { maxLength: LIMITS.keyNameMax },
      example: '"acme.com production"',
      description: `Display name, 1–${LIMITS.keyNameMax} characters (trimmed). Editing it updates the key in place.`,
    },
    domainAllowlist: {
      type: { kind: "stringArray", of: "origins" },
      input: true,
      required: true,
      limits: { maxItems: LIMITS.allowlistMax },
      example: '["https://acme.com", "*.acme.com"]',
      description:
        "Origins allowed to embed the widget with this key. A set: order, case, default ports, trailing slashes/dots and IDN spelling do not matter " +
        "(each entry is canonicalised, duplicates dropped, your order kept). Entries: `https://acme.com`, `acme.com` (https), `*.acme.com` " +
        "(subdomains at any depth, not the apex), `acme.com:*` (any port), `http://localhost:3000` / `localhost:*` (http only for loopback hosts). " +
        "Rejected: `*`, `*.com`/`*.co.uk` (wildcards under a public suffix), wildcards inside a label, paths, queries, fragments, userinfo, " +
        `\`http://\` for non-loopback hosts. At most ${LIMITS.allowlistMax} entries; \`[]\` blocks the key.`,
    },
    agentId: {
      type: { kind: "string" },
      input: true,
      limits: { maxLength: LIMITS.idMax },
      example: '"agent-a"',
      description: "Pin the key to one agent (the widget then always talks to it). Omit to leave the key unpinned.",
    },
    disabled: {
      type: { kind: "boolean" },
      input: true,
      alwaysSet: true,
      description:
        "Revoke (`true`) or re-enable (`false`) the key without deleting it. Unset: the key is created enabled, and a revocation made outside " +
        "Pulumi (found by refresh) is respected; only an explicit `false` re-enables it.",
    },
    rotation: {
      type: { kind: "stringOrNumber" },
      input: true,
      replaces: true,
      example: '"2025-06" or 3',
      description:
        "Any string or number; changing it replaces the key: a new pair is minted first, dependents are updated, then the old key is deleted. " +
        'E.g. a date (`"2025-06"`) or a counter. Not combinable with `adopt`.',
    },
    adopt: {
      type: {
        kind: "object",
        name: "WidgetKeyAdopt",
        fields: {
          id: {
            type: { kind: "string" },
            input: true,
            required: true,
            limits: { maxLength: LIMITS.idMax },
            example: '"<widget key id>"',
            description: "The id of the existing widget key (GET /api/v1/widget-keys lists them).",
          },
          publicKey: {
            type: { kind: "string" },
            input: true,
            description: "Its `pk_live_…` public key (checked against the key's last 8 characters), to have it as an output.",
          },
        },
      },
      input: true,
      example: '{id: "<widget key id>"}',
      description:
        "Take over an existing key instead of minting one. The id is verified against the account's key list. Its secret was shown once to " +
        "whoever created it and cannot be recovered: `secretAvailable` is `false` and `secretKey` is absent. Give `publicKey` to have it as an " +
        "output. Adoption happens once: removing `adopt` after the first `up` keeps the key, and naming the key the resource already holds " +
        "changes nothing; only pointing `adopt.id` at another key replaces the resource.",
    },
    tags: {
      type: { kind: "stringArray", of: "labels" },
      input: true,
      example: '["allow-wildcards"]',
      description:
        'Labels for policies and reviews, kept in the Pulumi state only (Kataven has no field for them); lower case letters, digits and "-". ' +
        "`allow-wildcards` lets the key use wildcard entries on production stacks under the policy pack in policy/. Editing them never calls the API.",
    },
    providerVersion: PROVIDER_VERSION,
    keyId: { type: { kind: "string" }, input: false, required: true, description: "The key row id (also the resource id)." },
    publicKey: {
      type: { kind: "string" },
      input: false,
      description: "`pk_live_…`, safe to embed in pages. Absent for an adopted key unless `adopt.publicKey` was given.",
    },
    secretKey: {
      type: { kind: "string" },
      input: false,
      secret: true,
      description: "`sk_live_…`, for your backend's `user-token` calls. Always a secret output. Absent for adopted and imported keys.",
    },
    keyLast8: { type: { kind: "string" }, input: false, required: true, description: "Last 8 characters of the public key, for display." },
    disabledOutsidePulumi: {
      type: { kind: "boolean" },
      input: false,
      description: "True when refresh found the key disabled outside Pulumi; `up` keeps it disabled unless `disabled` is `false`.",
    },
    disabledAt: {
      type: { kind: "string" },
      input: false,
      nullable: true,
      description: "When the key was disabled (ISO 8601), or null while it is enabled.",
    },
    lastUsedAt: {
      type: { kind: "string" },
      input: false,
      nullable: true,
      description: "When the key last served a widget call (ISO 8601), or null if never: a used key is disabled, not deleted, on destroy.",
    },
    createdAt: { type: { kind: "string" }, input: false, required: true, description: "When the API minted the key (ISO 8601)." },
    secretAvailable: {
      type: { kind: "boolean" },
      input: false,
      required: true,
      description: "False for an adopted or imported key (its secret cannot be recovered).",
    },
  },
} as const satisfies ResourceSchema;
