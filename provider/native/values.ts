/**
 * Property values between the engine's wire form (google.protobuf.Struct, secrets as signed objects, unknowns
 * as a sentinel string) and the plain objects the lifecycle methods take. Secrets are unwrapped on the way in
 * (remembering which top-level properties held one) and wrapped again on the way out.
 */
import type { Props } from "../../contract/engine";
import type { StructCtor } from "./protos";

/** The engine's signature key and the secret signature (sdk/nodejs/runtime/rpc.ts: specialSigKey, specialSecretSig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type { Props };

function isSecret(v: unknown): v is { value?: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Props)[SIG_KEY] === SECRET_SIG;
}

function unwrap(v: unknown, found: { secret: boolean }): unknown {
  if (isSecret(v)) {
    found.secret = true;
    return unwrap(v.value, found);
  }
  if (Array.isArray(v)) return v.map((e) => unwrap(e, found));
  if (typeof v === "object" && v !== null) {
    const out: Props = {};
    for (const [k, e] of Object.entries(v)) out[k] = unwrap(e, found);
    return out;
  }
  return v;
}

/** The plain properties of a Struct, and the names of the top-level properties that held a secret. */
export function fromStruct(s: { toJavaScript(): Props } | undefined): { props: Props; secrets: Set<string> } {
  const raw = s?.toJavaScript() ?? {};
  const props: Props = {};
  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(raw)) {
    const found = { secret: false };
    props[k] = unwrap(v, found);
    if (found.secret) secrets.add(k);
  }
  return { props, secrets };
}

/** A Struct of `props` (undefined values dropped), the properties named in `secrets` marked secret. */
export function toStruct(Struct: StructCtor, props: Props | undefined, secrets: Iterable<string> = []) {
  const out: Props = {};
  for (const [k, v] of Object.entries(props ?? {})) if (v !== undefined) out[k] = v;
  for (const k of secrets) if (out[k] !== undefined) out[k] = { [SIG_KEY]: SECRET_SIG, value: out[k] };
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(out)));
}
