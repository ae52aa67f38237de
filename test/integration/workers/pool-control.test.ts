import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { broker, clientsOf, pool, publishers, shardInits, subscribers, total, uniquePrefix, waitForStatus } from './support.js';

describe('worker pool control', () => {
  it('answers status while a paced connect runs, and paces the group rate over both shards', async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, { kind: 'embedded-aedes' });
    const prefix = uniquePrefix();
    const { pool: p } = await pool(td, shardInits([subscribers('devices', 20, prefix)], 2, target, '3.1.1'));
    const started = performance.now();
    let connectDone = false;
    const connecting = p.run({ kind: 'connect', groups: [{ name: 'devices', ratePerSec: 20 }] }).then(() => {
      connectDone = true;
    });
    const midway = await waitForStatus(p, (s) => total(s, 'connected') > 0, 10_000, 'the first CONNACK');
    assert.equal(connectDone, false, 'status came back while connect was still running');
    assert.ok(total(midway, 'connected') < 20, JSON.stringify(midway));
    await connecting;
    const ledgers = await p.finish();
    // 20/s over two shards of 10: shard 0 starts at 0, 100, ... 900 ms; shard 1 at 50, 150, ... 950.
    // A start may be late (a busy machine), never early: the i-th start is at least i × 50 ms in.
    const starts = clientsOf(ledgers, 'devices')
      .map((c) => c.attempts[0]!.startedAt - started)
      .sort((a, b) => a - b);
    assert.equal(starts.length, 20);
    starts.forEach((at, i) => assert.ok(at >= i * 50 - 1, `start ${i} at ${at} ms: ${JSON.stringify(starts)}`));
  });

  it('a shard that fails a command reports one line, fails the barrier, and still hands in its ledger', async (t) => {
    const td = useTeardown(t);
    const target = await broker(td, { kind: 'embedded-aedes' });
    const prefix = uniquePrefix();
    const groups = [subscribers('devices', 2, prefix), publishers('backend', 2, prefix)];
    const { pool: p, events } = await pool(td, shardInits(groups, 2, target, '3.1.1'));
    await p.run({ kind: 'connect', groups: [{ name: 'devices' }, { name: 'backend' }] });
    // 16 bytes cannot hold the 24-byte header: the engine's bug, not the broker's.
    const phase = { kind: 'publish', from: 'backend', to: 'devices', perTarget: 1, qos: 1, payloadBytes: 16 } as const;
    await assert.rejects(p.run({ kind: 'publish', phase }), /shard \d: publish: payloadBytes 16 is below the 24-byte message header/);
    const errors = events.filter((e) => e.kind === 'error');
    assert.ok(errors.length >= 1 && errors.every((e) => !e.message.includes('\n')), JSON.stringify(errors));
    await assert.rejects(p.status(), /has ended/);
    const ledgers = await p.finish();
    assert.deepEqual(ledgers.map((l) => l.shard).sort(), [0, 1]);
    assert.equal(clientsOf(ledgers, 'devices').length, 2);
    assert.ok(clientsOf(ledgers, 'devices').every((c) => c.attempts[0]?.connackAt !== undefined));
    await p.destroy();
    await p.destroy();
  });
});
