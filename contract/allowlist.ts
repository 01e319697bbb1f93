/**
 * The domain allowlist grammar, canonical form and matcher (server/README.md, "The contract in brief": Allowlist).
 * One module for both sides: the provider's check() and the
 * local server's validation and Origin enforcement import it, and the server stores the canonical form,
 * so what the provider plans is exactly what the server keeps and enforces.
 *
 * Entry spellings and their canonical form:
 *   https://acme.com, acme.com, ACME.com., https://acme.com:443/   → https://acme.com
 *   https://acme.com:8443, acme.com:8443                           → https://acme.com:8443
 *   *.acme.com, https://*.acme.com                                 → *.acme.com    (subdomains, any depth, not the apex; https)
 *   acme.com:*, https://acme.com:*                                 → acme.com:*    (any port; https)
 *   http://localhost:3000                                          → http://localhost:3000  (that exact origin)
 *   localhost, localhost:3000, localhost:*, *.localhost            → kept bare: http and https both allowed
 * Loopback hosts are localhost, *.localhost, 127.0.0.0/8 and [::1]; only they may use http.
 * Entries and request origins are refused, never rewritten, when they hold control characters or "%"
 * escapes (the URL parser would silently drop a "\n" and join the labels around it), and host names are
 * checked as DNS names: labels of 1–63 letters, digits or inner hyphens, at most 253 characters in all
 * (hostNames.ts). A wildcard must not cover a public suffix (publicSuffix.ts). The request's origin is
 * read from its headers in requestOrigin.ts.
 */
import { domainToASCII } from "node:url";
import {
  DEFAULT_PORT,
  dnsNameProblem,
  isIpLiteral,
  isLoopbackHost,
  MAX_ENTRY_LENGTH,
  MAX_HOST_LENGTH,
  unsafeCharacters,
  type Scheme,
} from "./hostNames";
import { wildcardSuffixProblem } from "./publicSuffix";

export { dnsNameProblem, isLoopbackHost, MAX_ENTRY_LENGTH, MAX_HOST_LENGTH, MAX_LABEL_LENGTH } from "./hostNames";
export { readRequestOrigin, type RequestOriginResult } from "./requestOrigin";

/** null: the scheme's default port; "*": any port */
type Port = number | "*" | null;

interface Entry {
  schemes: Scheme[];
  /** ASCII (punycode), lower case, no trailing dot; for a wildcard, the part after "*." */
  host: string;
  wildcard: boolean;
  port: Port;
  /** the entry was written with a scheme */
  explicitScheme: boolean;
}

export type ParsedEntry = { ok: true; canonical: string } | { ok: false; reason: string };

export interface AllowlistFailure {
  index: number;
  entry: string;
  reason: string;
}

/** Parses one entry; the reason says what is wrong and what to write instead (so does each helper's string). */
function parse(raw: string): Entry | string {
  const input = trimmedEntry(raw);
  if (typeof input === "string") return input;
  const origin = splitScheme(input.text);
  if (typeof origin === "string") return origin;
  const { scheme } = origin;
  const authority = originAuthority(origin.rest, scheme);
  if (typeof authority === "string") return authority;
  const parts = splitPort(authority.text);
  if (typeof parts === "string") return parts;
  const host = parseHost(parts.hostPart);
  if (typeof host === "string") return host;

  const loopback = isLoopbackHost(host.host);
  if (scheme === "http" && !loopback) {
    return `uses http://, which is only allowed for localhost and loopback addresses; use "https://${authority.text}"`;
  }
  const schemes: Scheme[] = scheme ? [scheme] : loopback ? ["http", "https"] : ["https"];
  return { schemes, ...host, port: effectivePort(parts.port, scheme, loopback), explicitScheme: scheme !== null };
}

/** The entry trimmed, or why it can't be one whatever its parts: unsafe characters, length, empty, a lone "*". */
function trimmedEntry(raw: string): { text: string } | string {
  const unsafe = unsafeCharacters(raw);
  if (unsafe) return unsafe;
  if (raw.length > MAX_ENTRY_LENGTH) {
    return `is ${raw.length} characters long; an entry has at most ${MAX_ENTRY_LENGTH} (a host name at most ${MAX_HOST_LENGTH})`;
  }
  const text = raw.trim();
  if (text === "") return 'is empty; remove it or write an origin such as "https://acme.com"';
  if (text === "*" || text === "*://*" || text === "https://*" || text === "http://*") {
    return 'a lone "*" would allow every site; list the origins instead, such as "https://acme.com" or "*.acme.com"';
  }
  return { text };
}

