/**
 * What a new release of this package plans for existing resources. The `__provider` stored with each
 * resource is a stub that loads this package *by name* (resources/dynamicResource.ts), so a new release
 * reaches existing resources without any update. A release therefore plans no change by itself: diff
 * ignores `providerVersion` (kept as a record of the version that last applied the resource) and reports a
 * change only when the stored stub text itself differs from the one the program would store now.
 */

/** True when state and program carry different `__provider` stubs (both known). */
export function stubChanged(olds: { __provider?: unknown }, news: { __provider?: unknown }): boolean {
  const a = olds.__provider;
  const b = news.__provider;
  return typeof a === "string" && typeof b === "string" && a !== b;
}
