import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { HarnessError } from '../errors.js';

export interface MetricsAddress {
  host: string;
  /** 0: any free port (the URL says which). */
  port: number;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  /** Stops listening and ends open scrapes; safe to call twice. */
  close(): Promise<void>;
}

/** Why a listen failed, in the user's words; `flag` is how they wrote the address. */
function listenProblem(err: NodeJS.ErrnoException, flag: string, port: number): string {
  if (err.code === 'EADDRINUSE') return `${flag}: port ${port} is in use (choose another, or port 0 for any free one)`;
  if (err.code === 'EADDRNOTAVAIL') return `${flag}: no such address on this machine`;
  if (err.code === 'EACCES') return `${flag}: not permitted to listen on port ${port}`;
  return `${flag}: cannot listen (${err.code ?? err.message})`;
}

/**
 * Serves the registry at /metrics (Prometheus text format) until closed. Scrapes only
 * read: a failing scrape is answered 500 and never reaches the run.
 */
export async function serveMetrics(registry: Registry, address: MetricsAddress, flag: string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('mqtt-chaos serves /metrics only\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new HarnessError('E_LISTEN', listenProblem(err, flag, address.port))));
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
