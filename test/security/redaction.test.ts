/**
 * A server's error detail may echo what it was sent, and the provider quotes details in its messages:
 * redact() (provider/api/errors.ts) must remove a secret key in every spelling an echo can take — as it is,
 * percent-escaped once or twice (`sk%5Flive%5F…`), JSON-escaped (`sk\u005flive…`), base64 or base64url
 * at any alignment — and leave ordinary text alone.
 */
import { KatavenApiError, redact } from "../../provider/api/errors";

const KEY = "sk_live_acme_Q7dfK2LmN8pR4sT6vX9zB3cE5gH1jW0y";
const pct = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).join("");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");

/** [name, what the echo holds, the text around it]: the encoded key must be gone from redact()'s output. */
const echoes: [string, string, (e: string) => string][] = [
  ["as it is", KEY, (e) => `invalid key ${e}`],
  ["in JSON", KEY, (e) => JSON.stringify({ client_key: e })],
  ["after Bearer", KEY, (e) => `Authorization: Bearer ${e}`],
  ["%5F for each underscore", KEY.replace(/_/g, "%5F"), (e) => `bad value ${e}`],
  ["%5f, lower case", KEY.replace(/_/g, "%5f"), (e) => `bad value ${e}`],
  ["every character escaped", pct(KEY), (e) => `q=${e}`],
  ["escaped twice (%255F)", encodeURIComponent(KEY.replace(/_/g, "%5F")), (e) => `next=${e}`],
  ["as a URL query value", encodeURIComponent(KEY).replace(/_/g, "%5F"), (e) => `https://evil.example/?k=${e}&x=1`],
  ["JSON \\u005f escapes", KEY.replace(/_/g, "\\u005f"), (e) => `"name":"${e}"`],
  ["base64", b64(KEY), (e) => `token ${e}`],
  ["base64, one byte in", b64(`x${KEY}`), (e) => `token ${e}`],
  ["base64, two bytes in", b64(`xy${KEY}`), (e) => `token ${e}`],
  ["base64url of user:key", b64url(`acme:${KEY}`), (e) => `basic ${e}`],
  ["base64 of JSON, inside JSON", b64(`{"k":"${KEY}"}`), (e) => JSON.stringify({ blob: e })],
];

describe("redact() removes a secret key in every spelling of an echo", () => {
  test.each(echoes)("%s", (_n, echo, around) => {
    const out = redact(around(echo));
    expect(out).not.toContain(echo.slice(Math.floor(echo.length / 3), Math.floor(echo.length / 3) + 12));
    expect(out).not.toMatch(/Q7dfK2LmN8pR/);
    expect(out).toMatch(/\[redacted\]/);
  });

  test("through a KatavenApiError's message", () => {
    const err = new KatavenApiError({
      code: "invalid_body",
      status: 400,
      detail: `name: ${KEY.replace(/_/g, "%5F")} is not allowed`,
      method: "POST",
      path: "/api/v1/widget-keys",
    });
    expect(err.message).not.toMatch(/Q7dfK2LmN8pR/);
  });

  test.each([
    "widget key …a1b2c3d4 is disabled; re-enable it",
    "Origin not in allowlist for this client_key (origin https://evil.example)",
    'domain_allowlist[0] "https://acme%2ecom" contains a "%" escape',
    "see https://docs.kataven.ai/widget?section=keys%20and%20secrets",
    "c2tf is not a key, nor is sk_test",
  ])("leaves ordinary text alone: %s", (text) => {
    expect(redact(text)).toBe(text);
  });
});
