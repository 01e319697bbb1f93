/** State size per key of a stack on the file backend, for bench (run.ts) and bench:scale (scale.ts). */
import * as fs from "node:fs";
import type { PulumiSession } from "../test/e2e/support/pulumi";

/**
 * State bytes per key: `file`, the checkpoint file as the file backend writes it (indented JSON) divided by
 * n; `compact`, the mean size of its WidgetKey entries alone as compact JSON (what the state holds, without
 * the backend's indentation). Both 0 before the stack has a checkpoint.
 */
export function stateBytesPerKey(s: PulumiSession, n: number): { file: number; compact: number } {
  const file = s.checkpointFile();
  if (!file) return { file: 0, compact: 0 };
  const text = fs.readFileSync(file, "utf8");
  const resources: Array<{ type: string }> = JSON.parse(text).checkpoint?.latest?.resources ?? [];
  const keys = resources.filter((r) => r.type.endsWith(":WidgetKey"));
  const compact = keys.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
  return { file: Math.round(Buffer.byteLength(text) / n), compact: Math.round(compact / Math.max(1, keys.length)) };
}
