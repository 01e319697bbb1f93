/**
 * `npm run allowlist-report`: a pull request's widget-key changes as Markdown, from `pulumi preview --json`.
 *
 *   npm run allowlist-report -- --stack prod [--cwd <project dir>] [-- <more preview flags>]
 *       runs `pulumi preview --json` itself (the pulumi on PATH) and prints the report
 *   npm run allowlist-report -- --file preview.json      (or --file - for stdin)
 *       reads a recorded `pulumi preview --json` output
 *   --output <file> writes the report there instead of stdout.
 *
 * Per WidgetKey: created / updated / replaced (rotation) / deleted, the allowlist as a diff (`+` added,
 * `-` removed, canonical spelling from contract/allowlist.ts), agent and enabled/disabled changes, and
 * warnings for added broad wildcards and loopback origins. Keys, origins and warnings are sorted, so the
 * same preview always gives the same text. Only name, agentId, disabled, rotation and domainAllowlist are
 * read from the preview; secret outputs, config and everything else are never printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { canonicalizeAllowlist, isBroadEntry, isLoopbackEntry } from "../contract/allowlist";
import { KATAVEN_TYPE_PREFIX, UNKNOWN, WIDGET_KEY_TYPE } from "../contract/engine";
import { redact } from "../provider/api/errors";
import { runPulumi } from "./lib/pulumiCli";
import { type Change, type PreviewJson, type StepState, parsePreviewJson } from "./lib/previewJson";
import { invocationDir } from "./lib/repo";

export { parsePreviewJson };

/** What the report needs of one side (old or new) of a key. */
interface KeyView {
  allowlist: string[] | "unknown";
  agentId: string | null | "unknown";
  disabled: boolean;
  rotation: string | null;
}

interface KeyChange {
  name: string;
  change: Change;
  old?: KeyView;
  new?: KeyView;
  replaceReasons: string[];
}

const OP_CHANGE: Record<string, Change> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  "create-replacement": "replaced",
  "delete-replaced": "replaced",
  "discard-replaced": "replaced",
  delete: "deleted",
};

const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const urnType = (urn: string) => urn.split("::")[2] ?? "";
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** A property of a state: old states read the outputs (what the server holds), new states the checked inputs. */
function prop(state: StepState | undefined, key: string, preferOutputs: boolean): unknown {
  const first = preferOutputs ? state?.outputs : state?.inputs;
  const second = preferOutputs ? state?.inputs : state?.outputs;
  return first && key in first ? first[key] : second?.[key];
}

function view(state: StepState | undefined, preferOutputs: boolean): KeyView {
  const list = prop(state, "domainAllowlist", preferOutputs);
  const agent = prop(state, "agentId", preferOutputs);
  const rotation = prop(state, "rotation", preferOutputs);
  let allowlist: KeyView["allowlist"];
  if (Array.isArray(list) && !list.includes(UNKNOWN)) {
    // Canonical spelling (what the server stores); an invalid entry is kept as written, check() rejects it.
    const entries = list.filter((e): e is string => typeof e === "string");
    const { canonical, failures } = canonicalizeAllowlist(entries);
    allowlist = [...new Set([...canonical, ...failures.map((f) => f.entry)])].sort();
  } else allowlist = list === undefined || list === null ? [] : "unknown";
  return {
    allowlist,
    agentId: agent === UNKNOWN ? "unknown" : typeof agent === "string" && agent !== "" ? agent : null,
    disabled: prop(state, "disabled", preferOutputs) === true,
    rotation: rotation === undefined || rotation === null ? null : rotation === UNKNOWN ? "unknown" : String(rotation),
  };
}

