/**
 * Two-phase rotation, the pure part (used by resources/rotatingWidgetKey.ts in the program process):
 * validating the list of key generations and deciding, for the age trigger, whether the next `up` starts
 * phase 1 by itself. A generation is a label; each has its own WidgetKey child and its own Kataven key,
 * named "<name> (<label>)" so the age trigger can find it in the account's key list.
 */

/** Labels name child resources and Kataven keys: letters, digits, ".", "_" and "-", at most 63. */
export const GENERATION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const AUTO_PREFIX = "auto-";
const DAY_MS = 86_400_000;

/** The Kataven display name of one generation's key. */
export function generationKeyName(name: string, label: string): string {
  return `${name} (${label})`;
}

/**
 * The generations as labels, newest first: `[current, ...previous]`. Throws naming the field, the problem
 * and what to write instead.
 */
export function validateGenerations(resource: string, generations: unknown): string[] {
  const where = `RotatingWidgetKey "${resource}"`;
  if (!Array.isArray(generations) || generations.length === 0) {
    throw new Error(
      `${where}: generations must be a non-empty list, newest first, such as ["2026-11"] (phase 1 puts a new label in front, phase 2 removes the old one)`,
    );
  }
  if (generations.length > 5) {
    throw new Error(
      `${where}: generations holds ${generations.length} labels; keep at most 5 (the current one and the keys still being rolled out)`,
    );
  }
  const labels = generations.map((g, i) => {
    const label = typeof g === "number" && Number.isFinite(g) ? String(g) : g;
    if (typeof label !== "string" || !GENERATION_RE.test(label)) {
      throw new Error(
        `${where}: generations[${i}] ${JSON.stringify(g)} must be a label of letters, digits, ".", "_" or "-" (at most 63), such as "2026-11" or 3`,
      );
    }
    return label;
  });
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined) throw new Error(`${where}: generations lists "${dup}" twice; each label names one key`);
  return labels;
}

/** A listed key as the rotation plan reads it (by generation name). */
export interface GenerationKey {
  name: string;
  createdAt: string;
  disabled: boolean;
}

export interface GenerationPlan {
  /** The generation whose secret is `secretKey`. */
  current: string;
  /** Generations kept enabled, newest first (the first is `previousSecretKey`). */
  previous: string[];
  /** Set when the age trigger started phase 1: the label of the key it minted (or minted earlier). */
  auto?: string;
  /** What to tell the user when the age trigger applies. */
  warning?: string;
}

/**
 * The age trigger (like Terraform's `time_rotating`): when `maxAgeDays` is set and the current
 * generation's key is older, the plan puts an automatic generation in front, keeping the configured
 * ones. An automatic generation minted by an earlier `up` (an enabled key named "<name> (auto-…)" created
 * after the current one, not yet in the list) is reused, so repeated `up`s do not mint again.
 */
export function planGenerations(
  args: { resource: string; name: string; generations: string[]; maxAgeDays?: number },
  keys: GenerationKey[],
  now: number,
): GenerationPlan {
  const [current, ...previous] = args.generations;
  const plan: GenerationPlan = { current, previous };
  if (args.maxAgeDays === undefined) return plan;
  const live = keys.filter((k) => !k.disabled);
  const currentKey = live.find((k) => k.name === generationKeyName(args.name, current));
  if (!currentKey) return plan; // not minted yet: nothing to age
  const ageMs = now - Date.parse(currentKey.createdAt);
  if (!(ageMs > args.maxAgeDays * DAY_MS)) return plan;

  const prefix = generationKeyName(args.name, AUTO_PREFIX).slice(0, -1); // "<name> (auto-"
  const earlier = live
    .filter((k) => k.name.startsWith(prefix) && k.name.endsWith(")") && Date.parse(k.createdAt) >= Date.parse(currentKey.createdAt))
    .map((k) => ({ label: k.name.slice(args.name.length + 2, -1), createdAt: Date.parse(k.createdAt) }))
    .filter((k) => GENERATION_RE.test(k.label) && !args.generations.includes(k.label))
    .sort((a, b) => b.createdAt - a.createdAt);
  let auto = earlier[0]?.label;
  if (auto === undefined) {
    const day = new Date(now).toISOString().slice(0, 10);
    auto = `${AUTO_PREFIX}${day}`;
    if (args.generations.includes(auto)) auto = `${AUTO_PREFIX}${new Date(now).toISOString().slice(0, 16).replace(/[T:]/g, "-")}`;
  }
  const days = (ageMs / DAY_MS).toFixed(1);
  return {
    current: auto,
    previous: args.generations,
    auto,
    warning:
      `RotatingWidgetKey "${args.resource}": the key of generation "${current}" is ${days} days old (maxAgeDays ${args.maxAgeDays}), ` +
      `so generation "${auto}" is minted and "${current}" stays enabled (phase 1). Roll your backend to the new secretKey, then ` +
      `set generations to ["${auto}"] to retire "${current}" (phase 2); until then each up keeps both.`,
  };
}
