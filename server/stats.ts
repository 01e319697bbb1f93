/**
 * Request counters per canonical route and status, read by tests through `GET /__admin/stats` (or the
 * test helper's requestCount) to assert how many calls the provider made. Admin routes are not counted.
 */
export interface RouteStats {
  count: number;
  statuses: Record<string, number>;
}

export interface StatsSnapshot {
  total: number;
  routes: Record<string, RouteStats>;
}

export class RequestStats {
  private routes = new Map<string, RouteStats>();
  private total = 0;

  record(route: string, status: number | "dropped" | "client_abort"): void {
    this.total++;
    let r = this.routes.get(route);
    if (!r) {
      r = { count: 0, statuses: {} };
      this.routes.set(route, r);
    }
    r.count++;
    const k = String(status);
    r.statuses[k] = (r.statuses[k] ?? 0) + 1;
  }

  snapshot(): StatsSnapshot {
    const routes: Record<string, RouteStats> = {};
    for (const [k, v] of [...this.routes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      routes[k] = { count: v.count, statuses: { ...v.statuses } };
    }
    return { total: this.total, routes };
  }

  reset(): void {
    this.routes.clear();
    this.total = 0;
  }
}

/**
 * Sums a snapshot's counts. filter: undefined = all; a string = exact route key ("POST /api/v1/widget-keys")
 * or, without a method, every method on that path ("/api/v1/widget-keys"); a RegExp tested on route keys.
 */
export function countRequests(snapshot: StatsSnapshot, filter?: string | RegExp): number {
  let n = 0;
  for (const [key, r] of Object.entries(snapshot.routes)) {
    if (filter === undefined) n += r.count;
    else if (filter instanceof RegExp ? filter.test(key) : key === filter || key.split(" ")[1] === filter) n += r.count;
  }
  return n;
}
