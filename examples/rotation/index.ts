// Rotation: bump `rotation` in the stack config to mint a new key pair. Pulumi creates the new key first,
// then deletes the old one (a used key is disabled rather than deleted), so the embed never goes dark.
import * as pulumi from "@pulumi/pulumi";
import { WidgetKey } from "pulumi-kataven-widget";

const config = new pulumi.Config();
const key = new WidgetKey("website", {
  name: "acme.example website",
  domainAllowlist: ["https://acme.example"],
  // Any string or number; changing it replaces the key. A date makes the history readable.
  rotation: config.get("rotation") ?? "initial",
});

export const keyId = key.keyId;
export const publicKey = key.publicKey;
export const secretKey = key.secretKey;
