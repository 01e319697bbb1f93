/**
 * `kataven-recover` (also `npm run recover` in this repository): after an interrupted `pulumi up`, list the
 * account's widget keys that no resource of the stack tracks, and remove the ones provably the stack's.
 *
 *   kataven-recover [--stack <name>]… [--cwd <dir>] [--name <n> --created-after <t> --created-before <t>]
 *                   [--key <id>]… [--delete] [--disable-used]
 *
 * It reads each stack's state with `pulumi stack export`, its completed updates with `pulumi stack history`
 * and its provider settings with `pulumi config` (plain CLI, run in the program directory), with the
 * provider's environment fallbacks (KATAVEN_API_URL, KATAVEN_API_KEY, KATAVEN_ACCOUNT_ID). It never prints
 * a secret: the key list holds none, and the API key only goes into the Authorization header. Which keys
 * are the stack's: ./orphans.ts.
 */
import { spawnSync } from "node:child_process";
import type { KatavenClient } from "../api/client";
import { clientFor } from "../api/session";
import { configProblem, resolveConfig, type ConfigSource } from "../config";
import { redact } from "../api/errors";
import {
  type Evidence,
  type HistoryEntry,
  interruptedRunEvidence,
  type ListedKey,
  type StackExport,
  type Tracking,
  trackingOf,
  type Untracked,
  untrackedKeys,
  type WindowProblem,
} from "./orphans";

/** Clock skew tolerated between this machine and the API. */
const SKEW_MS = 5_000;

interface Options {
  stacks: string[];
  cwd: string;
  delete: boolean;
  disableUsed: boolean;
  keys: string[];
  name?: string;
  after?: number;
  before?: number;
}

const USAGE = `usage: kataven-recover [--stack <name>]… [--cwd <program dir>] [--delete] [--disable-used]
                       [--name <key name> --created-after <ISO time> --created-before <ISO time>] [--key <id>]…
  Lists the Kataven widget keys of the stack's account that no resource of the stack tracks, with when they
  were created and last used, and which of them are provably the stack's: created by the run the stack's
  state shows was interrupted (a pending create of that name, inside that run's time window), inside the
  window given with --name/--created-after/--created-before (a create's warning prints it), or named with
  --key. Other keys (another stack's, a person's) are only listed.
  --delete          delete the stack's untracked keys that were never used
  --disable-used    disable (revoke) the stack's untracked keys that were used; they can't be deleted
  --key <id>        treat this untracked key as the stack's (repeatable): you checked it is
  --stack           the stack (default: the selected one); repeat it for stacks that share the account
  --cwd             the Pulumi program directory (default: the current directory)`;

function parseTime(flag: string, v: string | undefined): number | string {
  const t = Date.parse(v ?? "");
  return Number.isNaN(t) ? `${flag} needs an ISO 8601 time such as 2026-12-06T10:00:00Z, got ${JSON.stringify(v ?? "")}` : t;
}

function parseArgs(argv: string[]): Options | string {
  const o: Options = { stacks: [], cwd: process.cwd(), delete: false, disableUsed: false, keys: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--stack" || flag === "-s") o.stacks.push(value());
    else if (flag === "--cwd" || flag === "-C") o.cwd = value();
    else if (flag === "--delete") o.delete = true;
    else if (flag === "--disable-used") o.disableUsed = true;
    else if (flag === "--key") o.keys.push(value());
    else if (flag === "--name") o.name = value().trim();
    else if (flag === "--created-after" || flag === "--created-before") {
      const t = parseTime(flag, value());
      if (typeof t === "string") return `${t}\n${USAGE}`;
      if (flag === "--created-after") o.after = t;
      else o.before = t;
    } else if (flag === "--any-name")
      return `--any-name is gone: a name does not make a key the stack's. Check the keys listed without it, then name them with --key <id>\n${USAGE}`;
    else if (flag === "--help" || flag === "-h") return USAGE;
    else return `unknown argument "${a}"\n${USAGE}`;
  }
  if (o.stacks.some((s) => s === "") || o.cwd === "" || o.keys.some((k) => k === ""))
    return `--stack, --cwd and --key need a value\n${USAGE}`;
  const windowFlags = [o.name, o.after, o.before].filter((v) => v !== undefined).length;
  if (windowFlags !== 0 && (windowFlags !== 3 || o.name === ""))
    return `--name, --created-after and --created-before go together (a create's warning prints all three)\n${USAGE}`;
  return o;
}

