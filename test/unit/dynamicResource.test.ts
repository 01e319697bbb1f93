/**
 * The resources' registration (provider/resources/dynamicResource.ts): the SDK's per-property promise
 * stacks are captured empty while the constructor runs, and the program's Error.stackTraceLimit is back
 * afterwards, also when the SDK throws; such an error keeps a stack. Runs under the SDK's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "../../provider/resources/widgetKey";

beforeAll(() => {
  pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "project", "stack", false);
});

describe("registering a resource", () => {
  let saved: number;
  beforeEach(() => {
    saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 23;
  });
  afterEach(() => {
    Error.stackTraceLimit = saved;
  });

  it("captures the SDK's per-property stacks empty, and gives the program its stackTraceLimit back", () => {
    const stacks: string[] = [];
    const prepare = Error.prepareStackTrace;
    Error.prepareStackTrace = (err, frames) => {
      stacks.push(`${frames.length}`);
      return prepare ? prepare(err, frames) : `${err}`;
    };
    try {
      new WidgetKey("registration-a", { name: "registration a", domainAllowlist: ["https://a.example"] });
    } finally {
      Error.prepareStackTrace = prepare;
    }
    expect(Error.stackTraceLimit).toBe(23);
    // every stack taken during construction had no frames, except the one the SDK takes, with its own
    // limit, for the state's record of where the resource was declared
    expect(stacks.length).toBeGreaterThan(19 * 4);
    expect(stacks.filter((n) => n !== "0")).toHaveLength(1);
  });

  it("restores it when the SDK throws, and the error keeps a stack", () => {
    let caught: unknown;
    try {
      new WidgetKey(
        "registration-b",
        { name: "registration b", domainAllowlist: ["https://b.example"] },
        { parent: "not a resource" as never },
      );
    } catch (err) {
      caught = err;
    }
    expect(Error.stackTraceLimit).toBe(23);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(/Resource parent is not a valid Resource/);
    expect((caught as Error).stack).toMatch(/\n\s+at .*dynamicResource/);
  });
});
