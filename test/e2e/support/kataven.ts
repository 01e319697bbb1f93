/**
 * Plain HTTP calls to the local Kataven server as the account itself (out-of-band changes and checks in
 * e2e tests), never through the provider under test.
 */
import { call } from "../../support/http";

export interface ManagementApi {
  call(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** GET /api/v1/widget-keys */
  listKeys(): Promise<Array<Record<string, any>>>;
}

export function managementApi(server: { url: string; apiKey: string }): ManagementApi {
  const api: ManagementApi = {
    async call(method, path, body) {
      const r = await call(server.url, method, `/api/v1${path}`, { body, apiKey: server.apiKey });
      return { status: r.status, json: r.json ?? r.text };
    },
    async listKeys() {
      const r = await api.call("GET", "/widget-keys");
      if (r.status !== 200) throw new Error(`GET /api/v1/widget-keys answered ${r.status}: ${String(r.json)}`);
      return r.json;
    },
  };
  return api;
}
