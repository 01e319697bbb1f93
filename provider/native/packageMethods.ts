/**
 * What the plugin says of its package: its version (GetPluginInfo), the package schema generated from
 * provider/schema (GetSchema), and the lookups served as functions (Invoke: `kataven:index:getWidgetKeys` …).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { client } from "../lifecycle/common";
import { widgetKeyInfos } from "../keyInfo";
import { packageSchema } from "../schema/package";
import { plugin, provider, Struct } from "./protos";
import { type StructMessage, unary } from "./rpc";
import { fromStruct, type Props, toStruct } from "./values";

/** The package's version, which is the plugin's. */
export function pluginVersion(): string {
  // provider/native (sources) or dist/provider/native (compiled): the nearest package.json of this package.
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (pkg.name === "pulumi-kataven-widget") return String(pkg.version);
  }
  return "0.0.0";
}

/** The lookups, by function token. */
async function invoke(token: string, args: Props): Promise<Props> {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  switch (token) {
    case "kataven:index:getWidgetKeys":
      return {
        keys: await widgetKeyInfos(client(), {
          name: str(args.name),
          agentId: str(args.agentId),
          includeDisabled: args.includeDisabled === true,
        }),
      };
    case "kataven:index:getWidgetSettings":
      return { ...(await client().getWidgetSettings()) };
    case "kataven:index:getAgentWidgetSettings": {
      const agentId = str(args.agentId);
      if (!agentId) throw new Error("getAgentWidgetSettings: agentId is required");
      const s = await client().getAgentWidgetSettings(agentId);
      return { agentId: s.agentId, widgetEnabled: s.widgetEnabled, authMode: s.authMode };
    }
    default:
      throw new Error(`kataven: unknown function "${token}"`);
  }
}

export function packageMethods() {
  return {
    getPluginInfo: unary(async () => {
      const info = new plugin.PluginInfo();
      info.setVersion(pluginVersion());
      return info;
    }),
    getSchema: unary(async (req: { getSubpackageName(): string }) => {
      const res = new provider.GetSchemaResponse();
      res.setSchema(req.getSubpackageName() ? "{}" : JSON.stringify(packageSchema(pluginVersion())));
      return res;
    }),
    invoke: unary(async (req: { getTok(): string; getArgs(): StructMessage | undefined }) => {
      const res = new provider.InvokeResponse();
      res.setReturn(toStruct(Struct, await invoke(req.getTok(), fromStruct(req.getArgs()).props)));
      return res;
    }),
  };
}
