/**
 * Every place the lifecycles read state written by earlier builds of this package (all 0.1.0: states carry
 * no format version, so each rule below says which states it serves by what they lack). Nothing else in
 * lifecycle/ special-cases an older state.
 */

/**
 * The `__provider` stub. A release plans no change by itself: diff ignores `providerVersion` and reports a
 * change only when the stored stub text differs from the one the program stores now. That is how states
 * holding the SDK serializer's form of the stub (builds before resources/dynamicResource.ts `providerStub`)
 * get the one-line stub: the first `up` after upgrading is an update with no API call.
 */
export function stubChanged(olds: { __provider?: unknown }, news: { __provider?: unknown }): boolean {
  const a = olds.__provider;
  const b = news.__provider;
  return typeof a === "string" && typeof b === "string" && a !== b;
}

/** Whether a WidgetKey state holds the key's secret; states written before `secretAvailable` existed: if it has one. */
export function secretAvailableIn(state: { secretAvailable?: boolean; secretKey?: unknown }): boolean {
  return state.secretAvailable === undefined ? state.secretKey !== undefined : state.secretAvailable;
}

/**
 * The agent an AgentWidgetSettings resource is for: its `agentId`, or, for a state without one (and for
 * `pulumi import`, which has only the id), the resource id without the `~xxxxxxxx` suffix creates add.
 */
export function agentIdOf(id: string, agentId: string | undefined): string {
  return agentId ?? id.replace(/~[0-9a-f]{8}$/, "");
}
