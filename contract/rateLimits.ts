/**
 * The API's documented per-account limits (server/README.md): requests admitted per sliding minute, hour
 * and day, and requests in flight at once. The server enforces them; the provider paces itself under them.
 */
export const DOCUMENTED_RATE_LIMITS = Object.freeze({ perMinute: 60, perHour: 1000, perDay: 10_000, concurrent: 20 });
