import { planGenerations, validateGenerations } from "../../provider/resources/rotation";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-29T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("generations", () => {
  it("are labels, newest first; numbers become strings", () => {
    expect(validateGenerations("k", ["2026-12", 3])).toEqual(["2026-12", "3"]);
  });
  it.each([
    [[], /generations must be a non-empty list/],
    ["g1", /generations must be a non-empty list/],
    [["ok", "has space"], /generations\[1\] "has space" must be a label/],
    [["a", "a"], /lists "a" twice/],
    [["1", "2", "3", "4", "5", "6"], /keep at most 5/],
  ])("refuses %j, naming the field", (value, message) => {
    expect(() => validateGenerations("site", value)).toThrow(message);
    expect(() => validateGenerations("site", value)).toThrow(/RotatingWidgetKey "site"/);
  });
});

describe("the age trigger", () => {
  const args = { resource: "site", name: "acme", generations: ["g1"], maxAgeDays: 30 };
  const key = (label: string, ageDays: number, disabled = false) => ({
    name: `acme (${label})`,
    createdAt: iso(NOW - ageDays * DAY),
    disabled,
  });

  it("does nothing without maxAgeDays, or while the current key is young, or before it exists", () => {
    expect(planGenerations({ ...args, maxAgeDays: undefined }, [key("g1", 100)], NOW)).toEqual({ current: "g1", previous: [] });
    expect(planGenerations(args, [key("g1", 29)], NOW)).toEqual({ current: "g1", previous: [] });
    expect(planGenerations(args, [], NOW)).toEqual({ current: "g1", previous: [] });
    expect(planGenerations(args, [key("g1", 100, true)], NOW)).toEqual({ current: "g1", previous: [] });
  });

  it("starts phase 1 with an auto label when the current key is older, keeping the configured ones", () => {
    const plan = planGenerations({ ...args, generations: ["g1", "g0"] }, [key("g1", 31), key("g0", 60)], NOW);
    expect(plan).toMatchObject({ current: "auto-2026-11-29", previous: ["g1", "g0"], auto: "auto-2026-11-29" });
    expect(plan.warning).toMatch(/generation "g1" is 31\.0 days old \(maxAgeDays 30\).*set generations to \["auto-2026-11-29"\]/);
  });

  it("reuses the automatic key an earlier up minted, so later ups mint nothing", () => {
    const plan = planGenerations(args, [key("g1", 40), key("auto-2026-11-20", 9), key("other (x)", 1)], NOW);
    expect(plan.current).toBe("auto-2026-11-20");
    expect(plan.previous).toEqual(["g1"]);
  });

  it("ignores disabled or older automatic keys", () => {
    const plan = planGenerations(args, [key("g1", 40), key("auto-2026-11-20", 9, true), key("auto-2026-10-01", 59)], NOW);
    expect(plan.current).toBe("auto-2026-11-29");
  });
});
