/**
 * Which keys kataven-recover calls untracked, and which of them it may act on (provider/recovery/orphans.ts):
 * only keys with evidence (a pending create of that name inside the interrupted run's window, a window the
 * user gives) or named by id; a name alone is never enough.
 */
import { type Evidence, interruptedRunEvidence, type ListedKey, trackingOf, untrackedKeys } from "../../provider/recovery/orphans";

const WK = "pulumi-nodejs:dynamic/kataven:WidgetKey";
const T = (s: string) => Date.parse(`2026-11-29T${s}Z`);
const key = (id: string, name: string, createdAt: string, over: Partial<ListedKey> = {}): ListedKey => ({
  id,
  name,
  keyLast8: "abcdefgh",
  createdAt: `2026-11-29T${createdAt}Z`,
  lastUsedAt: null,
  disabledAt: null,
  ...over,
});

/** A stack whose run was interrupted: it holds k1, and "site" was being created when the last checkpoint was written at 10:05. */
const interrupted = {
  deployment: {
    manifest: { time: "2026-11-29T10:05:00.000Z" },
    resources: [
      { type: "pulumi:pulumi:Stack", id: "", created: "2026-11-29T09:00:00Z" },
      { type: WK, id: "k1", outputs: { name: "site" } },
      { type: "pulumi-nodejs:dynamic/kataven:WidgetSettings", id: "s1", outputs: {} },
    ],
    pending_operations: [{ type: "creating", resource: { type: WK, inputs: { name: "site" } } }],
  },
};
const history = [{ startTime: "2026-11-29T09:59:00.000Z", endTime: "2026-11-29T10:00:00.000Z" }];
const SLACK = 20_000;
const SKEW = 5_000;

describe("kataven-recover: evidence", () => {
  it("tracks ids of WidgetKeys; only pending creates give names", () => {
    const t = trackingOf([interrupted]);
    expect([...t.ids]).toEqual(["k1"]);
    expect([...t.pendingNames]).toEqual(["site"]);
    expect(t.pending).toBe(1);
  });

  it("an interrupted run's window runs from the last completed update's end to its last checkpoint plus the slack", () => {
    const { evidence, problem } = interruptedRunEvidence(interrupted, history, SLACK, SKEW);
    expect(problem).toBeUndefined();
    expect(evidence).toEqual([expect.objectContaining({ name: "site", from: T("10:00:00") - SKEW, to: T("10:05:00") + SLACK })]);
  });

  it("the stack's first update starts with its Stack resource", () => {
    const { evidence } = interruptedRunEvidence(interrupted, [], SLACK, SKEW);
    expect(evidence[0]).toMatchObject({ from: T("09:00:00") - SKEW });
  });

  it("no evidence without pending creates, when the start can't be told, or after a later completed update", () => {
    const none = { deployment: { ...interrupted.deployment, pending_operations: [] } };
    expect(interruptedRunEvidence(none, history, SLACK, SKEW)).toEqual({ evidence: [], problem: "no-pending-creates" });
    const noStack = { deployment: { ...interrupted.deployment, resources: interrupted.deployment.resources.slice(1) } };
    expect(interruptedRunEvidence(noStack, [], SLACK, SKEW)).toEqual({ evidence: [], problem: "no-start" });
    const later = [{ startTime: "2026-11-29T10:04:00.000Z", endTime: "2026-11-29T10:05:00.000Z" }, ...history];
    expect(interruptedRunEvidence(interrupted, later, SLACK, SKEW)).toEqual({ evidence: [], problem: "completed-since" });
  });
});

describe("kataven-recover: which untracked keys it may act on", () => {
  const evidence: Evidence[] = interruptedRunEvidence(interrupted, history, SLACK, SKEW).evidence;

  it("another stack's key of the same name, created outside the window, is only listed", () => {
    const u = untrackedKeys(
      [key("k1", "site", "09:30:00"), key("other", "site", "09:30:00"), key("later", "site", "10:06:00")],
      trackingOf([interrupted]),
      evidence,
    );
    expect(u.map((k) => [k.id, k.action])).toEqual([
      ["other", "list-only"],
      ["later", "list-only"],
    ]);
  });

  it("inside the window: a never-used key of the pending name is deleted, a used one is only revocable, another name is listed", () => {
    const u = untrackedKeys(
      [
        key("orphan", "site", "10:04:59"),
        key("used", "site", "10:03:00", { lastUsedAt: "2026-11-29T10:10:00Z" }),
        key("x", "not declared", "10:04:00"),
      ],
      trackingOf([interrupted]),
      evidence,
    );
    expect(u.map((k) => [k.id, k.action])).toEqual([
      ["used", "used"],
      ["x", "list-only"],
      ["orphan", "delete"],
    ]);
  });

  it("a window the user gives is evidence too, and a key named by id is acted on", () => {
    const given: Evidence = { name: "api", from: T("11:00:00"), to: T("11:10:00"), source: "the window given" };
    const u = untrackedKeys(
      [key("late", "api", "11:02:00"), key("early", "api", "10:00:00"), key("checked", "legacy", "08:00:00")],
      trackingOf([interrupted]),
      [given],
      new Set(["checked"]),
    );
    expect(u.map((k) => [k.id, k.action])).toEqual([
      ["checked", "delete"],
      ["early", "list-only"],
      ["late", "delete"],
    ]);
  });

  it("keys tracked by any of several stacks are not untracked, even when named", () => {
    const other = { deployment: { resources: [{ type: WK, id: "k9", outputs: { name: "site" } }] } };
    expect(
      untrackedKeys(
        [key("k1", "site", "10:01:00"), key("k9", "site", "10:01:00")],
        trackingOf([interrupted, other]),
        evidence,
        new Set(["k9"]),
      ),
    ).toEqual([]);
  });
});