function pulumi(args: string[], cwd: string): string {
  const r = spawnSync("pulumi", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`could not run "pulumi ${args.join(" ")}": ${r.error.message}; is the Pulumi CLI on PATH?`);
  if (r.status !== 0) throw new Error(`"pulumi ${args.join(" ")}" failed (exit ${r.status}): ${redact((r.stderr || r.stdout).trim())}`);
  return r.stdout;
}

function stackConfig(stack: string, cwd: string): ConfigSource {
  // --show-secrets: the API key is needed to call the API; it stays in this process and is never printed.
  const raw = JSON.parse(pulumi(["config", "--stack", stack, "--json", "--show-secrets"], cwd) || "{}") as Record<
    string,
    { value?: unknown }
  >;
  return { get: (k) => (raw[k]?.value === undefined ? undefined : String(raw[k].value)) };
}

const when = (t: string | null) => (t === null ? "never" : t.replace(/\.\d+Z$/, "Z"));

const WINDOW_PROBLEMS: Record<WindowProblem, string | undefined> = {
  "no-pending-creates": undefined,
  "no-start": "the state holds pending creates, but when their run started can't be told",
  "completed-since":
    "the state holds pending creates, but an update completed after the run that left them, so that run's window is unknown",
};

export async function main(
  argv = process.argv.slice(2),
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    out(parsed);
    return parsed === USAGE ? 0 : 2;
  }
  const o = parsed;
  if (o.stacks.length === 0) o.stacks.push(pulumi(["stack", "--show-name"], o.cwd).trim());

  const cfg = resolveConfig(stackConfig(o.stacks[0], o.cwd));
  const problem = configProblem(cfg);
  if (problem) throw new Error(problem);
  const { tracking, evidence, notes } = readStacks(o, (cfg.timeoutMs ?? 15_000) + SKEW_MS);

  const c = clientFor(cfg as typeof cfg & { apiKey: string });
  const keys = await c.listWidgetKeys();
  reportNamedKeys(o.keys, tracking, keys, out);
  const untracked = untrackedKeys(keys, tracking, evidence, new Set(o.keys));

  const stacks = o.stacks.map((s) => `"${s}"`).join(", ");
  out(
    `stack ${stacks}: ${tracking.ids.size} widget key(s) tracked${tracking.pending ? `, ${tracking.pending} pending operation(s) left by an interrupted run` : ""}; the account (${cfg.apiUrl}) has ${keys.length}.`,
  );
  for (const n of notes) out(n);
  if (untracked.length === 0) {
    out("No untracked widget keys: nothing to recover.");
    return 0;
  }
  const ours = untracked.filter((k) => k.action !== "list-only");
  listUntracked(untracked, ours.length, out);
  await act(o, c, ours, out);
  advise(o, ours, untracked.length - ours.length, out);
  return 0;
}

/** Each stack's tracked keys and the evidence its state holds of an interrupted run, plus the window given. */
function readStacks(o: Options, slackMs: number): { tracking: Tracking; evidence: Evidence[]; notes: string[] } {
  const exports: StackExport[] = [];
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  for (const stack of o.stacks) {
    const exp = JSON.parse(pulumi(["stack", "export", "--stack", stack], o.cwd)) as StackExport;
    const history = JSON.parse(pulumi(["stack", "history", "--stack", stack, "--json"], o.cwd) || "[]") as HistoryEntry[];
    exports.push(exp);
    const run = interruptedRunEvidence(exp, history, slackMs, SKEW_MS);
    evidence.push(...run.evidence);
    const why = run.problem && WINDOW_PROBLEMS[run.problem];
    if (why) notes.push(`stack "${stack}": ${why}; nothing is acted on without --key.`);
  }
  if (o.name !== undefined) evidence.push({ name: o.name, from: o.after! - SKEW_MS, to: o.before! + SKEW_MS, source: "the window given" });
  return { tracking: trackingOf(exports), evidence, notes };
}

