/**
 * How a refresh reports what changed in Kataven outside Pulumi, and which of those changes `up` undoes.
 *
 * Allowlist entries this provider's grammar rejects. The contract lets other clients store entries the
 * provider would refuse (e.g. `http://` origins for any host). Such an entry is still live on the server, so
 * it must not vanish from the state: it is kept verbatim, counts as drift, is named in a warning, and the
 * next `up` removes it (the program's list is what gets PATCHed).
 *
 * Revocations. A key disabled outside Pulumi (in the dashboard, or "deleted" while in use, which disables
 * it) is recorded as `disabledOutsidePulumi` and reported at refresh. Such a key stays disabled: `up`
 * re-enables it only when the program says `disabled: false` explicitly, never because the program is
 * silent about it.
 */
import { parseAllowlistEntry } from "../../contract/allowlist";

/** The warning for allowlist entries found on the server that the provider does not accept. */
export function foreignEntriesWarning(label: string, foreign: readonly string[]): string {
  const names = foreign.map((e) => JSON.stringify(e)).join(", ");
  const reason = foreign.map((e) => {
    const r = parseAllowlistEntry(e);
    return r.ok ? "" : `${JSON.stringify(e)} ${r.reason}`;
  });
  return (
    `widget key ${label} has allowlist ${foreign.length === 1 ? "entry" : "entries"} ${names} that ${foreign.length === 1 ? "was" : "were"} added outside Pulumi ` +
    `and that this provider does not accept (${reason.join("; ")}). ${foreign.length === 1 ? "It is" : "They are"} live: the origin can embed the widget with this key. ` +
    `The next "pulumi up" removes ${foreign.length === 1 ? "it" : "them"}; to keep an origin, add an accepted spelling of it to the program.`
  );
}

/** The warning for a key disabled outside Pulumi. */
export function revokedWarning(label: string, disabledAt: string): string {
  return (
    `widget key ${label} was disabled outside Pulumi at ${disabledAt} (revoked in the dashboard, or deleted while in use). ` +
    `It stays disabled: "pulumi up" leaves it so, and re-enables it only if the program sets disabled: false for this key explicitly.`
  );
}

/**
 * Whether the key should end up disabled: what the program says, or, when the program does not set
 * `disabled`, keep a revocation made outside Pulumi (`disabledOutsidePulumi` in the state).
 */
export function wantDisabled(olds: { disabledOutsidePulumi?: unknown }, news: { disabled?: unknown }): boolean {
  if (news.disabled === undefined || news.disabled === null) return olds.disabledOutsidePulumi === true;
  return Boolean(news.disabled);
}
