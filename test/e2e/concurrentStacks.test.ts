/**
 * Several stacks on one Kataven account at once (bench/teams.ts, smaller): three `pulumi up`s of 15 keys
 * each, in parallel, against a local server whose per-account limit (30/min, half the documented 60, so the
 * three providers, each pacing only itself, meet 429s within seconds) refuses the excess. All three must
 * finish with no failed step, every live key tracked by exactly one stack (no orphan), no key name live
 * twice (no duplicate). `npm run bench:teams` runs 3 × 100 and prints the figures.
 */
import { concurrentStacks } from "../../bench/teams";
import { cliVersion, expectNoSecretKeys } from "./support/pulumi";

jest.setTimeout(8 * 60_000);

describe("three stacks deploying to one account at once", () => {
  it("all finish, with no failed step, no orphan and no duplicate; the 429s are waited out", async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    const limits = { perMinute: 30, perHour: 1000, perDay: 10_000 };
    const r = await concurrentStacks({ stacks: 3, keys: 15, limits, log: (l) => console.log(l) });
    console.log(
      `3 stacks × 15 keys at ${limits.perMinute}/min: ${r.seconds.toFixed(1)} s, ${r.requests - r.refused} requests admitted (N ÷ rate ${r.byRate.toFixed(1)} s), ` +
        `${r.refused} answered 429; per stack ${r.stacks.map((s) => `${s.seconds.toFixed(1)} s`).join(", ")}`,
    );
    for (const s of r.stacks) {
      expect(s.code).toBe(0);
      expect(s.failedSteps).toBe(0);
      expect(s.tracked).toBe(15);
    }
    expect(r.live).toBe(45);
    expect(r.orphans).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.missing).toBe(0);
    // The three providers together ask for more than the account allows in the first minute.
    expect(r.requests - r.refused).toBeGreaterThan(limits.perMinute);
    expectNoSecretKeys(r.outputs.join("\n"));
  });
});
