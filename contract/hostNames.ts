/** Host names and origins as the allowlist sees them: DNS name rules, loopback hosts, unsafe characters. */

export type Scheme = "http" | "https";

export const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443 };

/** Longest entry accepted: a 253-character host plus scheme, "*." and port fit well inside it. */
export const MAX_ENTRY_LENGTH = 300;
export const MAX_HOST_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function describeChar(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Characters no origin can hold and that URL parsing would drop or decode instead of refusing. */
export function unsafeCharacters(raw: string): string | null {
  const control = CONTROL_RE.exec(raw);
  if (control) return `contains the control character ${describeChar(control[0])}; write the origin on its own, such as "https://acme.com"`;
  if (raw.includes("%"))
    return 'contains a "%" escape; write the host name itself, such as "https://acme.com" (non-ASCII names may be written as they are)';
  return null;
}

/**
 * Why an ASCII host name is not a DNS name, or null: at most 253 characters, labels of 1–63 letters,
 * digits and hyphens, no label starting or ending with a hyphen.
 */
export function dnsNameProblem(host: string): string | null {
  if (host.length > MAX_HOST_LENGTH) return `is ${host.length} characters long; a host name has at most ${MAX_HOST_LENGTH}`;
  for (const label of host.split(".")) {
    if (label === "") return "has an empty label (two dots in a row, or a leading dot)";
    if (label.length > MAX_LABEL_LENGTH)
      return `has a label of ${label.length} characters; each dot-separated label has at most ${MAX_LABEL_LENGTH}`;
    if (!/^[a-z0-9-]+$/.test(label)) return `has the label "${label}" with characters other than letters, digits and "-"`;
    if (label.startsWith("-") || label.endsWith("-")) return `has the label "${label}", which starts or ends with a hyphen`;
  }
  return null;
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]";
}

export function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
