/**
 * Widget key management (server/README.md, "The contract in brief": Key pairs, Wire format, Allowlist, Revoke and delete):
 *   GET    /widget-keys        list (metadata only: key_last8, never key material)
 *   POST   /widget-keys        mint a pk_live_/sk_live_ pair, shown once in the 201 body
 *   PATCH  /widget-keys/{id}   name, domain_allowlist (replaces), agent_id (null unpins), disabled
 *   DELETE /widget-keys/{id}   never used → hard delete ("deleted"); used → soft-disable ("disabled")
 * Another account's key id is a 404, exactly like an unknown id.
 */
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { canonicalizeAllowlist } from "../../contract/allowlist";
import {
  CreateWidgetKeyRequest,
  UpdateWidgetKeyRequest,
  type CreatedWidgetKeyWire,
  type DeleteWidgetKeyResponse,
  type WidgetKeyWire,
} from "../../contract/wire";
import type { AppEnv, ServerContext } from "../context";
import { HttpError, parseBody, readJson } from "../errors";
import { mintKey, parseKey } from "../keys";
import type { WidgetKeyRow } from "../store";

export function toWire(row: WidgetKeyRow): WidgetKeyWire {
  return {
    id: row.id,
    name: row.name,
    key_last8: row.key_last8,
    domain_allowlist: row.domain_allowlist,
    agent_id: row.agent_id,
    disabled_at: row.disabled_at,
    last_used_at: row.last_used_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Validates and canonicalises an allowlist; the first bad entry gives the 400. */
function allowlist(entries: string[]): string[] {
  const { canonical, failures } = canonicalizeAllowlist(entries);
  if (failures.length > 0) {
    const f = failures[0];
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more invalid entr${failures.length === 2 ? "y" : "ies"})` : "";
    throw new HttpError(400, "invalid_allowlist_entry", `domain_allowlist[${f.index}] ${JSON.stringify(f.entry)} ${f.reason}${more}`);
  }
  return canonical;
}

function checkAgent(ctx: ServerContext, account: string, agentId: string | null | undefined): void {
  if (agentId && !ctx.store.hasAgent(account, agentId)) {
    throw new HttpError(400, "invalid_agent_id", `agent_id "${agentId}" is not an agent of this account`);
  }
}

function notFound(id: string): HttpError {
  return new HttpError(404, "not_found", `widget key "${id}" not found`);
}

export function widgetKeysRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/widget-keys", (c) => c.json(ctx.store.listWidgetKeys(c.get("account")).map(toWire)));

  app.post("/widget-keys", async (c) => {
    const account = c.get("account");
    const body = parseBody(CreateWidgetKeyRequest, await readJson(c));
    const domains = allowlist(body.domain_allowlist ?? []);
    checkAgent(ctx, account, body.agent_id);
    const publicKey = mintKey("pk_live_", account);
    const secretKey = mintKey("sk_live_", account);
    // bcrypt (in the worker pool, off the event loop) reads at most 72 bytes and slugs run to 63 characters: hash the random part, which is the secret.
    const secretBcrypt = await ctx.hasher.hash(parseKey(secretKey, "sk_live_")!.random, ctx.bcryptCost);
    const now = ctx.nowIso();
    const row: WidgetKeyRow = {
      id: randomUUID(),
      account_id: account,
      name: body.name,
      public_hmac: ctx.store.hmac(publicKey),
      key_last8: publicKey.slice(-8),
      secret_hmac: ctx.store.hmac(secretKey),
      secret_bcrypt: secretBcrypt,
      domain_allowlist: domains,
      agent_id: body.agent_id ?? null,
      disabled_at: null,
      last_used_at: null,
      created_at: now,
      updated_at: now,
    };
    await ctx.store.write(() => ctx.store.insertWidgetKey(row));
    const created: CreatedWidgetKeyWire = { ...toWire(row), public_key: publicKey, secret_key: secretKey };
    return c.json(created, 201);
  });

  app.patch("/widget-keys/:id", async (c) => {
    const account = c.get("account");
    const id = c.req.param("id");
    const body = parseBody(UpdateWidgetKeyRequest, await readJson(c));
    const domains = body.domain_allowlist === undefined ? undefined : allowlist(body.domain_allowlist);
    const row = await ctx.store.writeTx(() => {
      const current = ctx.store.getWidgetKey(account, id);
      if (!current) throw notFound(id);
      checkAgent(ctx, account, body.agent_id);
      const now = ctx.nowIso();
      const changes: Partial<WidgetKeyRow> = {};
      if (body.name !== undefined && body.name !== current.name) changes.name = body.name;
      if (domains !== undefined && JSON.stringify(domains) !== JSON.stringify(current.domain_allowlist)) changes.domain_allowlist = domains;
      if (body.agent_id !== undefined && body.agent_id !== current.agent_id) changes.agent_id = body.agent_id;
      // disabled:true is idempotent and keeps the first disabled_at (the contract's Revoke and delete)
      if (body.disabled === true && !current.disabled_at) changes.disabled_at = now;
      if (body.disabled === false && current.disabled_at) changes.disabled_at = null;
      if (Object.keys(changes).length > 0) {
        changes.updated_at = now;
        ctx.store.updateWidgetKey(account, id, changes);
      }
      return { ...current, ...changes };
    });
    return c.json(toWire(row));
  });

  app.delete("/widget-keys/:id", async (c) => {
    const account = c.get("account");
    const id = c.req.param("id");
    const out = await ctx.store.writeTx((): DeleteWidgetKeyResponse => {
      const current = ctx.store.getWidgetKey(account, id);
      if (!current) throw notFound(id);
      if (!current.last_used_at) {
        ctx.store.deleteWidgetKey(account, id);
        return { id, outcome: "deleted", disabled_at: null };
      }
      const disabledAt = current.disabled_at ?? ctx.nowIso();
      if (!current.disabled_at) ctx.store.updateWidgetKey(account, id, { disabled_at: disabledAt, updated_at: disabledAt });
      return { id, outcome: "disabled", disabled_at: disabledAt };
    });
    return c.json(out);
  });

  return app;
}
