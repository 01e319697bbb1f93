/**
 * The schema-driven part of check() (provider/lifecycle/checkFields.ts), on a schema made for the test and on
 * copies of the real ones: each kind, required, enums, limits, unknown and nested fields, list elements,
 * values unknown at preview, and a field added to a schema validated with no other code.
 */
import { checkFields } from "../../provider/lifecycle/checkFields";
import { UNKNOWN } from "../../provider/lifecycle/common";
import * as agent from "../../provider/lifecycle/agentWidgetSettings";
import { resetConfig, setConfig } from "../../provider/config";
import { agentWidgetSettingsSchema } from "../../provider/schema/agentWidgetSettings";
import type { ResourceSchema } from "../../provider/schema/types";
import { widgetKeySchema } from "../../provider/schema/widgetKey";

const schema = {
  name: "Sample",
  description: "A resource made for the test.",
  fields: {
    title: {
      type: { kind: "string" },
      input: true,
      required: true,
      example: '"hello"',
      limits: { maxLength: 5 },
      description: "The title.",
    },
    on: { type: { kind: "boolean" }, input: true, description: "A switch." },
    count: { type: { kind: "integer" }, input: true, example: "3", description: "A count." },
    mode: { type: { kind: "string", enum: ["a", "b"] }, input: true, default: "a", description: "A mode." },
    label: { type: { kind: "stringOrNumber" }, input: true, example: '"x" or 1', description: "A label." },
    list: { type: { kind: "stringArray", of: "names" }, input: true, limits: { maxItems: 2 }, example: '["n"]', description: "Names." },
    inner: {
      type: {
        kind: "object",
        name: "Inner",
        fields: { id: { type: { kind: "string" }, input: true, required: true, description: "Its id." } },
      },
      input: true,
      description: "An object.",
    },
    rows: {
      type: {
        kind: "objectArray",
        name: "Row",
        fields: { n: { type: { kind: "integer" }, input: true, required: true, description: "A number." } },
      },
      input: true,
      description: "Rows.",
    },
    computed: { type: { kind: "string" }, input: false, description: "An output." },
  },
} as const satisfies ResourceSchema;

const failuresOf = (news: Record<string, unknown>) => checkFields(schema, news).failures;

