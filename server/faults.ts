/**
 * Opt-in fault injection for tests (off unless the server starts with --faults / KATAVEN_LOCAL_FAULTS=1).
 * A rule names a canonical route ("POST /api/v1/widget-keys", "PATCH /api/v1/widget-keys/{id}"; aliases
 * and concrete ids are accepted and normalised) and a mode:
 *   status           answer `status` (default 500) without running the handler; 429 also sends Retry-After
 *   latency          read the body, wait `latencyMs`, then handle normally (also when the client left)
 *   drop             destroy the socket without answering; nothing is applied
 *   apply-then-fail  run the handler (the write commits), then answer `status` (default 500) instead
 *   apply-then-drop  run the handler (the write commits), then destroy the socket without answering
 * Each rule applies to the next `times` matching requests (default 1; -1 = until cleared), in order.
 */
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { normaliseRouteSpec, routeKey } from "./routeTable";

export const FAULT_MODES = ["status", "latency", "drop", "apply-then-fail", "apply-then-drop"] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const FaultRuleSchema = z.strictObject({
  route: z.string().min(1),
  mode: z.enum(FAULT_MODES),
  status: z.number().int().min(400).max(599).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  retryAfter: z.number().int().min(0).optional(),
  times: z
    .number()
    .int()
    .refine((n) => n === -1 || n >= 1, { error: "must be a positive count, or -1 for until cleared" })
    .optional(),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export const FaultRulesSchema = z.array(FaultRuleSchema);

interface ActiveRule extends FaultRule {
  key: string;
  remaining: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  /** Replaces every rule; throws an Error naming the bad rule. */
  set(rules: FaultRule[]): void {
    const parsed = FaultRulesSchema.parse(rules);
    this.rules = parsed.map((r, i) => {
      const key = normaliseRouteSpec(r.route);
      if (!key) throw new Error(`rules[${i}].route "${r.route}" is not a route of this server (write it like "POST /api/v1/widget-keys")`);
      return { ...r, key, remaining: r.times ?? 1 };
    });
  }

  list(): (FaultRule & { remaining: number })[] {
    return this.rules.map(({ key: _key, ...r }) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule for this request (consuming one use), if any. */
  take(route: string | null): FaultRule | undefined {
    if (!route) return undefined;
    const path = route.split(" ")[1];
    const i = this.rules.findIndex((r) => r.key === route || r.key === `* ${path}`);
    if (i < 0) return undefined;
    const rule = this.rules[i];
    if (rule.remaining > 0) {
      rule.remaining--;
      if (rule.remaining === 0) this.rules.splice(i, 1);
    }
    return rule;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Destroys the socket without an answer; the request log records the request as dropped. */
function dropConnection(c: Context<AppEnv>): void {
  c.set("dropped", true);
  c.env?.incoming?.socket?.destroy();
}

/** The middleware that applies the injector's rules to each request (admin routes are never faulted). */
export function faultInjection(faults: FaultInjector): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.path.startsWith("/__admin/")) return next();
    const route = routeKey(c.req.method, c.req.path);
    const rule = faults.take(route);
    if (!rule) return next();
    const status = rule.status ?? 500;
    const faultResponse = (what: string) => {
      const headers: Record<string, string> = { "content-type": "text/plain; charset=UTF-8" };
      if (status === 429) headers["retry-after"] = String(rule.retryAfter ?? 1);
      c.res = undefined;
      c.res = new Response(`fault_injected: ${what} by a fault rule for ${route}`, { status, headers });
    };
    switch (rule.mode) {
      case "status":
        faultResponse(`status ${status}`);
        return;
      case "latency":
        // The request has arrived and is slow to be handled: read its body first, so a client that
        // gives up meanwhile can't take it back (a late commit, as a slow API makes one).
        if (c.req.method !== "GET") await c.req.arrayBuffer().catch(() => undefined);
        await sleep(rule.latencyMs ?? 1000);
        return next();
      case "drop":
        dropConnection(c);
        c.res = new Response(null, { status: 500 });
        return;
      case "apply-then-fail":
        await next();
        faultResponse(`status ${status} after the request was applied`);
        return;
      case "apply-then-drop":
        await next();
        dropConnection(c);
        return;
    }
  };
}
