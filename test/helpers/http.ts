/**
 * Raw HTTP for API tests: node:http with a fresh connection per request (no keep-alive
 * left behind), full control of headers, and the exact response bytes.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header names exactly as sent, in order, with their values. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

export interface RawRequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(body.length);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: buf,
            text: buf.toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`${method} ${path} took over ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * Writes raw bytes to host:port and collects whatever comes back until the server closes
 * or `timeoutMs` passes. Never rejects: a reset or refusal is returned as `error`.
 */
export function rawExchange(
  host: string,
  port: number,
  bytes: Buffer | string,
  timeoutMs = 3000,
): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', finish);
    socket.on('connect', () => socket.write(bytes));
  });
}
