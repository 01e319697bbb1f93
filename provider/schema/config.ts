/**
 * The provider's settings: stack config `kataven:<name>` for the default provider, or the properties of an
 * explicit provider (`pulumi:providers:kataven`). Read by provider/config.ts (resolveConfig), which also
 * falls back to the `KATAVEN_*` environment variables named here.
 */
import { DEFAULT_API_URL } from "../config";
import type { Fields } from "./types";

export const providerConfigSchema = {
  apiUrl: {
    type: { kind: "string" },
    input: true,
    default: DEFAULT_API_URL,
    description: `API base URL (env \`KATAVEN_API_URL\`), default \`${DEFAULT_API_URL}\`; a trailing \`/v1\` or \`/api/v1\` is accepted. \`http://\` only for this machine unless \`allowInsecureHttp\`. With the native plugin (Pulumi YAML, default or explicit provider), changing it replaces every resource of the provider (created in the new API's account, then deleted from the old one with the old settings); a respelling that reaches the same API (a \`/v1\` or \`/api/v1\` suffix, a trailing slash, the case of the host) does not.`,
  },
  apiKey: {
    type: { kind: "string" },
    input: true,
    secret: true,
    description:
      "The account API key `sk_live_…` (env `KATAVEN_API_KEY`). Set it as a secret: `pulumi config set --secret kataven:apiKey`. With the native plugin, changing it to a rotated key of the same account updates the provider in place (no resource is replaced); to a key of another account (its `sk_live_<account>_` prefix), with no `accountId` set, it replaces every resource of the provider, as a change of `accountId` does.",
  },
  accountId: {
    type: { kind: "string" },
    input: true,
    description:
      "Account id, sent as `X-Account-ID` when set (env `KATAVEN_ACCOUNT_ID`). With the native plugin (Pulumi YAML, default or explicit provider), changing it from one account to another replaces every resource of the provider (created in the new account, then deleted from the old one with the old settings); adding or removing it does not (a set id must match the API key's account).",
  },
  allowInsecureHttp: {
    type: { kind: "boolean" },
    input: true,
    description: "Accept an `http://` apiUrl on a host other than this machine (the API key then crosses the network in clear text).",
  },
  timeoutMs: {
    type: { kind: "integer" },
    input: true,
    description: "Per-request timeout in ms (default 15000; env `KATAVEN_TIMEOUT_MS`). A resource's `customTimeouts` shortens it further.",
  },
  orphanCheckTimeoutMs: {
    type: { kind: "integer" },
    input: true,
    description: "How long to keep trying to list the keys after an ambiguous create, in ms (default 300000).",
  },
  requestsPerMinute: {
    type: { kind: "integer" },
    input: true,
    description: "Requests per minute sent per account (default 60; 0 = no limit).",
  },
  requestsPerHour: {
    type: { kind: "integer" },
    input: true,
    description: "Requests per hour sent per account (default 1000; 0 = no limit).",
  },
  requestsPerDay: {
    type: { kind: "integer" },
    input: true,
    description: "Requests per day sent per account (default 10000; 0 = no limit).",
  },
} as const satisfies Fields;
