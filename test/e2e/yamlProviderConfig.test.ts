/**
 * Provider configuration changes on an explicit provider (`pulumi:providers:kataven`) in Pulumi YAML,
 * through plain `pulumi` and the native plugin's DiffConfig: a rotated apiKey updates the provider in place
 * (the preview plans no replacement and `up` keeps the same key), a respelled apiUrl changes nothing, and a
 * change of account (apiUrl to another API, accountId to another account, or without accountId an apiKey
 * of another account) shows as a replacement in the preview; `up` then creates the key in the new account
 * and deletes it from the old one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { expectNoSecretKeys, newSession, type PulumiSession } from "./support/pulumi";
import { yamlProgramHead } from "./support/yamlProgram";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(240_000);

const PROGRAM = `${yamlProgramHead("kataven-yaml-provider-config")}config:
  accountUrl:
    type: string
  accountKey:
    type: string
    secret: true
  accountId:
    type: string
resources:
  account:
    type: pulumi:providers:kataven
    properties:
      apiUrl: \${accountUrl}
      apiKey: \${accountKey}
      accountId: \${accountId}
  site:
    type: kataven:index:WidgetKey
    properties:
      name: globex.example
      domainAllowlist:
        - https://globex.example
    options:
      provider: \${account}
outputs:
  keyId: \${site.id}
`;

describe("provider configuration changes on an explicit native provider (Pulumi YAML)", () => {
  let server: Server;
  let other: Server;
  let s: PulumiSession;
  let dir: string;
  let globex: { url: string; apiKey: string };
  let keyId = "";
  const seenSecrets: string[] = [];

  const state = (name: string) => s.resources().find((r) => r.urn.endsWith(`::${name}`)) as any;
  const preview = async () => (await s.run(["preview", "--non-interactive", "--diff"])).stdout;
  const account = async (url: string, apiKey: string, accountId: string) => {
    await s.config("accountUrl", url);
    await s.config("accountKey", apiKey, { secret: true });
    await s.config("accountId", accountId);
  };

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    other = await startServer({ bcryptCost: 4 });
    globex = { url: server.url, apiKey: server.createAccount("globex").apiKey };
    seenSecrets.push(globex.apiKey);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-yaml-config-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROGRAM);
    s = await newSession(dir);
    await s.useServer(server);
    await account(globex.url, globex.apiKey, "globex");
    await s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
    keyId = state("site").id;
  });
  afterAll(async () => {
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    s?.dispose();
    await server?.close();
    await other?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a rotated apiKey updates the provider in place: no replacement planned, up keeps the same key", async () => {
    // A new key for the same account; the previous one is revoked.
    globex.apiKey = server.createAccount("globex").apiKey;
    seenSecrets.push(globex.apiKey);
    await s.config("accountKey", globex.apiKey, { secret: true });
    const p = await preview();
    console.log(`preview --diff after the apiKey rotation:\n${p}`);
    expect(p).toMatch(/~ pulumi:providers:kataven: \(update\)|pulumi:providers:kataven\s+account\s+update/);
    expect(p).not.toMatch(/replace/);
    const r = await s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
    expect(r.stdout).not.toMatch(/replaced/);
    expect(state("site").id).toBe(keyId);
    expect((await managementApi(globex).listKeys()).map((k) => k.id)).toEqual([keyId]);
    // The new key is the one in use: a refresh reads the key through it.
    await s.run(["refresh", "--yes", "--non-interactive"]);
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
  });

  it("a respelled apiUrl of the same API replaces nothing", async () => {
    await s.config("accountUrl", `${globex.url}/api/v1/`);
    const p = await preview();
    expect(p).not.toMatch(/replace/);
    expect(p).not.toMatch(/kataven:index:WidgetKey/);
    await s.config("accountUrl", globex.url);
  });

  it("apiUrl to another API: the preview plans the key's replacement", async () => {
    const elsewhere = other.createAccount("globex");
    seenSecrets.push(elsewhere.apiKey);
    await account(other.url, elsewhere.apiKey, "globex");
    const p = await preview();
    console.log(`preview --diff after an apiUrl change:\n${p}`);
    expect(p).toMatch(/\+-\s*pulumi:providers:kataven/);
    expect(p).toMatch(/\+-\s*kataven:index:WidgetKey/);
    expect(p).toMatch(/1 to replace|2 to replace/);
    await account(globex.url, globex.apiKey, "globex");
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
  });

  it("without accountId, an apiKey of another account: the preview plans the key's replacement", async () => {
    await s.config("accountId", "");
    expect(await preview()).not.toMatch(/replace/);
    await s.config("accountKey", server.apiKey, { secret: true });
    const p = await preview();
    console.log(`preview --diff after an apiKey of another account:\n${p}`);
    expect(p).toMatch(/\+-\s*pulumi:providers:kataven/);
    expect(p).toMatch(/\+-\s*kataven:index:WidgetKey/);
    await account(globex.url, globex.apiKey, "globex");
    await s.run(["preview", "--non-interactive", "--expect-no-changes"]);
  });

  it("accountId to another account: the preview shows the replacement, up moves the key", async () => {
    await account(server.url, server.apiKey, server.accountId);
    const p = await preview();
    console.log(`preview --diff after an accountId change:\n${p}`);
    expect(p).toMatch(/\+-\s*kataven:index:WidgetKey/);
    const r = await s.run(["up", "--yes", "--non-interactive", "--skip-preview"]);
    expect(r.stdout).toMatch(/replaced/);
    const moved = state("site");
    expect(moved.id).not.toBe(keyId);
    // Created in the new account, deleted from the old one by the old provider.
    expect((await managementApi(server).listKeys()).map((k) => k.id)).toEqual([moved.id]);
    expect(await managementApi(globex).listKeys()).toEqual([]);
  });

  it("keeps every secret out of the state's plaintext and out of all output", () => {
    const text = s.stateText();
    expectNoSecretKeys(text);
    for (const secret of [...seenSecrets, server.apiKey]) expect(text).not.toContain(secret);
    expectNoSecretKeys(s.transcript.join("\n"));
  });
});
