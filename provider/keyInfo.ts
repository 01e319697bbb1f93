/** The account's widget keys as lookups return them (provider/lookups.ts and the native provider's function). */
import type { KatavenClient } from "./api/client";
import type { GetWidgetKeysArgs, WidgetKeyInfo } from "./lookups";

/** getWidgetKeys with a given client (also the native provider's `kataven:index:getWidgetKeys`). */
export async function widgetKeyInfos(c: KatavenClient, args: Omit<GetWidgetKeysArgs, "connection">): Promise<WidgetKeyInfo[]> {
  const keys = await c.listWidgetKeys();
  return keys
    .filter((k) => args.name === undefined || k.name === args.name)
    .filter((k) => args.agentId === undefined || k.agentId === args.agentId)
    .filter((k) => args.includeDisabled === true || k.disabledAt === null)
    .map((k) => ({
      id: k.id,
      name: k.name,
      keyLast8: k.keyLast8,
      domainAllowlist: [...k.domainAllowlist],
      agentId: k.agentId,
      disabled: k.disabledAt !== null,
      disabledAt: k.disabledAt,
      lastUsedAt: k.lastUsedAt,
      createdAt: k.createdAt,
    }));
}
