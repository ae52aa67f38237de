/**
 * Clearing the sessions a run leaves on a broker that outlives it, against a real
 * Mosquitto: 200 persistent sessions (3.1.1 CleanSession=0, v5 with an expiry) are gone
 * afterwards; a broker that cannot be reached and a time limit are counted, with why.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import mqtt, { type IClientOptions } from 'mqtt';
import type { ProtocolVersion } from '../../../src/brokers/types.js';
import type { Connection } from '../../../src/workers/expiry-client.js';
import { clearSessions } from '../../../src/workers/session-clear.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { closedPort } from '../../helpers/tcp.js';
import { useTeardown } from '../../helpers/teardown.js';
import { requireMosquitto } from '../../helpers/requires.js';

const mosquitto = requireMosquitto();
const SESSIONS = 200;

/** CONNECT, CONNACK's Session Present, then the connection dropped. */
function connect(options: IClientOptions): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({ reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', (connack) => client.end(true, {}, () => resolve(connack.sessionPresent)));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

function options(port: number, clientId: string, protocol: ProtocolVersion, clean: boolean): IClientOptions {
  const v5 = protocol === '5';
  return { host: '127.0.0.1', port, clientId, clean, protocolVersion: v5 ? 5 : 4, ...(v5 && !clean ? { properties: { sessionExpiryInterval: 3600 } } : {}) };
}

describe('clearSessions', { skip: mosquitto ? false : 'mosquitto is not installed' }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: ${SESSIONS} persistent sessions cleared, none left`, async (t) => {
      const td = useTeardown(t);
      const broker = await startMosquitto(td, mosquitto!);
      const ids = Array.from({ length: SESSIONS }, (_, i) => `clear-${protocol}-${i}`);
      await Promise.all(ids.map((id) => connect(options(broker.port, id, protocol, false))));
      // The sessions exist: a second CleanSession=0 / Clean Start=0 connect finds each.
      assert.equal(await connect(options(broker.port, ids[0]!, protocol, false)), true);

      const connections: Connection[] = ids.map((clientId) => ({ clientId, endpoint: { host: '127.0.0.1', port: broker.port }, protocol }));
      const started = performance.now();
      const report = await clearSessions(connections, { limitMs: 20_000, concurrency: 200 });
      t.diagnostic(`${SESSIONS} sessions cleared in ${Math.round(performance.now() - started)} ms`);
      assert.deepEqual(report, { cleared: SESSIONS, notCleared: 0 });

      const present = await Promise.all(ids.map((id) => connect(options(broker.port, id, protocol, false))));
      assert.equal(present.filter(Boolean).length, 0, 'no session left');
      // The check made sessions of its own (3.1.1 keeps them): gone with the broker at teardown.
    });
  }

  it('a broker that refuses connections, and the time limit: counted as not cleared, with why', async () => {
    const port = await closedPort();
    const connections: Connection[] = Array.from({ length: 3 }, (_, i) => ({ clientId: `c-${i}`, endpoint: { host: '127.0.0.1', port }, protocol: '3.1.1' }));
    const refused = await clearSessions(connections, { limitMs: 10_000, concurrency: 2 });
    assert.equal(refused.cleared, 0);
    assert.equal(refused.notCleared, 3);
    assert.match(refused.why ?? '', /^3 × .*ECONNREFUSED/);

    // A listener that never answers CONNECT: the limit ends the wait.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port: silentPort } = silent.address() as { port: number };
      const started = performance.now();
      const late = await clearSessions(
        connections.map((c) => ({ ...c, endpoint: { host: '127.0.0.1', port: silentPort } })),
        { limitMs: 300, concurrency: 3 },
      );
      assert.ok(performance.now() - started < 2000, 'bounded by the limit');
      assert.deepEqual(late, { cleared: 0, notCleared: 3, why: '3 × out of time' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
