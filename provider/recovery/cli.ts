/**
 * `kataven-recover` (also `npm run recover` in this repository): after an interrupted `pulumi up`, list the
 * account's widget keys that no resource of the stack tracks, and delete the never-used ones when asked.
 *
 *   kataven-recover [--stack <name>]… [--cwd <program dir>] [--delete] [--disable-used] [--any-name]
 *
 * It reads each stack's state with `pulumi stack export` and its provider settings with `pulumi config`
 * (plain CLI, run in the program directory), with the provider's environment fallbacks (KATAVEN_API_URL,
 * KATAVEN_API_KEY, KATAVEN_ACCOUNT_ID). It never prints a secret: the key list holds none, and the API key
 * only goes into the Authorization header. Rules: provider/recovery/orphans.ts.
 */
import { spawnSync } from "node:child_process";
import { clientFor } from "../client";
import { configProblem, resolveConfig, type ConfigSource } from "../config";
import { redact } from "../errors";
import { type StackExport, trackingOf, untrackedKeys } from "./orphans";

export const RECOVER_COMMAND = "npx kataven-recover";

interface Options {
  stacks: string[];
  cwd: string;
  delete: boolean;
  disableUsed: boolean;
  anyName: boolean;
}

const USAGE = `usage: kataven-recover [--stack <name>]… [--cwd <program dir>] [--delete] [--disable-used] [--any-name]
  Lists the Kataven widget keys of the stack's account that no resource of the stack tracks (left by an
  interrupted "pulumi up"), with when they were created and last used.
  --delete        delete the untracked keys that were never used and carry a name the stack declares
  --disable-used  disable (revoke) the untracked keys of the stack that were used; they can't be deleted
  --any-name      also act on untracked keys whose name the stack does not declare (they may be another stack's)
  --stack         the stack (default: the selected one); repeat it for stacks that share the account
  --cwd           the Pulumi program directory (default: the current directory)`;

function parseArgs(argv: string[]): Options | string {
  const o: Options = { stacks: [], cwd: process.cwd(), delete: false, disableUsed: false, anyName: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack" || a === "-s") o.stacks.push(argv[++i] ?? "");
    else if (a.startsWith("--stack=")) o.stacks.push(a.slice("--stack=".length));
    else if (a === "--cwd" || a === "-C") o.cwd = argv[++i] ?? "";
    else if (a === "--delete") o.delete = true;
    else if (a === "--disable-used") o.disableUsed = true;
    else if (a === "--any-name") o.anyName = true;
    else if (a === "--help" || a === "-h") return USAGE;
    else return `unknown argument "${a}"\n${USAGE}`;
  }
  if (o.stacks.some((s) => s === "") || o.cwd === "") return `--stack and --cwd need a value\n${USAGE}`;
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
  const raw = JSON.parse(pulumi(["config", "--stack", stack, "--json", "--show-secrets"], cwd) || "{}") as Record<string, { value?: unknown }>;
  return { get: (k) => (raw[k]?.value === undefined ? undefined : String(raw[k].value)) };
}

const when = (t: string | null) => (t === null ? "never" : t.replace(/\.\d+Z$/, "Z"));

export async function main(argv = process.argv.slice(2), out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    out(parsed);
    return parsed === USAGE ? 0 : 2;
  }
  const o = parsed;
  if (o.stacks.length === 0) o.stacks.push(pulumi(["stack", "--show-name"], o.cwd).trim());

  const exports = o.stacks.map((s) => JSON.parse(pulumi(["stack", "export", "--stack", s], o.cwd)) as StackExport);
  const tracking = trackingOf(exports);
  const cfg = resolveConfig(stackConfig(o.stacks[0], o.cwd));
  const problem = configProblem(cfg);
  if (problem) throw new Error(problem);
  const c = clientFor(cfg as typeof cfg & { apiKey: string });
  const keys = await c.listWidgetKeys();
  const untracked = untrackedKeys(keys, tracking);

  const stacks = o.stacks.map((s) => `"${s}"`).join(", ");
  out(`stack ${stacks}: ${tracking.ids.size} widget key(s) tracked${tracking.pending ? `, ${tracking.pending} pending operation(s) left by an interrupted run` : ""}; the account (${cfg.apiUrl}) has ${keys.length}.`);
  if (untracked.length === 0) {
    out("No untracked widget keys: nothing to recover.");
    return 0;
  }
  out(`${untracked.length} widget key(s) that no resource of the stack tracks (their secrets are lost; they can only be removed):`);
  for (const k of untracked) {
    const status = k.disabledAt !== null ? `disabled ${when(k.disabledAt)}` : "live";
    const note = k.action === "delete" ? "never used: --delete removes it" : k.action === "used" ? "USED: can't be deleted; --disable-used revokes it" : "name not declared by the stack: listed only (--any-name to act on it)";
    out(`  ${JSON.stringify(k.name)}  id ${k.id} (…${k.keyLast8})  created ${when(k.createdAt)}  last used ${when(k.lastUsedAt)}  ${status}  [${note}]`);
  }

  let deleted = 0;
  let disabled = 0;
  const acts = untracked.filter((k) => k.action !== "not-ours" || o.anyName);
  if (o.delete) {
    for (const k of acts.filter((k) => k.lastUsedAt === null)) {
      const r = await c.deleteWidgetKey(k.id);
      if (r?.outcome === "disabled") out(`  ${k.id}: was used in the meantime, so the API disabled it instead of deleting it`);
      else deleted++;
    }
  }
  if (o.disableUsed) {
    for (const k of acts.filter((k) => k.lastUsedAt !== null && k.disabledAt === null)) {
      await c.updateWidgetKey(k.id, { disabled: true });
      disabled++;
    }
  }
  const used = acts.filter((k) => k.lastUsedAt !== null && k.disabledAt === null).length;
  if (o.delete || o.disableUsed) out(`Deleted ${deleted}, disabled ${disabled} widget key(s).`);
  else out(`Run again with --delete to delete the never-used ones${used ? ` (and --disable-used to revoke the ${used} used one(s))` : ""}.`);
  if (!o.delete && used > 0 && !o.disableUsed) out(`${used} untracked key(s) were used: someone holds their secret. Check before revoking them with --disable-used.`);
  return 0;
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
