/**
 * The one HTTP helper of the tests that talk to the local server directly (not through the provider):
 * real HTTP, text body kept, JSON parsed when it is JSON. test/security/support.ts `send` is the raw-socket
 * counterpart for requests fetch would refuse to make.
 */
export interface Reply {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; apiKey?: string; origin?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (opts.origin) headers.origin = opts.origin;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = undefined;
  if ((res.headers.get("content-type") ?? "").includes("application/json")) json = JSON.parse(text);
  return { status: res.status, text, json, headers: res.headers };
}
