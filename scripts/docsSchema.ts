/**
 * The reference tables made from the schemas (provider/schema/): each resource's inputs and outputs, and the
 * provider's configuration. scripts/docs.ts puts them in docs/reference.md.
 */
import { providerConfigSchema } from "../provider/schema/config";
import type { Field, Fields, FieldType } from "../provider/schema/types";

/** Markdown table cell: pipes escaped, except inside code spans. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/`([^`]*)\\\|([^`]*)`/g, "`$1|$2`");
}

/** `string`, `"a" | "b"`, `string[]`, `{ id: string; publicKey?: string }`. */
function typeOf(t: FieldType): string {
  switch (t.kind) {
    case "string":
      return t.enum ? t.enum.map((v) => JSON.stringify(v)).join(" | ") : "string";
    case "stringArray":
      return "string[]";
    case "stringOrNumber":
      return "string | number";
    case "object":
      return shapeOf(t.fields);
    case "objectArray":
      return `${shapeOf(t.fields)}[]`;
    default:
      return t.kind;
  }
}

function shapeOf(fields: Fields): string {
  const members = Object.entries(fields).map(([k, f]) => `${k}${f.required ? "" : "?"}: ${typeOf(f.type)}`);
  return `{ ${members.join("; ")} }`;
}

const code = (text: string) => `\`${text.replace(/\|/g, "\\|")}\``;

function limitsOf(f: Field): string {
  const l = f.limits ?? {};
  return [
    l.maxLength !== undefined ? `at most ${l.maxLength} characters` : "",
    l.maxItems !== undefined ? `at most ${l.maxItems} entries` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

function describe(f: Field): string {
  return cell(f.example ? `${f.description} Example: \`${f.example}\`.` : f.description);
}

/** Input rows, an object's fields right after it (`adopt.id`). */
function inputRows(fields: Fields, prefix = ""): string[] {
  return Object.entries(fields)
    .filter(([, f]) => f.input && !f.dynamicOnly)
    .flatMap(([k, f]) => {
      const notes = [f.replaces ? "replaces the resource" : "", f.secret ? "secret" : ""].filter(Boolean).join(", ");
      const dflt = f.default !== undefined ? code(JSON.stringify(f.default)) : "";
      const row = `| \`${prefix}${k}\` | ${code(typeOf(f.type))} | ${f.required ? "yes" : "no"} | ${dflt} | ${limitsOf(f)} | ${notes} | ${describe(f)} |`;
      const nested = f.type.kind === "object" || f.type.kind === "objectArray" ? inputRows(f.type.fields, `${prefix}${k}.`) : [];
      return [row, ...nested];
    });
}

/** A resource's inputs: type, required, default, limits, replaces/secret, description (with its example). */
export function inputsTable(fields: Fields): string {
  return [
    "| input | type | required | default | limits | on change, secret | description |",
    "|---|---|---|---|---|---|---|",
    ...inputRows(fields),
  ].join("\n");
}

/** A resource's outputs beyond its inputs (state-only and dynamic-only fields left out). */
export function outputsTable(fields: Fields): string {
  const rows = Object.entries(fields)
    .filter(([, f]) => !f.input && !f.dynamicOnly && !f.stateOnly)
    .map(([k, f]) => {
      const type = `${typeOf(f.type)}${f.nullable ? " | null" : ""}${f.required ? "" : " (optional)"}`;
      return `| \`${k}\` | ${code(type)} | ${f.secret ? "yes" : "no"} | ${describe(f)} |`;
    });
  if (rows.length === 0) return "None beyond the inputs.";
  return ["| output | type | secret | description |", "|---|---|---|---|", ...rows].join("\n");
}

/** The provider configuration section (provider/schema/config.ts). */
export function configSection(): string {
  const rows = Object.entries(providerConfigSchema as Fields).map(([k, f]) => {
    const dflt = f.default !== undefined ? code(JSON.stringify(f.default)) : "";
    return `| \`kataven:${k}\` | ${code(typeOf(f.type))} | ${dflt} | ${f.secret ? "yes" : "no"} | ${describe(f)} |`;
  });
  return [
    "### Provider configuration",
    "Stack config `kataven:<name>` for the default provider, or the properties of an explicit provider (`pulumi:providers:kataven`, native provider only); each falls back to the environment variable it names.",
    "| setting | type | default | secret | description |\n|---|---|---|---|---|\n" + rows.join("\n"),
  ].join("\n\n");
}
