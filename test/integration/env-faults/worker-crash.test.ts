/**
 * A worker thread that dies (the MQTT_CHAOS_TEST_CRASH hook throws an uncaught exception in
 * it when the named command arrives) seen from the pool: the barrier fails with the crash's
 * reason rather than hanging, `onCrash` hears it once, and the other shard still hands in
 * its ledger. Real threads, real Aedes over loopback.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startShards } from '../../../src/workers/pool.js';
import type { ShardEvent } from '../../../src/workers/protocol.js';
import { crashHook } from '../../../src/workers/shard-task.js';
import { useTeardown } from '../../helpers/teardown.js';
import { broker, clientsOf, publishers, shardInits, subscribers, uniquePrefix } from '../workers/support.js';

describe('a crashed worker thread', () => {
  it('reads the hook only in its exact form', () => {
    assert.deepEqual(crashHook('shard=1,command=subscribe'), { shard: 1, command: 'subscribe' });
    assert.equal(crashHook(undefined), undefined);
    assert.equal(crashHook('shard=1'), undefined);
    assert.equal(crashHook('1,subscribe'), undefined);
  });

  it("fails the barrier with its reason, is reported once, and the other shard's ledger is kept", async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, { kind: 'embedded-aedes' });
    const prefix = uniquePrefix();
    const groups = [subscribers('devices', 4, prefix), publishers('backend', 2, prefix)];
    const events: ShardEvent[] = [];
    const crashes: { shard: number; message: string }[] = [];
    // Worker threads take a copy of the environment when they start.
    const before = process.env.MQTT_CHAOS_TEST_CRASH;
    process.env.MQTT_CHAOS_TEST_CRASH = 'shard=1,command=subscribe';
    let pool;
    try {
      pool = await startShards(shardInits(groups, 2, target, '3.1.1'), (e) => events.push(e), (shard, message) => crashes.push({ shard, message }));
    } finally {
      if (before === undefined) delete process.env.MQTT_CHAOS_TEST_CRASH;
      else process.env.MQTT_CHAOS_TEST_CRASH = before;
    }
    const p = pool;
    td.add('worker pool', () => p.destroy());
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }] });

    await assert.rejects(p.run({ kind: 'subscribe', groups: ['devices'] }), /shard 1: worker ended: test hook MQTT_CHAOS_TEST_CRASH: shard 1 crashed at subscribe/);
    assert.deepEqual(crashes.map((c) => c.shard), [1], 'one crash, of shard 1');
    assert.match(crashes[0]!.message, /^test hook MQTT_CHAOS_TEST_CRASH/);
    assert.ok(events.some((e) => e.kind === 'error' && e.shard === 1), 'an error event names the shard');
    await assert.rejects(p.status(), /shard 1 has ended/);

    const ledgers = await p.finish();
    assert.deepEqual(ledgers.map((l) => l.shard), [0], "shard 0's ledger, not the crashed one's");
    assert.equal(clientsOf(ledgers, 'devices').length, 2, 'shard 0 holds devices 0 and 1');
    assert.ok(clientsOf(ledgers, 'devices').every((c) => c.attempts[0]?.connackAt !== undefined));
    assert.deepEqual(crashes.length, 1, 'finishing does not report the crash again');
  });
});
