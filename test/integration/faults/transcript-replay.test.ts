/**
 * The recorded exchange with a real Toxiproxy 2.12.0 (test/fixtures/toxiproxy/
 * transcript-2.12.0.txt: every request and the real server's answer) replayed against the
 * embedded fault server, in order: status, Content-Type and body must match byte for byte.
 * Only the ports differ: the recording's ports map to ports of this machine (a recorded
 * port the server chose, listen :0, maps to the one ours chose). The recorder kept each
 * body on one line, so one trailing newline of a response is not part of the comparison.
 * The "--- MQTT pub" notes are what the proxy did to traffic; toxics-mqtt.test.ts checks those.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freeLoopbackPort } from '../../../src/brokers/free-port.js';
import { startServer } from '../../helpers/faults.js';
import { rawRequest } from '../../helpers/http.js';
import { PeerServer } from '../../helpers/tcp.js';
import { useTeardown } from '../../helpers/teardown.js';

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/toxiproxy/transcript-2.12.0.txt', import.meta.url));

interface Exchange {
  line: number;
  method: string;
  path: string;
  userAgent?: string;
  body?: string;
  status: number;
  contentType?: string;
  response: string;
}

/** "### METHOD PATH  [User-Agent: …]", ">>> body", "<<< HTTP n  Content-Type: …", "<<< body". */
function parse(text: string): Exchange[] {
  const exchanges: Exchange[] = [];
  let current: Exchange | undefined;
  text.split('\n').forEach((line, i) => {
    const request = /^### (\S+) (\S+)(?:\s+\[User-Agent: (.*)\])?$/.exec(line);
    const status = /^<<< HTTP (\d+)\s*(?:Content-Type: (.*))?$/.exec(line);
    if (request) {
      current = { line: i + 1, method: request[1]!, path: request[2]!, status: 0, response: '' };
      if (request[3] !== undefined) current.userAgent = request[3];
      exchanges.push(current);
    } else if (current && line.startsWith('>>> ')) current.body = line.slice(4);
    else if (current && status) {
      current.status = Number(status[1]);
      if (status[2] !== undefined) current.contentType = status[2].trim();
    } else if (current && line.startsWith('<<< ')) current.response = line.slice(4);
  });
  return exchanges;
}

/** Recorded port → this machine's; unknown ones are learned from the first response that shows them. */
class Ports {
  readonly map = new Map<string, string>();

  to(text: string): string {
    return text.replace(/127\.0\.0\.1:(\d+)/g, (whole, port: string) => `127.0.0.1:${this.map.get(port) ?? port}`);
  }

  learn(recorded: string, actual: string): void {
    const ours = [...actual.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]!);
    [...recorded.matchAll(/127\.0\.0\.1:(\d+)/g)].forEach((m, i) => {
      if (!this.map.has(m[1]!) && ours[i] !== undefined) this.map.set(m[1]!, ours[i]!);
    });
  }
}

describe('the recorded Toxiproxy 2.12.0 exchange, replayed against the embedded server', () => {
  const exchanges = parse(readFileSync(FIXTURE, 'utf8'));

  it('the fixture holds the whole recording', () => {
    assert.equal(exchanges.length, 67);
    assert.ok(exchanges.every((e) => e.status >= 200), 'every request has its recorded status');
  });

  it('every answer matches, byte for byte but for the ports', async (t) => {
    const td = useTeardown(t);
    const upstream = await PeerServer.start(td);
    const server = await startServer(td);
    const ports = new Ports();
    ports.map.set('18830', upstream.address.split(':').pop()!);
    // Fixed listen ports of the recording: free ones here (18831 is bound, then reused).
    for (const recorded of ['18831', '18832', '18833', '18834', '18835']) ports.map.set(recorded, String(await freeLoopbackPort()));
    for (const e of exchanges) {
      const where = `transcript line ${e.line}: ${e.method} ${e.path}`;
      const res = await rawRequest(server.url, e.method, e.path, {
        ...(e.body === undefined ? {} : { body: ports.to(e.body) }),
        headers: { 'User-Agent': e.userAgent ?? 'curl/7.88.1' },
      });
      ports.learn(e.response, res.text);
      assert.equal(res.status, e.status, `${where}: status (body ${res.text})`);
      assert.equal(res.headers['content-type'], e.contentType, `${where}: Content-Type`);
      assert.equal(res.text.replace(/\n$/, ''), ports.to(e.response), `${where}: body`);
    }
  });
});
