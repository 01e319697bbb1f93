/**
 * /__admin/stats (with `admin`) and /__admin/faults (with `faults`): registered only when enabled, answered
 * only to loopback peers (anyone else gets the 404 of a route that does not exist).
 */
import { Hono, type Context } from "hono";
import { issuePath } from "../../contract/wire";
import type { AppEnv } from "../context";
import { HttpError, readJson } from "../errors";
import { type FaultInjector, type FaultRule, FaultRulesSchema } from "../faults";
import { isLoopbackPeer } from "../loopback";
import type { RequestStats } from "../stats";

const adminOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  if (!isLoopbackPeer(c)) return c.text("not_found: no route", 404);
  await next();
};

/** The admin routes, to mount at /__admin; null (no route) or the injector for the faults routes. */
export function adminRoutes(stats: RequestStats | null, faults: FaultInjector | null): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  if (stats) statsRoutes(admin, stats);
  if (faults) faultRoutes(admin, faults);
  return admin;
}

function statsRoutes(admin: Hono<AppEnv>, stats: RequestStats): void {
  admin.use("/stats", adminOnly);
  admin.use("/stats/*", adminOnly);
  admin.get("/stats", (c) => c.json(stats.snapshot()));
  admin.post("/stats/reset", (c) => {
    stats.reset();
    return c.json(stats.snapshot());
  });
}

function faultRoutes(admin: Hono<AppEnv>, faults: FaultInjector): void {
  admin.use("/faults", adminOnly);
  admin.get("/faults", (c) => c.json(faults.list()));
  admin.put("/faults", async (c) => {
    const body = await readJson(c);
    const parsed = FaultRulesSchema.safeParse(Array.isArray(body) ? body : (body as { rules?: unknown }).rules);
    if (!parsed.success)
      throw new HttpError(
        400,
        "invalid_fault_rules",
        parsed.error.issues.map((i) => `${issuePath(["rules", ...i.path])}: ${i.message}`).join("; "),
      );
    try {
      faults.set(parsed.data as FaultRule[]);
    } catch (err) {
      throw new HttpError(400, "invalid_fault_rules", (err as Error).message);
    }
    return c.json(faults.list());
  });
  admin.delete("/faults", (c) => {
    faults.clear();
    return c.json([]);
  });
}
