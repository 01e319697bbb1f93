/**
 * The raw-API baseline: what the same work costs with no Pulumi at all — the HTTP requests a WidgetKey
 * operation makes, sent straight to the server with undici at the provider's in-flight cap. Subtracting it
 * and the engine floor from the WidgetKey time leaves the provider's own overhead.
 *
 *   up       N × POST /api/v1/widget-keys (the same bodies the bench program declares)
 *   preview  nothing (a no-change preview makes no request)
 *   refresh  1 × GET /api/v1/widget-keys (one list serves every key)
 *   destroy  N × DELETE /api/v1/widget-keys/{id} (the keys the raw `up` made)
 */
import { Agent, request } from "undici";
// The provider's cap on requests in flight per account, so both sides run alike.
import { MAX_IN_FLIGHT_PER_ACCOUNT as CONCURRENCY } from "../provider/api/transport";

export type RawOp = "up" | "preview (no change)" | "refresh" | "destroy";

export class RawApi {
  private readonly dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  private ids: string[] = [];

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** Runs `op` for `n` keys; resolves to the seconds it took. */
  async time(op: RawOp, n: number): Promise<number> {
    const start = process.hrtime.bigint();
    if (op === "up") this.ids = await this.pool(n, (i) => this.create(i));
    else if (op === "refresh") await this.call("GET", "/api/v1/widget-keys");
    else if (op === "destroy") await this.pool(this.ids.length, (i) => this.call("DELETE", `/api/v1/widget-keys/${this.ids[i]}`));
    return Number(process.hrtime.bigint() - start) / 1e9;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async create(i: number): Promise<string> {
    const body = { name: `raw key ${i}`, domain_allowlist: [`https://site-${i}.example.com`, "*.bench.example.com"] };
    return ((await this.call("POST", "/api/v1/widget-keys", body)) as { id: string }).id;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await request(`${this.url}${path}`, {
      method: method as "GET",
      dispatcher: this.dispatcher,
      headers: { authorization: `Bearer ${this.apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`raw ${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Runs `task(0..n-1)` with at most CONCURRENCY in flight; resolves to the results in order. */
  private async pool<T>(n: number, task: (i: number) => Promise<T>): Promise<T[]> {
    const out = new Array<T>(n);
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
    return out;
  }
}
