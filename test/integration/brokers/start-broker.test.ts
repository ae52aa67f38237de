import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, type IConnackPacket } from 'mqtt';
import { startBroker } from '../../../src/brokers/start-broker.js';
import { useTeardown } from '../../helpers/teardown.js';
import { owned, pidAlive, tempRunDir } from './support.js';
import { requireMosquitto } from '../../helpers/requires.js';

const mosquitto = requireMosquitto();

describe('startBroker', () => {
  it('auto: picks the managed Mosquitto when the binary exists, and says so', { skip: !mosquitto && 'no mosquitto' }, async (t) => {
    const td = useTeardown(t);
    const lines: string[] = [];
    const target = owned(td, await startBroker({ kind: 'auto' }, { runDir: await tempRunDir(td), log: (l) => lines.push(l) }));
    assert.equal(target.kind, 'managed-mosquitto');
    assert.deepEqual(target.protocols, ['3.1.1', '5']);
    assert.deepEqual(lines, [`found ${mosquitto}: using a managed Mosquitto (MQTT 5 and 3.1.1)`]);
  });

  it('managed-mosquitto passes the scenario options through', { skip: !mosquitto && 'no mosquitto' }, async (t) => {
    const td = useTeardown(t);
    const spec = { kind: 'managed-mosquitto', options: { max_inflight_messages: 7 } } as const;
    const runDir = await tempRunDir(td);
    const target = owned(td, await startBroker(spec, { runDir }));
    assert.match(await readFile(join(runDir, 'mosquitto.conf'), 'utf8'), /^max_inflight_messages 7$/m);
    // Mosquitto advertises max_inflight_messages as the v5 CONNACK's Receive Maximum.
    const client = connect({ host: target.host, port: target.port, protocolVersion: 5, reconnectPeriod: 0 });
    td.add('v5 client', () => client.endAsync(true));
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    assert.equal(connack.properties?.receiveMaximum, 7);
    assert.ok(target.pid && pidAlive(target.pid));
    assert.ok(target.logFile?.endsWith('mosquitto.log'));
    await target.stop();
    assert.equal(pidAlive(target.pid), false);
  });

  it('embedded-aedes: a child process speaking 3.1.1', async (t) => {
    const td = useTeardown(t);
    const target = owned(td, await startBroker({ kind: 'embedded-aedes' }, { runDir: await tempRunDir(td) }));
    assert.equal(target.kind, 'embedded-aedes');
    assert.deepEqual(target.protocols, ['3.1.1']);
  });

  it('external: the remote guard holds unless allowRemote is set', async (t) => {
    const td = useTeardown(t);
    await assert.rejects(startBroker({ kind: 'external', url: 'mqtts://192.0.2.1' }, { runDir: await tempRunDir(td) }), {
      code: 'E_REMOTE_TARGET',
    });
  });
});
