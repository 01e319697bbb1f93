/**
 * Checks that run in the Pulumi program, when a resource is constructed (never in the provider process):
 *  - the account API key stored in plain text in the stack file: a warning with the command that fixes it;
 *  - one account has one branding and one policy per agent, and keys are told apart by name in reviews and
 *    in kataven-recover: two WidgetSettings, two AgentWidgetSettings for one agent, or two WidgetKeys with
 *    the same name in one program would overwrite each other on every `up` and flip back and forth at
 *    refresh, so the second one is an error at construction (or, for a value known only later, when it
 *    resolves; unknown values in a preview are not checked).
 * The registry is per program run (keyed by the run's root Stack resource), so an Automation API inline
 * program that runs again in the same process starts afresh.
 */
import * as pulumi from "@pulumi/pulumi";

type Kind = "WidgetSettings" | "AgentWidgetSettings" | "WidgetKey";

interface Run {
  claims: Map<string, string>;
  warnedApiKey: boolean;
}

const runs = new WeakMap<object, Run>();
const detached: Run = { claims: new Map(), warnedApiKey: false };

function currentRun(): Run {
  const stack = (pulumi.runtime as unknown as { getStackResource?: () => object | undefined }).getStackResource?.();
  if (!stack) return detached;
  let run = runs.get(stack);
  if (!run) {
    run = { claims: new Map(), warnedApiKey: false };
    runs.set(stack, run);
  }
  return run;
}

const WHAT: Record<Kind, (value: string) => string> = {
  WidgetSettings: () => "the account's branding (one per account)",
  AgentWidgetSettings: (agent) => `the widget policy of agent "${agent}"`,
  WidgetKey: (name) => `a widget key named "${name}"`,
};

/**
 * Which account a resource writes to, for the uniqueness rules: the stack's own (kataven:* config) or one
 * KatavenConnection object (two connection objects are told apart by identity, not by their key).
 */
const scopes = new WeakMap<object, string>();
export function accountScope(connection: object | undefined): string {
  if (!connection) return "";
  let scope = scopes.get(connection);
  if (!scope) {
    scope = `connection#${++scopeCount}`;
    scopes.set(connection, scope);
  }
  return scope;
}
let scopeCount = 0;

function claim(kind: Kind, value: string, resourceName: string, scope = ""): void {
  const claims = currentRun().claims;
  const key = `${scope}|${kind}|${value}`;
  const first = claims.get(key);
  if (first !== undefined && first !== resourceName) {
    throw new Error(
      `${kind} "${resourceName}" declares ${WHAT[kind](value)}, which ${kind} "${first}" in this program already declares. ` +
        `Both would write the same thing in Kataven, overwriting each other on every "pulumi up", and refresh would flip between them. ` +
        (kind === "WidgetKey" ? "Give each key its own name." : `Keep one ${kind} for it.`),
    );
  }
  claims.set(key, resourceName);
}

/** Claims a singleton or a name; returns the input to pass on (an Output is checked when it resolves). */
export function claimUnique<T extends pulumi.Input<string> | undefined>(
  kind: Kind,
  value: T,
  resourceName: string,
  normalise: (v: string) => string = (v) => v,
  scope = "",
): T {
  if (value === undefined) return value;
  if (typeof value === "string") {
    claim(kind, normalise(value), resourceName, scope);
    return value;
  }
  return pulumi.output(value).apply((v) => {
    if (typeof v === "string") claim(kind, normalise(v), resourceName, scope);
    return v;
  }) as unknown as T;
}

/** The exact command that encrypts a plain-text `kataven:apiKey` (it prompts for the value). */
export const ENCRYPT_API_KEY_COMMAND = "pulumi config set --secret kataven:apiKey";

/** Warns once per run when `kataven:apiKey` is set in the stack config without --secret. */
export function warnIfApiKeyInPlainText(): void {
  const run = currentRun();
  if (run.warnedApiKey) return;
  run.warnedApiKey = true;
  const rt = pulumi.runtime as unknown as { getConfig?: (k: string) => string | undefined; isConfigSecret?: (k: string) => boolean };
  if (!rt.getConfig || !rt.isConfigSecret) return;
  const value = rt.getConfig("kataven:apiKey");
  if (value === undefined || value.trim() === "" || rt.isConfigSecret("kataven:apiKey")) return;
  void pulumi.log.warn(
    `kataven:apiKey is stored in plain text in the stack's settings file (Pulumi.${pulumi.getStack()}.yaml), where anyone who can read the file or the repository can use it. ` +
      `Encrypt it: run "${ENCRYPT_API_KEY_COMMAND}" (it asks for the value), then commit the stack file; or unset it and use KATAVEN_API_KEY.`,
  );
}
