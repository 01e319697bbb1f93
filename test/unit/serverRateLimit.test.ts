import { DEFAULT_RATE_LIMITS, parseRateLimits, RateLimiter } from "../../server/ratelimit";
import { HttpError } from "../../server/errors";

describe("parseRateLimits (CLI flag / KATAVEN_LOCAL_RATE_LIMITS)", () => {
  test.each([
    ["off", false],
    ["OFF", false],
    ["on", DEFAULT_RATE_LIMITS],
    ["60,1000,10000,20", DEFAULT_RATE_LIMITS],
    ["1,2,3,4", { perMinute: 1, perHour: 2, perDay: 3, concurrent: 4 }],
    ["minute=5", { ...DEFAULT_RATE_LIMITS, perMinute: 5 }],
    ["per-minute=5,concurrent=2", { ...DEFAULT_RATE_LIMITS, perMinute: 5, concurrent: 2 }],
  ])("%s", (spec, expected) => {
    expect(parseRateLimits(spec)).toEqual(expected);
  });

  test.each(["1,2,3", "minute=0", "minute=x", "weekly=3"])("%s is refused with a message", (spec) => {
    expect(() => parseRateLimits(spec)).toThrow(/rate limit/);
  });
});

describe("RateLimiter", () => {
  const retryAfter = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      return `${(err as HttpError).detail} / ${(err as HttpError).headers["Retry-After"]}`;
    }
    return "admitted";
  };

  test("sliding minute window with Retry-After rounded up to whole seconds", () => {
    let now = 1_000_000;
    const rl = new RateLimiter({ perMinute: 2, perHour: 100, perDay: 100, concurrent: 10 }, () => now);
    rl.acquire("a")();
    now += 500;
    rl.acquire("a")();
    now += 1_200;
    expect(retryAfter(() => rl.acquire("a"))).toBe("per-minute (2) exceeded / 59");
    expect(retryAfter(() => rl.acquire("b"))).toBe("admitted");
    now += 58_300; // the first request is now exactly 60 s old
    expect(retryAfter(() => rl.acquire("a"))).toBe("admitted");
  });

  test("refused requests do not count", () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 1, perHour: 100, perDay: 100, concurrent: 10 }, () => now);
    rl.acquire("a");
    for (let i = 0; i < 5; i++) retryAfter(() => rl.acquire("a"));
    now = 60_000;
    expect(retryAfter(() => rl.acquire("a"))).toBe("admitted");
  });

  test("concurrency is released by the returned function, once", () => {
    const rl = new RateLimiter({ perMinute: 100, perHour: 100, perDay: 100, concurrent: 1 }, () => 0);
    const release = rl.acquire("a");
    expect(retryAfter(() => rl.acquire("a"))).toBe("concurrent (1) exceeded / 1");
    release();
    release();
    const r2 = rl.acquire("a");
    expect(retryAfter(() => rl.acquire("a"))).toBe("concurrent (1) exceeded / 1");
    r2();
  });

  test("off admits everything", () => {
    const rl = new RateLimiter(false, () => 0);
    for (let i = 0; i < 1000; i++) rl.acquire("a");
  });
});
