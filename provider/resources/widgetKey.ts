/**
 * WidgetKey: a Kataven widget key pair (`pk_live_…` public key + `sk_live_…` secret key) with its domain
 * allowlist. Type token `pulumi-nodejs:dynamic/kataven:WidgetKey`.
 *
 * Endpoints (see provider/lifecycle/widgetKey.ts): create POST /api/v1/widget-keys; read GET
 * /api/v1/widget-keys (one list serves every key of a refresh); update PATCH /api/v1/widget-keys/{id};
 * delete DELETE /api/v1/widget-keys/{id} (hard-deletes an unused key, disables a used one).
 * Replacing fields: `rotation`, and `adopt` naming another key (create-before-delete). Everything else updates in place,
 * so an allowlist or name edit never mints a new secret. Resource options: `protect`, `retainOnDelete`,
 * `ignoreChanges` and `aliases` hold; `replaceOnChanges` and `customTimeouts` don't reach a dynamic provider
 * (docs/reference.md, "Resource options").
 *
 * The `__provider` handed to the engine is the one-line stub of ./dynamicResource.ts: it loads this
 * package by name at run time, so the state carries no URL or credential and a new release reaches
 * existing resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerStub } from "./dynamicResource";
import { packageVersion } from "../config";
import { accountScope, claimUnique, warnIfApiKeyInPlainText } from "./programChecks";
import { connectionInput, type KatavenConnection } from "../connection";
import { importAsAdopt } from "./importOption";
import { inputPlaceholders, outputPlaceholders, secretOutputNames } from "../schema/props";
import { widgetKeySchema } from "../schema/widgetKey";

export interface WidgetKeyArgs {
  /** Display name, 1–200 characters (trimmed). Editing it updates the key in place. */
  name: pulumi.Input<string>;
  /**
   * Origins allowed to embed the widget with this key. A set: order, case, default ports, trailing
   * slashes/dots and IDN spelling do not matter (each entry is canonicalised, duplicates dropped, your
   * order kept).
   * Entries: `https://acme.com`, `acme.com` (https), `*.acme.com` (subdomains at any depth, not the apex),
   * `acme.com:*` (any port), `http://localhost:3000` / `localhost:*` (http only for loopback hosts).
   * Rejected: `*`, `*.com`/`*.co.uk` (wildcards under a public suffix), wildcards inside a label, paths,
   * queries, fragments, userinfo, `http://` for non-loopback hosts. At most 100 entries; `[]` blocks the key.
   */
  domainAllowlist: pulumi.Input<pulumi.Input<string>[]>;
  /** Pin the key to one agent (the widget then always talks to it). Omit to leave the key unpinned. */
  agentId?: pulumi.Input<string>;
  /**
   * Revoke (`true`) or re-enable (`false`) the key without deleting it. Unset: the key is created enabled,
   * and a revocation made outside Pulumi (found by refresh) is respected; only an explicit `false` re-enables it.
   */
  disabled?: pulumi.Input<boolean>;
  /**
   * Any string or number; changing it replaces the key: a new pair is minted first, dependents are
   * updated, then the old key is deleted. E.g. a date (`"2025-06"`) or a counter. Not combinable with `adopt`.
   */
  rotation?: pulumi.Input<string | number>;
  /**
   * Take over an existing key instead of minting one. The id is verified against the account's key list.
   * Its secret was shown once to whoever created it and cannot be recovered: `secretAvailable` is `false`
   * and `secretKey` is absent. Give `publicKey` (checked against the key's last 8 characters) to have it
   * as an output. Adoption happens once: removing `adopt` (or `import`) after the first `up` keeps the key, and
   * naming the key the resource already holds changes nothing; only pointing `adopt.id` at another key replaces
   * the resource. The `import: "<id>"` resource option is turned into `adopt: {id}` (the engine can't import a
   * dynamic resource).
   */
  adopt?: pulumi.Input<{ id: pulumi.Input<string>; publicKey?: pulumi.Input<string> }>;
  /**
   * Labels for policies and reviews, kept in the Pulumi state only (Kataven has no field for them); lower
   * case letters, digits and "-". `allow-wildcards` lets the key use wildcard entries on production stacks
   * under the policy pack in policy/. Editing them never calls the API.
   */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The Kataven account to manage this in (a KatavenConnection); default: stack config `kataven:*`. Stored
   * as a secret input and output; never in `__provider`. Changing the URL or account id replaces the resource.
   */
  connection?: KatavenConnection;
}

