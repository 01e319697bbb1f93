/**
 * Which keys kataven-recover calls untracked, and what --delete may do with them (provider/recovery/orphans.ts).
 */
import { trackingOf, untrackedKeys, type ListedKey } from "../../provider/recovery/orphans";

const WK = "pulumi-nodejs:dynamic/kataven:WidgetKey";
const key = (id: string, name: string, over: Partial<ListedKey> = {}): ListedKey => ({
  id,
  name,
  keyLast8: "abcdefgh",
  createdAt: `2026-11-29T10:00:0${id.length % 10}.000Z`,
  lastUsedAt: null,
  disabledAt: null,
  ...over,
});

describe("kataven-recover: untracked keys", () => {
  const state = {
    deployment: {
      resources: [
        { type: WK, id: "k1", outputs: { name: "bench key 1" } },
        { type: "pulumi-nodejs:dynamic/kataven:WidgetSettings", id: "k9", outputs: {} },
      ],
      pending_operations: [{ type: "creating", resource: { type: WK, inputs: { name: "bench key 2" } } }],
    },
  };

  it("tracks ids of WidgetKeys and the names of resources and pending creates", () => {
    const t = trackingOf([state]);
    expect([...t.ids]).toEqual(["k1"]);
    expect([...t.names].sort()).toEqual(["bench key 1", "bench key 2"]);
    expect(t.pending).toBe(1);
  });

  it("a never-used untracked key with a declared name is deleted; a used one is not; an unknown name is only listed", () => {
    const u = untrackedKeys(
      [key("k1", "bench key 1"), key("k2", "bench key 2"), key("k3", "bench key 2", { lastUsedAt: "2026-11-29T11:00:00Z" }), key("k9", "someone else's")],
      trackingOf([state]),
    );
    expect(u.map((k) => [k.id, k.action])).toEqual([
      ["k2", "delete"],
      ["k3", "used"],
      ["k9", "not-ours"],
    ]);
  });

  it("keys tracked by any of several stacks are not untracked", () => {
    const other = { deployment: { resources: [{ type: WK, id: "k9", outputs: { name: "someone else's" } }] } };
    expect(untrackedKeys([key("k1", "bench key 1"), key("k9", "someone else's")], trackingOf([state, other]))).toEqual([]);
  });
});
