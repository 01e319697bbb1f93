/**
 * RotatingWidgetKey: a widget key that rotates without downtime, in two phases. A component (type
 * `kataven:index:RotatingWidgetKey`) with one WidgetKey child per key generation, each its own Kataven key
 * named "<name> (<generation>)". Phase 1 puts a new label at the front of `generations`: the next `up`
 * mints that key and keeps the previous one enabled, so `secretKey` (new) and `previousSecretKey` (old) both
 * work while the backend is rolled over. Phase 2 removes the old label: the next `up` retires that key
 * (deleted if never used, else disabled: every endpoint then refuses it with 403 key_disabled).
 *
 * Replacing the only label (`["a"]` → `["b"]`) is a one-step rotation (new key first, then the old one goes),
 * like WidgetKey's `rotation`. With `maxAgeDays`, the next `up` after the current key has aged starts phase
 * 1 by itself (the program then lists the account's keys at preview and up, with the stack's kataven:
 * config, like the lookups).
 */
import { rpcKeepAlive } from "../sdkPrivate";
import * as pulumi from "@pulumi/pulumi";
import { getWidgetKeys } from "../lookups";
import { type GenerationKey, type GenerationPlan, generationKeyName, planGenerations, validateGenerations } from "./rotation";
import { WidgetKey } from "./widgetKey";
import type { KatavenConnection } from "../connection";

export interface RotatingWidgetKeyArgs {
  /** Display name; each generation's key is named "<name> (<generation>)" in Kataven. A plain string. */
  name: string;
  /** Origins allowed to embed the widget, as for WidgetKey; every generation gets the same list. */
  domainAllowlist: pulumi.Input<pulumi.Input<string>[]>;
  /** Pin every generation's key to one agent. */
  agentId?: pulumi.Input<string>;
  /** Labels kept in the state, as for WidgetKey. */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Key generations, newest first: `[current, ...still valid]`, plain labels such as `"2026-11"` or `3`.
   * Phase 1: put a new label in front (`["2026-12", "2026-11"]`): the new key is minted, the old one stays
   * enabled. Phase 2: remove the old label (`["2026-12"]`): the old key is retired. Replacing the only
   * label rotates in one step. At most 5.
   */
  generations: Array<string | number>;
  /**
   * Age trigger, in days (fractions allowed): when the current generation's key is older, the next `up`
   * starts phase 1 by itself with a generation labelled `auto-<date>` and warns what to write in
   * `generations`. Later `up`s reuse that key until you finish with phase 2. Off by default.
   */
  maxAgeDays?: number;
  /** The Kataven account (a KatavenConnection), for every generation's key and the age trigger's lookup. */
  connection?: KatavenConnection;
}

/** One generation's key: a resource (so the component's outputs follow it), with the outputs passed on. */
export interface GenerationKeyResource extends pulumi.CustomResource {
  keyId: pulumi.Output<string>;
  publicKey: pulumi.Output<string | undefined>;
  secretKey: pulumi.Output<string | undefined>;
}

export type GenerationKeyArgs = Pick<RotatingWidgetKeyArgs, "name" | "domainAllowlist" | "agentId" | "tags" | "connection">;

/**
 * Where the generations' keys come from: dynamic WidgetKey children in a TypeScript program (the default),
 * `kataven:index:WidgetKey` children in the native plugin (provider/native/components.ts).
 */
export interface GenerationKeys {
  /** One generation's key, created as a child of the component. */
  create(name: string, args: GenerationKeyArgs, opts: pulumi.CustomResourceOptions): GenerationKeyResource;
  /** Every key of the account, disabled ones included, for the age trigger. */
  list(connection?: KatavenConnection): Promise<GenerationKey[]>;
}

const dynamicKeys: GenerationKeys = {
  create: (name, args, opts) => new WidgetKey(name, args, opts),
  list: (connection) => getWidgetKeys({ includeDisabled: true, connection }),
};

interface Children {
  plan: GenerationPlan;
  current: GenerationKeyResource;
  previous: GenerationKeyResource[];
}