describe("checkFields", () => {
  it("keeps valid inputs as given and leaves absent and null ones out", () => {
    const news = { title: "hi", on: true, count: 2, mode: "b", label: 7, list: ["x"], inner: { id: "i" }, rows: [{ n: 1 }] };
    expect(checkFields(schema, news)).toEqual({ inputs: news, failures: [] });
    expect(checkFields(schema, { title: "hi", on: null })).toEqual({ inputs: { title: "hi" }, failures: [] });
  });

  it("a required field names itself, what it is and an example", () => {
    expect(failuresOf({})).toEqual([{ property: "title", reason: 'is required: the title, e.g. "hello"' }]);
    expect(failuresOf({ title: null })).toEqual([{ property: "title", reason: 'is required: the title, e.g. "hello"' }]);
  });

  it.each([
    ["title", 5, 'must be a string, e.g. "hello"'],
    ["on", "yes", "must be true or false"],
    ["count", 1.5, "must be a whole number, e.g. 3"],
    ["count", "3", "must be a whole number, e.g. 3"],
    ["label", true, 'must be a string or a number, e.g. "x" or 1'],
    ["label", Infinity, 'must be a string or a number, e.g. "x" or 1'],
    ["list", "n", 'must be a list of names, e.g. ["n"]'],
    ["inner", "i", "must be an object"],
    ["inner", ["i"], "must be an object"],
    ["rows", { n: 1 }, "must be a list of objects"],
    ["mode", "c", "must be one of a, b (default a)"],
    ["title", "toolong", "must be at most 5 characters"],
    ["list", ["a", "b", "c"], "must hold at most 2 entries (has 3)"],
  ])("%s = %j: %s", (property, value, reason) => {
    const r = checkFields(schema, { title: "t", [property]: value });
    expect(r.failures).toEqual([{ property, reason }]);
    expect(r.inputs).not.toHaveProperty(property);
  });

  it("names list elements and nested fields by path", () => {
    expect(failuresOf({ title: "t", list: ["a", 3], inner: {}, rows: [{ n: 1 }, { n: "x" }, "r"] })).toEqual([
      { property: "list[1]", reason: "must be a string" },
      { property: "inner.id", reason: "is required: its id" },
      { property: "rows[1].n", reason: "must be a whole number" },
      { property: "rows[2]", reason: "must be an object" },
    ]);
  });

  it("rejects a field the schema does not have, listing the inputs; at any depth", () => {
    expect(failuresOf({ title: "t", titel: "x", computed: "c", inner: { id: "i", idd: 1 }, rows: [{ n: 1, m: 2 }] })).toEqual([
      { property: "inner.idd", reason: "is not a field of inner (id)" },
      { property: "rows[0].m", reason: "is not a field of rows[0] (n)" },
      { property: "titel", reason: "is not a Sample field (title, on, count, mode, label, list, inner, rows)" },
      { property: "computed", reason: "is not a Sample field (title, on, count, mode, label, list, inner, rows)" },
    ]);
    expect(failuresOf({ title: "t", __provider: "stub", undefinedOne: undefined })).toEqual([]);
  });

  it("passes values unknown at preview through without judging them, at any depth", () => {
    const news = { title: UNKNOWN, count: UNKNOWN, list: ["a", UNKNOWN], inner: { id: UNKNOWN }, rows: UNKNOWN };
    expect(checkFields(schema, news)).toEqual({ inputs: news, failures: [] });
  });

  it("runs a field's rules after its kind: each element, the whole value, then the limits", () => {
    const rules = {
      title: { refine: (v: string, fail: (r: string) => void) => (v.startsWith("!") ? fail("must not start with !") : v.trim()) },
      list: { each: (v: string) => v.toUpperCase(), refine: (l: string[]) => [...new Set(l)] },
      on: { absent: false },
    };
    expect(checkFields(schema, { title: " abcde ", list: ["a", "A", "b"] }, rules)).toEqual({
      inputs: { title: "abcde", list: ["A", "B"], on: false },
      failures: [],
    });
    expect(checkFields(schema, { title: "!", list: [3] }, rules).failures).toEqual([
      { property: "title", reason: "must not start with !" },
      { property: "list[0]", reason: "must be a string" },
    ]);
  });
});

describe("a field added to a schema", () => {
  beforeEach(() => setConfig({ apiUrl: "http://127.0.0.1:9", apiKey: "sk_live_acme_testkey" }));
  afterAll(() => resetConfig());

  it("is validated with no other code: required, kind, limits, and no longer an unknown field", () => {
    const extended = {
      ...widgetKeySchema,
      fields: {
        ...widgetKeySchema.fields,
        note: { type: { kind: "string" }, input: true, required: true, limits: { maxLength: 10 }, example: '"hi"', description: "A note." },
      },
    } satisfies ResourceSchema;
    const base = { name: "n", domainAllowlist: [] };
    expect(checkFields(widgetKeySchema, { ...base, note: "hi" }).failures).toEqual([
      { property: "note", reason: expect.stringMatching(/^is not a WidgetKey field \(name, domainAllowlist, .*tags\)$/) },
    ]);
    expect(checkFields(extended, base).failures).toEqual([{ property: "note", reason: 'is required: a note, e.g. "hi"' }]);
    expect(checkFields(extended, { ...base, note: 1 }).failures).toEqual([{ property: "note", reason: 'must be a string, e.g. "hi"' }]);
    expect(checkFields(extended, { ...base, note: "x".repeat(11) }).failures).toEqual([
      { property: "note", reason: "must be at most 10 characters" },
    ]);
    expect(checkFields(extended, { ...base, note: "hi" })).toEqual({ inputs: { ...base, note: "hi" }, failures: [] });
  });

  it("the resources' check() is that checker: a real schema's enum and unknown fields", async () => {
    expect((await agent.check({}, { agentId: "a", authMode: "nobody", extra: 1 })).failures).toEqual([
      { property: "authMode", reason: "must be one of guest, user, both (default guest)" },
      { property: "extra", reason: "is not an AgentWidgetSettings field (agentId, widgetEnabled, authMode, onDelete)" },
    ]);
    expect(Object.keys(agentWidgetSettingsSchema.fields)).toContain("authMode");
  });
});
