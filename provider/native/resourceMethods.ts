/**
 * The resource methods (Check, Diff, Create, Read, Update, Delete): each finds the type's lifecycle module
 * (./resources.ts), unwraps the engine's values, and wraps the answer again with `secretKey` marked secret.
 * Create, Read, Update and Delete pass the engine's `customTimeouts` to every request (../deadline.ts).
 */
import { accountFailures } from "../lifecycle/common";
import { withDeadline } from "../deadline";
import { Empty, provider, Struct } from "./protos";
import { type NativeDiff, nativeResources, type NativeResource, secretOutputs } from "./resources";
import { checkFailure, DiffChanges, type ResourceRequest, unary } from "./rpc";
import { fromStruct, type Props, toStruct } from "./values";

function resourceOf(req: ResourceRequest): NativeResource {
  const token = req.getType() || req.getUrn().split("::")[2]?.split("$").pop() || "";
  const r = nativeResources[token];
  if (!r) throw new Error(`kataven: unknown resource type "${token}"`);
  return r;
}

type Checked = { inputs?: Props; failures?: { property: string; reason: string }[] };

async function check(req: ResourceRequest) {
  const r = resourceOf(req);
  const olds = fromStruct(req.getOlds());
  const news = fromStruct(req.getNews());
  // As the dynamic provider does (lifecycle/common.ts attachTo): one probe of the account first, so a
  // wrong URL or key stops the preview.
  const refused = await accountFailures();
  const checked = (refused.length > 0 ? { inputs: news.props, failures: refused } : await r.check(olds.props, news.props)) as Checked;
  const res = new provider.CheckResponse();
  res.setInputs(toStruct(Struct, checked.inputs, news.secrets));
  res.setFailuresList((checked.failures ?? []).map((f) => checkFailure(f.property, f.reason)));
  return res;
}

async function diff(req: ResourceRequest) {
  return diffResponse(resourceOf(req).diff(fromStruct(req.getOlds()).props, fromStruct(req.getNews()).props));
}

/** A DiffResponse with the changed and replacing properties and a detailed diff (also DiffConfig's answer). */
export function diffResponse(d: NativeDiff) {
  const res = new provider.DiffResponse();
  res.setChanges(d.changed.length > 0 ? DiffChanges.DIFF_SOME : DiffChanges.DIFF_NONE);
  res.setReplacesList(d.replaces);
  res.setDiffsList(d.changed);
  res.setDeletebeforereplace(false);
  res.setHasdetaileddiff(true);
  const map = res.getDetaileddiffMap();
  for (const [p, kind] of Object.entries(d.detailed)) {
    const pd = new provider.PropertyDiff();
    pd.setKind(kind);
    pd.setInputdiff(false);
    map.set(p, pd);
  }
  return res;
}

async function create(req: ResourceRequest) {
  const r = resourceOf(req);
  const news = fromStruct(req.getProperties());
  const res = new provider.CreateResponse();
  // A preview asks what the create would return: the inputs, outputs unknown. Nothing is sent.
  if (req.getPreview()) {
    res.setProperties(req.getProperties());
    return res;
  }
  const out = (await withDeadline(req.getTimeout(), () => r.create(news.props))) as { id: string; outs: Props };
  res.setId(out.id);
  res.setProperties(toStruct(Struct, out.outs, [...news.secrets, ...secretOutputs(r)]));
  return res;
}

async function read(req: ResourceRequest) {
  const r = resourceOf(req);
  // `pulumi import` reads with no properties at all: the lifecycle reads the resource from its id alone.
  const state = fromStruct(req.getProperties());
  const inputs = fromStruct(req.getInputs());
  const out = (await withDeadline(req.getTimeout(), () => r.read(req.getId(), state.props))) as {
    id: string;
    props?: Props;
    inputs?: Props;
  };
  const res = new provider.ReadResponse();
  res.setId(out.id ?? "");
  if (out.id) {
    res.setProperties(toStruct(Struct, out.props, [...state.secrets, ...secretOutputs(r)]));
    res.setInputs(toStruct(Struct, out.inputs, inputs.secrets));
  }
  return res;
}

async function update(req: ResourceRequest) {
  const r = resourceOf(req);
  const olds = fromStruct(req.getOlds());
  const news = fromStruct(req.getNews());
  const res = new provider.UpdateResponse();
  if (req.getPreview()) {
    res.setProperties(req.getNews());
    return res;
  }
  const out = (await withDeadline(req.getTimeout(), () => r.update(req.getId(), olds.props, news.props))) as { outs: Props };
  res.setProperties(toStruct(Struct, out.outs, [...news.secrets, ...secretOutputs(r)]));
  return res;
}

async function remove(req: ResourceRequest) {
  const r = resourceOf(req);
  await withDeadline(req.getTimeout(), () => r.delete(req.getId(), fromStruct(req.getProperties()).props));
  return new Empty();
}

export function resourceMethods() {
  return {
    check: unary(check),
    diff: unary(diff),
    create: unary(create),
    read: unary(read),
    update: unary(update),
    delete: unary(remove),
  };
}
