/**
 * One stack, two fronts: test/e2e/programs/equivalence in TypeScript (the dynamic provider) and
 * test/e2e/programs/equivalence-yaml in Pulumi YAML (the native plugin), each against a server of its own.
 * Both leave the same keys, allowlists, branding and agent policy in Kataven, and every command (up, a
 * no-change preview, refresh, destroy) sends the same API requests, route by route.
 */
import * as path from "node:path";
import { startServer } from "../support/server";
import { managementApi } from "./support/kataven";
import { cliVersion, expectNoSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;
jest.setTimeout(300_000);

interface Front {
  name: string;
  server: Server;
  s: PulumiSession;
}

describe("the same stack in TypeScript (dynamic) and Pulumi YAML (native)", () => {
  const fronts: Front[] = [];

  async function front(name: string, dir: string): Promise<Front> {
    const server = await startServer({ bcryptCost: 4 });
    const s = await newSession(path.join(REPO, "test/e2e/programs", dir));
    await s.useServer(server);
    return { name, server, s };
  }
  /** What Kataven holds, without ids, timestamps or key material. */
  async function kataven(f: Front) {
    const api = managementApi(f.server);
    const keys = (await api.listKeys()).map((k) => ({
      name: k.name,
      allowlist: k.domain_allowlist,
      agent: k.agent_id,
      disabled: k.disabled_at !== null,
    }));
    return {
      keys: keys.sort((a, b) => a.name.localeCompare(b.name)),
      branding: (await api.call("GET", "/widget-settings")).json,
      policy: (await api.call("GET", "/agents/agent-a/widget-settings")).json,
    };
  }
  /** Runs `args` on both fronts; the requests each server counted, per route. */
  async function both(args: string[]): Promise<Array<Record<string, number>>> {
    const out: Array<Record<string, number>> = [];
    for (const f of fronts) {
      await f.server.resetStats();
      await f.s.run(args);
      const { routes } = await f.server.stats();
      out.push(Object.fromEntries(Object.entries(routes).map(([route, r]) => [route, r.count])));
    }
    return out;
  }

  beforeAll(async () => {
    console.log(`e2e engine: pulumi ${await cliVersion()}`);
    fronts.push(await front("typescript", "equivalence"), await front("yaml", "equivalence-yaml"));
  });
  afterAll(async () => {
    for (const f of fronts) {
      await f.s.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
      f.s.dispose();
      await f.server.close();
    }
  });

  it("up: the same resources in Kataven, with the same requests", async () => {
    const [ts, yaml] = await both(["up", "--yes", "--non-interactive", "--skip-preview"]);
    console.log(`up requests, TypeScript: ${JSON.stringify(ts)}; YAML: ${JSON.stringify(yaml)}`);
    expect(Object.keys(ts).length).toBeGreaterThan(0);
    expect(yaml).toEqual(ts);
    const [a, b] = [await kataven(fronts[0]), await kataven(fronts[1])];
    expect(a.keys).toHaveLength(2);
    expect(a.keys[0].allowlist).toEqual(["https://site.example", "*.site.example"]);
    expect(b).toEqual(a);
  });

  it("a no-change preview, refresh and destroy: the same requests", async () => {
    for (const args of [
      ["preview", "--non-interactive", "--expect-no-changes"],
      ["refresh", "--yes", "--non-interactive", "--skip-preview"],
      ["destroy", "--yes", "--non-interactive", "--skip-preview"],
    ]) {
      const [ts, yaml] = await both(args);
      console.log(`${args[0]} requests, TypeScript: ${JSON.stringify(ts)}; YAML: ${JSON.stringify(yaml)}`);
      expect(yaml).toEqual(ts);
    }
    const [a, b] = [await kataven(fronts[0]), await kataven(fronts[1])];
    expect(a.keys).toEqual([]);
    expect(b).toEqual(a);
    for (const f of fronts) expectNoSecretKeys(f.s.stateText() + f.s.transcript.join("\n"));
  });
});
