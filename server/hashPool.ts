/**
 * bcrypt off the event loop: a small pool of worker threads sized to the cores, one fewer
 * than os.availableParallelism() (at least one) so a core stays free for the event loop, each running
 * bcryptjs synchronously on one task at a time. The main thread keeps answering /widget/config and the
 * other cheap routes while keys are minted or secrets verified (bench/server.ts measures it).
 * Workers start lazily, keep the process alive only while they run a task, and are replaced if one dies.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

type Task = { op: "hash"; data: string; cost: number } | { op: "compare"; data: string; hash: string };
interface Pending {
  task: Task;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

// Plain CommonJS evaluated in the worker: the same code runs from dist/ and under ts-jest. bcryptjs is
// resolved by the main thread and handed over, so the worker needs no module resolution of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", (t) => {
  try {
    const value = t.op === "hash" ? bcrypt.hashSync(t.data, t.cost) : bcrypt.compareSync(t.data, t.hash);
    parentPort.postMessage({ ok: true, value });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: err && err.message ? err.message : String(err) });
  }
});
`;

class Slot {
  private worker: Worker | null = null;
  current: Pending | null = null;

  constructor(private readonly onIdle: (slot: Slot) => void) {}

  run(p: Pending): void {
    this.current = p;
    const w = this.ensure();
    w.ref(); // a task in flight keeps the process alive; an idle worker does not
    w.postMessage(p.task);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: require.resolve("bcryptjs") } });
    w.on("message", (m: { ok: boolean; value?: unknown; message?: string }) => {
      const p = this.current;
      this.current = null;
      w.unref();
      if (p && m.ok) p.resolve(m.value);
      else if (p) p.reject(new Error(`bcrypt failed: ${m.message}`));
      this.onIdle(this);
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      const p = this.current;
      this.current = null;
      if (!p) return; // an idle worker died: the slot is already idle and respawns on its next task
      p.reject(new Error(`bcrypt worker ${why}`));
      this.onIdle(this);
    };
    w.on("error", (err) => lost(`failed: ${err.message}`));
    w.on("exit", (code) => lost(`exited with code ${code}`));
    // after the listeners: adding a "message" listener refs the worker's port again
    w.unref();
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export class HashPool {
  private readonly slots: Slot[];
  private readonly idle: Slot[];
  private readonly queue: Pending[] = [];

  constructor(size = Math.max(1, availableParallelism() - 1)) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => new Slot((s) => this.release(s)));
    this.idle = [...this.slots];
  }

  get size(): number {
    return this.slots.length;
  }

  hash(data: string, cost: number): Promise<string> {
    return this.submit({ op: "hash", data, cost }) as Promise<string>;
  }

  compare(data: string, hash: string): Promise<boolean> {
    return this.submit({ op: "compare", data, hash }) as Promise<boolean>;
  }

  private submit(task: Task): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const p = { task, resolve, reject };
      const slot = this.idle.pop();
      if (slot) slot.run(p);
      else this.queue.push(p);
    });
  }

  private release(slot: Slot): void {
    const next = this.queue.shift();
    if (next) slot.run(next);
    else this.idle.push(slot);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}

let shared: HashPool | null = null;

/** The process-wide pool (apps share it: there are only so many cores). */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
