// Two ways to rotate a widget key pair (README.md here):
//  - one step: bump `rotation` on a WidgetKey. The new key is created first, then the old one is deleted
//    (disabled if it was used), in the same `up`;
//  - two phases, without downtime: a RotatingWidgetKey keeps the previous key enabled while its label is
//    still in `keyGenerations`; `keyMaxAgeDays` starts phase 1 by itself once the current key is that old.
import * as pulumi from "@pulumi/pulumi";
import { RotatingWidgetKey, WidgetKey } from "pulumi-kataven-widget";

const config = new pulumi.Config();
const key = new WidgetKey("website", {
  name: "acme.example website (rotation example)",
  domainAllowlist: ["https://acme.example"],
  // Any string or number; changing it replaces the key. A date makes the history readable.
  rotation: config.get("rotation") ?? "initial",
});

export const keyId = key.keyId;
export const publicKey = key.publicKey;
export const secretKey = key.secretKey;

const backendKey = new RotatingWidgetKey("backend", {
  name: "acme.example backend",
  domainAllowlist: ["https://acme.example"],
  // Newest first. Phase 1: put a new label in front; phase 2: remove the old one.
  generations: config.getObject<Array<string | number>>("keyGenerations") ?? ["initial"],
  maxAgeDays: config.getNumber("keyMaxAgeDays"),
});

export const backendKeyId = backendKey.keyId;
export const backendGeneration = backendKey.generation;
export const backendPublicKey = backendKey.publicKey;
export const backendSecretKey = backendKey.secretKey;
// Set during phase 1 (the previous generation's key, still enabled); null otherwise (an undefined stack
// output would only draw a warning at every `up`).
export const backendPreviousKeyId = backendKey.previousKeyId.apply((id) => id ?? null);
export const backendPreviousGenerations = backendKey.previousGenerations;
export const backendPreviousSecretKey = backendKey.previousKeyId.apply((id) => (id ? backendKey.previousSecretKey : null));