/** Says which --key ids will be left alone: tracked by the stack, or not the account's. */
function reportNamedKeys(ids: string[], tracking: Tracking, keys: ListedKey[], out: (line: string) => void): void {
  for (const id of ids) {
    if (tracking.ids.has(id)) out(`--key ${id}: a resource of the stack tracks it; it is left alone.`);
    else if (!keys.some((k) => k.id === id)) out(`--key ${id}: no widget key of the account has this id.`);
  }
}

function listUntracked(untracked: Untracked[], ours: number, out: (line: string) => void): void {
  out(`${untracked.length} widget key(s) that no resource of the stack tracks; ${ours} of them provably the stack's:`);
  for (const k of untracked) {
    const status = k.disabledAt !== null ? `disabled ${when(k.disabledAt)}` : "live";
    const why = k.named ? "named with --key" : k.evidence ? `created inside ${k.evidence.source}` : "";
    const note =
      k.action === "delete"
        ? `never used, ${why}: --delete removes it`
        : k.action === "used"
          ? `USED (someone holds its secret), ${why}: can't be deleted; --disable-used revokes it`
          : `no evidence it is the stack's (another stack's or a person's?): listed only; --key ${k.id} if you checked it is`;
    out(
      `  ${JSON.stringify(k.name)}  id ${k.id} (…${k.keyLast8})  created ${when(k.createdAt)}  last used ${when(k.lastUsedAt)}  ${status}  [${note}]`,
    );
  }
}

/** --delete and --disable-used on the stack's untracked keys, then what was done. */
async function act(o: Options, c: KatavenClient, ours: Untracked[], out: (line: string) => void): Promise<void> {
  if (!o.delete && !o.disableUsed) return;
  const removed = o.delete ? await deleteNeverUsed(c, ours, out) : { deleted: 0, disabledInstead: 0 };
  const disabled = o.disableUsed ? await disableUsed(c, ours) : 0;
  out(`Deleted ${removed.deleted}, disabled ${disabled + removed.disabledInstead} widget key(s).`);
}

/** Deletes the never-used keys; one used in the meantime the API disables instead. */
async function deleteNeverUsed(c: KatavenClient, ours: Untracked[], out: (line: string) => void) {
  let deleted = 0;
  let disabledInstead = 0;
  for (const k of ours.filter((k) => k.lastUsedAt === null)) {
    const r = await c.deleteWidgetKey(k.id);
    if (r?.outcome === "disabled") {
      disabledInstead++;
      out(`  ${k.id}: was used in the meantime, so the API disabled it instead of deleting it`);
    } else deleted++;
  }
  return { deleted, disabledInstead };
}

/** Disables (revokes) the used keys that are still live; how many. */
async function disableUsed(c: KatavenClient, ours: Untracked[]): Promise<number> {
  let disabled = 0;
  for (const k of ours.filter((k) => k.lastUsedAt !== null && k.disabledAt === null)) {
    await c.updateWidgetKey(k.id, { disabled: true });
    disabled++;
  }
  return disabled;
}

/** What to run next, and why keys were left alone. */
function advise(o: Options, ours: Untracked[], listOnly: number, out: (line: string) => void): void {
  const used = ours.filter((k) => k.lastUsedAt !== null && k.disabledAt === null).length;
  if (!o.delete && !o.disableUsed && ours.length > 0)
    out(`Run again with --delete to delete the never-used ones${used ? ` (and --disable-used to revoke the ${used} used one(s))` : ""}.`);
  if (!o.disableUsed && used > 0)
    out(`${used} of the stack's untracked key(s) were used: someone holds their secret. Check before revoking them with --disable-used.`);
  if (listOnly > 0)
    out(
      `${listOnly} key(s) listed only: nothing shows they are the stack's. Pass every stack that shares the account with --stack, or name a key you checked with --key <id>.`,
    );
}

/** Runs main() as the `kataven-recover` command: exits with its code, or 1 with the (redacted) message. */
export function run(argv?: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`kataven-recover: ${redact(err instanceof Error ? err.message : String(err))}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) run();
