/**
 * The generic part of every resource's check(), read from its schema (../schema/types.ts): unknown values at
 * preview pass through, absent (or null) inputs, required ones, each value's kind, enums, limits, fields the
 * schema does not have, nested object fields (`adopt.id`) and list elements (`tags[1]`). A field added to a
 * schema is validated with no other edit; a resource's own rules (trimming, canonical spelling, patterns)
 * are FieldRules run once the generic checks pass, and its cross-field rules run after checkFields.
 */
import type { Field, Fields } from "../schema/types";
import { type CheckFailure, isUnknown } from "./common";

/** Reports a failure of the value being checked; `at` extends its property path (`[2]`, `.id`). */
export type Fail = (reason: string, at?: string) => void;

/** A resource's own rule for one field. */
export interface FieldRule {
  /**
   * Validates a value of the right kind further and returns what check() keeps; calls `fail` to reject it.
   * (`never`: a rule takes the type its field's kind guarantees, `string`, `string[]`…)
   */
  refine?: (value: never, fail: Fail) => unknown;
  /** The same for each known element of a list, before `refine` sees the whole list. */
  each?: (value: never, fail: Fail) => unknown;
  /** What check() keeps for an absent or null input (by default nothing). */
  absent?: unknown;
}

/** Rules by field path: `name`, `adopt.id` (list elements share their field's rule, through `each`). */
export type FieldRules = { readonly [path: string]: FieldRule };

type SafeParse<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } };

/** A wire.ts field schema as a refinement: its first message, or what it parses to (then `canon` of it). */
export function zodRefine<T>(schema: SafeParse<T>, canon: (v: T) => unknown = (v) => v): (v: unknown, fail: Fail) => unknown {
  return (v, fail) => {
    const r = schema.safeParse(v);
    if (r.success) return canon(r.data);
    fail(r.error.issues[0]?.message ?? "is invalid");
    return undefined;
  };
}

/** What the provider itself adds to a program's inputs: never judged, never echoed. */
const ENGINE_KEYS = ["__provider"];

const KINDS: { readonly [K in Field["type"]["kind"]]: string } = {
  string: "a string",
  boolean: "true or false",
  integer: "a whole number",
  stringArray: "a list of strings",
  stringOrNumber: "a string or a number",
  object: "an object",
  objectArray: "a list of objects",
};

/** A value that failed (its failures are already reported). */
const FAILED = Symbol("failed");

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const withExample = (f: Field) => (f.example ? `, e.g. ${f.example}` : "");
/** The description's first sentence, as the rest of a message: "Display name, …" → "display name, …". */
function summary(f: Field): string {
  const first = f.description.split(/\.(?:\s|$)/)[0];
  return /^[A-Z](?![A-Z])/.test(first) ? first[0].toLowerCase() + first.slice(1) : first;
}
const article = (noun: string) => (/^[AEIOU]/i.test(noun) ? `an ${noun}` : `a ${noun}`);

/** The fields a program may set, as listed in an unknown field's message. */
export function inputNames(fields: Fields): string[] {
  return Object.entries(fields)
    .filter(([, f]) => f.input && !f.dynamicOnly)
    .map(([k]) => k);
}

/**
 * Checks `news` against a resource's fields: the inputs to keep (a failed field left out, unknown values as
 * they are) and every failure at once, each naming its property.
 */
export function checkFields(
  resource: { readonly name: string; readonly fields: Fields },
  news: Record<string, unknown>,
  rules: FieldRules = {},
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const inputs = checkObject(resource.fields, news, "", `is not ${article(resource.name)} field`, rules, failures);
  return { inputs, failures };
}

