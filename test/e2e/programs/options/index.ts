// A WidgetKey whose resource options are switched on and off from stack config, so the e2e test can check
// each one through plain `pulumi`: protect, retainOnDelete, ignoreChanges, replaceOnChanges, aliases and
// customTimeouts, and import.
import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const cfg = new pulumi.Config();
const resourceName = cfg.get("resourceName") ?? "opt";
const aliasOf = cfg.get("aliasOf");
const createTimeout = cfg.get("createTimeout");
const keyName = cfg.get("keyName") ?? "options demo";

const key = new WidgetKey(
  resourceName,
  {
    name: keyName,
    domainAllowlist: cfg.getObject<string[]>("allowlist") ?? ["https://opt.example"],
    // The replaceOnChanges workaround: a field fed to `rotation` replaces the key when it changes.
    rotation: cfg.getBoolean("rotateOnName") ? keyName : undefined,
  },
  {
    protect: cfg.getBoolean("protect") ?? false,
    retainOnDelete: cfg.getBoolean("retainOnDelete") ?? false,
    ignoreChanges: cfg.getBoolean("ignoreAllowlist") ? ["domainAllowlist"] : [],
    replaceOnChanges: cfg.getBoolean("replaceOnName") ? ["name"] : [],
    aliases: aliasOf ? [{ name: aliasOf }] : [],
    customTimeouts: createTimeout ? { create: createTimeout, update: createTimeout, delete: createTimeout } : undefined,
    import: cfg.get("importId"),
  },
);

export const keyId = key.keyId;
export const name = key.name;
export const domainAllowlist = key.domainAllowlist;
