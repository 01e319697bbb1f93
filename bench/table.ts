/** Prints rows as a Markdown table with aligned columns (the benches' output, pasted into docs/benchmarks.md). */
export function printTable(header: string[], rows: string[][]): void {
  const table = [header, header.map((h) => "-".repeat(h.length)), ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((l) => l[i].length)));
  for (const l of table) console.log(`| ${l.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`);
}
