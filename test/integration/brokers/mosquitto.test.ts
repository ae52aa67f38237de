import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startMosquitto } from '../../../src/brokers/mosquitto.js';
import { isHarnessError } from '../../../src/errors.js';
import { useTeardown } from '../../helpers/teardown.js';
import { connectClient, owned, pidAlive, pidGone, tempRunDir } from './support.js';
import { requireMosquitto } from '../../helpers/requires.js';

const binary = requireMosquitto();

describe('managed Mosquitto', { skip: binary ? false : 'no mosquitto binary' }, () => {
  const bin = binary ?? '';

  it('starts on a loopback port, says what it is, and accepts v3.1.1 and v5', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const broker = owned(td, await startMosquitto({ binary: bin, runDir, options: {} }));
    assert.equal(broker.host, '127.0.0.1');
    assert.ok(broker.port > 0);
    assert.equal(broker.url, `mqtt://127.0.0.1:${broker.port}`);
    assert.match(broker.version, /^2\./);
    assert.deepEqual(broker.protocols, ['3.1.1', '5']);
    assert.equal(broker.software, 'mosquitto');
    assert.match(broker.description, new RegExp(`^managed Mosquitto ${broker.version} on 127\\.0\\.0\\.1:${broker.port} \\(pid ${broker.pid}\\)$`));
    const v311 = await connectClient(td, broker, { protocolVersion: 4 });
    const v5 = await connectClient(td, broker, { protocolVersion: 5 });
    assert.ok(v311.connected && v5.connected);
    const json = JSON.parse(JSON.stringify(broker)) as Record<string, unknown>;
    assert.equal(json.pid, broker.pid);
    assert.equal(json.url, broker.url);
  });

  it('writes scenario options into the config, and they take effect (max_queued_messages 10)', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const broker = owned(td, await startMosquitto({ binary: bin, runDir, options: { max_queued_messages: 10 } }));
    assert.match(await readFile(broker.configFile, 'utf8'), /^max_queued_messages 10$/m);

    const session = { protocolVersion: 4 as const, clientId: 'queue-sub', clean: false };
    const sub = await connectClient(td, broker, session);
    await sub.subscribeAsync('queue/t', { qos: 1 });
    await sub.endAsync();

    const pub = await connectClient(td, broker, { clientId: 'queue-pub' });
    for (let i = 0; i < 15; i++) await pub.publishAsync('queue/t', String(i), { qos: 1 });

    const received: string[] = [];
    await connectClient(td, broker, session, (_topic, payload) => received.push(payload.toString()));
    await settle(() => received.length);
    assert.deepEqual(received, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('reports a bad option as one E_ENVIRONMENT line quoting the log', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    await assert.rejects(startMosquitto({ binary: bin, runDir, options: { no_such_option: 1 } }), (err) => {
      assert.ok(isHarnessError(err));
      assert.equal(err.code, 'E_ENVIRONMENT');
      assert.match(err.message, /^mosquitto exited at start \(status \d+\): Error: Unknown configuration variable "no_such_option"\./);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });

  it('refuses option names and values that could add config lines, before spawning', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    await assert.rejects(startMosquitto({ binary: bin, runDir, options: { 'a\nlistener 1883': 1 } }), { code: 'E_SCENARIO' });
    await assert.rejects(startMosquitto({ binary: bin, runDir, options: { max_queued_messages: '5\nlistener 1883' } }), {
      code: 'E_SCENARIO',
    });
  });

  it('stop() leaves no process and can be called twice', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const broker = owned(td, await startMosquitto({ binary: bin, runDir, options: {} }));
    const pid = broker.pid!;
    assert.ok(pidAlive(pid));
    await broker.stop();
    assert.equal(pidAlive(pid), false);
    await broker.stop();
  });

  it('kill() crashes it and restart() brings it back on the same port', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const broker = owned(td, await startMosquitto({ binary: bin, runDir, options: {} }));
    const firstPid = broker.pid!;
    await broker.kill();
    assert.ok(await pidGone(firstPid));
    await assert.rejects(connectClient(td, broker), /ECONNREFUSED/);
    await broker.restart();
    assert.notEqual(broker.pid, firstPid);
    assert.ok(pidAlive(broker.pid!));
    const client = await connectClient(td, broker, { protocolVersion: 5 });
    assert.ok(client.connected);
    const restartedPid = broker.pid!;
    await broker.stop();
    assert.equal(pidAlive(restartedPid), false);
  });

  it('stop() during restart() waits for the new process and stops it too', async (t) => {
    const td = useTeardown(t);
    const runDir = await tempRunDir(td);
    const broker = owned(td, await startMosquitto({ binary: bin, runDir, options: {} }));
    await broker.kill();
    const restarting = broker.restart();
    await broker.stop();
    await restarting;
    assert.equal(pidAlive(broker.pid!), false);
    await assert.rejects(broker.restart(), /restart\(\) after stop\(\)/);
  });
});

/** Waits until the count has not changed for 300 ms (at most 5 s). */
async function settle(count: () => number): Promise<void> {
  const deadline = Date.now() + 5000;
  let last = -1;
  while (Date.now() < deadline) {
    const now = count();
    if (now === last && now > 0) return;
    last = now;
    await delay(300);
  }
}
