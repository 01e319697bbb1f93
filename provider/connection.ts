/**
 * Several Kataven accounts in one program: a `KatavenConnection` names an API URL, an account API key and
 * (optionally) an account id, and any resource given it as `connection` talks to that account instead of
 * the one in stack config.
 *
 * How the key travels, and why it never enters `__provider`: the resource passes the connection as an
 * ordinary input wrapped in `pulumi.secret(...)`. The `__provider` stays the one-line stub that holds
 * nothing (resources/dynamicResource.ts); the engine sends the secret input to the provider process
 * (dynamic providers receive secrets as plaintext) and, because the input is secret, stores it encrypted
 * in the state's inputs and marks the same-named output secret (the outputs carry it too, since read and
 * delete see only the outputs). `withConnections` wraps the lifecycle methods: each call runs with the
 * connection found in its own arguments, so `client()` and the check-time config test use it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type * as pulumi from "@pulumi/pulumi";
import type { Props } from "../contract/engine";
import { configProblem, DEFAULT_API_URL, type KatavenConfig, normalizeApiUrl } from "./config";
import { accountMoves } from "./accountIdentity";

/** What a resource stores as its `connection` input (a secret as a whole). */
export interface ConnectionInput {
  apiUrl: string;
  apiKey: string;
  accountId?: string;
}

export interface KatavenConnectionArgs {
  /** API base URL, e.g. `https://api.kataven.ai` (default) or `http://127.0.0.1:8787`. */
  apiUrl?: string;
  /** The account API key (`sk_live_…`). Pass `config.requireSecret(…)`; it is kept a secret in any case. */
  apiKey: pulumi.Input<string>;
  /** Sent as `X-Account-ID` when set. */
  accountId?: string;
}

/**
 * One Kataven account, for the `connection` input of WidgetKey, RotatingWidgetKey, WidgetSettings and
 * AgentWidgetSettings. Not a resource: nothing is created; the API key stays a secret in the state.
 */
export class KatavenConnection {
  public readonly apiUrl: string;
  public readonly accountId?: string;
  /** The account API key, always a secret Output. */
  public readonly apiKey: pulumi.Output<string>;
  /** The whole connection as the secret input a resource stores. */
  public readonly input: pulumi.Output<ConnectionInput>;

  constructor(args: KatavenConnectionArgs) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require("@pulumi/pulumi") as typeof pulumi;
    if (!args || args.apiKey === undefined || args.apiKey === null || args.apiKey === "") {
      throw new Error(
        'KatavenConnection: apiKey is required. Pass the account API key, e.g. new pulumi.Config().requireSecret("acmeApiKey")',
      );
    }
    this.apiUrl = (args.apiUrl ?? DEFAULT_API_URL).trim().replace(/\/+$/, "");
    const problem = configProblem({ apiUrl: this.apiUrl, apiKey: "set" });
    if (problem) throw new Error(`KatavenConnection: ${problem.replace("kataven:apiUrl", "apiUrl")}`);
    this.accountId = args.accountId;
    this.apiKey = p.secret(args.apiKey);
    const accountId = this.accountId;
    const apiUrl = this.apiUrl;
    this.input = p.secret(p.output(args.apiKey).apply((apiKey) => (accountId ? { apiUrl, apiKey, accountId } : { apiUrl, apiKey })));
  }
}

/** The resource input for an optional connection. */
export function connectionInput(c: KatavenConnection | undefined): pulumi.Output<ConnectionInput> | undefined {
  if (c === undefined || c === null) return undefined;
  if (!(c instanceof KatavenConnection) && !(c as { input?: unknown }).input) {
    throw new Error("connection must be a KatavenConnection: new KatavenConnection({ apiUrl, apiKey: config.requireSecret(…) })");
  }
  return c.input;
}

/**
 * The plaintext configuration of a connection, in the program process (lookups, the age trigger of
 * RotatingWidgetKey). Resolves once the key is known (config secrets are known at preview and up).
 */
export function programConfigOf(c: KatavenConnection): Promise<KatavenConfig> {
  return new Promise((resolve) => {
    c.input.apply((v) => {
      resolve(asConfig(v)!);
      return v;
    });
  });
}

// ---- provider side ------------------------------------------------------------------------------------

