/**
 * The embedded Toxiproxy-compatible fault server for tests: started on 127.0.0.1:0 and
 * closed by the teardown registry, plus a small JSON client over raw HTTP that checks
 * status codes (so test steps read as one line each).
 */
import assert from 'node:assert/strict';
import { startFaultServer } from '../../src/faults/server.js';
import { rawRequest, type RawResponse } from './http.js';
import type { Teardown } from './teardown.js';

export interface FaultServerHandle {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(
  td: Teardown,
  options: { allowRemote?: boolean } = {},
): Promise<FaultServerHandle> {
  const server = await startFaultServer({ host: '127.0.0.1', port: 0, ...options });
  td.add(`fault server ${server.url}`, () => server.close());
  return server;
}

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ToxicJson {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}

/** The port of a proxy's `listen` ("127.0.0.1:PORT"). */
export function portOf(listen: string): number {
  const m = /:(\d+)$/.exec(listen);
  assert.ok(m, `no port in ${listen}`);
  return Number(m[1]);
}

/** A JSON view of the API that asserts the status of each call. */
export class Api {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown): Promise<RawResponse> {
    return rawRequest(this.baseUrl, method, path, {
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    });
  }

  private async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    assert.equal(res.status, status, `${method} ${path} → ${res.status} ${res.text}`);
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  createProxy(name: string, upstream: string, extra: Record<string, unknown> = {}): Promise<ProxyJson> {
    return this.expect(201, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, ...extra });
  }

  getProxy(name: string): Promise<ProxyJson> {
    return this.expect(200, 'GET', `/proxies/${name}`);
  }

  updateProxy(name: string, body: Record<string, unknown>): Promise<ProxyJson> {
    return this.expect(200, 'PATCH', `/proxies/${name}`, body);
  }

  async deleteProxy(name: string): Promise<void> {
    await this.expect(204, 'DELETE', `/proxies/${name}`);
  }

  addToxic(proxy: string, toxic: Record<string, unknown>): Promise<ToxicJson> {
    return this.expect(200, 'POST', `/proxies/${proxy}/toxics`, toxic);
  }

  updateToxic(proxy: string, name: string, body: Record<string, unknown>): Promise<ToxicJson> {
    return this.expect(200, 'PATCH', `/proxies/${proxy}/toxics/${name}`, body);
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.expect(204, 'DELETE', `/proxies/${proxy}/toxics/${name}`);
  }

  async reset(): Promise<void> {
    await this.expect(204, 'POST', '/reset');
  }
}
