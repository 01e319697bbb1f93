/**
 * check() and diff() of the three resources, called directly: no API, no engine. check failures must name
 * the failing property; diff must compare canonically, replace only on rotation/adopt (keys) and agentId
 * (agent settings), and report no change when nothing differs.
 */
import { resetConfig, setConfig, MISSING_API_KEY_MESSAGE } from "../../provider/config";
import * as agent from "../../provider/lifecycle/agentWidgetSettings";
import { UNKNOWN } from "../../provider/lifecycle/common";
import * as key from "../../provider/lifecycle/widgetKey";
import * as settings from "../../provider/lifecycle/widgetSettings";

beforeEach(() => setConfig({ apiUrl: "http://127.0.0.1:9", apiKey: "sk_live_acme_testkey" }));
afterAll(() => resetConfig());

const PV = "0.1.0";
const baseKeyOuts = {
  name: "acme prod",
  domainAllowlist: ["*.acme.com", "https://acme.com"],
  disabled: false,
  providerVersion: PV,
  keyId: "k1",
  publicKey: "pk_live_acme_AAAAAAAAAAAAAAAAAAAAAAAA12345678",
  secretKey: "sk_live_acme_BBBBBBBBBBBBBBBBBBBBBBBB",
  keyLast8: "12345678",
  disabledAt: null,
  lastUsedAt: null,
  createdAt: "2025-01-01T00:00:00.000Z",
  secretAvailable: true,
};

describe("WidgetKey check", () => {
  it("canonicalises the allowlist and trims the name", async () => {
    const r = await key.check({}, { name: "  acme prod ", domainAllowlist: ["https://ACME.com/", "acme.com", "*.acme.com"] });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ name: "acme prod", domainAllowlist: ["https://acme.com", "*.acme.com"] });
  });

  it("names the failing allowlist entry by index, with the entry and what to do", async () => {
    const r = await key.check({}, { name: "n", domainAllowlist: ["https://ok.com", "acme.com", "https://a.com/x"] });
    expect(r.failures).toEqual([
      {
        property: "domainAllowlist[2]",
        reason: expect.stringMatching(/^"https:\/\/a\.com\/x" has a path; use an origin such as "https:\/\/a\.com"/),
      },
    ]);
  });

  it.each([
    [{ domainAllowlist: [] }, "name", /required/],
    [{ name: "", domainAllowlist: [] }, "name", /must not be empty/],
    [{ name: "x".repeat(201), domainAllowlist: [] }, "name", /at most 200/],
    [{ name: 5, domainAllowlist: [] }, "name", /string/],
    [{ name: "n" }, "domainAllowlist", /required/],
    [{ name: "n", domainAllowlist: "https://a.com" }, "domainAllowlist", /list of origins/],
    [{ name: "n", domainAllowlist: ["*.com"] }, "domainAllowlist[0]", /public suffix/],
    [{ name: "n", domainAllowlist: ["*"] }, "domainAllowlist[0]", /lone/],
    [{ name: "n", domainAllowlist: ["http://acme.com"] }, "domainAllowlist[0]", /http:\/\//],
    [{ name: "n", domainAllowlist: Array.from({ length: 101 }, (_, i) => `https://a${i}.com`) }, "domainAllowlist", /at most 100/],
    [{ name: "n", domainAllowlist: [], agentId: "" }, "agentId", /must not be empty/],
    [{ name: "n", domainAllowlist: [], agentId: "a".repeat(201) }, "agentId", /at most 200/],
    [{ name: "n", domainAllowlist: [], disabled: "yes" }, "disabled", /true or false/],
    [{ name: "n", domainAllowlist: [], rotation: true }, "rotation", /string or a number/],
    [{ name: "n", domainAllowlist: [], rotation: { a: 1 } }, "rotation", /string or a number/],
    [{ name: "n", domainAllowlist: [], adopt: "k1" }, "adopt", /object/],
    [{ name: "n", domainAllowlist: [], adopt: {} }, "adopt.id", /^is required: the id of the existing widget key/],
    [{ name: "n", domainAllowlist: [], adopt: { id: " " } }, "adopt.id", /id of an existing widget key/],
    [{ name: "n", domainAllowlist: [], adopt: { id: "k1", publicKey: "sk_live_x" } }, "adopt.publicKey", /pk_live_/],
    [{ name: "n", domainAllowlist: [], adopt: { id: "k1", secret: "x" } }, "adopt.secret", /not a field/],
    [{ name: "n", domainAllowlist: [], adopt: { id: "k1" }, rotation: 2 }, "rotation", /cannot be combined with adopt/],
  ])("%j fails on %s", async (news, property, reason) => {
    const r = await key.check({}, news as Record<string, unknown>);
    expect(r.failures).toContainEqual({ property, reason: expect.stringMatching(reason) });
    for (const f of r.failures) expect(f.property).not.toBe("");
  });

  it("reports every failure at once", async () => {
    const r = await key.check({}, { name: "", domainAllowlist: ["*", "https://a.com/x"], disabled: 1 });
    expect(r.failures.map((f) => f.property).sort()).toEqual(["disabled", "domainAllowlist[0]", "domainAllowlist[1]", "name"]);
  });

  it("passes unknown preview values through without judging them", async () => {
    const r = await key.check({}, { name: UNKNOWN, domainAllowlist: ["https://a.com", UNKNOWN], agentId: UNKNOWN });
    expect(r.failures).toEqual([]);
    expect(r.inputs.domainAllowlist).toEqual(["https://a.com", UNKNOWN]);
  });

  it("a missing API key is one clear failure at preview", async () => {
    setConfig({ apiUrl: "https://api.kataven.ai" });
    const r = await key.check({}, { name: "n", domainAllowlist: [] });
    expect(r.failures).toEqual([{ property: "", reason: MISSING_API_KEY_MESSAGE }]);
    expect(MISSING_API_KEY_MESSAGE).toBe(
      'kataven:apiKey is not set. Run "pulumi config set --secret kataven:apiKey sk_live_…" or set KATAVEN_API_KEY.',
    );
  });
});

