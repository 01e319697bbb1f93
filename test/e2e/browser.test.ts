/**
 * Origin enforcement proven by a real browser: headless Chromium loads the local server's /widget-demo page,
 * which calls POST /api/v1/widget/auth/guest with fetch. The browser sets the Origin header itself, so the
 * test only chooses the loopback name the page is loaded from: the key admits http://localhost:<port> and not
 * http://127.0.0.1:<port> (same server, same port). The key and the agent policy are made by plain
 * `pulumi up` on the root program. Skipped, loudly, only where Chromium cannot run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startServer } from "../support/server";
import { expectNoSecretKeys, newSession, type PulumiSession, REPO } from "./support/pulumi";

type Server = Awaited<ReturnType<typeof startServer>>;

const CHROMIUM = process.env.KATAVEN_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/** Why Chromium can't run here, or null. Decided at load time so the skip is visible in jest's report. */
function chromiumProblem(): string | null {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} does not exist (install it: sudo bash scripts/install-system-deps.sh)`;
  const v = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (v.status !== 0) return `${CHROMIUM} --version failed (${v.status ?? v.signal}): ${(v.stderr || v.stdout).trim().slice(0, 300)}`;
  return null;
}

const problem = chromiumProblem();
if (problem) {
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPING the browser test of Origin enforcement: ${problem}\n` +
      `!! Origin enforcement is then NOT proven by a real browser on this machine.\n${"!".repeat(100)}\n`,
  );
}
const describeBrowser = problem ? describe.skip : describe;

describeBrowser("Origin enforcement in a real browser (headless Chromium, /widget-demo)", () => {
  let server: Server;
  let browser: Browser;
  let port: number;
  let publicKey: string;
  let s: PulumiSession;

  /** Loads the demo page from `pageHost`, calling the API at `apiHost`; returns what the browser saw. */
  async function loadDemo(pageHost: string, apiHost: string) {
    const page = await browser.newPage();
    try {
      const url = `http://${pageHost}:${port}/widget-demo?client_key=${encodeURIComponent(publicKey)}&api=${encodeURIComponent(`http://${apiHost}:${port}`)}`;
      const guest = page.waitForResponse((r) => r.url().endsWith("/api/v1/widget/auth/guest") && r.request().method() === "POST");
      await page.goto(url);
      const res = await guest;
      await page.waitForSelector("#status[data-done='1']", { timeout: 15_000 });
      return {
        sentOrigin: await res.request().headerValue("origin"),
        guestStatus: res.status(),
        status: (await page.textContent("#status"))?.trim(),
        pageOrigin: (await page.textContent("#origin"))?.trim(),
      };
    } finally {
      await page.close();
    }
  }

  beforeAll(async () => {
    server = await startServer({ bcryptCost: 4 });
    port = Number(new URL(server.url).port);
    // The key and the agent's policy come from plain `pulumi up` on the root program, as a user makes them.
    s = await newSession(REPO);
    await s.useServer(server);
    const agent = server.agents[0];
    await s.configObject("kataven-widget:agents", { [agent]: { widgetEnabled: true, authMode: "guest" } });
    await s.configObject("kataven-widget:keys", { "browser-demo": { agent, allowlist: [`http://localhost:${port}`] } });
    await s.run(["up", "--yes", "--non-interactive"]);
    expect(s.resourceTypes().sort()).toEqual([
      "pulumi-nodejs:dynamic/kataven:AgentWidgetSettings",
      "pulumi-nodejs:dynamic/kataven:WidgetKey",
    ]);
    publicKey = JSON.parse((await s.run(["stack", "output", "widgetKeys", "--json"])).stdout)["browser-demo"].publicKey;
    // Chromium is installed, so it must launch: a failure here fails the test, it does not skip it.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    console.log(`browser test: Chromium ${browser.version()}, server ${server.url}`);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.run(["destroy", "--yes", "--non-interactive"], { allowFailure: true });
    if (s) expectNoSecretKeys(s.stateText() + s.transcript.join("\n"));
    s?.dispose();
    await server?.close();
  });

  it("a page on the allowed origin gets a guest session", async () => {
    await server.resetStats();
    const r = await loadDemo("localhost", "localhost");
    expect(r.pageOrigin).toBe(`http://localhost:${port}`);
    expect(r.sentOrigin).toBe(`http://localhost:${port}`);
    expect(r.guestStatus).toBe(200);
    expect(r.status).toBe("guest session ok");
    expect((await server.stats()).routes["POST /api/v1/widget/auth/guest"]?.statuses).toEqual({ "200": 1 });
  });

  it("the same page on another loopback name (a foreign origin) is refused", async () => {
    await server.resetStats();
    const r = await loadDemo("127.0.0.1", "127.0.0.1");
    expect(r.sentOrigin).toBe(`http://127.0.0.1:${port}`);
    expect(r.guestStatus).toBe(403);
    expect(r.status).toMatch(/^403 origin_not_allowed: Origin not in allowlist for this client_key/);
    expect(r.status).toContain(`http://127.0.0.1:${port}`);
    expect((await server.stats()).routes["POST /api/v1/widget/auth/guest"]?.statuses).toEqual({ "403": 1 });
  });

  it("what counts is the page's origin, not the API host it calls", async () => {
    // the foreign page calling the API by the allowed name: still refused
    const foreign = await loadDemo("127.0.0.1", "localhost");
    expect(foreign.sentOrigin).toBe(`http://127.0.0.1:${port}`);
    expect(foreign.guestStatus).toBe(403);
    expect(foreign.status).toMatch(/^403 origin_not_allowed/);
    // the allowed page calling the API cross-origin (CORS is permissive on widget routes): allowed
    const allowed = await loadDemo("localhost", "127.0.0.1");
    expect(allowed.sentOrigin).toBe(`http://localhost:${port}`);
    expect(allowed.guestStatus).toBe(200);
    expect(allowed.status).toBe("guest session ok");
  });
});
