import { DEFAULT_PUBLIC_LIMITS, parsePublicLimits, peerBucket, PublicRateLimiter, TABLE_MAX } from "../../server/publicLimits";

describe("public limit specs", () => {
  test.each([
    ["off", false],
    ["default", DEFAULT_PUBLIC_LIMITS],
    ["120,600", { perPeer: 120, perKey: 600 }],
    ["peer=50", { perPeer: 50, perKey: DEFAULT_PUBLIC_LIMITS.perKey }],
    ["key=9, peer=8", { perPeer: 8, perKey: 9 }],
    ["key=9,peerkey=2", { perPeer: DEFAULT_PUBLIC_LIMITS.perPeer, perKey: 9, perPeerKey: 2 }],
  ] as const)("%j", (spec, expected) => {
    expect(parsePublicLimits(spec)).toEqual(expected);
  });

  test.each([
    ["1,2,3", 'public rate limits "1,2,3" must be two numbers: per-peer,per-key (per minute)'],
    ["peer=0", 'public rate limit peer "0" must be a positive integer'],
    ["burst=5", 'public rate limit "burst=5" must look like peer=300, key=3000 or peerkey=300'],
  ])("%j is refused", (spec, message) => {
    expect(() => parsePublicLimits(spec)).toThrow(message);
  });
});

describe("peer buckets", () => {
  test.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:10.1.2.3", "10.1.2.3"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ])("%s → %s", (addr, bucket) => expect(peerBucket(addr)).toBe(bucket));
});

describe("fixed one-minute windows", () => {
  test("each peer and each key has its own count, reset at the minute", () => {
    let now = Date.parse("2026-11-29T12:00:30Z");
    const l = new PublicRateLimiter({ perPeer: 2, perKey: 1 }, () => now);
    l.takePeer("1.2.3.4");
    l.takePeer("1.2.3.4");
    expect(() => l.takePeer("1.2.3.4")).toThrow(
      "rate_limited: public widget calls from this address (2 per minute) exceeded; retry after 30 s",
    );
    l.takePeer("5.6.7.8");
    l.takeKey("k1", "1.2.3.4");
    expect(() => l.takeKey("k1", "5.6.7.8")).toThrow(/^rate_limited: public widget calls for this key \(1 per minute\) exceeded/);
    l.takeKey("k2", "1.2.3.4");
    now += 30_000;
    l.takePeer("1.2.3.4");
    l.takeKey("k1", "1.2.3.4");
  });

  test("one address spends at most its share of a key; a refused share costs the key nothing", () => {
    const l = new PublicRateLimiter({ perPeer: 1000, perKey: 50 }, () => 0);
    for (let i = 0; i < 5; i++) l.takeKey("k", "10.0.0.1");
    for (let i = 0; i < 20; i++) {
      expect(() => l.takeKey("k", "10.0.0.1")).toThrow(
        "rate_limited: public widget calls for this key from this address (5 per minute, this address's share of the key's 50) exceeded; retry after 60 s",
      );
    }
    for (let p = 2; p <= 10; p++) for (let i = 0; i < 5; i++) l.takeKey("k", `10.0.0.${p}`);
    expect(() => l.takeKey("k", "10.0.0.11")).toThrow(/^rate_limited: public widget calls for this key \(50 per minute\) exceeded/);
  });

  test("tables stay bounded however many peers call", () => {
    const l = new PublicRateLimiter({ perPeer: 5, perKey: 1_000_000 }, () => 0);
    for (let i = 0; i < TABLE_MAX + 5000; i++) {
      const peer = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      l.takePeer(peer);
      l.takeKey("k", peer);
    }
    expect(l.tableSizes()).toEqual({ peer: TABLE_MAX, key: 1, peerKey: TABLE_MAX });
  });

  test("off means no counting at all", () => {
    const l = new PublicRateLimiter(false, () => 0);
    for (let i = 0; i < 10_000; i++) l.takePeer("p");
  });
});