/** The widget-key changes of a preview, one per key (the steps of a replacement merged), sorted by name. */
export function keyChanges(preview: PreviewJson): KeyChange[] {
  const byUrn = new Map<string, KeyChange>();
  for (const step of preview.steps ?? []) {
    const urn = step.urn ?? "";
    const type = step.newState?.type ?? step.oldState?.type ?? urnType(urn);
    const change = OP_CHANGE[step.op ?? ""];
    if (type !== WIDGET_KEY_TYPE || !change) continue;
    const seen = byUrn.get(urn);
    const entry: KeyChange = seen ?? { name: urnName(urn), change, replaceReasons: [] };
    if (change === "replaced") entry.change = "replaced";
    if (step.oldState && !entry.old) entry.old = view(step.oldState, true);
    if (step.newState && !entry.new) entry.new = view(step.newState, false);
    for (const r of step.replaceReasons ?? []) if (!entry.replaceReasons.includes(r)) entry.replaceReasons.push(r);
    byUrn.set(urn, entry);
  }
  return [...byUrn.entries()]
    .sort(([ua, a], [ub, b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : ua < ub ? -1 : ua > ub ? 1 : 0))
    .map(([, c]) => c);
}

function diffLists(oldList: string[], newList: string[]) {
  const o = new Set(oldList);
  const n = new Set(newList);
  return {
    added: newList.filter((e) => !o.has(e)),
    removed: oldList.filter((e) => !n.has(e)),
    kept: newList.filter((e) => o.has(e)),
  };
}

function summaryCell(c: KeyChange): string {
  const oldList = c.change === "created" ? [] : (c.old?.allowlist ?? []);
  const newList = c.change === "deleted" ? [] : (c.new?.allowlist ?? []);
  if (oldList === "unknown" || newList === "unknown") return "known after apply";
  const { added, removed } = diffLists(oldList, newList);
  const parts = [added.length ? `+${added.length}` : "", removed.length ? `−${removed.length}` : ""].filter(Boolean);
  return parts.length ? parts.join(" ") : "unchanged";
}

function changeLabel(c: KeyChange): string {
  if (c.change !== "replaced") return c.change;
  const reasons = c.replaceReasons.length ? c.replaceReasons : ["rotation"];
  return `replaced (${reasons.join(", ")})`;
}

function describeKey(c: KeyChange, warnings: string[]): string[] {
  const lines = [`### ${code(c.name)}: ${changeLabel(c)}`, ""];
  const oldV = c.change === "created" ? undefined : c.old;
  const newV = c.change === "deleted" ? undefined : c.new;
  const agentText = (a: KeyView["agentId"]) => (a === null ? "none (not pinned)" : a === "unknown" ? "known after apply" : code(a));

  if (c.change === "created" && newV) {
    const pin = newV.agentId === null ? "not pinned to an agent" : `pinned to agent ${agentText(newV.agentId)}`;
    lines.push(`A new key pair, ${pin}${newV.disabled ? ", created **disabled**" : ""}.`);
  } else if (c.change === "deleted") {
    lines.push("The key is deleted (or disabled, if it was ever used): every page embedding it stops working.");
  } else if (c.change === "replaced") {
    const rot =
      oldV && newV && oldV.rotation !== newV.rotation
        ? ` (rotation ${code(oldV.rotation ?? "unset")} → ${code(newV.rotation ?? "unset")})`
        : "";
    lines.push(
      `A new key pair is minted${rot} before the old key is removed: pages need the new public key and the backend the new secret.`,
    );
  }
  if (oldV && newV) {
    const notes: string[] = [];
    if (oldV.agentId !== newV.agentId) notes.push(`Agent: ${agentText(oldV.agentId)} → ${agentText(newV.agentId)}.`);
    if (oldV.disabled !== newV.disabled)
      notes.push(newV.disabled ? "The key is **disabled**: every origin is refused." : "The key is **re-enabled**.");
    lines.push(...notes);
  }

  const oldList = oldV?.allowlist ?? [];
  const newList = newV?.allowlist ?? [];
  if (oldList === "unknown" || newList === "unknown") {
    lines.push("", "The allowlist is computed from other resources and is known only after apply.", "");
    return lines;
  }
  const { added, removed } = diffLists(oldList, newList);
  if (c.change === "updated" && added.length === 0 && removed.length === 0 && lines.length === 2) {
    lines.push("No change to the allowlist, agent or enabled state.");
  }
  for (const e of added) {
    if (isBroadEntry(e)) warnings.push(`${code(c.name)} adds the wildcard ${code(e)}, which allows ${wildcardMeaning(e)}.`);
    if (isLoopbackEntry(e))
      warnings.push(`${code(c.name)} adds the loopback origin ${code(e)}: pages served from the visitor's own machine can use this key.`);
  }
  if (newList.length === 0 && newV && !newV.disabled) {
    warnings.push(`${code(c.name)} is enabled with an empty allowlist: every page is refused.`);
  }

  const rows = [
    ...removed.map((e) => ({ e, m: "-" })),
    ...added.map((e) => ({ e, m: "+" })),
    ...diffLists(oldList, newList).kept.map((e) => ({ e, m: " " })),
  ];
  rows.sort((a, b) => (a.e < b.e ? -1 : a.e > b.e ? 1 : a.m < b.m ? -1 : 1));
  if (rows.length > 0) {
    lines.push("", "```diff", ...rows.map((r) => `${r.m} ${r.e}`), "```");
  } else {
    lines.push("", "_Empty allowlist._");
  }
  lines.push("");
  return lines;
}

function wildcardMeaning(entry: string): string {
  if (entry.startsWith("*.")) return `every subdomain of ${code(entry.slice(2).replace(/:.*$/, ""))}, at any depth`;
  return `every port of ${code(entry.replace(/:\*$/, ""))}`;
}

/** Renders the Markdown report for one `pulumi preview --json` document (object or JSON text). */
export function renderAllowlistReport(previewJson: unknown): string {
  const preview: PreviewJson = typeof previewJson === "string" ? parsePreviewJson(previewJson) : (previewJson as PreviewJson);
  const steps = preview.steps ?? [];
  const stackUrn = steps.map((s) => s.urn ?? "").find((u) => u.startsWith("urn:pulumi:"));
  const stack = stackUrn ? stackUrn.slice("urn:pulumi:".length).split("::")[0] : undefined;
  const out: string[] = [`## Kataven widget keys${stack ? `: stack ${code(stack)}` : ""}`, ""];

  const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error" && d.message);
  if (errors.length > 0) {
    out.push("**The preview failed**; the plan below may be incomplete.", "", "```");
    for (const d of errors) out.push(redact((d.message ?? "").trim()));
    out.push("```", "");
  }

  const changes = keyChanges(preview);
  const unchanged = steps.filter((s) => s.op === "same" && (s.newState?.type ?? urnType(s.urn ?? "")) === WIDGET_KEY_TYPE).length;
  if (changes.length === 0) {
    out.push(`No widget key changes${unchanged ? ` (${unchanged} unchanged)` : ""}.`);
  } else {
    out.push("| Key | Change | Allowlist |", "|---|---|---|");
    for (const c of changes) out.push(`| ${code(c.name)} | ${changeLabel(c)} | ${summaryCell(c)} |`);
    if (unchanged) out.push("", `${unchanged} other key${unchanged === 1 ? "" : "s"} unchanged.`);
    out.push("");
    const warnings: string[] = [];
    const sections = changes.flatMap((c) => describeKey(c, warnings));
    if (warnings.length > 0) {
      out.push("### Warnings", "", ...[...new Set(warnings)].sort().map((w) => `- ⚠️ ${w}`), "");
    }
    out.push(...sections);
  }

  const others = new Map<string, string[]>();
  for (const s of steps) {
    const urn = s.urn ?? "";
    const type = s.newState?.type ?? s.oldState?.type ?? urnType(urn);
    const change = OP_CHANGE[s.op ?? ""];
    if (!change || type === WIDGET_KEY_TYPE || !type.startsWith(KATAVEN_TYPE_PREFIX)) continue;
    const label = `${code(urnName(urn))} (${type.slice(KATAVEN_TYPE_PREFIX.length)}) ${change}`;
    if (![...others.values()].some((l) => l.includes(label))) others.set(urn, [...(others.get(urn) ?? []), label]);
  }
  if (others.size > 0) {
    const labels = [...others.values()].flat().sort();
    out.push("### Other Kataven settings", "", ...labels.map((l) => `- ${l}`), "");
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

interface CliOptions {
  file?: string;
  cwd?: string;
  stack?: string;
  output?: string;
  previewArgs: string[];
}

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { previewArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--") {
      opts.previewArgs = argv.slice(i + 1);
      break;
    } else if (a === "--file" || a === "-f") opts.file = value();
    else if (a === "--cwd" || a === "-C") opts.cwd = value();
    else if (a === "--stack" || a === "-s") opts.stack = value();
    else if (a === "--output" || a === "-o") opts.output = value();
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: npm run allowlist-report -- [--stack <stack>] [--cwd <dir>] [--output <file.md>] [-- <preview flags>]\n" +
          "       npm run allowlist-report -- --file <preview.json | -> [--output <file.md>]",
      );
      process.exit(0);
    } else throw new Error(`unknown option "${a}"; see --help`);
  }
  return opts;
}

/** Runs `pulumi preview --json`; resolves to its stdout and exit code (its errors go to stderr as they come). */
async function runPreview(opts: CliOptions): Promise<{ stdout: string; code: number }> {
  const args = ["preview", "--json", "--non-interactive"];
  if (opts.cwd) args.push("--cwd", path.resolve(invocationDir(), opts.cwd));
  if (opts.stack) args.push("--stack", opts.stack);
  args.push(...opts.previewArgs);
  const r = await runPulumi(args, { cwd: invocationDir() });
  process.stderr.write(r.stderr);
  return { stdout: r.stdout, code: r.code };
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  let text: string;
  let code = 0;
  if (opts.file) {
    text = opts.file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(path.resolve(invocationDir(), opts.file), "utf8");
  } else {
    const r = await runPreview(opts);
    text = r.stdout;
    code = r.code;
    if (code !== 0 && !text.trim()) throw new Error(`pulumi preview failed with exit code ${code}; its errors are above`);
  }
  const report = renderAllowlistReport(parsePreviewJson(text));
  if (opts.output) fs.writeFileSync(path.resolve(invocationDir(), opts.output), report);
  else process.stdout.write(report);
  return code === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (c) => process.exit(c),
    (err) => {
      console.error(`allowlist-report: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
