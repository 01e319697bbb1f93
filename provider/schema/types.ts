/**
 * The shape of a resource's schema: one entry per field, the single description of that field that the
 * Pulumi package schema (./package.ts), the TypeScript types (./typeChecks.ts), check()'s generic validation
 * (../lifecycle/checkFields.ts) and the docs (scripts/docs.ts) are made from.
 */

/** A field's value type. `object` fields name their own fields; `enum` restricts a string. */
export type FieldType =
  | { readonly kind: "string"; readonly enum?: readonly string[] }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer" }
  /** `of`: what the entries are, plural ("origins"), for check()'s messages and the docs. */
  | { readonly kind: "stringArray"; readonly of?: string }
  | { readonly kind: "stringOrNumber" }
  | { readonly kind: "object"; readonly name: string; readonly fields: Fields }
  | { readonly kind: "objectArray"; readonly name: string; readonly fields: Fields };

export interface Field {
  readonly type: FieldType;
  readonly description: string;
  /** An input the program sets (every input is also an output); false: an output only. */
  readonly input: boolean;
  /** A required input, or an output-only field that is always present. */
  readonly required?: boolean;
  /** An optional input whose output is always present (the provider fills it in). */
  readonly alwaysSet?: boolean;
  /** Always a secret output. */
  readonly secret?: boolean;
  /** Changing it replaces the resource. */
  readonly replaces?: boolean;
  /** The value a missing input stands for. */
  readonly default?: string | number | boolean;
  /** An output that may hold null (a timestamp not yet set, a setting left at Kataven's default). */
  readonly nullable?: boolean;
  /** A value as a program writes it (`"acme prod"`, `["https://acme.com"]`): in the docs and in check()'s messages. */
  readonly example?: string;
  /** Limits check() enforces (../lifecycle/checkFields.ts), also shown in the docs and the schema's description. */
  readonly limits?: { readonly maxLength?: number; readonly maxItems?: number };
  /** Only on the dynamic provider's resources (not part of the native package schema). */
  readonly dynamicOnly?: boolean;
  /** An output recorded in the state that the TypeScript class does not declare. */
  readonly stateOnly?: boolean;
}

export type Fields = { readonly [name: string]: Field };

export interface ResourceSchema {
  /** `WidgetKey` → `kataven:index:WidgetKey` (native) and `pulumi-nodejs:dynamic/kataven:WidgetKey` (dynamic). */
  readonly name: string;
  readonly description: string;
  readonly fields: Fields;
}

// ---- TypeScript types from a schema ---------------------------------------------------------------------

type ValueOf<T extends FieldType> = T extends { kind: "string"; enum: readonly (infer E)[] }
  ? E
  : T extends { kind: "string" }
    ? string
    : T extends { kind: "boolean" }
      ? boolean
      : T extends { kind: "integer" }
        ? number
        : T extends { kind: "stringArray" }
          ? string[]
          : T extends { kind: "stringOrNumber" }
            ? string | number
            : T extends { kind: "object"; fields: infer F extends Fields }
              ? InputsOf<F>
              : T extends { kind: "objectArray"; fields: infer F extends Fields }
                ? InputsOf<F>[]
                : never;

type InputKeys<F extends Fields> = {
  [K in keyof F]: F[K]["input"] extends true ? (F[K]["dynamicOnly"] extends true ? never : K) : never;
}[keyof F];
type RequiredInputKeys<F extends Fields> = { [K in InputKeys<F>]: F[K]["required"] extends true ? K : never }[InputKeys<F>];
type OutputKeys<F extends Fields> = { [K in keyof F]: F[K]["dynamicOnly"] extends true ? never : K }[keyof F];

type Simplify<T> = { [K in keyof T]: T[K] };

/** The plain input values a program gives (optional fields optional). */
export type InputsOf<F extends Fields> = Simplify<
  { [K in RequiredInputKeys<F>]: ValueOf<F[K]["type"]> } & { [K in Exclude<InputKeys<F>, RequiredInputKeys<F>>]?: ValueOf<F[K]["type"]> }
>;

/** The names of every output (inputs included) of the native resource. */
export type OutputNamesOf<F extends Fields> = OutputKeys<F>;

/** The names of every input of the native resource. */
export type InputNamesOf<F extends Fields> = InputKeys<F>;
