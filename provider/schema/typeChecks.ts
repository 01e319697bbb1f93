/**
 * Compile-time proof that the TypeScript resources have the fields of ./widgetKey.ts, ./widgetSettings.ts
 * and ./agentWidgetSettings.ts: each `<Resource>Args` (its `connection` aside) must take exactly the schema's
 * inputs, with the same types and the same required ones, and each class must declare exactly the schema's
 * outputs. `npm run build` fails on a field added or changed in one place only. Nothing here runs.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AgentWidgetSettings, AgentWidgetSettingsArgs } from "../resources/agentWidgetSettings";
import type { WidgetKey, WidgetKeyArgs } from "../resources/widgetKey";
import type { WidgetSettings, WidgetSettingsArgs } from "../resources/widgetSettings";
import type { AgentWidgetSettingsOutputs } from "../lifecycle/agentWidgetSettings";
import type { WidgetKeyOutputs } from "../lifecycle/widgetKeyProps";
import type { WidgetSettingsOutputs } from "../lifecycle/widgetSettings";
import type { agentWidgetSettingsSchema } from "./agentWidgetSettings";
import type { InputsOf, OutputNamesOf } from "./types";
import type { widgetKeySchema } from "./widgetKey";
import type { widgetSettingsSchema } from "./widgetSettings";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Same keys, same required keys, and mutually assignable values. */
type Matches<A, B> =
  Same<keyof A, keyof B> extends true
    ? Same<
        { [K in keyof A as {} extends Pick<A, K> ? never : K]: 1 },
        { [K in keyof B as {} extends Pick<B, K> ? never : K]: 1 }
      > extends true
      ? Same<Required<A>, Required<B>>
      : false
    : false;

/** A class's declared outputs: its `pulumi.Output` members other than the SDK's own (urn, id). */
type OutputNames<C> = Exclude<{ [K in keyof C]: C[K] extends pulumi.Output<unknown> ? K : never }[keyof C], "urn" | "id">;
type ArgsOf<A> = pulumi.Unwrap<Omit<A, "connection">>;
type Fields<S> = S extends { fields: infer F extends Record<string, any> } ? F : never;
/** Names, dynamic-only ones included: the TypeScript classes also carry `providerVersion`. */
type AllNames<S> = keyof Fields<S>;
/** What the TypeScript class declares: every name but the state-only outputs. */
type ClassNames<S> = { [K in keyof Fields<S>]: Fields<S>[K] extends { stateOnly: true } ? never : K }[keyof Fields<S>];

const ok = <T extends true>(): T => true as T;

ok<Matches<ArgsOf<WidgetKeyArgs>, InputsOf<Fields<typeof widgetKeySchema>>>>();
ok<Matches<ArgsOf<WidgetSettingsArgs>, InputsOf<Fields<typeof widgetSettingsSchema>>>>();
ok<Matches<ArgsOf<AgentWidgetSettingsArgs>, InputsOf<Fields<typeof agentWidgetSettingsSchema>>>>();

ok<Same<OutputNames<WidgetKey>, ClassNames<typeof widgetKeySchema>>>();
ok<Same<OutputNames<WidgetSettings>, ClassNames<typeof widgetSettingsSchema>>>();
ok<Same<OutputNames<AgentWidgetSettings>, ClassNames<typeof agentWidgetSettingsSchema>>>();

// The lifecycle's typed outputs (what create/read/update return) have every field of the schema.
ok<Same<keyof WidgetKeyOutputs, AllNames<typeof widgetKeySchema> | "__provider">>();
ok<Same<keyof WidgetSettingsOutputs, AllNames<typeof widgetSettingsSchema>>>();
ok<Same<keyof AgentWidgetSettingsOutputs, AllNames<typeof agentWidgetSettingsSchema>>>();
ok<Same<OutputNamesOf<Fields<typeof widgetKeySchema>> | "providerVersion", AllNames<typeof widgetKeySchema>>>();