export class RotatingWidgetKey extends pulumi.ComponentResource {
  /** The current generation's key id. */
  public readonly keyId: pulumi.Output<string>;
  /** The current generation's `pk_live_…`: put it in your pages. */
  public readonly publicKey: pulumi.Output<string | undefined>;
  /** The current generation's `sk_live_…`: roll your backend to it. A secret output. */
  public readonly secretKey: pulumi.Output<string | undefined>;
  /** The current generation's label (an `auto-…` label when the age trigger started phase 1). */
  public readonly generation: pulumi.Output<string>;
  /** The previous generation's key id while it is still enabled (phase 1), else undefined. */
  public readonly previousKeyId: pulumi.Output<string | undefined>;
  /** The previous generation's `pk_live_…` while it is still enabled. */
  public readonly previousPublicKey: pulumi.Output<string | undefined>;
  /** The previous generation's `sk_live_…` while it is still enabled. A secret output. */
  public readonly previousSecretKey: pulumi.Output<string | undefined>;
  /** Every generation still enabled after the current one, newest first. */
  public readonly previousGenerations: pulumi.Output<string[]>;

  constructor(name: string, args: RotatingWidgetKeyArgs, opts?: pulumi.ComponentResourceOptions, keys: GenerationKeys = dynamicKeys) {
    super("kataven:index:RotatingWidgetKey", name, {}, opts);
    if (typeof args?.name !== "string" || args.name.trim() === "") {
      throw new Error(
        `RotatingWidgetKey "${name}": name must be a plain, non-empty string (each generation's key is named "<name> (<generation>)")`,
      );
    }
    if (args.maxAgeDays !== undefined && !(typeof args.maxAgeDays === "number" && args.maxAgeDays >= 0)) {
      throw new Error(
        `RotatingWidgetKey "${name}": maxAgeDays must be a number of days >= 0, such as 90; or leave it out to rotate only by config`,
      );
    }
    const labels = validateGenerations(name, args.generations);
    const displayName = args.name.trim();

    const build = (plan: GenerationPlan): Children => {
      const child = (label: string) =>
        keys.create(
          `${name}-${label}`,
          {
            name: generationKeyName(displayName, label),
            domainAllowlist: args.domainAllowlist,
            agentId: args.agentId,
            tags: args.tags,
            connection: args.connection,
          },
          { parent: this },
        );
      return { plan, current: child(plan.current), previous: plan.previous.map(child) };
    };

    let children: Promise<Children>;
    if (args.maxAgeDays === undefined) {
      children = Promise.resolve(build(planGenerations({ resource: name, name: displayName, generations: labels }, [], Date.now())));
    } else {
      // Children are registered after the lookup answers; keep the program alive until they are.
      const done = rpcKeepAlive();
      children = keys
        .list(args.connection)
        .then((listed) => {
          const plan = planGenerations(
            { resource: name, name: displayName, generations: labels, maxAgeDays: args.maxAgeDays },
            listed,
            Date.now(),
          );
          if (plan.warning) void pulumi.log.warn(plan.warning, this);
          return build(plan);
        })
        .finally(done);
    }

    const all = pulumi.output(children);
    this.keyId = all.apply((c) => c.current.keyId);
    this.publicKey = all.apply((c) => c.current.publicKey);
    this.secretKey = pulumi.secret(all.apply((c) => c.current.secretKey));
    this.generation = all.apply((c) => c.plan.current);
    this.previousKeyId = all.apply((c) => (c.previous[0] ? c.previous[0].keyId : pulumi.output(undefined)));
    this.previousPublicKey = all.apply((c) => (c.previous[0] ? c.previous[0].publicKey : pulumi.output(undefined)));
    this.previousSecretKey = pulumi.secret(all.apply((c) => (c.previous[0] ? c.previous[0].secretKey : pulumi.output(undefined))));
    this.previousGenerations = all.apply((c) => c.plan.previous);
    this.registerOutputs({
      keyId: this.keyId,
      publicKey: this.publicKey,
      secretKey: this.secretKey,
      generation: this.generation,
      previousKeyId: this.previousKeyId,
      previousPublicKey: this.previousPublicKey,
      previousSecretKey: this.previousSecretKey,
      previousGenerations: this.previousGenerations,
    });
  }
}