const widgetKeyStub = providerStub("pulumi-kataven-widget/provider/lifecycle/widgetKey");

export class WidgetKey extends DynamicResource {
  /** The key row id (also the resource id). */
  declare public readonly keyId: pulumi.Output<string>;
  /** `pk_live_…`, safe to embed in pages. Absent for an adopted key unless `adopt.publicKey` was given. */
  declare public readonly publicKey: pulumi.Output<string | undefined>;
  /** `sk_live_…`, for your backend's `user-token` calls. Always a secret output. Absent for adopted keys. */
  declare public readonly secretKey: pulumi.Output<string | undefined>;
  /** Last 8 characters of the public key, for display. */
  declare public readonly keyLast8: pulumi.Output<string>;
  /** The allowlist as the server stores it: canonical spellings, deduplicated, in the program's order. */
  declare public readonly domainAllowlist: pulumi.Output<string[]>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly agentId: pulumi.Output<string | undefined>;
  /** True when the key is disabled (by this program or out of band; refresh shows the drift). */
  declare public readonly disabled: pulumi.Output<boolean>;
  /** True when refresh found the key disabled outside Pulumi; `up` keeps it disabled unless `disabled` is `false`. */
  declare public readonly disabledOutsidePulumi: pulumi.Output<boolean | undefined>;
  /** When the key was disabled (ISO 8601), or null while it is enabled. */
  declare public readonly disabledAt: pulumi.Output<string | null>;
  /** When the key last served a widget call (ISO 8601), or null if never: a used key is disabled, not deleted, on destroy. */
  declare public readonly lastUsedAt: pulumi.Output<string | null>;
  /** When the API minted the key (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** False for an adopted key (its secret cannot be recovered). */
  declare public readonly secretAvailable: pulumi.Output<boolean>;
  declare public readonly rotation: pulumi.Output<string | number | undefined>;
  declare public readonly adopt: pulumi.Output<{ id: string; publicKey?: string } | undefined>;
  declare public readonly tags: pulumi.Output<string[] | undefined>;
  /** The package version that last applied this resource. */
  declare public readonly providerVersion: pulumi.Output<string>;

  /**
   * Reads an existing widget key by id (a key another stack or the dashboard manages) without managing it:
   * no create, update or delete; `pulumi refresh` re-reads it. Its secret is not available (`secretKey`
   * absent, `secretAvailable` false) and `publicKey` is absent: the API shows only `keyLast8`. Pass a
   * `connection` to read it from another account than the stack config's.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions, connection?: KatavenConnection): WidgetKey {
    return new WidgetKey(name, (connection ? { connection } : undefined) as unknown as WidgetKeyArgs, { ...opts, id });
  }

  constructor(name: string, args: WidgetKeyArgs, opts?: pulumi.CustomResourceOptions) {
    // `{ import: id }` is adopt under another name (the engine can't import a dynamic resource; see ./importOption.ts).
    ({ args, opts } = importAsAdopt(name, args, opts));
    warnIfApiKeyInPlainText();
    const keyName = claimUnique("WidgetKey", args?.name, name, (n) => n.trim(), accountScope(args?.connection));
    const merged: pulumi.CustomResourceOptions = {
      ...opts,
      additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...secretOutputNames(widgetKeySchema)])],
    };
    super(
      "WidgetKey",
      widgetKeyStub,
      name,
      {
        // Every field of the schema is in props, an unset one as undefined: only then does its output exist (and get() work).
        ...inputPlaceholders(widgetKeySchema),
        ...args,
        name: keyName,
        providerVersion: packageVersion(),
        connection: connectionInput(args?.connection),
        ...outputPlaceholders(widgetKeySchema),
      },
      merged,
    );
  }
}
