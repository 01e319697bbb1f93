import { DEFAULT_PUBLIC_LIMITS, parsePublicLimits, PublicRateLimiter } from "../../server/publicLimits";

describe("public limit specs", () => {
  test.each([
    ["off", false],
    ["default", DEFAULT_PUBLIC_LIMITS],
    ["120,600", { perPeerOrigin: 120, perKey: 600 }],
    ["peer=50", { perPeerOrigin: 50, perKey: DEFAULT_PUBLIC_LIMITS.perKey }],
    ["key=9, peer=8", { perPeerOrigin: 8, perKey: 9 }],
  ] as const)("%j", (spec, expected) => {
    expect(parsePublicLimits(spec)).toEqual(expected);
  });

  test.each([
    ["1,2,3", 'public rate limits "1,2,3" must be two numbers: per-peer-and-origin,per-key (per minute)'],
    ["peer=0", 'public rate limit peer "0" must be a positive integer'],
    ["burst=5", 'public rate limit "burst=5" must look like peer=300 or key=3000'],
  ])("%j is refused", (spec, message) => {
    expect(() => parsePublicLimits(spec)).toThrow(message);
  });
});

describe("fixed one-minute windows", () => {
  test("each peer-and-origin pair and each key has its own count, reset at the minute", () => {
    let now = Date.parse("2026-11-29T12:00:30Z");
    const l = new PublicRateLimiter({ perPeerOrigin: 2, perKey: 1 }, () => now);
    l.takePeer("1.2.3.4", "https://a.com");
    l.takePeer("1.2.3.4", "https://a.com");
    expect(() => l.takePeer("1.2.3.4", "https://a.com")).toThrow("rate_limited: public widget calls from this address and origin (2 per minute) exceeded; retry after 30 s");
    l.takePeer("1.2.3.4", "https://b.com");
    l.takePeer("5.6.7.8", "https://a.com");
    l.takeKey("k1");
    expect(() => l.takeKey("k1")).toThrow(/^rate_limited: public widget calls for this key \(1 per minute\) exceeded/);
    l.takeKey("k2");
    now += 30_000;
    l.takePeer("1.2.3.4", "https://a.com");
    l.takeKey("k1");
  });

  test("off means no counting at all", () => {
    const l = new PublicRateLimiter(false, () => 0);
    for (let i = 0; i < 10_000; i++) l.takePeer("p", undefined);
  });
});
