/**
 * How the Pulumi engine names and sends this package's resources, for the code that reads engine output
 * (lifecycle methods, the policy pack, the allowlist report).
 */

/** `pulumi.dynamic.Resource` with module "kataven": `pulumi-nodejs:dynamic/kataven:<Type>`. */
export const KATAVEN_TYPE_PREFIX = "pulumi-nodejs:dynamic/kataven:";
export const WIDGET_KEY_TYPE = `${KATAVEN_TYPE_PREFIX}WidgetKey`;
export const WIDGET_SETTINGS_TYPE = `${KATAVEN_TYPE_PREFIX}WidgetSettings`;
export const AGENT_WIDGET_SETTINGS_TYPE = `${KATAVEN_TYPE_PREFIX}AgentWidgetSettings`;

/** A resource's properties as the engine sends and stores them (inputs, outputs, state). */
export type Props = Record<string, unknown>;

/** The value the engine sends for an input that is not known yet (preview only). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Its type: in a property the engine sends, a value of any type may be this instead. */
export type Unknown = typeof UNKNOWN;
/** A value the engine sends at preview: T, or unknown yet. */
export type Preview<T> = T | Unknown;
