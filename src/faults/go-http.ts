import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/**
 * Responses byte-for-byte as Toxiproxy's Go server writes them, so that clients and
 * scripts written against the real one cannot tell the difference.
 */
export function sendJson(res: ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Go's http.Error: text/plain, nosniff, and the message with a trailing newline. */
export function sendGoError(res: ServerResponse, status: number, message: string): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Toxiproxy's apiError: `{"error":…,"status":…}` sent through http.Error. */
export function sendApiError(res: ServerResponse, status: number, message: string): void {
  sendGoError(res, status, `{"error":${goString(message)},"status":${status}}`);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 204 ? {} : { 'Content-Length': 0 });
  res.end();
}

/** Go's json.Marshal of a string: like JSON.stringify, but with <, >, & and U+2028/9 escaped. */
export function goString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const base32hex = '0123456789abcdefghijklmnopqrstuv';
const machine = randomBytes(3);
let counter = randomBytes(3).readUIntBE(0, 3);

/** A request id in the shape of rs/xid (what Toxiproxy puts in X-Toxiproxy-Request-Id). */
export function requestId(): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 0);
  machine.copy(id, 4);
  id.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of id) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32hex[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out + base32hex[(value << (5 - bits)) & 31];
}
