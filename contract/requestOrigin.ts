/**
 * The origin of a browser request, from its Origin header or (only when there is none) its Referer, as
 * the local server checks it against a key's allowlist (allowlist.ts originAllowed).
 */
import { dnsNameProblem, isIpLiteral, unsafeCharacters } from "./hostNames";

export type RequestOriginResult = { origin: string; problem?: undefined } | { origin: null; problem: string };

/** `scheme://host[:port]` of one header value, normalised, or why it is not a usable http(s) origin. */
function parseOriginValue(value: string, header: "Origin" | "Referer"): RequestOriginResult {
  if (value === "null")
    return {
      origin: null,
      problem: `the ${header} header is "null" (a sandboxed frame or a file:// page); embed the widget in an https page`,
    };
  // Node joins repeated headers with ", "; an origin never holds a comma or a space.
  if (header === "Origin" && /[,\s]/.test(value.trim()))
    return { origin: null, problem: "the request has more than one Origin header or value; send exactly one" };
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([/?#].*)?$/is.exec(value.trim());
  if (!m) return { origin: null, problem: `the ${header} header is not an origin such as https://acme.com` };
  const scheme = m[1].toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    return {
      origin: null,
      problem: `the ${header} header has the scheme "${scheme.slice(0, 40)}"; only http(s) pages can embed the widget`,
    };
  }
  if (header === "Origin" && m[3] !== undefined)
    return { origin: null, problem: "the Origin header has a path; an Origin is scheme://host[:port]" };
  const authority = m[2];
  const unsafe = unsafeCharacters(authority);
  if (unsafe) return { origin: null, problem: `the ${header} header ${unsafe.replace(/; write.*$/, "")}` };
  if (header === "Origin" && authority.includes("@"))
    return { origin: null, problem: "the Origin header has user information; an Origin is scheme://host[:port]" };
  let u: URL;
  try {
    u = new URL(`${scheme}://${authority}`);
  } catch {
    return { origin: null, problem: `the ${header} header is not an origin such as https://acme.com` };
  }
  let host = u.hostname;
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (!isIpLiteral(host)) {
    const dns = dnsNameProblem(host);
    if (dns) return { origin: null, problem: `the ${header} header's host ${dns}` };
  }
  return { origin: u.origin };
}

/**
 * The request's origin, normalised to `scheme://host[:port]` (lower case, default port dropped), from the
 * Origin header, or else, only when there is no Origin header at all, the Referer cut down to its origin.
 * An Origin that is present but unusable ("null", garbage, file:// or extension schemes, repeated) is a
 * refusal, never a reason to trust the Referer instead.
 */
export function readRequestOrigin(headers: { origin?: string | null; referer?: string | null }): RequestOriginResult {
  if (headers.origin !== undefined && headers.origin !== null) return parseOriginValue(headers.origin, "Origin");
  if (headers.referer !== undefined && headers.referer !== null) return parseOriginValue(headers.referer, "Referer");
  return { origin: null, problem: "the request has no Origin or Referer header" };
}