describe("WidgetKey tags", () => {
  it("are labels: deduplicated, each validated by index", async () => {
    const ok = await key.check({}, { name: "k", domainAllowlist: [], tags: ["allow-wildcards", "team-web", "team-web"] });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs.tags).toEqual(["allow-wildcards", "team-web"]);
    const bad = await key.check({}, { name: "k", domainAllowlist: [], tags: ["ok", "Not OK", 3] });
    expect(bad.failures.map((f) => f.property)).toEqual(["tags[1]", "tags[2]"]);
    expect(bad.failures[0].reason).toMatch(/"Not OK" must be a lower-case label/);
    expect((await key.check({}, { name: "k", domainAllowlist: [], tags: "allow-wildcards" })).failures[0]).toMatchObject({
      property: "tags",
    });
  });

  it("a tag change is an in-place update; their order is not a change", () => {
    const olds = { ...baseKeyOuts, tags: ["a", "b"] };
    const n = { name: "acme prod", domainAllowlist: ["https://acme.com", "*.acme.com"], disabled: false, providerVersion: PV };
    expect(key.diffWidgetKey(olds, { ...n, tags: ["b", "a"] }).changes).toBe(false);
    expect(key.diffWidgetKey(olds, { ...n, tags: ["a"] })).toMatchObject({ changes: true, replaces: [], changed: ["tags"] });
    expect(key.diffWidgetKey(olds, n)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("WidgetKey diff", () => {
  const news = (over: Record<string, unknown> = {}) => ({
    name: "acme prod",
    domainAllowlist: ["https://acme.com", "*.acme.com"],
    disabled: false,
    providerVersion: PV,
    ...over,
  });

  it("no change when only order or spelling of the allowlist differs", async () => {
    expect(
      await key.diff("k1", baseKeyOuts, news({ domainAllowlist: ["acme.com", "https://*.ACME.com", "https://acme.com:443/"] })),
    ).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("an allowlist edit is an in-place update that lists added and removed origins", () => {
    const d = key.diffWidgetKey(baseKeyOuts, news({ domainAllowlist: ["https://acme.com", "https://shop.acme.com"] }));
    expect(d).toMatchObject({
      changes: true,
      replaces: [],
      changed: ["domainAllowlist"],
      allowlistAdded: ["https://shop.acme.com"],
      allowlistRemoved: ["*.acme.com"],
    });
  });

  it.each([
    [{ name: "renamed" }, ["name"]],
    [{ agentId: "agent-a" }, ["agentId"]],
    [{ disabled: true }, ["disabled"]],
  ])("%j updates in place", (over, changed) => {
    const d = key.diffWidgetKey(baseKeyOuts, news(over));
    expect(d.replaces).toEqual([]);
    expect(d.changed).toEqual(changed);
    expect(d.changes).toBe(true);
  });

  it("a new release (providerVersion) alone plans nothing; only a different stored stub does", () => {
    const stub = "exports.handler = stub";
    expect(key.diffWidgetKey({ ...baseKeyOuts, __provider: stub }, news({ providerVersion: "0.2.0", __provider: stub })).changes).toBe(
      false,
    );
    expect(
      settings.changedFields(
        { onDelete: "reset", providerVersion: PV, __provider: stub },
        { onDelete: "reset", providerVersion: "9", __provider: stub },
      ),
    ).toEqual([]);
    expect(
      agent.diffAgentSettings(
        { agentId: "a", onDelete: "reset", providerVersion: PV, __provider: stub },
        { agentId: "a", onDelete: "reset", providerVersion: "9", __provider: stub },
      ).changes,
    ).toBe(false);
    expect(settings.changedFields({ onDelete: "reset", __provider: stub }, { onDelete: "reset", __provider: `${stub} v2` })).toEqual([
      "__provider",
    ]);
    expect(key.diffWidgetKey({ ...baseKeyOuts, __provider: stub }, news({ __provider: `${stub} v2` })).changed).toEqual(["__provider"]);
  });

  it("a name that differs only by surrounding spaces is no change", () => {
    expect(key.diffWidgetKey(baseKeyOuts, news({ name: "  acme prod " })).changes).toBe(false);
  });

  it("disabled drift (state says disabled, program says enabled) is an update", () => {
    const d = key.diffWidgetKey({ ...baseKeyOuts, disabled: true, disabledAt: "2025-02-01T00:00:00Z" }, news());
    expect(d.changed).toEqual(["disabled"]);
  });

  it('rotation replaces; 1 and "1" are the same rotation', () => {
    expect(key.diffWidgetKey(baseKeyOuts, news({ rotation: 1 })).replaces).toEqual(["rotation"]);
    expect(key.diffWidgetKey({ ...baseKeyOuts, rotation: 1 }, news({ rotation: "1" })).changes).toBe(false);
    expect(key.diffWidgetKey({ ...baseKeyOuts, rotation: "2025-01" }, news({ rotation: "2025-02" })).replaces).toEqual(["rotation"]);
  });

  it("adopt naming another key replaces; removing adopt after adopting, or naming the held key, is no change", () => {
    expect(key.diffWidgetKey(baseKeyOuts, news({ adopt: { id: "k9" } })).replaces).toEqual(["adopt"]);
    expect(key.diffWidgetKey(baseKeyOuts, news({ adopt: { id: baseKeyOuts.keyId } })).changes).toBe(false);
    const adopted = { ...baseKeyOuts, adopt: { id: "k1" }, secretKey: undefined, secretAvailable: false };
    expect(key.diffWidgetKey(adopted, news()).changes).toBe(false);
    expect(key.diffWidgetKey(adopted, news({ adopt: { id: "k2" } })).replaces).toEqual(["adopt"]);
    expect(key.diffWidgetKey(adopted, news({ adopt: { id: "k1" } })).changes).toBe(false);
    const d = key.diffWidgetKey(adopted, news({ adopt: { id: "k1", publicKey: "pk_live_acme_x12345678" } }));
    expect(d).toMatchObject({ changes: true, replaces: [], changed: ["adopt"] });
  });

  it("unknown values at preview count as changes", () => {
    expect(key.diffWidgetKey(baseKeyOuts, news({ name: UNKNOWN })).changed).toEqual(["name"]);
    expect(key.diffWidgetKey(baseKeyOuts, news({ domainAllowlist: UNKNOWN })).changed).toEqual(["domainAllowlist"]);
    expect(key.diffWidgetKey(baseKeyOuts, news({ rotation: UNKNOWN })).replaces).toEqual(["rotation"]);
  });

  it("output-only and secret fields never cause a diff", () => {
    const olds = { ...baseKeyOuts, lastUsedAt: "2025-03-01T00:00:00Z", __provider: "exports.handler = …" };
    expect(key.diffWidgetKey(olds, { ...news(), __provider: "exports.handler = …" }).changes).toBe(false);
  });
});

describe("WidgetSettings check and diff", () => {
  it.each([
    ["primaryColor", "blue", /hex colour such as #2563eb or #fff/],
    ["accentColor", "#12345", /hex colour/],
    ["logoUrl", "http://acme.com/logo.svg", /https:\/\//],
    ["logoUrl", "logo.svg", /https:\/\//],
    ["launcherPosition", "middle", /one of bl, br, tl, tr/],
    ["launcherLabel", "x".repeat(41), /at most 40/],
    ["privacyNotice", "x".repeat(501), /at most 500/],
    ["onDelete", "keep", /reset, retain/],
    ["primaryColour", "#fff", /not a WidgetSettings field/],
  ])("%s = %j fails naming the property", async (property, value, reason) => {
    const r = await settings.check({}, { [property]: value });
    expect(r.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it("onDelete left out defaults to reset, or to retain for a resource that adopted someone else's values", () => {
    expect(settings.effectiveOnDelete(undefined, undefined)).toBe("reset");
    expect(settings.effectiveOnDelete(undefined, true)).toBe("retain");
    expect(settings.effectiveOnDelete("reset", true)).toBe("reset");
    const adopted = { ...stored, onDelete: "retain", adoptedValues: true };
    expect(settings.changedFields(adopted, { ...adopted, onDelete: undefined, adoptedValues: undefined })).toEqual([]);
    expect(settings.changedFields(adopted, { ...adopted, onDelete: "reset", adoptedValues: undefined })).toEqual(["onDelete"]);
    expect(settings.changedFields(stored, { ...stored, onDelete: undefined })).toEqual([]);
    const policy = { agentId: "a", widgetEnabled: true, authMode: "both", onDelete: "retain", adoptedValues: true };
    expect(agent.diffAgentSettings(policy, { agentId: "a", widgetEnabled: true, authMode: "both" }).changes).toBe(false);
    expect(agent.diffAgentSettings(policy, { agentId: "a", widgetEnabled: true, authMode: "both", onDelete: "reset" }).changed).toEqual([
      "onDelete",
    ]);
  });

  it("valid input: colours lower-cased, onDelete left to its default, every field it will write shown (defaults for the rest)", async () => {
    const r = await settings.check({}, { primaryColor: "#2563EB", launcherPosition: "tl", logoUrl: "https://acme.com/logo.svg" });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({
      primaryColor: "#2563eb",
      accentColor: null,
      logoUrl: "https://acme.com/logo.svg",
      launcherPosition: "tl",
      launcherLabel: null,
      privacyNotice: null,
    });
    expect((await settings.check({}, {})).inputs).toMatchObject({ launcherPosition: "br", primaryColor: null });
  });

  const stored = {
    primaryColor: "#2563eb",
    accentColor: null,
    logoUrl: null,
    launcherPosition: "br",
    launcherLabel: "Talk to us",
    privacyNotice: null,
    onDelete: "reset",
    providerVersion: PV,
  };

  it("no change when the program states what is stored (defaults implied)", () => {
    expect(
      settings.changedFields(stored, { primaryColor: "#2563EB", launcherLabel: "Talk to us", onDelete: "reset", providerVersion: PV }),
    ).toEqual([]);
  });

  it("a field removed from the program goes back to its default", () => {
    expect(settings.changedFields(stored, { primaryColor: "#2563eb", onDelete: "reset", providerVersion: PV })).toEqual(["launcherLabel"]);
    expect(
      settings.changedFields(
        { ...stored, launcherPosition: "tl" },
        { primaryColor: "#2563eb", launcherLabel: "Talk to us", onDelete: "reset", providerVersion: PV },
      ),
    ).toEqual(["launcherPosition"]);
  });

  it("nothing replaces", async () => {
    expect(await settings.diff("s", stored, { primaryColor: "#000", onDelete: "retain", providerVersion: "9" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});

describe("AgentWidgetSettings check and diff", () => {
  it.each([
    [{}, "agentId", /required/],
    [{ agentId: "" }, "agentId", /must not be empty/],
    [{ agentId: "a", widgetEnabled: "yes" }, "widgetEnabled", /true or false/],
    [{ agentId: "a", authMode: "public" }, "authMode", /one of guest, user, both/],
    [{ agentId: "a", onDelete: "drop" }, "onDelete", /reset, retain/],
    [{ agentId: "a", enabled: true }, "enabled", /not an AgentWidgetSettings field/],
  ])("%j fails on %s", async (news, property, reason) => {
    const r = await agent.check({}, news as Record<string, unknown>);
    expect(r.failures).toContainEqual({ property, reason: expect.stringMatching(reason) });
  });

  const stored = { agentId: "agent-a", widgetEnabled: true, authMode: "both", onDelete: "reset", providerVersion: PV };

  it("agentId replaces, the rest updates, defaults apply to removed fields", () => {
    expect(agent.diffAgentSettings(stored, { ...stored, agentId: "agent-b" }).replaces).toEqual(["agentId"]);
    expect(agent.diffAgentSettings(stored, { ...stored, authMode: "user" })).toMatchObject({ replaces: [], changed: ["authMode"] });
    expect(agent.diffAgentSettings(stored, { agentId: "agent-a", onDelete: "reset", providerVersion: PV }).changed).toEqual([
      "widgetEnabled",
      "authMode",
    ]);
    expect(agent.diffAgentSettings(stored, { ...stored }).changes).toBe(false);
  });
});
