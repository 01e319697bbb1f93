/**
 * The Pulumi package schema of the native provider (`pulumi package get-schema`), generated from the
 * resource schemas of this folder: resources `kataven:index:<Name>`, the lookup functions, the object
 * types they use, and the provider's configuration.
 */
import { agentWidgetSettingsSchema } from "./agentWidgetSettings";
import { providerConfigSchema } from "./config";
import { functionSchemas } from "./functions";
import type { Field, Fields, ResourceSchema } from "./types";
import { rotatingWidgetKeySchema } from "./rotatingWidgetKey";
import { widgetKeySchema } from "./widgetKey";
import { widgetSettingsSchema } from "./widgetSettings";

export const PACKAGE = "kataven";
export const resourceSchemas: readonly ResourceSchema[] = [widgetKeySchema, widgetSettingsSchema, agentWidgetSettingsSchema];

/** Components, served by the native plugin's Construct (provider/native/construct.ts). */
export const componentSchemas: readonly ResourceSchema[] = [rotatingWidgetKeySchema];

export const typeToken = (name: string) => `${PACKAGE}:index:${name}`;

/** The resource schema of a type token such as `kataven:index:WidgetKey`. */
export function resourceSchemaOf(token: string): ResourceSchema | undefined {
  return resourceSchemas.find((r) => typeToken(r.name) === token);
}

type PropertySpec = Record<string, unknown>;

function describe(f: Field): string {
  const notes: string[] = [];
  if (f.limits?.maxLength !== undefined && !f.description.includes(String(f.limits.maxLength)))
    notes.push(`At most ${f.limits.maxLength} characters.`);
  if (f.limits?.maxItems !== undefined && !f.description.includes(String(f.limits.maxItems)))
    notes.push(`At most ${f.limits.maxItems} entries.`);
  return [f.description, ...notes].join(" ");
}

function property(f: Field, types: Record<string, unknown>): PropertySpec {
  const t = f.type;
  const spec: PropertySpec = {};
  switch (t.kind) {
    case "string":
      spec.type = "string";
      break;
    case "boolean":
      spec.type = "boolean";
      break;
    case "integer":
      spec.type = "integer";
      break;
    case "stringArray":
      spec.type = "array";
      spec.items = { type: "string" };
      break;
    case "stringOrNumber":
      spec.oneOf = [{ type: "string" }, { type: "number" }];
      break;
    case "object":
    case "objectArray": {
      types[typeToken(t.name)] = objectType(t.name, t.fields, types);
      const ref = { $ref: `#/types/${typeToken(t.name)}` };
      if (t.kind === "object") Object.assign(spec, ref);
      else Object.assign(spec, { type: "array", items: ref });
      break;
    }
  }
  if (t.kind === "string" && t.enum) {
    // A plain string with its allowed values in the description: YAML programs and codegen both take it as is.
    spec.description = `${describe(f)} One of ${t.enum.map((v) => `\`${v}\``).join(", ")}.`;
  } else spec.description = describe(f);
  if (f.default !== undefined) spec.default = f.default;
  if (f.secret) spec.secret = true;
  if (f.replaces) spec.replaceOnChanges = true;
  return spec;
}

function objectType(name: string, fields: Fields, types: Record<string, unknown>) {
  const properties: Record<string, PropertySpec> = {};
  for (const [k, f] of Object.entries(fields)) properties[k] = property(f, types);
  return { type: "object", description: name, properties, required: Object.keys(fields).filter((k) => fields[k].required) };
}

const native = (fields: Fields) => Object.entries(fields).filter(([, f]) => !f.dynamicOnly);

function resourceSpec(r: ResourceSchema, types: Record<string, unknown>) {
  const inputProperties: Record<string, PropertySpec> = {};
  const properties: Record<string, PropertySpec> = {};
  for (const [k, f] of native(r.fields)) {
    properties[k] = property(f, types);
    if (f.input) inputProperties[k] = property(f, types);
  }
  return {
    description: r.description,
    inputProperties,
    requiredInputs: native(r.fields)
      .filter(([, f]) => f.input && f.required)
      .map(([k]) => k),
    properties,
    required: native(r.fields)
      .filter(([, f]) => f.required || f.alwaysSet)
      .map(([k]) => k),
  };
}

/** The package schema for a plugin of `version`. */
export function packageSchema(version: string): Record<string, unknown> {
  const types: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const r of resourceSchemas) resources[typeToken(r.name)] = resourceSpec(r, types);
  for (const c of componentSchemas) resources[typeToken(c.name)] = { ...resourceSpec(c, types), isComponent: true };
  const functions: Record<string, unknown> = {};
  for (const fn of functionSchemas) {
    const ins = objectType(`${fn.name}Args`, fn.inputs, types);
    const outs = objectType(`${fn.name}Result`, fn.outputs, types);
    functions[typeToken(fn.name)] = {
      description: fn.description,
      inputs: { properties: ins.properties, required: ins.required },
      outputs: { properties: outs.properties, required: outs.required },
    };
  }
  const config: Record<string, PropertySpec> = {};
  for (const [k, f] of Object.entries(providerConfigSchema)) config[k] = property(f, types);
  return {
    name: PACKAGE,
    displayName: "Kataven widget",
    version,
    description:
      "Kataven's embeddable chat widget: widget keys with their domain allowlists, the account's branding, each agent's widget policy.",
    keywords: ["pulumi", "kataven", "category/utility", "kind/native"],
    license: "Apache-2.0",
    publisher: "pulumi-kataven-widget",
    repository: "https://www.npmjs.com/package/pulumi-kataven-widget",
    config: { variables: config },
    provider: { description: "The Kataven account to manage (one per explicit provider).", inputProperties: config, properties: config },
    resources,
    functions,
    types,
  };
}
