/**
 * Every fault mode of the local server at every step (create, update, delete, read) of the two settings
 * resources, once (transient) and on every request (persistent). Their calls are GET and PATCH, which are
 * idempotent: a transient fault must heal (the server ends up as the program asked), a persistent one must
 * fail with a message that names the call, says what to do and carries no credential.
 */
import * as agent from "../../../provider/lifecycle/agentWidgetSettings";
import * as settings from "../../../provider/lifecycle/widgetSettings";
import { startServer, type TestServer } from "../../support/server";
import { api, type As, faultModes, freshAccount, shutdown } from "./support";

type Props = Record<string, unknown>;
type Lifecycle = typeof settings | typeof agent;

const TIMEOUT_MS = 600;

let srv: TestServer;
let acct: As & { accountId: string };
beforeAll(async () => {
  srv = await startServer({ faults: true });
});
afterAll(() => shutdown(srv));
beforeEach(async () => {
  acct = freshAccount(srv, { timeoutMs: TIMEOUT_MS, backoffBaseMs: 5, retryAfterCapMs: 1_000, maxAttempts: 4 });
  await srv.clearFaults();
});

const MODES = faultModes(TIMEOUT_MS);

interface Resource {
  name: string;
  lifecycle: Lifecycle;
  path: string;
  /** the program before and after the update */
  program: Props;
  updated: Props;
  /** what GET returns once the update applied, and after a reset */
  wireUpdated: Props;
  wireDefault: Props;
}

const RESOURCES: Resource[] = [
  {
    name: "WidgetSettings",
    lifecycle: settings,
    path: "/api/v1/widget-settings",
    program: { launcherLabel: "Hello" },
    updated: { launcherLabel: "Hello again", primaryColor: "#2563eb" },
    wireUpdated: { launcher_label: "Hello again", primary_color: "#2563eb" },
    wireDefault: { launcher_label: null, primary_color: null, launcher_position: "br" },
  },
  {
    name: "AgentWidgetSettings",
    lifecycle: agent,
    path: "/api/v1/agents/agent-a/widget-settings",
    program: { agentId: "agent-a", widgetEnabled: true, authMode: "guest" },
    updated: { agentId: "agent-a", widgetEnabled: true, authMode: "both" },
    wireUpdated: { widget_enabled: true, auth_mode: "both" },
    wireDefault: { widget_enabled: false, auth_mode: "guest" },
  },
];

const STEPS = ["create", "update", "delete", "read"] as const;
type Step = (typeof STEPS)[number];

async function inputs(r: Resource, program: Props): Promise<Props> {
  const c = await r.lifecycle.check({}, { providerVersion: "1", ...program });
  expect(c.failures).toEqual([]);
  return c.inputs;
}

/** The route a step's fault goes on: the write for create/update/delete, the GET for read. */
function routeOf(r: Resource, step: Step): string {
  const pattern = r.path.replace("agent-a", "{id}");
  return `${step === "read" ? "GET" : "PATCH"} ${pattern}`;
}

describe.each(RESOURCES)("$name under faults", (r) => {
  describe.each(STEPS)("%s", (step) => {
    describe.each([false, true])("persistent: %s", (persistent) => {
      it.each(MODES)("$label", async (mode) => {
        // Arrange: anything the step needs exists before the fault is set.
        const made = step === "create" ? undefined : await r.lifecycle.create(await inputs(r, r.program));
        await srv.setFaults([{ route: routeOf(r, step), times: persistent ? -1 : 1, ...mode.rule }]);

        let error: Error | undefined;
        try {
          if (step === "create") await r.lifecycle.create(await inputs(r, r.updated));
          if (step === "update") await r.lifecycle.update(made!.id, made!.outs as unknown as Props, await inputs(r, r.updated));
          if (step === "delete") await r.lifecycle.delete(made!.id, made!.outs as unknown as Props);
          if (step === "read") {
            const got = await r.lifecycle.read(made!.id, made!.outs as unknown as Props);
            expect(got.id).toBe(made!.id);
          }
        } catch (err) {
          error = err as Error;
        }
        await srv.clearFaults();
        const wire = (await api(acct, "GET", r.path)).body as Props;

        if (!persistent || mode.harmlessWhenPersistent) {
          expect(error).toBeUndefined();
          if (step === "create" || step === "update") expect(wire).toMatchObject(r.wireUpdated);
          if (step === "delete") expect(wire).toMatchObject(r.wireDefault);
        } else {
          // A write may have landed before the failure (apply-then-*); what matters is a clear error.
          expect(error?.message).toMatch(new RegExp(`^(GET|PATCH) ${r.path.replace(/\//g, "\\/")} failed`));
          // and that running the step again once the API is back heals it (the calls are idempotent)
          if (step === "update") {
            await r.lifecycle.update(made!.id, made!.outs as unknown as Props, await inputs(r, r.updated));
            expect((await api(acct, "GET", r.path)).body).toMatchObject(r.wireUpdated);
          }
        }
        if (error) {
          expect(error.message).not.toContain(acct.apiKey);
          expect(error.message).not.toMatch(/sk_live_[A-Za-z0-9]{8,}/);
          expect(error.message).toMatch(/retry|check|run|later/i);
        }
      });
    });
  });
});
