import { configProblem, resolveConfig } from "../../provider/config";
import { formatProgress, Pacer, type PacingProgress, parsePacingValue } from "../../provider/api/pacing";

/** A clock that only moves when the pacer sleeps (or the test says so). */
function fakeTime() {
  const t = { now: 0, slept: [] as number[] };
  return {
    t,
    now: () => t.now,
    sleep: async (ms: number) => {
      t.slept.push(ms);
      t.now += ms;
    },
  };
}

describe("Pacer", () => {
  it("sends up to the per-minute limit at once, then one more each time a slot's minute is over", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ perMinute: 3, perHour: 0, perDay: 0 }, time);
    const sentAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      const release = await pacer.acquire();
      sentAt.push(time.t.now);
      release();
    }
    expect(sentAt).toEqual([0, 0, 0, 60_001, 60_001]);
  });

  it("never has more than the limit in any sliding window, for every window at once", async () => {
    const time = fakeTime();
    const limits = { perMinute: 5, perHour: 12, perDay: 0 };
    const pacer = new Pacer(limits, time);
    const sentAt: number[] = [];
    for (let i = 0; i < 30; i++) {
      const release = await pacer.acquire();
      sentAt.push(time.t.now);
      time.t.now += 1000; // each request takes a second
      release();
    }
    const inWindow = (ms: number) => Math.max(...sentAt.map((s) => sentAt.filter((x) => x >= s && x < s + ms).length));
    expect(inWindow(60_000)).toBeLessThanOrEqual(5);
    expect(inWindow(3_600_000)).toBeLessThanOrEqual(12);
    // and it is not slower than it must be: 30 requests at 12 an hour need two full hours of waiting
    expect(sentAt[29]).toBeLessThan(2 * 3_600_000 + 2 * 60_000);
    expect(sentAt[29]).toBeGreaterThanOrEqual(2 * 3_600_000);
  });

  it("counts a slot from when its request finished, so a slow request cannot make the next one early", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ perMinute: 1, perHour: 0, perDay: 0 }, time);
    const release = await pacer.acquire();
    time.t.now = 10_000; // the request took 10 s: the API admitted it somewhere in between
    release();
    await pacer.acquire();
    expect(time.t.now).toBe(70_001);
  });

  it("a request the API refused (429) frees its slot, and the account waits for Retry-After instead", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ perMinute: 1, perHour: 0, perDay: 0 }, time);
    const refused = await pacer.acquire();
    time.t.now = 1_000;
    refused(true);
    pacer.pauseFor(2_000);
    await pacer.acquire();
    expect(time.t.now).toBe(3_000); // Retry-After, not the minute a held slot would have cost
    const admitted = await pacer.acquire().catch(() => undefined);
    expect(admitted).toBeDefined();
    expect(time.t.now).toBe(63_001); // the admitted request's slot still counts
  });

  it("does not wait at all when every window is off (0)", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ perMinute: 0, perHour: 0, perDay: 0 }, time);
    await Promise.all(Array.from({ length: 100 }, () => pacer.acquire().then((r) => r())));
    expect(time.t.slept).toEqual([]);
  });

  it("serves concurrent callers in arrival order and reports progress while they wait", async () => {
    const time = fakeTime();
    const progress: PacingProgress[] = [];
    const pacer = new Pacer({ perMinute: 2, perHour: 0, perDay: 0 }, { ...time, onProgress: (p) => progress.push(p), progressEveryMs: 0 });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pacer.acquire().then((release) => {
          order.push(i);
          release();
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(progress[0]).toEqual({ queued: 4, sent: 2, limit: "2/min", etaMs: 120_000 });
    expect(formatProgress(progress[0])).toBe("pacing: 4 requests waiting for the 2/min rate limit (2 sent), about 2 min left");
  });

  it("after a burst filled the window, reports the wait for the window to pass, not queued ÷ rate", async () => {
    const time = fakeTime();
    const progress: PacingProgress[] = [];
    const pacer = new Pacer(
      { perMinute: 600, perHour: 0, perDay: 0 },
      { ...time, onProgress: (p) => progress.push(p), progressEveryMs: 0 },
    );
    // 600 requests sent over the first 28 s (as the engine sends them), then 7 more arrive together
    for (let i = 0; i < 600; i++) {
      time.t.now = Math.floor((i * 28_000) / 600);
      (await pacer.acquire())();
    }
    time.t.now = 28_000;
    await Promise.all(Array.from({ length: 7 }, () => pacer.acquire().then((release) => release())));
    // the first of them waits for the oldest request's minute (until 60 s), the 7th for the 7th oldest's
    expect(progress[0]).toEqual({ queued: 7, sent: 600, limit: "600/min", etaMs: Math.floor((6 * 28_000) / 600) + 60_000 - 28_000 });
    expect(formatProgress(progress[0])).toBe("pacing: 7 requests waiting for the 600/min rate limit (600 sent), about 33 s left");
  });
});

describe("parsePacingValue", () => {
  it("takes whole numbers, 0 meaning off, and names the setting when it can't", () => {
    expect(parsePacingValue("kataven:requestsPerMinute", "600")).toBe(600);
    expect(parsePacingValue("kataven:requestsPerMinute", "0")).toBe(0);
    expect(() => parsePacingValue("kataven:requestsPerMinute", "fast")).toThrow(
      'kataven:requestsPerMinute "fast" must be a whole number of requests (0 turns this limit off)',
    );
  });
});

describe("pacing settings", () => {
  const source = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

  it("default to the documented hosted limits", () => {
    const cfg = resolveConfig(source({ "kataven:apiKey": "k" }), {});
    expect(cfg.pacing).toEqual({ perMinute: 60, perHour: 1000, perDay: 10_000 });
  });

  it("take kataven:requestsPerMinute/Hour/Day, and the environment when the stack config is silent", () => {
    const cfg = resolveConfig(source({ "kataven:apiKey": "k", "kataven:requestsPerMinute": "600", "kataven:requestsPerDay": "0" }), {
      KATAVEN_REQUESTS_PER_HOUR: "10000",
    });
    expect(cfg.pacing).toEqual({ perMinute: 600, perHour: 10_000, perDay: 0 });
    expect(configProblem(cfg)).toBeUndefined();
  });

  it("refuse a value that is not a whole number at check time, naming the setting and the fix", () => {
    const cfg = resolveConfig(source({ "kataven:apiKey": "k", "kataven:requestsPerHour": "lots" }), {});
    expect(configProblem(cfg)).toBe(
      'kataven:requestsPerHour "lots" must be a whole number of requests (0 turns this limit off). Set it with "pulumi config set kataven:requestsPerHour <n>".',
    );
  });
});
