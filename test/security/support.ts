/**
 * Helpers for the security suite: a table row is one request and the status and message it must get.
 * Requests go over real HTTP (node:http, so a test can send repeated headers, a declared Content-Length
 * that the body never reaches, or abort mid-body) to a server from test/support/server.ts.
 */
import { request } from "node:http";

export interface RawReply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  method: string;
  path: string;
  /** header pairs; a name may repeat (sent as separate header lines) */
  headers?: [string, string][];
  /** the body as sent (a string), or a JSON value */
  body?: string | object;
  /** Content-Length to declare instead of the real one; the body is written and the request left open */
  declaredLength?: number;
  /** send the body with Transfer-Encoding: chunked (no Content-Length), in 64 KB chunks */
  chunked?: boolean;
  /** the client's own address, e.g. "127.0.0.2" (any 127.x address is this machine on Linux) */
  localAddress?: string;
}

/** Sends one request and resolves with the reply (the request may still be open when it arrives). */
export function send(base: string, r: RawRequest): Promise<RawReply> {
  const u = new URL(base);
  const body = r.body === undefined ? undefined : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
  const flat: string[] = (r.headers ?? []).some(([k]) => k.toLowerCase() === "host") ? [] : ["host", u.host];
  for (const [k, v] of r.headers ?? []) flat.push(k, v);
  if (body !== undefined && !(r.headers ?? []).some(([k]) => k.toLowerCase() === "content-type"))
    flat.push("content-type", "application/json");
  if (r.chunked) flat.push("transfer-encoding", "chunked");
  else if (body !== undefined || r.declaredLength !== undefined)
    flat.push("content-length", String(r.declaredLength ?? Buffer.byteLength(body ?? "")));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: r.method,
        path: r.path,
        localAddress: r.localAddress,
        headers: flat as unknown as Record<string, string>,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, text, headers: res.headers });
          req.destroy();
        });
      },
    );
    req.on("error", reject);
    if (body !== undefined && r.chunked) for (let i = 0; i < body.length; i += 65_536) req.write(body.slice(i, i + 65_536));
    else if (body !== undefined) req.write(body);
    if (r.declaredLength === undefined) req.end();
  });
}

/** Asserts status and message together, so a failure shows both. */
export function expectReply(reply: RawReply, status: number, message: string | RegExp): void {
  const got = { status: reply.status, text: reply.text };
  if (typeof message === "string") expect(got).toEqual({ status, text: message });
  else {
    expect(got.status).toBe(status);
    expect(got.text).toMatch(message);
  }
}

/** A case of a table: what is sent and what must come back. */
export type Case = [name: string, request: RawRequest, status: number, message: string | RegExp];

export const json = (method: string, path: string, body: unknown, headers: [string, string][] = []): RawRequest => ({
  method,
  path,
  body: body as object,
  headers,
});

export const bearer = (key: string): [string, string] => ["authorization", `Bearer ${key}`];

/** Text that must never appear in an answer or a log line. */
export function expectNoSecrets(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text).not.toContain(s);
  expect(text).not.toMatch(/sk_live_[A-Za-z0-9_-]{8,}/);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
}
