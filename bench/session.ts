/** What both benches do with a Pulumi session: time a command, and tell the provider the rate limits. */
import type { RunResult } from "../scripts/lib/processes";
import type { PulumiSession } from "../test/e2e/support/pulumi";
import type { PacingLimits } from "../provider/api/pacing";

/** Runs `pulumi <args>` in the session; the seconds it took, and its result (a failure throws unless allowed). */
export async function timed(
  s: PulumiSession,
  args: string[],
  opts: { allowFailure?: boolean } = {},
): Promise<{ seconds: number; result: RunResult }> {
  const start = process.hrtime.bigint();
  const result = await s.run(args, opts);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/** kataven:requestsPerMinute/Hour/Day for the session's stack (0 turns a window off). */
export async function setPacing(s: PulumiSession, limits: PacingLimits): Promise<void> {
  await s.config("kataven:requestsPerMinute", String(limits.perMinute));
  await s.config("kataven:requestsPerHour", String(limits.perHour));
  await s.config("kataven:requestsPerDay", String(limits.perDay));
}
