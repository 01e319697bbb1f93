/**
 * Shared setup for the provider integration tests: a real local server over loopback (test/support/server)
 * and the provider's config pointed at it. No HTTP mocks.
 */
import { resetSessions } from "../../../provider/api/session";
import { type KatavenConfig, resetConfig, setConfig } from "../../../provider/config";
import type { PacingLimits } from "../../../provider/api/pacing";
import type { WidgetKeyWire } from "../../../contract/wire";
import { call } from "../../support/http";
import { type FaultRule, startServer, type StartServerOptions, type TestServer } from "../../support/server";

/** Pacing off: test servers run without rate limits. */
export const NO_PACING: PacingLimits = { perMinute: 0, perHour: 0, perDay: 0 };

export async function boot(opts: StartServerOptions = {}, cfg: Partial<KatavenConfig> = {}): Promise<TestServer> {
  const srv = await startServer(opts);
  configureFor(srv, cfg);
  return srv;
}

export function configureFor(srv: TestServer, cfg: Partial<KatavenConfig> = {}): void {
  // Each test starts with no cached lists, known ids or applied settings.
  void resetSessions();
  // No pacing unless a test asks: test servers run without rate limits, and 429 handling is tested as such.
  setConfig({ apiUrl: srv.url, apiKey: srv.apiKey, timeoutMs: 2_000, backoffBaseMs: 5, retryAfterCapMs: 5_000, pacing: NO_PACING, ...cfg });
}

export async function shutdown(srv: TestServer | undefined): Promise<void> {
  resetConfig();
  await resetSessions();
  await srv?.close();
}

/** Who a plain HTTP call acts as: the server plus an account's API key. */
export interface As {
  srv: TestServer;
  apiKey: string;
}

let accounts = 0;

/**
 * A fresh account (with agents agent-a and agent-b) and the provider configured for it, so each test
 * starts from an empty key list (used keys cannot be deleted, only disabled).
 */
export function freshAccount(srv: TestServer, cfg: Partial<KatavenConfig> = {}): As & { accountId: string } {
  const a = srv.createAccount(`t${process.pid}-${++accounts}`, ["agent-a", "agent-b"]);
  configureFor(srv, { apiKey: a.apiKey, ...cfg });
  return { srv, apiKey: a.apiKey, accountId: a.accountId };
}

/** The account's keys straight from the server (not through the provider). */
export async function serverKeys(as: As): Promise<WidgetKeyWire[]> {
  const r = await call(as.srv.url, "GET", "/api/v1/widget-keys", { apiKey: as.apiKey });
  if (r.status !== 200) throw new Error(`list failed: ${r.status} ${r.text}`);
  return r.json as WidgetKeyWire[];
}

/** Any HTTP call as a plain client (out-of-band changes): the JSON body, or the plain-text error. */
export async function api(as: As, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const r = await call(as.srv.url, method, path, { body, apiKey: as.apiKey });
  return { status: r.status, body: r.json ?? r.text };
}

export type FaultMode = {
  label: string;
  rule: Omit<FaultRule, "route" | "times">;
  /** still succeeds when on every request */
  harmlessWhenPersistent?: boolean;
};

/** Every fault mode of the server's fault injection, for a client whose request timeout is `timeoutMs`. */
export function faultModes(timeoutMs: number): FaultMode[] {
  return [
    { label: "500", rule: { mode: "status", status: 500 } },
    { label: "503", rule: { mode: "status", status: 503 } },
    { label: "429", rule: { mode: "status", status: 429, retryAfter: 0 } },
    { label: "drop (reset before handling)", rule: { mode: "drop" } },
    { label: "apply-then-fail (500 after commit)", rule: { mode: "apply-then-fail" } },
    { label: "apply-then-drop (reset after commit)", rule: { mode: "apply-then-drop" } },
    { label: "latency beyond the timeout", rule: { mode: "latency", latencyMs: Math.round(timeoutMs * 1.5) } },
    { label: "latency within the timeout", rule: { mode: "latency", latencyMs: 100 }, harmlessWhenPersistent: true },
  ];
}
