/**
 * Slow and idle clients are bounded (server/listen.ts): a request whose headers do not arrive in time, or
 * whose body trickles in, is answered 408 and its connection closed; an idle keep-alive connection is
 * closed; connections past the cap are closed as they arrive. Short limits here, the same code as the
 * defaults (10 s for headers, 30 s for a request, 5 s keep-alive, 512 connections).
 */
import { connect, type Socket } from "node:net";
import { startServer, type TestServer } from "../support/server";

let srv: TestServer;
let port = 0;
beforeAll(async () => {
  srv = await startServer({
    connectionLimits: { headersTimeoutMs: 800, requestTimeoutMs: 1500, keepAliveTimeoutMs: 800, maxConnections: 20 },
  });
  port = Number(new URL(srv.url).port);
});
afterAll(() => srv.close());

interface Conn {
  socket: Socket;
  /** everything the server sent */
  received(): string;
  /** resolves with the ms from connect until the server closed the connection */
  closed: Promise<number>;
}

function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let data = "";
    const socket = connect({ host: "127.0.0.1", port }, () => resolve({ socket, received: () => data, closed }));
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - t0)));
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (data += d));
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

const HEAD = `POST /api/v1/widget/auth/guest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nOrigin: https://acme.com\r\n`;
const within = (p: Promise<number>, ms: number) => Promise.race([p, new Promise<number>((r) => setTimeout(() => r(Infinity), ms))]);

test("a body trickled one byte at a time is cut off with 408 at the request timeout", async () => {
  const c = await open();
  c.socket.write(`${HEAD}Content-Length: 200\r\n\r\n`);
  const trickle = setInterval(() => c.socket.writable && c.socket.write("x"), 200);
  try {
    const ms = await within(c.closed, 5000);
    expect(ms).toBeLessThan(3500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  } finally {
    clearInterval(trickle);
    c.socket.destroy();
  }
});

test("15 requests left half-sent (headers never finished) are all closed at the headers timeout", async () => {
  const conns = await Promise.all(Array.from({ length: 15 }, () => open()));
  for (const c of conns) c.socket.write(HEAD);
  const times = await Promise.all(conns.map((c) => within(c.closed, 5000)));
  expect(Math.max(...times)).toBeLessThan(3000);
  for (const c of conns) expect(c.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
});

test("an idle keep-alive connection is closed after the keep-alive timeout", async () => {
  const c = await open();
  c.socket.write("GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const ms = await within(c.closed, 5000);
  expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
  expect(ms).toBeLessThan(3000);
});

test("connections past the cap are closed as they arrive; the server serves again once they go", async () => {
  const held = await Promise.all(Array.from({ length: 20 }, () => open()));
  const extra = await open();
  expect(await within(extra.closed, 1000)).toBeLessThan(1000);
  for (const c of held) c.socket.destroy();
  await new Promise((r) => setTimeout(r, 100));
  expect((await fetch(`${srv.url}/openapi.json`)).status).toBe(200);
});