/** The scheme (null when the entry has none) and what follows it. */
function splitScheme(input: string): { scheme: Scheme | null; rest: string } | string {
  const sep = input.indexOf("://");
  if (sep >= 0) {
    const s = input.slice(0, sep).toLowerCase();
    if (s !== "http" && s !== "https") {
      return `has the scheme "${input.slice(0, sep)}"; only https (and http for localhost) origins can embed the widget`;
    }
    return { scheme: s, rest: input.slice(sep + 3) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/?[^\d/*]/i.test(input) && !/^[^:]+:(\d+|\*)$/.test(input)) {
    return 'is not an origin or a host; write it as "https://acme.com" or "acme.com"';
  }
  return { scheme: null, rest: input };
}

/** The authority (host and port) after the scheme: no path, query, fragment or user information. */
function originAuthority(rest: string, scheme: Scheme | null): { text: string } | string {
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const tail = end < 0 ? "" : rest.slice(end);
  const origin = `${scheme ? `${scheme}://` : ""}${authority}`;
  if (tail !== "" && tail !== "/") {
    if (tail.startsWith("?") || tail.startsWith("/?")) return `has a query; use the origin only, such as "${origin}"`;
    if (tail.startsWith("#") || tail.startsWith("/#")) return `has a fragment; use the origin only, such as "${origin}"`;
    return `has a path; use an origin such as "${origin}" or a host such as "*.${authority.replace(/^\*\./, "")}"`;
  }
  if (authority.includes("@")) {
    return `has user information ("…@"); use the origin only, such as "${scheme ?? "https"}://${authority.slice(authority.lastIndexOf("@") + 1)}"`;
  }
  if (authority === "") return 'has no host; write an origin such as "https://acme.com"';
  return { text: authority };
}

/** The host part and the port written after it (null when none). */
function splitPort(authority: string): { hostPart: string; port: Port } | string {
  const portMatch = /^(.*):([^:\]]*)$/.exec(authority);
  if (!portMatch || authority.endsWith("]")) return { hostPart: authority, port: null };
  const p = portMatch[2];
  if (p === "*") return { hostPart: portMatch[1], port: "*" };
  if (/^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535) return { hostPart: portMatch[1], port: Number(p) };
  return `has an invalid port "${p}"; use a number from 1 to 65535 or "*" for any port`;
}

/** The host in its stored form (ASCII, lower case, no trailing dot), and whether a leading "*." made it a wildcard. */
function parseHost(hostPart: string): { host: string; wildcard: boolean } | string {
  const wildcard = hostPart.startsWith("*.");
  let name = wildcard ? hostPart.slice(2) : hostPart;
  if (name.includes("*")) {
    return 'has a wildcard inside a label; only a leading "*." is allowed, such as "*.acme.com"';
  }
  if (name.endsWith(".")) name = name.slice(0, -1);
  const host = hostName(name);
  if (typeof host === "string") return host;
  if (wildcard) {
    if (isIpLiteral(host.name)) return "puts a wildcard in front of an IP address; list the address itself";
    const shared = wildcardSuffixProblem(host.name);
    if (shared) return shared;
  }
  return { host: host.name, wildcard };
}

/** A bracketed IPv6 address or a DNS name, in ASCII and lower case. */
function hostName(name: string): { name: string } | string {
  if (name.startsWith("[")) {
    try {
      return { name: new URL(`http://${name}`).hostname };
    } catch {
      return `has an invalid IPv6 address "${name}"`;
    }
  }
  const ascii = domainToASCII(name.toLowerCase());
  if (ascii === "") return `has an invalid host name "${name}"`;
  const dns = dnsNameProblem(ascii);
  return dns ? `has an invalid host name: it ${dns}` : { name: ascii };
}

/** The port as stored: null for the scheme's default (443 for an entry without scheme, unless loopback). */
function effectivePort(port: Port, scheme: Scheme | null, loopback: boolean): Port {
  if (port !== null && port !== "*" && scheme && port === DEFAULT_PORT[scheme]) return null;
  if (!scheme && !loopback && port === 443) return null;
  return port;
}

function canonical(e: Entry): string {
  const hostPort = `${e.wildcard ? "*." : ""}${e.host}${e.port === null ? "" : `:${e.port}`}`;
  const loopback = isLoopbackHost(e.host);
  const withScheme = loopback ? e.explicitScheme : !e.wildcard && e.port !== "*";
  return withScheme ? `${e.schemes[0]}://${hostPort}` : hostPort;
}

/** Validates one entry and gives its canonical spelling. */
export function parseAllowlistEntry(raw: string): ParsedEntry {
  const e = parse(raw);
  return typeof e === "string" ? { ok: false, reason: e } : { ok: true, canonical: canonical(e) };
}

/**
 * An allowlist in canonical form: every entry the grammar accepts in its canonical spelling, entries it
 * rejects (found on the server, added by another client) verbatim, duplicates dropped, the order as given.
 * Canonicalising it again changes nothing. Only canonicalize() below makes one, so a function that takes
 * this type is proven to get a list that was canonicalised once, where it crossed into the provider.
 */
export type CanonicalAllowlist = string[] & { readonly __canonical: true };

/** The one canonicalisation: accepted entries, accepted plus rejected-verbatim entries, and why each rejected one is. */
function canonicalize(entries: readonly unknown[]): {
  accepted: CanonicalAllowlist;
  kept: CanonicalAllowlist;
  failures: AllowlistFailure[];
  foreign: string[];
} {
  const accepted = new Set<string>();
  const kept = new Set<string>();
  const failures: AllowlistFailure[] = [];
  const foreign: string[] = [];
  entries.forEach((entry, index) => {
    if (typeof entry !== "string") {
      failures.push({ index, entry: String(entry), reason: "must be a string" });
      return;
    }
    const r = parseAllowlistEntry(entry);
    if (r.ok) {
      accepted.add(r.canonical);
      kept.add(r.canonical);
    } else {
      failures.push({ index, entry, reason: r.reason });
      if (!kept.has(entry)) {
        kept.add(entry);
        foreign.push(entry);
      }
    }
  });
  return { accepted: [...accepted] as CanonicalAllowlist, kept: [...kept] as CanonicalAllowlist, failures, foreign };
}

/**
 * Canonicalises a list: every entry validated and spelled canonically, duplicates dropped, the order as
 * given (the server stores it so, and a list appended to in a pull request previews as an appended entry).
 * Failures name the entry's index and what to do. Compare two lists with sameAllowlist(): order is not
 * meaningful.
 */
export function canonicalizeAllowlist(entries: readonly string[]): { canonical: CanonicalAllowlist; failures: AllowlistFailure[] } {
  const { accepted, failures } = canonicalize(entries);
  return { canonical: accepted, failures };
}

/**
 * The allowlist as the state should hold it, from what the server or the state holds: each entry canonical
 * when the grammar accepts it, verbatim otherwise (such an entry is live on the server, so it must not vanish);
 * duplicates dropped, order kept, non-strings skipped. `foreign` lists the verbatim (unaccepted) entries.
 */
export function stateAllowlist(entries: readonly unknown[]): { list: CanonicalAllowlist; foreign: string[] } {
  const { kept, foreign } = canonicalize(entries.filter((e) => typeof e === "string"));
  return { list: kept, foreign };
}

/** The empty canonical allowlist (a new array each time). */
export function emptyAllowlist(): CanonicalAllowlist {
  return canonicalize([]).accepted;
}

/** Do two lists allow the same origins? (Canonical spellings compared as sets.) */
export function sameAllowlist(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(canonicalizeAllowlist(a).canonical);
  const y = new Set(canonicalizeAllowlist(b).canonical);
  return x.size === y.size && [...x].every((e) => y.has(e));
}

/** The WidgetKey tag that lets a key use wildcard entries on production stacks (policy/, no-wildcard-origins-on-prod). */
export const ALLOW_WILDCARDS_TAG = "allow-wildcards";

/** True when the entry is a wildcard (`*.x` or `x:*`): worth a second look in review. */
export function isBroadEntry(canonicalEntry: string): boolean {
  return canonicalEntry.includes("*");
}

/** The host of a canonical entry (`https://a.com:8443` → `a.com`, `*.localhost` → `localhost`, `[::1]:3000` → `[::1]`). */
export function entryHost(canonicalEntry: string): string {
  let rest = canonicalEntry.replace(/^[a-z]+:\/\//, "");
  if (rest.startsWith("*.")) rest = rest.slice(2);
  if (rest.startsWith("[")) return rest.slice(0, rest.indexOf("]") + 1);
  const colon = rest.indexOf(":");
  return colon < 0 ? rest : rest.slice(0, colon);
}

/** Does a canonical entry allow localhost or a loopback address? */
export function isLoopbackEntry(canonicalEntry: string): boolean {
  return isLoopbackHost(entryHost(canonicalEntry));
}

/**
 * Parsed allowlist entries by their text, for originAllowed(): the server checks every public call against
 * a stored (canonical) allowlist, and parsing an entry (IDNA, DNS checks) cost more than matching it.
 * parse() is pure, so a cached result is the same answer; the table is emptied when it grows past its cap.
 */
const PARSED_CACHE_MAX = 4096;
const parsedCache = new Map<string, Entry | string>();

function parsedEntry(raw: string): Entry | string {
  let e = parsedCache.get(raw);
  if (e === undefined) {
    e = parse(raw);
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
    parsedCache.set(raw, e);
  }
  return e;
}

/** Does a (normalised) request origin pass the allowlist? An empty list allows nothing. */
export function originAllowed(origin: string, allowlist: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") return false;
  const host = u.hostname.endsWith(".") ? u.hostname.slice(0, -1) : u.hostname;
  // `https://.acme.example` must not pass `*.acme.example`: only DNS names and IP literals match anything.
  if (!isIpLiteral(host) && dnsNameProblem(host) !== null) return false;
  // Ports compared as effective numbers: `localhost:443` admits https://localhost, whose URL omits the port.
  const port = u.port === "" ? DEFAULT_PORT[scheme] : Number(u.port);
  return allowlist.some((raw) => {
    const e = parsedEntry(raw);
    if (typeof e === "string" || !e.schemes.includes(scheme)) return false;
    if (e.wildcard ? !host.endsWith(`.${e.host}`) : host !== e.host) return false;
    return e.port === "*" || (e.port ?? DEFAULT_PORT[scheme]) === port;
  });
}
