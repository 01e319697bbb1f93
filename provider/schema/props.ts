/**
 * What a TypeScript resource class registers, from its schema: every field must be a key of the props for
 * its output to exist (an unset one as `undefined`), and the secret outputs are named to the engine.
 */
import type { ResourceSchema } from "./types";

function placeholders(schema: ResourceSchema, input: boolean): Record<string, undefined> {
  const out: Record<string, undefined> = {};
  for (const [k, f] of Object.entries(schema.fields)) if (f.input === input && !f.dynamicOnly && !f.stateOnly) out[k] = undefined;
  return out;
}

/** `{field: undefined}` for each input (spread before the program's args). */
export const inputPlaceholders = (schema: ResourceSchema) => placeholders(schema, true);

/** `{field: undefined}` for each output-only field (spread after the args, so a program can't set them). */
export const outputPlaceholders = (schema: ResourceSchema) => placeholders(schema, false);

/** The outputs that are always secret (`additionalSecretOutputs`). */
export function secretOutputNames(schema: ResourceSchema): string[] {
  return Object.entries(schema.fields)
    .filter(([, f]) => f.secret)
    .map(([k]) => k);
}
