/**
 * The `start` reading on an external Mosquitto, one run after another: the $SYS heap it
 * publishes is retained and up to sys_interval old, so right after a run's sessions were
 * cleared it still shows them. Taken as the next run's baseline, it made "per session"
 * negative (-1,719 B for 100 devices, seen against a Mosquitto started by hand) and held
 * that against `memory.perSession <= 4KB` as a pass. The start reading now waits for a $SYS
 * pass after it began, as `measure` points do, so the baseline is the broker's heap now.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { freeLoopbackPort } from '../../../src/brokers/free-port.js';
import type { BrokerTarget } from '../../../src/brokers/types.js';
import { MemorySampler } from '../../../src/engine/memory-sampler.js';
import { useTeardown } from '../../helpers/teardown.js';
import { mosquittoBinary, needsMosquitto, tempDir } from '../run/support.js';

const SESSIONS = 200;
/** Long against the few hundred ms the test takes to clear the sessions after a publication. */
const SYS_INTERVAL_S = 15;

describe('memory baseline on an external Mosquitto', { skip: needsMosquitto }, () => {
  it(`after ${SESSIONS} sessions are cleared, the start reading is the heap now, not the retained one that still holds them`, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'start-fresh');
    const port = await freeLoopbackPort();
    await writeFile(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nsys_interval ${SYS_INTERVAL_S}\n`);
    const broker = spawn(mosquittoBinary!, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    td.add('stop mosquitto', () => void broker.kill('SIGKILL'));
    const url = `mqtt://127.0.0.1:${port}`;
    let watch: mqtt.MqttClient | undefined;
    for (let i = 0; i < 50 && !watch; i++) watch = await mqtt.connectAsync(url, { reconnectPeriod: 0 }).catch(async () => void (await sleep(100)));
    assert.ok(watch, 'mosquitto answers');
    td.add('watch', () => watch.endAsync(true));
    const heaps: { at: number; bytes: number }[] = [];
    watch.on('message', (_topic, payload) => heaps.push({ at: performance.now(), bytes: Number(payload.toString()) }));
    await watch.subscribeAsync('$SYS/broker/heap/current');

    const sessions = async (clean: boolean): Promise<void> => {
      for (let i = 0; i < SESSIONS; i++) {
        const c = await mqtt.connectAsync(url, { clientId: `held-${i}`, clean, reconnectPeriod: 0 });
        if (!clean) await c.subscribeAsync(`held/${i}`, { qos: 1 });
        await c.endAsync();
      }
    };
    await sessions(false);
    // The first publication after the sessions were made holds them; clear them at once after it.
    const made = performance.now();
    while (!heaps.some((h) => h.at > made)) await sleep(50);
    const stale = heaps.at(-1)!;
    await sessions(true);
    assert.ok(performance.now() - stale.at < SYS_INTERVAL_S * 1000, 'the sessions were cleared before the next $SYS pass');

    const target = { kind: 'external', software: 'mosquitto', host: '127.0.0.1', port, url, protocols: ['3.1.1', '5'], description: 'test', stop: async () => {} } as BrokerTarget;
    const sampler = await MemorySampler.start({ probes: 'auto', intervalMs: 1000, settleMs: 0 }, target, { allowRemote: false, log: () => {} });
    assert.ok(sampler);
    const record = await sampler.stop();
    const start = record.points.find((p) => p.label === 'start');
    assert.ok(start, JSON.stringify(record.points));
    const baseline = start.values['sys-heap'];
    assert.ok(typeof baseline === 'number', JSON.stringify(record));
    assert.ok(baseline < stale.bytes, `the baseline (${baseline} B) is below the retained value that still held ${SESSIONS} sessions (${stale.bytes} B); heaps seen: ${JSON.stringify(heaps.map((h) => h.bytes))}`);
    assert.equal(start.freshness?.['sys-heap']?.newer, true, JSON.stringify(start));
  });
});
