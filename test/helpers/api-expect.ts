/**
 * Assertions on raw Toxiproxy API responses, byte for byte as a real 2.12.0 server
 * answers (see test/fixtures/toxiproxy/transcript-2.12.0.txt, replayed by transcript-replay.test.ts, and api.go):
 * - JSON successes: Content-Type `application/json`, no trailing newline;
 * - API errors (Go's http.Error): `text/plain; charset=utf-8`, `{"error":..,"status":N}\n`;
 * - matched routes carry `X-Toxiproxy-Request-Id` (a 20-char base32hex xid); unmatched
 *   routes (404 page not found, 405) carry none, and no browser guard applies to them.
 */
import assert from 'node:assert/strict';
import type { RawResponse } from './http.js';

export const JSON_CT = 'application/json';
export const ERROR_CT = 'text/plain; charset=utf-8';
export const VERSION_CT = 'application/json;charset=utf-8';
export const VERSION_BODY = '{"version": "2.12.0"}\n';
export const REQUEST_ID = /^[0-9a-v]{20}$/;

export interface Expected {
  status: number;
  body?: string;
  /** null: the header must be absent. */
  contentType?: string | null;
  /** Whether a route matched (request id present); default true. */
  matched?: boolean;
}

/** Every request id seen, to check they are unique. */
export const seenRequestIds: string[] = [];

export function expectResponse(res: RawResponse, want: Expected, label: string): void {
  assert.equal(res.status, want.status, `${label}: status ${res.status}, body ${JSON.stringify(res.text)}`);
  if (want.body !== undefined) assert.equal(res.text, want.body, `${label}: body`);
  if (want.contentType !== undefined) {
    assert.equal(res.headers['content-type'], want.contentType ?? undefined, `${label}: Content-Type`);
  }
  const id = res.headers['x-toxiproxy-request-id'];
  if (want.matched ?? true) {
    assert.equal(typeof id, 'string', `${label}: X-Toxiproxy-Request-Id missing`);
    assert.match(id as string, REQUEST_ID, `${label}: X-Toxiproxy-Request-Id`);
    seenRequestIds.push(id as string);
  } else {
    assert.equal(id, undefined, `${label}: no X-Toxiproxy-Request-Id on an unmatched route`);
  }
}

/** `{"error":"msg","status":N}` + newline, as Go's http.Error sends it. */
export function errorBody(message: string, status: number): string {
  return `${JSON.stringify({ error: message, status })}\n`;
}

export function expectOk(res: RawResponse, body: string, label: string, status = 200): void {
  expectResponse(res, { status, body, contentType: JSON_CT }, label);
}

export function expectNoContent(res: RawResponse, label: string): void {
  expectResponse(res, { status: 204, body: '', contentType: null }, label);
}

export function expectApiError(res: RawResponse, status: number, message: string, label: string): void {
  expectResponse(res, { status, body: errorBody(message, status), contentType: ERROR_CT }, label);
}

/** A 400 "bad request body: ..." whose Go decoder text we do not pin down. */
export function expectBadBody(res: RawResponse, label: string): void {
  expectResponse(res, { status: 400, contentType: ERROR_CT }, label);
  assert.match(res.text, /^\{"error":"bad request body: [^\n]+","status":400\}\n$/, `${label}: body`);
}

export function expectPageNotFound(res: RawResponse, label: string): void {
  expectResponse(res, { status: 404, body: '404 page not found\n', contentType: ERROR_CT, matched: false }, label);
}

export function expectMethodNotAllowed(res: RawResponse, label: string): void {
  expectResponse(res, { status: 405, body: '', contentType: null, matched: false }, label);
}

/** Proxy JSON exactly as Go marshals it (field order, `"Logger":{}`). */
export function proxyBody(
  name: string,
  listen: string,
  upstream: string,
  enabled: boolean,
  toxics: string[] = [],
): string {
  return (
    `{"name":${JSON.stringify(name)},"listen":"${listen}","upstream":"${upstream}",` +
    `"enabled":${enabled},"Logger":{},"toxics":[${toxics.join(',')}]}`
  );
}

/** Toxic JSON exactly as Go marshals it (attributes first). */
export function toxicBody(attributes: string, name: string, type: string, stream: string, toxicity: number): string {
  return `{"attributes":${attributes},"name":${JSON.stringify(name)},"type":"${type}","stream":"${stream}","toxicity":${toxicity}}`;
}

/** The port in a `"listen":"127.0.0.1:PORT"` of a raw body. */
export function listenPortIn(text: string): number {
  const m = /"listen":"127\.0\.0\.1:(\d+)"/.exec(text);
  assert.ok(m, `no 127.0.0.1 listen address in ${text}`);
  const port = Number(m[1]);
  assert.ok(port > 0 && port < 65536, `listen port ${port}`);
  return port;
}
