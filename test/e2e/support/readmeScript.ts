/**
 * A README's shell blocks as the script test/e2e/docs.test.ts runs: the blocks joined, with the rewrites its
 * header comment documents (`[not in CI: …]` lines not run, fixed ports made free ones, `# paste …` lines
 * fed the key bootstrap printed), after a prelude that logs and defines the paste helper.
 */

const NOT_IN_CI = /#\s*\[not in CI:\s*([^\]]*)\]/;

/** The ```sh and ```bash blocks of a README, in order. */
export function shellBlocks(readme: string): string[] {
  return [...readme.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/**
 * The script the runner executes for one README: its blocks joined, with the three documented rewrites.
 * `ports` maps each fixed port the README names to the port used instead.
 */
export function scriptOf(blocks: string[], ports: Map<number, number>): { script: string; skipped: string[] } {
  const skipped: string[] = [];
  const lines = blocks
    .join("\n")
    .split("\n")
    .map((line) => {
      const marker = NOT_IN_CI.exec(line);
      if (marker) {
        if (!marker[1].trim()) throw new Error(`a "[not in CI: …]" marker without a reason: ${line}`);
        skipped.push(line.trim());
        return ": # not run by the doc test";
      }
      let out = line.replace(/(127\.0\.0\.1:|PORT=|--port )(\d{4,5})\b/g, (all, prefix: string, port: string) => {
        const to = ports.get(Number(port));
        if (to === undefined) throw new Error(`the doc test has no free port for ${port} (line: ${line})`);
        return `${prefix}${to}`;
      });
      const paste = /^(.*?)(\s+#\s*paste\b(.*))$/.exec(out);
      if (paste) out = `${paste[1]} < <(doc_paste ${JSON.stringify(paste[3].trim())})${paste[2]}`;
      return out;
    });
  return { script: lines.join("\n"), skipped };
}

/** The fixed ports a README's blocks name. */
export function portsNamed(blocks: string[]): number[] {
  return [...new Set([...blocks.join("\n").matchAll(/(?:127\.0\.0\.1:|PORT=|--port )(\d{4,5})\b/g)].map((m) => Number(m[1])))];
}

// Prepended to every README's script: output to the shared log (the paste helper reads bootstrap's answers
// from it), the failing command named, and the paste helper.
export const PRELUDE = String.raw`
exec >>"$DOC_LOG" 2>&1
set -e -o pipefail
trap 'echo "doc-test: failed: $BASH_COMMAND" >&2' ERR
doc_paste() {
  node -e '
    const [log, hint] = process.argv.slice(1);
    const boots = [...require("fs").readFileSync(log, "utf8").matchAll(/\{"account_id":"([^"]+)","api_key":"(sk_live_[^"]+)"/g)];
    const named = boots.filter((b) => new RegExp("(^|[^\\w-])" + b[1] + "($|[^\\w-])").test(hint));
    const pick = (named.length ? named : boots).pop();
    if (!pick) { console.error("doc-test: nothing to paste for: " + hint); process.exit(1); }
    process.stdout.write(pick[2] + "\n");
  ' "$DOC_LOG" "$1"
}
`;
