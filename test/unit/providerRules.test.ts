/**
 * Pure provider rules: base-URL normalisation and the clear-text http rule (config.ts), the drift rules
 * (lifecycle/drift.ts), the orphan check's retry (api/decide.ts) and the one-line error output (sdkPrivate.ts).
 */
import { configProblem, normalizeApiUrl, resolveConfig } from "../../provider/config";
import { stateAllowlist } from "../../contract/allowlist";
import { wantDisabled } from "../../provider/lifecycle/drift";
import { KatavenApiError, KatavenNetworkError } from "../../provider/api/errors";
import { quietErrors } from "../../provider/sdkPrivate";
import { untilDecided } from "../../provider/api/decide";

describe("kataven:apiUrl", () => {
  it.each([
    ["https://api.kataven.ai", "https://api.kataven.ai"],
    ["https://api.kataven.ai/", "https://api.kataven.ai"],
    ["https://api.kataven.ai/v1", "https://api.kataven.ai"],
    ["https://api.kataven.ai/v1/", "https://api.kataven.ai"],
    ["https://api.kataven.ai/api/v1", "https://api.kataven.ai"],
    ["https://api.kataven.ai/hub-api/api/v1", "https://api.kataven.ai/hub-api"],
    ["https://api.kataven.ai/hub-api", "https://api.kataven.ai/hub-api"],
    ["http://127.0.0.1:8787/v1", "http://127.0.0.1:8787"],
  ])("%s is the base %s", (given, base) => {
    expect(normalizeApiUrl(given)).toBe(base);
    expect(resolveConfig({ get: (k) => (k === "kataven:apiUrl" ? given : undefined) }, {}).apiUrl).toBe(base);
  });

  it("refuses http:// on a host that is not this machine, naming the setting and the opt-out", () => {
    const p = configProblem({ apiUrl: "http://kataven.corp.example", apiKey: "sk_live_a_b" });
    expect(p).toMatch(/^kataven:apiUrl "http:\/\/kataven\.corp\.example" uses http:\/\/ on a host that is not this machine/);
    expect(p).toMatch(/pulumi config set kataven:allowInsecureHttp true/);
    expect(p).not.toMatch(/sk_live_a_b/);
    expect(configProblem({ apiUrl: "http://kataven.corp.example", apiKey: "k", allowInsecureHttp: true })).toBeUndefined();
    for (const ok of ["http://127.0.0.1:1", "http://localhost:8787", "http://[::1]:9", "https://api.kataven.ai"]) {
      expect(configProblem({ apiUrl: ok, apiKey: "k" })).toBeUndefined();
    }
    expect(resolveConfig({ get: (k) => (k === "kataven:allowInsecureHttp" ? "true" : undefined) }, {}).allowInsecureHttp).toBe(true);
  });
});

describe("drift rules", () => {
  it("keeps entries the grammar rejects verbatim, canonicalises the rest", () => {
    expect(stateAllowlist(["ACME.com", "http://evil.example", "https://acme.com", "http://evil.example"])).toEqual({
      list: ["https://acme.com", "http://evil.example"],
      foreign: ["http://evil.example"],
    });
  });

  it("a program silent about disabled keeps a revocation made outside Pulumi; an explicit value wins", () => {
    expect(wantDisabled({ disabledOutsidePulumi: true }, {})).toBe(true);
    expect(wantDisabled({ disabledOutsidePulumi: true }, { disabled: false })).toBe(false);
    expect(wantDisabled({}, {})).toBe(false);
    expect(wantDisabled({}, { disabled: true })).toBe(true);
  });
});

describe("the orphan check's retry", () => {
  it("keeps trying through network errors and 5xx until it gets an answer", async () => {
    let n = 0;
    const v = await untilDecided(
      async () => {
        n++;
        if (n === 1) throw new KatavenNetworkError({ code: "ECONNREFUSED", method: "GET", path: "/x", reason: "refused" });
        if (n === 2) throw new KatavenApiError({ status: 503, code: "unavailable", detail: "", method: "GET", path: "/x" });
        return "listed";
      },
      5_000,
      "list",
      5,
    );
    expect([v, n]).toEqual(["listed", 3]);
  });

  it("stops at a permanent error, and at the deadline with the last error", async () => {
    let n = 0;
    const auth = new KatavenApiError({ status: 401, code: "unauthorized", detail: "", method: "GET", path: "/x" });
    await expect(
      untilDecided(
        async () => {
          n++;
          throw auth;
        },
        5_000,
        "list",
        5,
      ),
    ).rejects.toBe(auth);
    expect(n).toBe(1);
    const started = Date.now();
    await expect(
      untilDecided(
        async () => {
          throw new Error("down");
        },
        200,
        "list",
        20,
      ),
    ).rejects.toThrow("down");
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("errors printed once", () => {
  it("drops the SDK's stderr dump of an error a lifecycle method threw, and nothing else", async () => {
    const printed: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      const methods = quietErrors({
        read: async () => {
          throw new Error("GET /api/v1/widget-keys failed: 503");
        },
      });
      const err = (await methods.read().catch((e: Error) => e)) as Error;
      expect(err.message).toBe("GET /api/v1/widget-keys failed: 503");
      // what sdk/nodejs/cmd/dynamic-provider does with it
      console.error(`${err}: ${err.stack}`);
      console.error("warning: something else"); // the control: other output passes
      expect(printed).toEqual([["warning: something else"]]);
    } finally {
      console.error = original;
    }
  });
});