const scope = new AsyncLocalStorage<KatavenConfig | undefined>();

/** The connection of the lifecycle call in progress, if its resource has one. */
export function connectionConfig(): KatavenConfig | undefined {
  return scope.getStore();
}

/**
 * The configuration a connection input stands for, in the program and the provider process alike: its URL
 * normalised as stack config's is (config.ts normalizeApiUrl: a documented `…/v1` or `…/api/v1` base is
 * accepted). The stored input keeps the spelling the program gave.
 */
function asConfig(v: unknown): KatavenConfig | undefined {
  if (!v || typeof v !== "object") return undefined;
  const c = v as Partial<ConnectionInput>;
  return {
    apiUrl: normalizeApiUrl(String(c.apiUrl ?? DEFAULT_API_URL)),
    apiKey: typeof c.apiKey === "string" ? c.apiKey : undefined,
    accountId: c.accountId,
  };
}

/** What is wrong with a connection's configuration, naming its field and what to do; undefined when usable. */
export function connectionProblem(cfg: KatavenConfig): string | undefined {
  if (!cfg.apiKey) {
    return 'connection.apiKey is not set: pass the account API key, e.g. new KatavenConnection({ apiKey: config.requireSecret("acmeApiKey") })';
  }
  return configProblem(cfg)?.replace(/kataven:(\w+)/g, "connection.$1");
}

/** The lifecycle methods of a dynamic provider, with the results the SDK expects of them. */
export type LifecycleMethods = {
  check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Props): Promise<void>;
};

/** The arguments without `connection`: the lifecycle methods validate and compare only their own fields. */
function strip(p: Props): Props {
  if (!p || typeof p !== "object" || !("connection" in p)) return p;
  const { connection: _c, ...rest } = p;
  return rest;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Wraps lifecycle methods so each runs with the connection in its arguments and hands it on: check keeps it
 * in the inputs, create/update/read copy it to the outputs (read and delete see only those), and diff
 * plans a replacement when the account or API changes (accountIdentity.ts) and an update otherwise (a rotated
 * key, a respelled URL).
 */
export function withConnections(methods: LifecycleMethods): LifecycleMethods {
  const run = <T>(conn: unknown, fn: () => Promise<T>) => scope.run(asConfig(conn), fn);
  return {
    async check(olds, news) {
      const r = await run(news.connection, () => methods.check(strip(olds), strip(news)));
      if (news.connection === undefined || !r?.inputs) return r;
      const inputs = { ...r.inputs, connection: news.connection };
      const cfg = asConfig(news.connection);
      const problem = cfg && connectionProblem(cfg);
      if (!problem) return { ...r, inputs };
      return { ...r, inputs, failures: [...(r.failures ?? []), { property: "connection", reason: problem }] };
    },
    async diff(id, olds, news) {
      const r = await methods.diff(id, strip(olds), strip(news));
      const o = olds.connection as Partial<ConnectionInput> | undefined;
      const n = news.connection as Partial<ConnectionInput> | undefined;
      if ((o === undefined) !== (n === undefined) || (o && n && accountMoves(o, n).length > 0)) {
        return { ...r, changes: true, replaces: [...new Set([...(r.replaces ?? []), "connection"])] };
      }
      if (!same(o, n)) return { ...r, changes: true };
      return r;
    },
    async create(inputs) {
      const r = await run(inputs.connection, () => methods.create(strip(inputs)));
      return inputs.connection === undefined ? r : { ...r, outs: { ...r.outs, connection: inputs.connection } };
    },
    async read(id, props) {
      const r = await run(props.connection, () => methods.read(id, strip(props)));
      if (props.connection === undefined || !r?.id) return r;
      const connection = props.connection;
      return { ...r, ...(r.props && { props: { ...r.props, connection } }), ...(r.inputs && { inputs: { ...r.inputs, connection } }) };
    },
    async update(id, olds, news) {
      const r = await run(news.connection, () => methods.update(id, strip(olds), strip(news)));
      if (news.connection !== undefined) return { ...r, outs: { ...r.outs, connection: news.connection } };
      if (!r.outs) return r;
      const { connection: _c, ...outs } = r.outs;
      return { ...r, outs };
    },
    async delete(id, props) {
      return run(props.connection, () => methods.delete(id, strip(props)));
    },
  };
}
