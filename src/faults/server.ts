import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { joinHostPort } from '../net/loopback.js';
import { toApiError } from './api-error.js';
import { routes, type Route } from './api.js';
import { requestId, sendApiError, sendEmpty, sendGoError, sendJson } from './go-http.js';
import { ProxyCollection } from './proxy-collection.js';

export interface FaultServerOptions {
  host?: string;
  port?: number;
  /** Permit proxy upstreams outside loopback (off: such a client is closed at once). */
  allowRemote?: boolean;
  log?: (line: string) => void;
}

export interface FaultServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port, what toxiproxy-node-client takes. */
  readonly url: string;
  /** Stops the API, every proxy listener and every proxied connection. */
  close(): Promise<void>;
}

/** Bodies beyond this are refused rather than buffered (no request may exhaust the server). */
const maxBodyBytes = 16 << 20;

/**
 * The embedded Toxiproxy: the Toxiproxy 2.12 HTTP API with its proxy and toxic semantics,
 * so toxiproxy-node-client and users' scripts cannot tell it from the Go server.
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const log = options.log ?? (() => {});
  const proxies = new ProxyCollection({ allowRemote: options.allowRemote ?? false, log });
  const table = routes(proxies);
  // Go's collection lock makes every API call atomic; a promise chain does the same here.
  let queue: Promise<unknown> = Promise.resolve();
  const http = createServer((req, res) => {
    queue = queue.then(() => handle(table, req, res)).catch((err: unknown) => {
      log(`fault server: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendApiError(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8474 }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${joinHostPort(address.address, address.port)}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        proxies.clear();
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(table: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return sendGoError(res, 400, '400 Bad Request');
  }
  let params: string[] = [];
  const route = table.find((r) => {
    const match = r.pattern.exec(path);
    if (match) params = match.slice(1);
    return match !== null;
  });
  if (!route) return sendGoError(res, 404, '404 page not found');
  const handler = route.methods[req.method ?? ''];
  if (!handler) return sendEmpty(res, 405);
  // Middleware runs only for a matched route, as with gorilla/mux.
  res.setHeader('X-Toxiproxy-Request-Id', requestId());
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    return sendGoError(res, 403, 'User agent not allowed');
  }
  const body = await readBody(req);
  if (body === undefined) return sendApiError(res, 400, 'bad request body: http: request body too large');
  try {
    const reply = await handler(params, body);
    if (reply.body === undefined) return sendEmpty(res, reply.status);
    sendJson(res, reply.status, reply.body, reply.contentType);
  } catch (err) {
    const apiError = toApiError(err);
    sendApiError(res, apiError.status, apiError.message);
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= maxBodyBytes) parts.push(part);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
