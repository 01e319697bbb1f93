/**
 * The `import:` resource option for this package's resources. The engine reads an imported resource with no
 * properties at all, so a dynamic provider never receives its own `__provider` and the SDK fails inside
 * `cmd/dynamic-provider` with "Cannot read properties of undefined (reading 'toJavaScript')" (pulumi/pulumi
 * #16175, #7534). The constructors therefore never hand `import` to the engine:
 *  - WidgetKey: `{ import: "<key id>" }` becomes `adopt: { id: "<key id>" }` (verified against the account's
 *    key list at create; the secret can't be recovered, so `secretAvailable` is false);
 *  - WidgetSettings / AgentWidgetSettings: their create already adopts what the account holds (GET, then
 *    PATCH of what the program sets), so `import` is simply dropped.
 * The resource shows as "created" rather than "imported" in the update summary.
 */
import type * as pulumi from "@pulumi/pulumi";

/** `opts` without `import`, and the import id if one was given. */
export function withoutImport<O extends pulumi.CustomResourceOptions>(opts: O | undefined): { opts: O | undefined; importId?: string } {
  if (!opts || opts.import === undefined) return { opts };
  const { import: importId, ...rest } = opts;
  return { opts: rest as O, importId: importId as string };
}

/**
 * For WidgetKey: turns `{ import: id }` into `adopt: { id }`. Throws when both are given, since a key
 * is taken over once, by one of them.
 */
export function importAsAdopt<A extends object>(
  name: string,
  args: A,
  opts: pulumi.CustomResourceOptions | undefined,
): { args: A; opts: pulumi.CustomResourceOptions | undefined } {
  const { opts: rest, importId } = withoutImport(opts);
  if (importId === undefined) return { args, opts };
  if (typeof importId !== "string" || importId.trim() === "") {
    throw new Error(
      `WidgetKey "${name}": the import option must be the id of an existing widget key (see GET /api/v1/widget-keys); or use the adopt input: adopt: { id: "<widget key id>" }`,
    );
  }
  const adopt = (args as { adopt?: unknown } | undefined)?.adopt;
  if (adopt !== undefined && adopt !== null) {
    throw new Error(
      `WidgetKey "${name}": both the import option and the adopt input are set; keep only adopt: { id: "${importId}" } (import is turned into adopt anyway)`,
    );
  }
  return { args: { ...args, adopt: { id: importId.trim() } }, opts: rest };
}
