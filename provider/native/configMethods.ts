/**
 * The provider configuration methods: CheckConfig (the settings config.ts would refuse), DiffConfig (which
 * changed settings the engine is told about) and Configure (the settings every later call uses).
 */
import { configProblem, configure, type ConfigSource, resolveConfig } from "../config";
import { warn } from "../log";
import { diffConfig } from "./configDiff";
import { provider } from "./protos";
import { diffResponse } from "./resourceMethods";
import { checkFailure, type ConfigureRequest, type ResourceRequest, unary, UNKNOWN } from "./rpc";
import { fromStruct, type Props } from "./values";

/** Provider settings as config.ts reads them (`kataven:<name>`), from a Struct's properties and/or the variables map. */
export function configSource(props: Props, variables?: Map<string, string>): ConfigSource {
  return {
    get(key: string) {
      const name = key.replace(/^kataven:/, "");
      const v = props[name];
      if (v !== undefined && v !== null && v !== UNKNOWN) return typeof v === "string" ? v : JSON.stringify(v);
      return variables?.get(key);
    },
  };
}

export function configMethods() {
  return {
    checkConfig: unary(async (req: ResourceRequest) => {
      const { props } = fromStruct(req.getNews());
      const res = new provider.CheckResponse();
      res.setInputs(req.getNews());
      if (!Object.values(props).includes(UNKNOWN)) {
        const problem = configProblem(resolveConfig(configSource(props)));
        if (problem) res.setFailuresList([checkFailure("", problem)]);
      }
      return res;
    }),
    diffConfig: unary(async (req: ResourceRequest) => {
      const d = diffConfig(fromStruct(req.getOlds()).props, fromStruct(req.getNews()).props);
      if (d.unknown.length > 0) {
        warn(
          `kataven: ${d.unknown.join(" and ")} is not known until the update runs; if it names another account or API, ` +
            "every resource of this provider will be replaced then (created in the new account, deleted from the old one)",
        );
      }
      return diffResponse(d);
    }),
    configure: unary(async (req: ConfigureRequest) => {
      const variables = new Map<string, string>(req.getVariablesMap().toArray());
      configure(configSource(fromStruct(req.getArgs()).props, variables));
      const res = new provider.ConfigureResponse();
      res.setAcceptsecrets(true);
      res.setSupportspreview(false);
      res.setAcceptresources(false);
      return res;
    }),
  };
}
