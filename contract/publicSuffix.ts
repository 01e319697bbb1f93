/**
 * Public suffixes (the Public Suffix List, ICANN and private sections, as tldts ships it): names under
 * which anyone can register a site, such as "com", "co.uk", "github.io" or "s3.amazonaws.com". A wildcard
 * allowlist entry must not cover one: `*.amazonaws.com` matches `evil.s3.amazonaws.com`, a bucket anyone
 * can create. tldts answers "what is the suffix of this host"; whether a suffix lies *under* a name needs
 * the list itself, read here from the flat trie tldts ships (its package version is pinned exactly).
 */
import { getPublicSuffix } from "tldts";

/** tldts's flat suffix trie (tldts/dist/cjs/src/data/trie.js): nodes, their edges and the edge labels. */
interface Trie {
  nodeFlags: Uint8Array;
  edgeStart: Uint16Array | Uint32Array;
  edgeLength: Uint8Array;
  edgeChild: Uint16Array | Uint32Array;
  labelText: string;
  rulesRoot: number;
}

/**
 * Shared names the list does not hold (yet) but under which other people get host names: user content on
 * googleusercontent.com, customers' virtual machines as <name>.<region>.cloudapp.azure.com.
 */
const EXTRA_SUFFIXES = ["googleusercontent.com", "cloudapp.azure.com"];

let loaded: { trie: Trie; offsets: Uint32Array } | null = null;

function trie(): { trie: Trie; offsets: Uint32Array } {
  if (loaded === null) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const t = require("tldts/dist/cjs/src/data/trie") as Trie;
    if (!(t.nodeFlags instanceof Uint8Array) || typeof t.labelText !== "string" || typeof t.rulesRoot !== "number") {
      throw new Error("tldts's public suffix data has an unexpected shape; install the tldts version pinned in package.json");
    }
    const offsets = new Uint32Array(t.edgeLength.length);
    for (let node = 0, off = 0; node < t.nodeFlags.length; node++) {
      for (let e = t.edgeStart[node]; e < t.edgeStart[node + 1]; e++) {
        offsets[e] = off;
        off += t.edgeLength[e];
      }
    }
    loaded = { trie: t, offsets };
  }
  return loaded;
}

function label(e: number): string {
  const { trie: t, offsets } = trie();
  return t.labelText.slice(offsets[e], offsets[e] + t.edgeLength[e]);
}

function childOf(node: number, name: string): number {
  const t = trie().trie;
  let wildcard = -1;
  for (let e = t.edgeStart[node]; e < t.edgeStart[node + 1]; e++) {
    const l = label(e);
    if (l === name) return t.edgeChild[e];
    if (l === "*") wildcard = t.edgeChild[e];
  }
  return wildcard;
}

/** The shallowest rule strictly under the trie node of `host` ("*" written as "<name>"), or null. */
function ruleUnder(host: string): string | null {
  const t = trie().trie;
  let node = t.rulesRoot;
  for (const l of host.split(".").reverse()) {
    node = childOf(node, l);
    if (node < 0) return null;
  }
  let level: [number, string][] = [[node, host]];
  while (level.length > 0) {
    const next: [number, string][] = [];
    let found: string | null = null;
    for (const [n, name] of level) {
      for (let e = t.edgeStart[n]; e < t.edgeStart[n + 1]; e++) {
        const l = label(e);
        const child: [number, string] = [t.edgeChild[e], `${l === "*" ? "<name>" : l}.${name}`];
        if (t.nodeFlags[child[0]] !== 0 && (found === null || found.startsWith("<name>"))) found = child[1];
        next.push(child);
      }
    }
    if (found !== null) return found;
    level = next;
  }
  return null;
}

/**
 * Why a wildcard over `host` (ASCII, lower case) would cover other people's sites, or null: `host` is a
 * public suffix itself, or one lies under it.
 */
export function wildcardSuffixProblem(host: string): string | null {
  if (host === "localhost") return null;
  if (getPublicSuffix(host, { allowPrivateDomains: true }) === host || EXTRA_SUFFIXES.includes(host)) {
    return `would allow every site under the public suffix ".${host}"; use a domain you own, such as "*.acme.${host}"`;
  }
  const under = EXTRA_SUFFIXES.find((s) => s.endsWith(`.${host}`)) ?? ruleUnder(host);
  if (under === null) return null;
  return (
    `would allow every site under the public suffix ".${under}", which lies under "${host}" and where anyone can get a name; ` +
    `list the names you own instead, such as "*.acme.${under.replace(/^<name>\./, "")}"`
  );
}
