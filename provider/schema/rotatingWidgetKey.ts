/**
 * RotatingWidgetKey's fields, for the native plugin's package schema (a component: its children are
 * `kataven:index:WidgetKey` resources). The component itself is provider/resources/rotatingWidgetKey.ts.
 */
import type { ResourceSchema } from "./types";

export const rotatingWidgetKeySchema = {
  name: "RotatingWidgetKey",
  description:
    'A widget key that rotates without downtime, in two phases: one WidgetKey child per key generation, named "<name> (<generation>)" in Kataven. ' +
    "Phase 1 puts a new label at the front of `generations`: the new key is minted and the previous one stays enabled, so `secretKey` (new) and " +
    "`previousSecretKey` (old) both work while the backend is rolled over. Phase 2 removes the old label: that key is retired " +
    "(deleted if never used, else disabled).",
  fields: {
    name: {
      type: { kind: "string" },
      input: true,
      required: true,
      description: 'Display name; each generation\'s key is named "<name> (<generation>)" in Kataven. A plain string.',
    },
    domainAllowlist: {
      type: { kind: "stringArray" },
      input: true,
      required: true,
      description: "Origins allowed to embed the widget, as for WidgetKey; every generation gets the same list.",
    },
    agentId: { type: { kind: "string" }, input: true, description: "Pin every generation's key to one agent." },
    tags: { type: { kind: "stringArray" }, input: true, description: "Labels kept in the state, as for WidgetKey." },
    generations: {
      type: { kind: "stringArray" },
      input: true,
      required: true,
      description:
        'Key generations, newest first: `[current, ...still valid]`, plain labels such as `"2026-11"`. Phase 1: put a new label in front; ' +
        "phase 2: remove the old one. Replacing the only label rotates in one step. At most 5.",
    },
    maxAgeDays: {
      type: { kind: "integer" },
      input: true,
      description:
        "Age trigger, in days: when the current generation's key is older, the next `up` starts phase 1 by itself with a generation labelled " +
        "`auto-<date>` and warns what to write in `generations`. Off by default.",
    },
    keyId: { type: { kind: "string" }, input: false, alwaysSet: true, description: "The current generation's key id." },
    publicKey: { type: { kind: "string" }, input: false, description: "The current generation's `pk_live_…`: put it in your pages." },
    secretKey: {
      type: { kind: "string" },
      input: false,
      secret: true,
      description: "The current generation's `sk_live_…`: roll your backend to it.",
    },
    generation: {
      type: { kind: "string" },
      input: false,
      alwaysSet: true,
      description: "The current generation's label (an `auto-…` label when the age trigger started phase 1).",
    },
    previousKeyId: {
      type: { kind: "string" },
      input: false,
      description: "The previous generation's key id while it is still enabled (phase 1).",
    },
    previousPublicKey: {
      type: { kind: "string" },
      input: false,
      description: "The previous generation's `pk_live_…` while it is still enabled.",
    },
    previousSecretKey: {
      type: { kind: "string" },
      input: false,
      secret: true,
      description: "The previous generation's `sk_live_…` while it is still enabled.",
    },
    previousGenerations: {
      type: { kind: "stringArray" },
      input: false,
      alwaysSet: true,
      description: "Every generation still enabled after the current one, newest first.",
    },
  },
} as const satisfies ResourceSchema;
