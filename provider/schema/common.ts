/** Fields every resource schema shares. */
import type { Field } from "./types";

/** The release that last applied a resource (dynamic provider only; never compared by diff). */
export const PROVIDER_VERSION = {
  type: { kind: "string" },
  input: true,
  dynamicOnly: true,
  description: "The package version that last applied this resource.",
} as const satisfies Field;