function checkObject(
  fields: Fields,
  value: Record<string, unknown>,
  prefix: string,
  notAField: string,
  rules: FieldRules,
  failures: CheckFailure[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!field.input) continue;
    const path = `${prefix}${name}`;
    const v = value[name];
    if (v === undefined || v === null) {
      if (field.required) failures.push({ property: path, reason: `is required: ${summary(field)}${withExample(field)}` });
      else if (rules[path]?.absent !== undefined) out[name] = rules[path].absent;
      continue;
    }
    const r = checkValue(field, v, path, rules, failures);
    if (r !== FAILED) out[name] = r;
  }
  const known = inputNames(fields);
  for (const k of Object.keys(value)) {
    if (value[k] === undefined || fields[k]?.input || (prefix === "" && ENGINE_KEYS.includes(k))) continue;
    failures.push({ property: `${prefix}${k}`, reason: `${notAField} (${known.join(", ")})` });
  }
  return out;
}

/** One present value: its kind, then the resource's rule, then the schema's limits. */
function checkValue(field: Field, v: unknown, path: string, rules: FieldRules, failures: CheckFailure[]): unknown {
  if (isUnknown(v)) return v;
  const before = failures.length;
  const fail: Fail = (reason, at = "") => failures.push({ property: `${path}${at}`, reason });
  const failed = () => failures.length > before;
  const rule = rules[path] ?? {};
  let value = checkKind(field, v, path, rules, fail, failures);
  if (failed()) return FAILED;
  // A list holding values unknown at preview is passed on as it is: its rule judges the whole list.
  if (rule.refine && !(Array.isArray(value) && value.some(isUnknown))) value = rule.refine(value as never, fail);
  if (failed()) return FAILED;
  const limits = field.limits ?? {};
  if (typeof value === "string" && limits.maxLength !== undefined && value.length > limits.maxLength) {
    fail(`must be at most ${limits.maxLength} characters`);
  }
  if (Array.isArray(value) && limits.maxItems !== undefined && value.length > limits.maxItems) {
    fail(`must hold at most ${limits.maxItems} entries (has ${value.length})`);
  }
  return failed() ? FAILED : value;
}

function checkKind(field: Field, v: unknown, path: string, rules: FieldRules, fail: Fail, failures: CheckFailure[]): unknown {
  const t = field.type;
  const mismatch = () => {
    const what = t.kind === "stringArray" && t.of ? `a list of ${t.of}` : KINDS[t.kind];
    fail(`must be ${what}${t.kind === "boolean" ? "" : withExample(field)}`);
    return FAILED;
  };
  switch (t.kind) {
    case "string":
      if (typeof v !== "string") return mismatch();
      if (t.enum && !t.enum.includes(v)) {
        fail(`must be one of ${t.enum.join(", ")}${field.default !== undefined ? ` (default ${String(field.default)})` : ""}`);
        return FAILED;
      }
      return v;
    case "boolean":
      return typeof v === "boolean" ? v : mismatch();
    case "integer":
      return Number.isSafeInteger(v) ? v : mismatch();
    case "stringOrNumber":
      return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? v : mismatch();
    case "stringArray": {
      if (!Array.isArray(v)) return mismatch();
      const each = rules[path]?.each;
      return v.map((e, i) => {
        if (isUnknown(e)) return e;
        if (typeof e !== "string") return fail("must be a string", `[${i}]`);
        return each ? each(e as never, (reason, at = "") => fail(reason, `[${i}]${at}`)) : e;
      });
    }
    case "object":
      if (!isObject(v)) return mismatch();
      return checkObject(t.fields, v, `${path}.`, `is not a field of ${path}`, rules, failures);
    case "objectArray":
      if (!Array.isArray(v)) return mismatch();
      return v.map((e, i) => {
        if (isUnknown(e)) return e;
        if (!isObject(e)) return fail(`must be an object${withExample(field)}`, `[${i}]`);
        // Element fields keep their rules under the field's path: `items.id` for `items[3].id`.
        const at = `${path}[${i}].`;
        return checkObject(t.fields, e, at, `is not a field of ${path}[${i}]`, rebase(rules, `${path}.`, at), failures);
      });
  }
}

/** The rules under `from` (`items.id`), named under `to` (`items[3].id`). */
function rebase(rules: FieldRules, from: string, to: string): FieldRules {
  const out: Record<string, FieldRule> = {};
  for (const [k, r] of Object.entries(rules)) if (k.startsWith(from)) out[`${to}${k.slice(from.length)}`] = r;
  return out;
}
